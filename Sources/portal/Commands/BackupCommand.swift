import ArgumentParser
import Foundation

/// `portal backup --to FILE`: a consistent copy of the live database through SQLite's online backup API.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backup", abstract: "Copy the database while the portal runs.")

    @Option(help: "Where to write the copy.") var to: String
    @OptionGroup var options: DataOptions

    func run() throws {
        let environment = try options.open().environment
        try environment.database.backup(to: to)
        print("Backed up \(options.dataDirectory)/portal.sqlite to \(to).")
        print("Keep \(options.dataDirectory)/secret.key with it: encrypted fields cannot be read without it.")
    }
}
