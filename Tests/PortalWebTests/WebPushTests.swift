import Foundation
import HTTPServer
import Logging
import PortalCore
import PortalSecurity
import Store
import Synchronization
import Testing
@testable import PortalWeb

/// A push service on loopback, as Chrome's or Mozilla's would behave: it checks the VAPID JWT's signature with
/// the `k=` key, the audience and the expiry, then decrypts the body with the subscription's private key and auth
/// secret (the browser's side of RFC 8291) and keeps what it read. It answers `status` when all checks pass.
final class TestPushService: Sendable {
    struct Received: Sendable {
        let path: String
        let serverKey: [UInt8]
        let audience: String
        let ttl: String?
        let urgency: String?
        let payload: [String: String]
    }

    final class State: Sendable {
        let lock = Mutex<(received: [Received], status: Int, rejected: [String])>(([], 201, []))
    }

    let server: Server
    private let state = State()
    let userAgentKey: P256.PrivateKey
    let authSecret: [UInt8]

    init(userAgentKey: P256.PrivateKey, authSecret: [UInt8]) throws {
        self.userAgentKey = userAgentKey
        self.authSecret = authSecret
        let router = Router()
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.eventLoops = 1
        configuration.workerThreads = 1
        configuration.streamThreads = 1
        var logger = Logger(label: "push-service")
        logger.logLevel = .critical
        server = Server(configuration: configuration, responder: router, logger: logger)
        let state = self.state
        let server = self.server
        router.post("/push/{id}") { request, _ in
            func reject(_ why: String) -> Response {
                state.lock.withLock { $0.rejected.append(why) }
                return Response(status: .badRequest, contentType: "text/plain", body: Array(why.utf8))
            }
            guard let authorization = request.headers["authorization"], let vapid = VAPID.verify(authorization: authorization) else {
                return Response(status: .unauthorized, contentType: "text/plain", body: Array("bad VAPID".utf8))
            }
            let now = Int64(Date().timeIntervalSince1970)
            guard vapid.claims.audience == "http://127.0.0.1:\(server.port)" else { return reject("audience \(vapid.claims.audience)") }
            guard vapid.claims.expiresAt > now, vapid.claims.expiresAt <= now + 86_400 else { return reject("exp") }
            guard vapid.claims.subject.hasPrefix("mailto:") || vapid.claims.subject.hasPrefix("https:") else { return reject("sub") }
            guard request.headers["content-encoding"] == "aes128gcm" else { return reject("content-encoding") }
            guard let body = try? request.body.readAll(),
                  let plaintext = try? WebPushEncryption.decrypt(body, userAgentKey: userAgentKey, authSecret: authSecret),
                  let payload = try? JSONSerialization.jsonObject(with: Data(plaintext)) as? [String: String] else {
                return reject("payload does not decrypt")
            }
            let received = Received(path: request.target, serverKey: vapid.publicKey, audience: vapid.claims.audience,
                                    ttl: request.headers["ttl"], urgency: request.headers["urgency"], payload: payload)
            let status = state.lock.withLock { state -> Int in
                state.received.append(received)
                return state.status
            }
            return Response(status: HTTPStatus(status), contentType: "text/plain", body: [])
        }
        try server.start()
    }

    var port: Int { server.port }
    var received: [Received] { state.lock.withLock { $0.received } }
    var rejected: [String] { state.lock.withLock { $0.rejected } }
    func answer(_ status: Int) { state.lock.withLock { $0.status = status } }

    func stop() {
        server.shutdown()
        server.wait()
        server.stopWorkers()
    }
}

@Suite struct WebPushTests {
    struct Setup {
        let portal: RunningPortal
        let team: PortalTeam
        let partnerID: Int64
        let userID: Int64
        let service: TestPushService
        let subscriptions: PushSubscriptions
        let keys: VAPIDKeys
        let deliverer: PushDeliverer
        let subscriptionID: Int64
    }

    static func setup(events: Set<NotificationEvent>) throws -> Setup {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let ada = try team.partner("Ada")
        // The browser's side: its key pair and auth secret, as pushManager.subscribe() makes them.
        let userAgent = try P256.PrivateKey.generate()
        let auth = try SecureRandom.bytes(count: 16)
        let service = try TestPushService(userAgentKey: userAgent, authSecret: auth)
        var subscriptions = try PushSubscriptions(key: portal.environment.secretKey)
        subscriptions.allowInsecureEndpoints = true
        let id = try portal.database.write { db in
            try subscriptions.subscribe(in: db, userID: ada.userID, partnerID: ada.partnerID, endpoint: "http://127.0.0.1:\(service.port)/push/device-1",
                                        p256dh: WebPushEncryption.base64URL(userAgent.publicKey), auth: WebPushEncryption.base64URL(auth),
                                        events: events, label: "Test browser", now: 1)
        }
        let keys = try VAPIDKeys(key: portal.environment.secretKey, subject: "mailto:ops@example.test")
        let deliverer = PushDeliverer(subscriptions: subscriptions, keys: keys, client: WebhookHTTPClient(allowPrivate: true))
        return Setup(portal: portal, team: team, partnerID: ada.partnerID, userID: ada.userID, service: service,
                     subscriptions: subscriptions, keys: keys, deliverer: deliverer, subscriptionID: id)
    }

    @Test func aPushIsSignedWithTheServersVAPIDKeyAndDecryptsWithTheSubscriptionsKeys() throws {
        let setup = try Self.setup(events: [.commissionApproved, .payoutPaid])
        defer { setup.service.stop() }
        let now = Int64(Date().timeIntervalSince1970)
        try setup.portal.database.write { db in
            try PartnerNotices.commissionsApproved(in: db, partnerID: setup.partnerID, count: 3, total: 4500, currency: "USD", now: now)
            // Not chosen for this device: nothing is queued.
            try PartnerNotices.send(in: db, partnerID: setup.partnerID, event: .payoutFailed, subject: "s", body: "b", pushTitle: "t",
                                    pushBody: "b", path: "/portal", now: now)
        }
        #expect(try setup.portal.database.read { db in try db.queryValue("SELECT count(*) FROM push_deliveries", as: Int64.self) } == 1)
        let report = try setup.deliverer.run(setup.portal.database, now: now)
        #expect(report.delivered == 1)
        #expect(setup.service.rejected.isEmpty, "\(setup.service.rejected)")
        let received = try #require(setup.service.received.first)
        #expect(setup.service.received.count == 1)
        #expect(received.path == "/push/device-1")
        // k= is the server's stored VAPID public key, the same the page hands to pushManager.subscribe().
        let published = try setup.keys.publicKey(setup.portal.database, now: now)
        #expect(WebPushEncryption.base64URL(received.serverKey) == published)
        #expect(received.audience == "http://127.0.0.1:\(setup.service.port)")
        #expect(received.ttl == "86400")
        #expect(received.urgency == "normal")
        #expect(received.payload["title"] == "3 commissions approved")
        #expect(received.payload["body"] == "45.00 USD is now available in Acme.")
        #expect(received.payload["url"] == "/portal/earnings?partner=\(setup.partnerID)")
        let row = try #require(try setup.portal.database.read { db in
            try db.queryOne("""
                SELECT d.delivered_at, d.next_attempt_at, s.last_success_at FROM push_deliveries d
                JOIN push_subscriptions s ON s.id = d.subscription_id
                """)
        })
        #expect(try row["delivered_at"] as Int64? == now)
        #expect(try row["next_attempt_at"] as Int64? == nil)
        #expect(try row["last_success_at"] as Int64? == now)
        // The auth secret is sealed at rest, not stored as the browser sent it.
        let sealed = try setup.portal.database.read { db in try db.queryValue("SELECT auth_sealed FROM push_subscriptions", as: String.self) } ?? ""
        #expect(!sealed.isEmpty && sealed != WebPushEncryption.base64URL(setup.service.authSecret))
        // Nothing left to send.
        #expect(try setup.deliverer.run(setup.portal.database, now: now + 1) == PushDeliverer.Report())
    }

    @Test func goneSubscriptionsAreRemoved() throws {
        let setup = try Self.setup(events: [.payoutPaid])
        defer { setup.service.stop() }
        setup.service.answer(410)
        let now = Int64(Date().timeIntervalSince1970)
        try setup.portal.database.write { db in
            for n in 1 ... 2 {
                try PartnerNotices.send(in: db, partnerID: setup.partnerID, event: .payoutPaid, subject: "s", body: "b",
                                        pushTitle: "Payout \(n)", pushBody: "b", path: "/portal", now: now)
            }
        }
        let report = try setup.deliverer.run(setup.portal.database, now: now)
        #expect(report.expiredSubscriptions == 1)
        #expect(setup.service.received.count == 1, "the second push is not attempted for a gone subscription")
        let counts = try setup.portal.database.read { db in
            (try db.queryValue("SELECT count(*) FROM push_subscriptions", as: Int64.self),
             try db.queryValue("SELECT count(*) FROM push_deliveries", as: Int64.self))
        }
        #expect(counts.0 == 0)
        #expect(counts.1 == 0)
    }

    @Test func serverErrorsAreRetriedLater() throws {
        let setup = try Self.setup(events: [.payoutPaid])
        defer { setup.service.stop() }
        setup.service.answer(503)
        let now = Int64(Date().timeIntervalSince1970)
        try setup.portal.database.write { db in
            try PartnerNotices.send(in: db, partnerID: setup.partnerID, event: .payoutPaid, subject: "s", body: "b",
                                    pushTitle: "Payout sent", pushBody: "b", path: "/portal", now: now)
        }
        #expect(try setup.deliverer.run(setup.portal.database, now: now).failed == 1)
        let row = try #require(try setup.portal.database.read { db in
            try db.queryOne("SELECT attempts, next_attempt_at, last_status, delivered_at FROM push_deliveries")
        })
        #expect(try row["attempts"] as Int64 == 1)
        #expect(try row["next_attempt_at"] as Int64? == now + 60)
        #expect(try row["last_status"] as Int64? == 503)
        #expect(try row["delivered_at"] as Int64? == nil)
        // Not due yet: nothing is sent.
        #expect(try setup.deliverer.run(setup.portal.database, now: now + 30) == PushDeliverer.Report())
        #expect(setup.service.received.count == 1)
        // Due, and the service is back.
        setup.service.answer(201)
        #expect(try setup.deliverer.run(setup.portal.database, now: now + 60).delivered == 1)
        #expect(setup.service.received.count == 2)
        #expect(try setup.portal.database.read { db in try db.queryValue("SELECT count(*) FROM push_subscriptions", as: Int64.self) } == 1)
    }

    @Test func aSubscriptionWhoseSecretNoLongerOpensIsGivenUpWithoutStoppingTheQueue() throws {
        let setup = try Self.setup(events: [.payoutPaid])
        defer { setup.service.stop() }
        let now = Int64(Date().timeIntervalSince1970)
        try setup.portal.database.write { db in
            // Sealed for another endpoint: its associated data does not match, so it does not open here.
            let other = try SecretBox(key: try SecretKey(bytes: setup.portal.environment.secretKey.derive("push-subscription")))
                .encrypt([UInt8](repeating: 7, count: 16), associatedData: Array("push_subscriptions.auth:https://elsewhere.example".utf8))
            try db.execute("UPDATE push_subscriptions SET auth_sealed = ?", [other])
            try PartnerNotices.send(in: db, partnerID: setup.partnerID, event: .payoutPaid, subject: "s", body: "b",
                                    pushTitle: "Payout sent", pushBody: "b", path: "/portal", now: now)
        }
        let report = try setup.deliverer.run(setup.portal.database, now: now)
        #expect(report.gaveUp == 1)
        #expect(setup.service.received.isEmpty)
        let row = try #require(try setup.portal.database.read { db in try db.queryOne("SELECT next_attempt_at, failed_at FROM push_deliveries") })
        #expect(try row["next_attempt_at"] as Int64? == nil)
        #expect(try row["failed_at"] as Int64? == now)
    }

    @Test func messagesAndAnnouncementsPushToDevicesThatChoseThem() throws {
        let setup = try Self.setup(events: [.newMessage])
        defer { setup.service.stop() }
        let now = Int64(Date().timeIntervalSince1970)
        let store = MessageStore(baseURL: "https://portal.example")
        let thread = try setup.portal.database.write { db in
            let thread = try store.startThread(in: db, programID: setup.team.programID, partnerID: setup.partnerID, side: .program,
                                               authorUserID: nil, subject: "New creatives", body: "Fresh banners are up.", now: now)
            // The partner's own message is not pushed back to the partner, and announcements were not chosen.
            _ = try store.reply(in: db, programID: setup.team.programID, partnerID: setup.partnerID, threadID: thread, side: .partner,
                                authorUserID: setup.userID, body: "Thanks!", now: now)
            _ = try store.publish(in: db, programID: setup.team.programID, title: "Holiday bonus", bodyMarkdown: "Double rates.", now: now)
            return thread
        }
        #expect(try setup.deliverer.run(setup.portal.database, now: now).delivered == 1)
        let payload = try #require(setup.service.received.first?.payload)
        #expect(payload["title"] == "Acme: New creatives")
        #expect(payload["body"] == "Fresh banners are up.")
        #expect(payload["url"] == "/portal/messages/\(thread)?partner=\(setup.partnerID)")
        // Choosing announcements too: the next one is pushed.
        try setup.portal.database.write { db in
            try setup.subscriptions.choose(in: db, userID: setup.userID, partnerID: setup.partnerID, id: setup.subscriptionID,
                                           events: [.newMessage, .announcement])
            _ = try store.publish(in: db, programID: setup.team.programID, title: "Spring sale", bodyMarkdown: "Starts Monday.", now: now)
        }
        #expect(try setup.deliverer.run(setup.portal.database, now: now + 1).delivered == 1)
        #expect(setup.service.received.last?.payload["title"] == "Acme: Spring sale")
    }

    @Test func theJobLoopDeliversPushesQueuedByTheEngine() throws {
        let setup = try Self.setup(events: [.commissionApproved])
        defer { setup.service.stop() }
        // A sale approved at once (hold 0 days): the ledger's approval queues the push in its transaction.
        try setup.team.sale("order-1", amount: 10_000, partnerID: setup.partnerID)
        let jobs = NotificationJobs(digest: WeeklyDigest(), push: setup.deliverer)
        _ = JobScheduler.runDueJobs(setup.portal.database, notifications: jobs, now: Int64(Date().timeIntervalSince1970) + 1,
                                    logger: Logger(label: "test"))
        #expect(setup.service.rejected.isEmpty)
        #expect(setup.service.received.map { $0.payload["title"] } == ["Commission approved"])
    }
}
