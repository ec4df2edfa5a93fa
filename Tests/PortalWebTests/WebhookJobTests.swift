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

/// A successful HTTPS delivery: a receiver (Python's TLS server, started here) with a certificate from a CA the
/// client is told to trust (`trustedCAFile`, as `PORTAL_WEBHOOKS_CA_FILE`) gets the signed body; the same receiver
/// is refused without that CA, and a name the certificate does not cover is refused even with it.
@Suite struct WebhookHTTPSDeliveryTests {
    static let receiver = """
        import http.server, ssl, sys
        class Hook(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with open(sys.argv[3], "ab") as out:
                    out.write(self.headers.get("Portal-Signature", "").encode() + b"\\n" + body + b"\\n")
                self.send_response(204)
                self.end_headers()
            def log_message(self, *args):
                pass
        server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    @Test(.enabled(if: TestCertificates.hasCommandLineTools)) func aReceiverBehindATrustedCAGetsTheSignedBody() throws {
        let certificates = try TestCertificates()
        let pair = try certificates.selfSigned(commonName: "localhost", names: ["localhost"])
        let certificate = certificates.directory.appendingPathComponent("receiver.crt")
        let key = certificates.directory.appendingPathComponent("receiver.key")
        let received = certificates.directory.appendingPathComponent("received.txt")
        try pair.certificate.write(to: certificate, atomically: true, encoding: .utf8)
        try pair.key.write(to: key, atomically: true, encoding: .utf8)
        let script = certificates.directory.appendingPathComponent("receiver.py")
        try Self.receiver.write(to: script, atomically: true, encoding: .utf8)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", script.path, certificate.path, key.path, received.path]
        let output = Pipe()
        server.standardOutput = output
        server.standardError = FileHandle.nullDevice
        try server.run()
        // Killed outright: the test process's ignored SIGTERM is inherited, so a polite terminate is not heard.
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let port = try #require(Int(line), "receiver did not start: \(line)")

        let (environment, _) = try TestEnvironment.make()
        let store = try WebhookStore(key: environment.secretKey)
        let now: Int64 = 1_800_000_000
        let secret = try environment.database.write { db -> String in
            let program = try ProgramStore().create(in: db, NewProgram(name: "P", slug: "tls", currency: "USD"), now: now)
            let created = try store.create(in: db, programID: program.id, url: "https://localhost:\(port)/hook", events: [], now: now)
            _ = try WebhookEvents.enqueue(in: db, programID: program.id, partnerID: nil, type: "partner.applied", data: ["id": 7], now: now)
            return created.secret
        }
        // Without the CA: refused by certificate verification, retried later.
        let untrusted = WebhookDeliverer(store: store, client: WebhookHTTPClient(allowPrivate: true, trustedCAFile: nil))
        #expect(try untrusted.run(environment.database, now: now).failed == 1)
        let error = try environment.database.read { db in try db.queryValue("SELECT last_error FROM webhook_deliveries", as: String.self) }
        #expect(error?.contains("certificate") == true)

        // With it: delivered, signed, the body intact.
        let trusted = WebhookDeliverer(store: store, client: WebhookHTTPClient(allowPrivate: true, trustedCAFile: certificate.path))
        #expect(try trusted.run(environment.database, now: now + 10).delivered == 1)
        let lines = try String(contentsOf: received, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        let body = try #require(lines.last)
        #expect(body.contains("\"type\":\"partner.applied\""))
        #expect(WebhookSignature.verify(header: lines[0], body: Array(body.utf8), secret: secret, now: now + 10))
        let status = try environment.database.read { db in try db.queryValue("SELECT last_status FROM webhook_deliveries", as: Int64.self) }
        #expect(status == 204)

        // The certificate names localhost only: 127.0.0.1 is refused even with the CA trusted.
        var client = WebhookHTTPClient(allowPrivate: true, trustedCAFile: certificate.path)
        client.answerTimeout = 3
        #expect(throws: WebhookHTTPClient.Failure.self) {
            _ = try client.post(url: "https://127.0.0.1:\(port)/hook", headers: [], body: Array("{}".utf8))
        }
        // A CA file that cannot be read is a clear TLS error, not a crash.
        let missing = WebhookHTTPClient(allowPrivate: true, trustedCAFile: certificates.directory.appendingPathComponent("none.pem").path)
        do {
            _ = try missing.post(url: "https://localhost:\(port)/hook", headers: [], body: [])
            Issue.record("a missing CA file must fail")
        } catch {
            #expect(error.description.contains("cannot read the CA file"))
        }
    }
}
