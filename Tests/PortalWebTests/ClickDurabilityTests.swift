import Dispatch
import Foundation
import Store
import Synchronization
import Testing

/// Clicks survive a killed process: the portal is hammered on `/r/demo`, killed with SIGKILL mid-load, and
/// every click id it had answered must be in the database when it is opened again.
@Suite struct ClickDurabilityTests {
    @Test func everyAnsweredClickSurvivesSIGKILL() throws {
        let binary = PortalCommandTests.executable
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the portal product first")
        let data = NSTemporaryDirectory() + "portal-kill-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: data) }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--port", "0", "--data", data, "--demo"]
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

        // Eight clients click as fast as they can; the process is killed at a moment drawn at random.
        let answered = Mutex<[Int64]>([])
        let stop = Mutex(false)
        let group = DispatchGroup()
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
        usleep(UInt32.random(in: 400_000...1_200_000))
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
    }
}
