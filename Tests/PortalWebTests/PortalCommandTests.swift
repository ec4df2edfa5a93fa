import Foundation
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
}
