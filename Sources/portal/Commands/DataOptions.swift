import ArgumentParser
import Foundation
import PortalWeb

/// `--data` and `--migrations`, shared by every command that opens the database.
struct DataOptions: ParsableArguments {
    @Option(help: "Folder for portal.sqlite, uploads and the secret key (env PORTAL_DATA).") var data: String?
    @Option(help: "Folder of numbered SQL migrations.") var migrationsDirectory = "Migrations"

    var dataDirectory: String { data ?? ProcessInfo.processInfo.environment["PORTAL_DATA"] ?? "./data" }

    /// Opens the database, applying pending migrations (every command works on an up-to-date schema).
    func open() throws -> (environment: PortalEnvironment, applied: [String]) {
        let opened = try PortalEnvironment.open(dataDirectory: dataDirectory, migrationsDirectory: migrationsDirectory)
        return (opened.environment, opened.applied.map(\.description))
    }
}

/// The public URL used in printed links (`PORTAL_BASE_URL`).
enum BaseURL {
    static var current: String {
        let value = ProcessInfo.processInfo.environment["PORTAL_BASE_URL"] ?? "http://127.0.0.1:8080"
        return value.hasSuffix("/") ? String(value.dropLast()) : value
    }
}

/// A failure the user caused, printed as one sentence with a non-zero exit.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
}
