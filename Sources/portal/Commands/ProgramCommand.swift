import ArgumentParser
import Foundation
import PortalCore

/// `portal program …`.
struct ProgramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "program", abstract: "Manage programs.",
                                                    subcommands: [ProgramCreateCommand.self, ProgramKeysCommand.self])
}

/// `portal program create --name N --slug S --currency USD [...] [--json]`: a program and its first secret key.
struct ProgramCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a program and its first secret API key.")

    @Option(help: "The program's name.") var name: String
    @Option(help: "Short name used in URLs: lower-case letters, digits and hyphens.") var slug: String
    @Option(help: "ISO 4217 currency code, e.g. USD.") var currency: String
    @Option(help: "Default commission on sales, in percent.") var commissionPercent: Double = 20
    @Option(help: "Days a commission waits before it becomes payable.") var holdDays = 30
    @Option(help: "Days a click keeps its credit.") var cookieDays = 60
    @Option(help: "Minimum payout in minor units (5000 = 50.00).") var minPayout: Int64 = 5000
    @Flag(help: "Print {\"id\", \"slug\", \"secret_key\"} as JSON.") var json = false
    @OptionGroup var options: DataOptions

    func run() throws {
        var program = NewProgram(name: name, slug: slug, currency: currency)
        program.commissionPercent = commissionPercent
        program.holdDays = holdDays
        program.cookieDays = cookieDays
        program.minPayout = minPayout
        do { try program.validate() } catch { throw CommandFailure(description: "Invalid --\(error.field): \(error.message)") }
        let environment = try options.open().environment
        let now = Int64(Date().timeIntervalSince1970)
        let created = try environment.database.write { db in try ProgramStore().create(in: db, program, now: now) }
        if json {
            let object: [String: Any] = ["id": created.id, "slug": created.slug, "secret_key": created.secretKey]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("Created program \(created.slug) (id \(created.id)).")
            print("Secret API key (shown once): \(created.secretKey)")
        }
    }
}

/// `portal program keys --slug S [--create | --revoke ID]`: a program's API keys (prefixes, scopes, last use),
/// a new secret key (shown once), or revoking one.
struct ProgramKeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "List, create or revoke a program's API keys.")

    @Option(help: "The program's slug.") var slug: String
    @Flag(help: "Create a new secret key and print it (shown once).") var create = false
    @Option(help: "Revoke the key with this id.") var revoke: Int64?
    @OptionGroup var options: DataOptions

    func run() throws {
        let environment = try options.open().environment
        let now = Int64(Date().timeIntervalSince1970)
        let store = APIKeyStore()
        try environment.database.write { db in
            guard let programID = try db.queryValue("SELECT id FROM programs WHERE slug = ?", [slug], as: Int64.self) else {
                throw CommandFailure(description: "No program with the slug \(slug).")
            }
            if create {
                let created = try store.createSecretKey(in: db, programID: programID, now: now)
                print("Secret API key \(created.id) (shown once): \(created.key)")
            } else if let revoke {
                guard try store.revoke(in: db, programID: programID, keyID: revoke, now: now) else {
                    throw CommandFailure(description: "No live key \(revoke) in \(slug).")
                }
                print("Revoked key \(revoke).")
            } else {
                for key in try store.keys(in: db, programID: programID) {
                    let owner = key.partnerID.map { "partner \($0)" } ?? "program"
                    let used = key.lastUsedAt.map { "last used \(Date(timeIntervalSince1970: TimeInterval($0)))" } ?? "never used"
                    let state = key.revokedAt == nil ? "" : " (revoked)"
                    print("\(key.id)\t\(key.prefix)…\t\(owner)\t\(key.scopes.joined(separator: " "))\t\(used)\(state)")
                }
            }
        }
    }
}
