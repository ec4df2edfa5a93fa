import Glibc

// Everything the portal writes (the database, its WAL, backups, uploads) is private to its user.
umask(0o077)
// `portal` with no subcommand means `portal serve` (CONTRACTS.md).
PortalCommand.main()
