import Foundation
import PortalSecurity
import Store
import Testing
@testable import PortalCore

/// Webhook deliveries end to end against a receiver on 127.0.0.1 (private addresses allowed as with
/// PORTAL_WEBHOOKS_ALLOW_PRIVATE=1): events queued by the engine in its transaction, signed per attempt,
/// retried on the contract's schedule, given up and the endpoint disabled with an e-mail, kept across a restart.
@Suite(.serialized) struct WebhookDeliveryTests {
    let t0 = EngineFixture.t0

    func deliverer(allowPrivate: Bool = true) throws -> WebhookDeliverer {
        WebhookDeliverer(store: try WebhookStore(key: EngineFixture.secret), client: WebhookHTTPClient(allowPrivate: allowPrivate))
    }

    func endpoint(_ f: EngineFixture, url: String, partner: Int64? = nil, events: [String] = []) throws -> (id: Int64, secret: String) {
        let store = try WebhookStore(key: EngineFixture.secret)
        let created = try f.pool.write { db in
            try store.create(in: db, programID: f.programID, partnerID: partner, url: url, events: events, now: t0 - 100)
        }
        return (created.endpoint.id, created.secret)
    }

    struct Row { let attempts: Int64; let next: Int64?; let status: Int64?; let error: String; let delivered: Int64?; let failed: Int64? }

    func delivery(_ pool: DatabasePool, _ id: Int64 = 1) throws -> Row? {
        try pool.read { db in
            try db.queryOne("SELECT attempts, next_attempt_at, last_status, last_error, delivered_at, failed_at FROM webhook_deliveries WHERE id = ?", [id])
                .map { Row(attempts: try $0["attempts"], next: try $0["next_attempt_at"], status: try $0["last_status"], error: try $0["last_error"],
                           delivered: try $0["delivered_at"], failed: try $0["failed_at"]) }
        }
    }

    @Test func aConversionIsDeliveredSignedWithTheDocumentedAlgorithm() throws {
        let f = try EngineFixture()
        let receiver = try TestReceiver()
        defer { receiver.stop() }
        let ada = try f.partner("Ada")
        let hook = try endpoint(f, url: receiver.url, events: ["conversion.created"])
        try f.convert(f.sale("o-1", amount: 10_000, partner: ada))
        #expect(try f.count("SELECT count(*) FROM webhook_deliveries") == 1)

        let report = try deliverer().run(f.pool, now: t0 + 5)
        #expect(report.delivered == 1)
        let request = try #require(receiver.requests.first)
        #expect(request.requestLine == "POST /hooks/portal?x=1 HTTP/1.1")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["portal-event-type"] == "conversion.created")
        let eventID = try #require(request.headers["portal-event-id"])
        #expect(eventID.hasPrefix("evt_"))
        // The receiver's check, written out: t, then HMAC-SHA256 under the whole secret of "{t}.{raw body}".
        let signature = try #require(request.headers["portal-signature"])
        #expect(signature.hasPrefix("t=\(t0 + 5),v1="))
        let expected = Hex.encode(HMACSHA256.authenticate(key: Array(hook.secret.utf8), message: Array("\(t0 + 5).".utf8) + request.body))
        #expect(signature == "t=\(t0 + 5),v1=\(expected)")
        #expect(hook.secret.hasPrefix("whsec_"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
        #expect(json["id"] as? String == eventID)
        #expect(json["type"] as? String == "conversion.created")
        #expect(json["created_at"] as? String == "2026-11-07T12:00:00Z")  // t0, RFC 3339 UTC
        let data = try #require(json["data"] as? [String: Any])
        #expect(data["external_id"] as? String == "o-1")
        #expect((data["commissions"] as? [[String: Any]])?.first?["amount"] as? Int == 2_000)
        let row = try #require(try delivery(f.pool))
        #expect(row.delivered == t0 + 5 && row.attempts == 1 && row.status == 200 && row.next == nil)
        // Nothing more is due.
        #expect(try deliverer().run(f.pool, now: t0 + 1_000) == WebhookDeliverer.Report())
        #expect(receiver.requests.count == 1)
    }

    @Test func a500SchedulesTheRetryAtTheComputedTimeWithTheSameEventIdAndAFreshSignature() throws {
        let f = try EngineFixture(holdDays: 0)
        let receiver = try TestReceiver()
        defer { receiver.stop() }
        receiver.answer(500)
        let ada = try f.partner("Ada")
        _ = try endpoint(f, url: receiver.url, events: ["commission.approved"])
        try f.convert(f.sale("o-1", amount: 10_000, partner: ada))  // hold 0: approved at once
        let first = try deliverer().run(f.pool, now: t0)
        #expect(first.failed == 1)
        var row = try #require(try delivery(f.pool))
        #expect(row.attempts == 1 && row.status == 500 && row.error == "HTTP 500" && row.next == t0 + 10 && row.delivered == nil)
        #expect(try deliverer().run(f.pool, now: t0 + 9) == WebhookDeliverer.Report())  // not due yet
        #expect(receiver.requests.count == 1)
        #expect(try deliverer().run(f.pool, now: t0 + 10).failed == 1)
        row = try #require(try delivery(f.pool))
        #expect(row.attempts == 2 && row.next == t0 + 10 + 60)
        receiver.answer(204)
        #expect(try deliverer().run(f.pool, now: t0 + 70).delivered == 1)
        let requests = receiver.requests
        #expect(requests.count == 3)
        #expect(Set(requests.compactMap { $0.headers["portal-event-id"] }).count == 1)
        #expect(requests.map { $0.headers["portal-signature"]?.prefix(12) ?? "" } == ["t=\(t0),", "t=\(t0 + 10)", "t=\(t0 + 70)"].map { $0.prefix(12) })
        row = try #require(try delivery(f.pool))
        #expect(row.delivered == t0 + 70 && row.attempts == 3 && row.status == 204)
    }

    @Test func redirectsAreNotFollowed() throws {
        let f = try EngineFixture()
        let receiver = try TestReceiver()
        defer { receiver.stop() }
        receiver.answer(302, headers: "Location: http://127.0.0.1:\(receiver.port)/elsewhere\r\n")
        let ada = try f.partner("Ada")
        _ = try endpoint(f, url: receiver.url)
        try f.convert(f.sale("o-1", amount: 100, partner: ada))
        #expect(try deliverer().run(f.pool, now: t0).failed == 1)
        #expect(receiver.requests.count == 1)
        #expect(try delivery(f.pool)?.error == "HTTP 302")
    }

    @Test func privateAddressesAreRefusedUnlessAllowed() throws {
        let f = try EngineFixture()
        let receiver = try TestReceiver()
        defer { receiver.stop() }
        let ada = try f.partner("Ada")
        _ = try endpoint(f, url: receiver.url)
        try f.convert(f.sale("o-1", amount: 100, partner: ada))
        #expect(try deliverer(allowPrivate: false).run(f.pool, now: t0).failed == 1)
        #expect(receiver.requests.isEmpty)
        #expect(try delivery(f.pool)?.error.contains("refused address 127.0.0.1 (loopback)") == true)
    }

    @Test func deliveriesSurviveReopeningTheDatabase() throws {
        let directory = NSTemporaryDirectory() + "webhooks-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/portal.sqlite"
        let migrations = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Migrations").path
        let receiver = try TestReceiver()
        defer { receiver.stop() }
        receiver.answer(503)
        do {
            let pool = try DatabasePool(path: path)
            try Migrator(directory: migrations).migrate(pool)
            let program = try pool.write { db in try ProgramStore().create(in: db, NewProgram(name: "P", slug: "pp", currency: "USD"), now: t0) }
            let store = try WebhookStore(key: EngineFixture.secret)
            _ = try pool.write { db in try store.create(in: db, programID: program.id, url: receiver.url, events: [], now: t0) }
            try pool.write { db in
                _ = try WebhookEvents.enqueue(in: db, programID: program.id, partnerID: nil, type: "partner.applied", data: ["id": 1], now: t0)
            }
            #expect(try deliverer().run(pool, now: t0 + 1).failed == 1)
        }
        // A new process: only the rows remain.
        let reopened = try DatabasePool(path: path)
        let row = try #require(try delivery(reopened))
        #expect(row.attempts == 1 && row.next == t0 + 11 && row.status == 503)
        receiver.answer(200)
        #expect(try deliverer().run(reopened, now: t0 + 11).delivered == 1)
        #expect(try delivery(reopened)?.delivered == t0 + 11)
        #expect(receiver.requests.count == 2)
    }

    @Test func after3DaysTheDeliveryIsGivenUpAndADeadEndpointIsDisabledWithAnEmail() throws {
        let f = try EngineFixture()
        let ada = try f.partner("Ada")
        // A port nobody listens on: connection refused.
        let closed = try TestReceiver()
        closed.stop()
        let hook = try endpoint(f, url: "http://127.0.0.1:\(closed.port)/", partner: ada)
        try f.pool.write { db in
            _ = try WebhookEvents.enqueue(in: db, programID: f.programID, partnerID: ada, type: "payout.paid", data: ["id": 1], now: t0)
            _ = try WebhookEvents.enqueue(in: db, programID: f.programID, partnerID: ada, type: "payout.paid", data: ["id": 2], now: t0 + 86_400 * 2)
        }
        // The first delivery is on its last attempt: 11 failures so far, the last at 68.6 h.
        try f.pool.write { db in
            try db.execute("UPDATE webhook_deliveries SET attempts = 11, next_attempt_at = ? WHERE id = 1", [t0 + 246_970])
            try db.execute("UPDATE webhook_deliveries SET attempts = 1, next_attempt_at = ? WHERE id = 2", [t0 + 250_000])
        }
        let report = try deliverer().run(f.pool, now: t0 + 246_970)
        #expect(report.gaveUp == 1 && report.disabledEndpoints == 1)
        #expect(try delivery(f.pool)?.failed == t0 + 246_970)
        #expect(try delivery(f.pool)?.error.hasPrefix("connection failed") == true)
        // The other waiting delivery is dropped with the endpoint.
        #expect(try delivery(f.pool, 2)?.next == nil)
        #expect(try delivery(f.pool, 2)?.error == "endpoint disabled")
        let endpoint = try f.pool.read { db in try WebhookStore(key: EngineFixture.secret).endpoint(in: db, programID: f.programID, id: hook.id) }
        #expect(endpoint?.disabledAt == t0 + 246_970)
        #expect(endpoint?.failureCount == 1)
        #expect(try f.count("SELECT count(*) FROM outbox WHERE recipient = 'ada@example.com' AND subject LIKE 'Webhook endpoint disabled%'") == 1)
        // A disabled endpoint gets no new events.
        let queued = try f.pool.write { db in
            try WebhookEvents.enqueue(in: db, programID: f.programID, partnerID: ada, type: "payout.paid", data: [:], now: t0 + 300_000)
        }
        #expect(queued == nil)
    }

    @Test func aRotatedSecretSignsAlongsideThePreviousOneUntilItExpires() throws {
        let f = try EngineFixture()
        let receiver = try TestReceiver()
        defer { receiver.stop() }
        let ada = try f.partner("Ada")
        let hook = try endpoint(f, url: receiver.url, events: ["conversion.created"])
        let store = try WebhookStore(key: EngineFixture.secret)
        let rotated = try f.pool.write { db in try store.rotateSecret(in: db, programID: f.programID, id: hook.id, overlap: 3_600, now: t0) }
        #expect(rotated != hook.secret)
        try f.convert(f.sale("o-1", amount: 100, partner: ada))
        _ = try deliverer().run(f.pool, now: t0 + 10)
        try f.convert(f.sale("o-2", amount: 100, partner: ada))
        _ = try deliverer().run(f.pool, now: t0 + 3_600)
        let requests = receiver.requests
        #expect(requests.count == 2)
        let during = try #require(requests.first?.headers["portal-signature"])
        #expect(during.components(separatedBy: "v1=").count == 3)
        #expect(WebhookSignature.verify(header: during, body: requests[0].body, secret: rotated, now: t0 + 10))
        #expect(WebhookSignature.verify(header: during, body: requests[0].body, secret: hook.secret, now: t0 + 10))
        let after = try #require(requests.last?.headers["portal-signature"])
        #expect(after.components(separatedBy: "v1=").count == 2)
        #expect(!WebhookSignature.verify(header: after, body: requests[1].body, secret: hook.secret, now: t0 + 3_600))
        // Sealed at rest: the secret is nowhere in the row.
        let sealed = try f.pool.read { db in try db.queryValue("SELECT secret_sealed FROM webhook_endpoints", as: String.self) }
        #expect(sealed?.contains("whsec_") == false)
    }

    @Test func theEngineQueuesItsEventsForTheEndpointsThatWantThem() throws {
        let f = try EngineFixture(holdDays: 30, minPayout: 100)
        let ada = try f.partner("Ada"), bob = try f.partner("Bob")
        let all = try endpoint(f, url: "https://hooks.example.com/all")
        let payouts = try endpoint(f, url: "https://hooks.example.com/payouts", events: ["payout.paid", "payout.failed"])
        let adaPostback = try endpoint(f, url: "https://ada.example.com/postback", partner: ada)
        try f.convert(f.sale("a-1", amount: 10_000, partner: ada))
        try f.convert(f.sale("b-1", amount: 10_000, partner: bob))
        try HoldRelease().run(f.pool, now: t0 + 31 * 86_400)
        let store = PayoutStore(vault: f.vault)
        let batch = try f.pool.write { db in try store.createBatch(in: db, programID: f.programID, now: t0 + 32 * 86_400) }
        #expect(batch.payouts.count == 2)
        try f.pool.write { db in
            _ = try store.markPaid(in: db, programID: f.programID, id: batch.payouts[0].id, reference: "tx-1", now: t0 + 33 * 86_400)
            _ = try store.markFailed(in: db, programID: f.programID, id: batch.payouts[1].id, reason: "bounced", now: t0 + 33 * 86_400)
        }
        func types(_ endpoint: Int64) throws -> [String] {
            try f.pool.read { db in try db.query("SELECT event_type FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY id", [endpoint]).map { try $0["event_type"] } }
        }
        #expect(try types(all.id) == ["conversion.created", "commission.created", "conversion.created", "commission.created",
                                      "commission.approved", "commission.approved", "payout.created", "payout.created", "payout.paid", "payout.failed"])
        #expect(try types(payouts.id) == ["payout.paid", "payout.failed"])
        let adaPayout = batch.payouts[0].partnerID == ada ? "payout.paid" : "payout.failed"
        #expect(try types(adaPostback.id) == ["conversion.created", "commission.created", "commission.approved", "payout.created", adaPayout])
        // One event id per event, shared by the endpoints that get it.
        #expect(try f.count("SELECT count(DISTINCT event_id) FROM webhook_deliveries") == 10)
        // A failed transaction queues nothing.
        #expect(throws: (any Error).self) {
            try f.pool.write { db in
                _ = try WebhookEvents.enqueue(in: db, programID: f.programID, partnerID: nil, type: "partner.applied", data: [:], now: t0)
                throw CancellationError()
            }
        }
        #expect(try f.count("SELECT count(*) FROM webhook_deliveries WHERE event_type = 'partner.applied'") == 0)
    }

    @Test func aReceiverThatNeverAnswersTimesOut() throws {
        let silent = try TestReceiver(silent: true)
        defer { silent.stop() }
        var client = WebhookHTTPClient(allowPrivate: true)
        client.answerTimeout = 0.3
        let started = Date()
        #expect(throws: WebhookHTTPClient.Failure.timeout) {
            _ = try client.post(url: silent.url, headers: [], body: Array("{}".utf8))
        }
        #expect(Date().timeIntervalSince(started) < 3)
    }

    @Test func httpsToAServerThatIsNotTLSFailsCleanly() throws {
        let receiver = try TestReceiver()
        defer { receiver.stop() }
        var client = WebhookHTTPClient(allowPrivate: true)
        client.answerTimeout = 1  // the test receiver waits for a blank line the ClientHello never sends
        do {
            _ = try client.post(url: "https://127.0.0.1:\(receiver.port)/", headers: [], body: Array("{}".utf8))
            Issue.record("a plain-HTTP server must not pass for TLS")
        } catch {
            guard case .tls = error else { Issue.record("expected a TLS failure, got \(error)"); return }
        }
    }

    @Test func aGivenUpDeliveryIsReplayedWithItsEventIdAndTheLogKeepsEveryAttempt() throws {
        let f = try EngineFixture()
        let receiver = try TestReceiver()
        defer { receiver.stop() }
        receiver.answer(503)
        let store = try WebhookStore(key: EngineFixture.secret)
        let hook = try endpoint(f, url: receiver.url)
        try f.pool.write { db in
            _ = try WebhookEvents.enqueue(in: db, programID: f.programID, partnerID: nil, type: "payout.paid", data: ["id": 7], now: t0)
        }
        // On its last attempt (11 failures so far): this failure gives it up, without disabling (a success came later).
        try f.pool.write { db in
            try db.execute("UPDATE webhook_deliveries SET attempts = 11, next_attempt_at = ? WHERE id = 1", [t0 + 246_970])
            try db.execute("UPDATE webhook_endpoints SET last_success_at = ? WHERE id = ?", [t0 + 246_000, hook.id])
        }
        #expect(try deliverer().run(f.pool, now: t0 + 246_970).gaveUp == 1)
        #expect(try delivery(f.pool)?.failed == t0 + 246_970)

        // Replayed 4 days after the event: due at once, a fresh 3-day window from the replay.
        let replayAt = t0 + 4 * 86_400
        let replayed = try f.pool.write { db in try store.replay(in: db, programID: f.programID, endpointID: hook.id, deliveryID: 1, now: replayAt) }
        #expect(replayed.state == "pending" && replayed.nextAttemptAt == replayAt && replayed.replayedAt == replayAt)
        #expect(try deliverer().run(f.pool, now: replayAt).failed == 1)  // still 503: retried 10 s later, not given up
        #expect(try delivery(f.pool)?.next == replayAt + 10)
        receiver.answer(200)
        #expect(try deliverer().run(f.pool, now: replayAt + 10).delivered == 1)
        let requests = receiver.requests
        #expect(requests.count == 3)
        #expect(Set(requests.compactMap { $0.headers["portal-event-id"] }).count == 1)
        #expect(requests.last?.body == requests.first?.body)

        let attempts = try f.pool.read { db in try store.attempts(in: db, deliveryID: 1) }
        #expect(attempts.map(\.attemptedAt) == [t0 + 246_970, replayAt, replayAt + 10])
        #expect(attempts.map(\.status) == [503, 503, 200])
        #expect(attempts.map(\.replay) == [false, true, false])
        // The log is history: it cannot be rewritten.
        #expect(throws: (any Error).self) { try f.pool.write { db in try db.execute("UPDATE webhook_attempts SET status = 200") } }

        // Another program's delivery, or a partner caller's view of a program endpoint: not found.
        #expect(throws: WebhookStore.Failure.notFound) {
            try f.pool.write { db in try store.replay(in: db, programID: f.programID + 1, endpointID: hook.id, deliveryID: 1, now: replayAt) }
        }
        let ada = try f.partner("Ada")
        #expect(throws: WebhookStore.Failure.notFound) {
            try f.pool.write { db in try store.replay(in: db, programID: f.programID, endpointID: hook.id, deliveryID: 1, owner: .partner(ada), now: replayAt) }
        }
        // A disabled endpoint is enabled first.
        try f.pool.write { db in try db.execute("UPDATE webhook_endpoints SET disabled_at = ? WHERE id = ?", [replayAt, hook.id]) }
        #expect(throws: WebhookStore.Failure.self) {
            try f.pool.write { db in try store.replay(in: db, programID: f.programID, endpointID: hook.id, deliveryID: 1, now: replayAt + 20) }
        }
    }

    @Test func aRejectionReversesAndAMessageIsAnnounced() throws {
        let f = try EngineFixture(holdDays: 30)
        let ada = try f.partner("Ada")
        let hook = try endpoint(f, url: "https://hooks.example.com/all", events: ["commission.reversed", "message.created"])
        let recorded = try f.convert(f.sale("a-1", amount: 10_000, partner: ada))
        let commission = try #require(recorded.commissions.first)
        try f.pool.write { db in
            try CommissionReview().reject(in: db, programID: f.programID, commissionID: commission.id, reason: "self-referral", now: t0 + 60)
            _ = try MessageStore(baseURL: "https://portal.example").startThread(in: db, programID: f.programID, partnerID: ada, side: .program,
                                                                                authorUserID: nil, subject: "Welcome", body: "Hello Ada", now: t0 + 120)
        }
        let rows = try f.pool.read { db in
            try db.query("SELECT event_type, payload FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY id", [hook.id])
                .map { (try $0["event_type"] as String, try $0["payload"] as String) }
        }
        #expect(rows.map(\.0) == ["commission.reversed", "message.created"])
        #expect(rows[0].1.contains("\"reversed_amount\":\(commission.amount)") && rows[0].1.contains("\"remaining_amount\":0"))
        #expect(rows[1].1.contains("\"body\":\"Hello Ada\"") && rows[1].1.contains("\"from\":\"program\""))
    }

    /// Review finding: a child partner's postback got the whole conversion, with its parent's override commission.
    /// Postbacks get their own partner's commissions and reversals only; the program's endpoints get everything.
    @Test func aPostbackSeesItsOwnCommissionsNotItsUplines() throws {
        let f = try EngineFixture(overrideBasisPoints: 1_000)
        let parent = try f.partner("Pat")
        let child = try f.partner("Cy", parent: parent)
        let program = try endpoint(f, url: "https://hooks.example.com/all", events: ["conversion.created", "conversion.refunded"])
        let postback = try endpoint(f, url: "https://cy.example.com/pb", partner: child, events: ["conversion.created", "conversion.refunded"])
        let recorded = try f.convert(f.sale("o-1", amount: 10_000, partner: child))
        #expect(recorded.commissions.count == 2)
        _ = try f.pool.write { db in try RefundRecorder().refund(in: db, programID: f.programID, externalID: "o-1", amount: nil, now: t0 + 60) }
        func bodies(_ endpoint: Int64) throws -> [[String: Any]] {
            try f.pool.read { db in
                try db.query("SELECT payload FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY id", [endpoint]).map { row in
                    let text: String = try row["payload"]
                    return (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["data"] as? [String: Any] ?? [:]
                }
            }
        }
        let all = try bodies(program.id), own = try bodies(postback.id)
        #expect((all[0]["commissions"] as? [[String: Any]])?.count == 2)
        #expect((own[0]["commissions"] as? [[String: Any]])?.compactMap { $0["partner_id"] as? Int }.map(Int64.init) == [child])
        #expect((all[1]["reversals"] as? [[String: Any]])?.count == 2)
        #expect((own[1]["reversals"] as? [[String: Any]])?.compactMap { $0["partner_id"] as? Int }.map(Int64.init) == [child])
        // One event, one id, two bodies.
        #expect(try f.count("SELECT count(DISTINCT event_id) FROM webhook_deliveries") == 2)
    }
}
