import Foundation
import Store
import Testing

/// The `portal` executable itself: it serves, and SIGTERM drains and exits 0 (CONTRACTS.md).
@Suite struct PortalCommandTests {
    static var executable: URL {
        // Tests/PortalWebTests/<file> → package root → .build/debug/portal (swift test builds it).
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/portal")
    }

    @Test func serveAnswersHealthzAndExitsZeroOnSIGTERM() throws {
        let binary = Self.executable
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the portal product first: \(binary.path)")
        let data = NSTemporaryDirectory() + "portal-cli-\(UUID().uuidString)"
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--port", "0", "--data", data, "--demo"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer { if process.isRunning { process.terminate() }; try? FileManager.default.removeItem(atPath: data) }

        // The log names the port it bound (port 0 picks one).
        var log = ""
        var port: Int?
        let deadline = Date().addingTimeInterval(10)
        while port == nil && Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            log += String(decoding: chunk, as: UTF8.self)
            if let range = log.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(log[range].split(separator: ":").last ?? "")
            }
        }
        let boundPort = try #require(port, "no port in log: \(log)")
        let health = try HTTPGet.fetch(port: boundPort, path: "/healthz")
        #expect(health.status == 200)
        #expect(health.body == #"{"status":"ok"}"#)
        #expect(FileManager.default.fileExists(atPath: data), "--data folder is created")

        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }

    /// Runs `portal ARGS` to completion with `input` on standard input.
    static func run(_ arguments: [String], input: String = "", environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = executable.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func migrateProgramCreateBackupAndJobs() throws {
        let data = NSTemporaryDirectory() + "portal-cli-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let first = try Self.run(["migrate", "--data", data])
        #expect(first.status == 0)
        #expect(first.output.contains("applied 0001_accounts.sql"))
        let mode = try FileManager.default.attributesOfItem(atPath: data + "/portal.sqlite")[.posixPermissions] as? Int
        #expect(mode == 0o600, "the database holds password hashes: owner-only")
        let second = try Self.run(["migrate", "--data", data])
        #expect(second.output.contains("Database is up to date."))

        let created = try Self.run(["program", "create", "--name", "Acme", "--slug", "acme", "--currency", "EUR",
                                    "--commission-percent", "12.5", "--json", "--data", data])
        #expect(created.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(created.output.utf8)) as? [String: Any])
        #expect(json["slug"] as? String == "acme")
        #expect((json["secret_key"] as? String)?.hasPrefix("sk_") == true)
        #expect(json["id"] as? Int == 1)

        let duplicate = try Self.run(["program", "create", "--name", "Again", "--slug", "acme", "--currency", "EUR", "--data", data])
        #expect(duplicate.status != 0)
        #expect(duplicate.output.contains("already exists"))
        let badCurrency = try Self.run(["program", "create", "--name", "X", "--slug", "xx", "--currency", "euro", "--data", data])
        #expect(badCurrency.status != 0)
        #expect(badCurrency.output.contains("Invalid --currency"))

        let backupPath = data + "/copy.sqlite"
        let backup = try Self.run(["backup", "--to", backupPath, "--data", data])
        #expect(backup.status == 0)
        let copy = try DatabasePool(path: backupPath)
        #expect(try copy.read { db in try db.queryValue("SELECT name FROM programs WHERE slug = 'acme'", as: String.self) } == "Acme")
        #expect(try copy.read { db in try db.queryValue("SELECT commission_bps FROM programs", as: Int64.self) } == 1250)

        let jobs = try Self.run(["jobs", "run", "--data", data], environment: ["PORTAL_SMTP_URL": ""].filter { !$0.value.isEmpty })
        #expect(jobs.status == 0)
        #expect(jobs.output.contains("outbox: 0 sent, 0 failed, 0 waiting"))
        #expect(jobs.output.contains("sessions: 0 expired removed"))
    }

    @Test func createAdminWithAPasswordOrASetupLink() throws {
        let data = NSTemporaryDirectory() + "portal-cli-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let weak = try Self.run(["create-admin", "--email", "ops@example.com", "--password-stdin", "--data", data], input: "short\n")
        #expect(weak.status != 0)
        #expect(weak.output.contains("at least 12 characters"))
        let withPassword = try Self.run(["create-admin", "--email", "Ops@Example.com", "--password-stdin", "--data", data],
                                        input: "correct horse battery staple\n")
        #expect(withPassword.status == 0)
        #expect(withPassword.output.contains("Created platform admin ops@example.com."))
        let again = try Self.run(["create-admin", "--email", "ops@example.com", "--password-stdin", "--data", data], input: "another long password\n")
        #expect(again.status != 0)
        #expect(again.output.contains("already exists"))

        let link = try Self.run(["create-admin", "--email", "second@example.com", "--data", data],
                                environment: ["PORTAL_BASE_URL": "https://partners.example.com/"])
        #expect(link.status == 0)
        #expect(link.output.contains("https://partners.example.com/password/"))
        let database = try DatabasePool(path: data + "/portal.sqlite")
        let roles = try database.read { db in try db.query("SELECT u.email, m.role FROM users u JOIN memberships m ON m.user_id = u.id ORDER BY u.id") }
        #expect(roles.count == 2)
        #expect(try roles.allSatisfy { try $0["role"] as String == "platform_admin" })
        #expect(try database.read { db in try db.queryValue("SELECT password_hash FROM users WHERE email = 'second@example.com'", as: String?.self) } == .some(nil))
    }

    @Test func everySubcommandHasHelp() throws {
        for command in [["serve"], ["migrate"], ["create-admin"], ["program", "create"], ["jobs", "run"], ["backup"]] {
            let help = try Self.run(command + ["--help"])
            #expect(help.status == 0, "\(command)")
            #expect(help.output.contains("USAGE"), "\(command)")
        }
    }
}
