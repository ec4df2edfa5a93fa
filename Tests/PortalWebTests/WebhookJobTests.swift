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
