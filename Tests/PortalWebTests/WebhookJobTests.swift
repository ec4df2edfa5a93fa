import Foundation
import Logging
import PortalCore
import Testing
@testable import PortalWeb

/// The job loop sends webhooks: `JobScheduler.runDueJobs` with a deliverer attempts due deliveries and records
/// the outcome (a refused connection here: retried 10 s later).
@Suite struct WebhookJobTests {
    @Test func runDueJobsAttemptsDueDeliveriesAndRecordsTheOutcome() throws {
        let (environment, _) = try TestEnvironment.make()
        let database = environment.database
        let now: Int64 = 1_800_000_000
        // A port nobody listens on: bind, read the port, close.
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(probe, $0, &length) } }
        close(probe)
        let port = UInt16(bigEndian: address.sin_port)

        let store = try WebhookStore(key: environment.secretKey)
        try database.write { db in
            let program = try ProgramStore().create(in: db, NewProgram(name: "P", slug: "pp", currency: "USD"), now: now)
            _ = try store.create(in: db, programID: program.id, url: "http://127.0.0.1:\(port)/hook", events: [], now: now)
            _ = try WebhookEvents.enqueue(in: db, programID: program.id, partnerID: nil, type: "partner.applied", data: ["id": 1], now: now)
        }
        let deliverer = WebhookDeliverer(store: store, client: WebhookHTTPClient(allowPrivate: true))
        _ = JobScheduler.runDueJobs(database, webhooks: deliverer, now: now + 1, logger: Logger(label: "test"))
        let row = try database.read { db in try db.queryOne("SELECT attempts, next_attempt_at, last_error FROM webhook_deliveries") }
        #expect(try row?["attempts"] as Int64? == 1)
        #expect(try row?["next_attempt_at"] as Int64? == now + 11)
        #expect((try row?["last_error"] as String?)?.hasPrefix("connection failed") == true)
    }
}

/// HTTPS deliveries verify the receiver's certificate against the system CA store: a self-signed one
/// (served by `openssl s_server`) is refused before anything is sent.
@Suite struct WebhookTLSTests {
    @Test func aSelfSignedReceiverIsRefused() throws {
        let certificates = try TestCertificates()
        let pair = try certificates.selfSigned(commonName: "localhost", names: ["localhost"])
        let certificate = certificates.directory.appendingPathComponent("receiver.crt")
        let key = certificates.directory.appendingPathComponent("receiver.key")
        try pair.certificate.write(to: certificate, atomically: true, encoding: .utf8)
        try pair.key.write(to: key, atomically: true, encoding: .utf8)
        let port = Int.random(in: 40_000 ... 59_000)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["openssl", "s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificate.path, "-key", key.path, "-www", "-quiet"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        // s_server does not always stop on SIGTERM: kill it outright.
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        var client = WebhookHTTPClient(allowPrivate: true)
        client.answerTimeout = 3
        var last: WebhookHTTPClient.Failure?
        for _ in 0 ..< 50 {  // until s_server listens
            do {
                _ = try client.post(url: "https://127.0.0.1:\(port)/", headers: [], body: Array("{}".utf8))
                Issue.record("a self-signed certificate must not verify")
                return
            } catch {
                last = error
                if case .connect = error { Thread.sleep(forTimeInterval: 0.1); continue }
                break
            }
        }
        guard case .tls(let message) = last else { Issue.record("expected a TLS failure, got \(String(describing: last))"); return }
        #expect(message.contains("certificate"))
    }
}
