

// `portal` with no subcommand means `portal serve` (CONTRACTS.md).
PortalCommand.main()
