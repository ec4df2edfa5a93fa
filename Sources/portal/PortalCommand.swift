import ArgumentParser

/// The `portal` command line (CONTRACTS.md § Command line).
struct PortalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portal",
        abstract: "PartnerPortal: a self-hosted partner program server.",
        subcommands: [ServeCommand.self, MigrateCommand.self, CreateAdminCommand.self, ProgramCommand.self, GenerateCommand.self,
                      JobsCommand.self, BackupCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
