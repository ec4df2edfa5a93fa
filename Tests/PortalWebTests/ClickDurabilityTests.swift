import Dispatch
import Foundation
import PortalCore
import Store
import Synchronization
import Testing

/// Clicks and conversions survive a killed process: the portal is hammered on `/r/demo` and
/// `POST /api/v1/conversions` at once, killed with SIGKILL at a random moment, and every click id it had answered
/// and every conversion it had acknowledged (with its commission and ledger entry) must be in the database when
/// it is opened again.
@Suite struct ClickDurabilityTests {
    @Test func everyAnsweredClickAndConversionSurvivesSIGKILL() throws {
        let binary = PortalCommandTests.executable
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the portal product first")
        let data = NSTemporaryDirectory() + "portal-kill-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--port", "0", "--data", data, "--demo"]
        // As fast as the clients can: no per-key API rate limit.
        process.environment = ProcessInfo.processInfo.environment.merging(["PORTAL_API_RATE_LIMIT": "off"]) { _, new in new }
        process.currentDirectoryURL = binary.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        var log = ""
        var port: Int?
        let deadline = Date().addingTimeInterval(20)
        while port == nil && Date() < deadline {
            log += String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
            if let range = log.range(of: #"listening on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(log[range].split(separator: ":").last ?? "")
            }
        }
        let boundPort = try #require(port, "no port in log: \(log)")

        // A secret key for the demo program, written beside the running server (WAL allows it).
        let key = try DatabasePool(path: data + "/portal.sqlite").write { db in
            try ProgramStore().createKey(in: db, programID: 1, partnerID: nil, prefix: "sk_", scopes: [], now: 0)
        }

        // Eight clients click and four send conversions as fast as they can; the process is killed at a moment
        // drawn at random.
        let answered = Mutex<[Int64]>([])
        let acknowledged = Mutex<[String]>([])
        let stop = Mutex(false)
        let group = DispatchGroup()
        for client in 0..<4 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                var sequence = 0
                while !stop.withLock({ $0 }) {
                    sequence += 1
                    let externalID = "kill-\(client)-\(sequence)"
                    let body = #"{"external_id":"\#(externalID)","type":"sale","amount":\#(1000 + sequence),"link_code":"demo"}"#
                    guard let reply = try? HTTPGet.request(port: boundPort, method: "POST", path: "/api/v1/conversions",
                                                           headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"],
                                                           body: body),
                          reply.status == 201 else { continue }
                    acknowledged.withLock { $0.append(externalID) }
                }
            }
        }
        for _ in 0..<8 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                while !stop.withLock({ $0 }) {
                    guard let reply = try? HTTPGet.request(port: boundPort, method: "GET", path: "/r/demo",
                                                           headers: ["User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"]),
                          reply.status == 302,
                          let id = Int64(reply.headers["location"]?.split(separator: "=").last ?? "") else { continue }
                    answered.withLock { $0.append(id) }
                }
            }
        }
        usleep(UInt32.random(in: 800_000...1_600_000))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        stop.withLock { $0 = true }
        group.wait()

        let ids = answered.withLock { $0 }
        #expect(ids.count > 50, "the load should have produced clicks before the kill")
        // Opening the database after the kill replays the WAL: every acknowledged click must be there.
        let database = try DatabasePool(path: data + "/portal.sqlite")
        let stored = Set(try database.read { db in try db.query("SELECT id FROM clicks").map { try $0["id"] as Int64 } })
        let missing = ids.filter { !stored.contains($0) }
        #expect(missing.isEmpty, "\(missing.count) of \(ids.count) answered clicks were lost")

        let conversions = acknowledged.withLock { $0 }
        #expect(conversions.count > 10, "the load should have produced conversions before the kill")
        let whole = Set(try database.read { db in
            try db.query("""
                SELECT v.external_id FROM conversions v JOIN commissions c ON c.conversion_id = v.id
                JOIN ledger_entries e ON e.commission_id = c.id AND e.kind = 'earned' WHERE v.external_id LIKE 'kill-%'
                """).map { try $0["external_id"] as String }
        })
        let lost = conversions.filter { !whole.contains($0) }
        #expect(lost.isEmpty, "\(lost.count) of \(conversions.count) acknowledged conversions were lost or half-written")
        // Nothing half-written either: every stored conversion of the demo link has its commission and entry.
        let stray = try database.read { db in
            try db.queryValue("""
                SELECT count(*) FROM conversions v WHERE v.external_id LIKE 'kill-%' AND NOT EXISTS (
                    SELECT 1 FROM commissions c JOIN ledger_entries e ON e.commission_id = c.id WHERE c.conversion_id = v.id)
                """, as: Int64.self)
        }
        #expect(stray == 0)
    }
}
