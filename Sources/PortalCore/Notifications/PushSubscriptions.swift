import Foundation
import PortalSecurity
import Store

/// Browsers that opted in to Web Push for a partner team member: which events each wants, their keys (the
/// `auth` secret sealed), and the queue of pushes waiting for them. Every query is scoped to the member
/// (user and partner): one member cannot see, change or revoke another's devices.
public struct PushSubscriptions: Sendable {
    let box: SecretBox
    /// Accept `http:` endpoints (tests with a push service on loopback). Browsers only ever give `https:`.
    public var allowInsecureEndpoints = false

    public init(key: SecretKey) throws {
        self.box = SecretBox(key: try SecretKey(bytes: key.derive("push-subscription")))
    }

    public struct Device: Sendable, Equatable {
        public let id: Int64
        public let endpoint: String
        public let label: String
        public let events: Set<NotificationEvent>
        public let createdAt: Int64
        public let lastSuccessAt: Int64?

        /// The push service's host, to tell devices apart on the page (`fcm.googleapis.com`).
        public var service: String { URLComponents(string: endpoint)?.host ?? "" }
    }

    /// What a subscription needs to be sent to (the auth secret opened).
    public struct Target: Sendable {
        public let id: Int64
        public let endpoint: String
        public let userAgentPublicKey: [UInt8]
        public let authSecret: [UInt8]
    }

    public enum Failure: Error, Equatable, Sendable {
        case invalid(String)
        case notFound
    }

    /// Devices per member and team: a member has a handful; the cap keeps one from fanning events out to many URLs.
    public static let maximumPerMember: Int64 = 20

    /// Stores (or, for an endpoint already known, replaces) a subscription from the browser's
    /// `PushSubscription.toJSON()` fields. A browser signed in as someone else before is taken over: the
    /// device now belongs to this member only. Returns the subscription id.
    @discardableResult
    public func subscribe(in db: Database, userID: Int64, partnerID: Int64, endpoint: String, p256dh: String, auth: String,
                          events: Set<NotificationEvent>, label: String, now: Int64) throws -> Int64 {
        let endpoint = endpoint.trimmingCharacters(in: .whitespacesAndNewlines)
        guard endpoint.count >= 10, endpoint.count <= 2000, let components = URLComponents(string: endpoint),
              let scheme = components.scheme?.lowercased(), scheme == "https" || (allowInsecureEndpoints && scheme == "http"),
              let host = components.host, !host.isEmpty, components.user == nil, components.password == nil
        else { throw Failure.invalid("The push endpoint must be an https URL.") }
        // Push services listen on the default port; any other port would let a member aim the portal's POSTs at a
        // service of their choosing.
        guard components.port == nil || components.port == (scheme == "https" ? 443 : 80) || allowInsecureEndpoints else {
            throw Failure.invalid("The push endpoint must use the standard port.")
        }
        // A member has a handful of devices; a cap keeps one member from fanning every event out to many URLs.
        let existing = try db.queryValue("""
            SELECT count(*) FROM push_subscriptions WHERE user_id = ? AND partner_id = ? AND endpoint <> ?
            """, [userID, partnerID, endpoint], as: Int64.self) ?? 0
        guard existing < Self.maximumPerMember else {
            throw Failure.invalid("You already have \(Self.maximumPerMember) devices with notifications; remove one first.")
        }
        guard let publicKey = WebPushEncryption.base64URLDecode(p256dh), P256.isValidPublicKey(publicKey) else {
            throw Failure.invalid("The subscription's p256dh key is not a P-256 public key.")
        }
        guard let secret = WebPushEncryption.base64URLDecode(auth), secret.count == 16 else {
            throw Failure.invalid("The subscription's auth secret must be 16 bytes.")
        }
        let label = String(label.trimmingCharacters(in: .whitespacesAndNewlines).prefix(120))
        let sealed = try box.encrypt(secret, associatedData: Self.authData(endpoint))
        try db.execute("DELETE FROM push_subscriptions WHERE endpoint = ? AND NOT (user_id = ? AND partner_id = ?)",
                       [endpoint, userID, partnerID])
        try db.execute("""
            INSERT INTO push_subscriptions (user_id, partner_id, endpoint, p256dh, auth_sealed, events, label, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth_sealed = excluded.auth_sealed,
                events = excluded.events, label = excluded.label
            """, [userID, partnerID, endpoint, WebPushEncryption.base64URL(publicKey), sealed, Self.eventsText(events), label, now])
        return try db.queryValue("SELECT id FROM push_subscriptions WHERE endpoint = ?", [endpoint], as: Int64.self) ?? db.lastInsertRowID
    }

    /// The member's devices, newest first.
    public func devices(in db: Database, userID: Int64, partnerID: Int64) throws -> [Device] {
        try db.query("""
            SELECT id, endpoint, label, events, created_at, last_success_at FROM push_subscriptions
            WHERE user_id = ? AND partner_id = ? ORDER BY id DESC
            """, [userID, partnerID]).map { row in
            Device(id: try row["id"], endpoint: try row["endpoint"], label: try row["label"], events: Self.events(try row["events"]),
                   createdAt: try row["created_at"], lastSuccessAt: try row["last_success_at"])
        }
    }

    /// Changes which events one of the member's devices gets; `notFound` for anyone else's.
    public func choose(in db: Database, userID: Int64, partnerID: Int64, id: Int64, events: Set<NotificationEvent>) throws {
        try db.execute("UPDATE push_subscriptions SET events = ? WHERE id = ? AND user_id = ? AND partner_id = ?",
                       [Self.eventsText(events), id, userID, partnerID])
        guard db.changes == 1 else { throw Failure.notFound }
    }

    /// Removes one of the member's devices (and what waits for it); `notFound` for anyone else's.
    public func revoke(in db: Database, userID: Int64, partnerID: Int64, id: Int64) throws {
        try db.execute("DELETE FROM push_subscriptions WHERE id = ? AND user_id = ? AND partner_id = ?", [id, userID, partnerID])
        guard db.changes == 1 else { throw Failure.notFound }
    }

    /// Removes the member's subscription for `endpoint` (the browser unsubscribed itself); false if none.
    @discardableResult
    public func revoke(in db: Database, userID: Int64, partnerID: Int64, endpoint: String) throws -> Bool {
        try db.execute("DELETE FROM push_subscriptions WHERE endpoint = ? AND user_id = ? AND partner_id = ?", [endpoint, userID, partnerID])
        return db.changes == 1
    }

    /// The subscription to send to, with its secret opened (nil if it is gone).
    public func target(in db: Database, id: Int64) throws -> Target? {
        guard let row = try db.queryOne("SELECT endpoint, p256dh, auth_sealed FROM push_subscriptions WHERE id = ?", [id]) else { return nil }
        let endpoint: String = try row["endpoint"]
        guard let publicKey = WebPushEncryption.base64URLDecode(try row["p256dh"] as String) else { return nil }
        let secret = try box.decrypt(try row["auth_sealed"], associatedData: Self.authData(endpoint))
        return Target(id: id, endpoint: endpoint, userAgentPublicKey: publicKey, authSecret: secret)
    }

    // MARK: - The queue

    /// Queues a push for every device of the partner's team that chose `event`, in the caller's transaction,
    /// for active members in `roles` only. Returns how many were queued.
    @discardableResult
    public static func enqueue(in db: Database, partnerID: Int64, event: NotificationEvent, title: String, body: String, url: String,
                               roles: [Role], now: Int64) throws -> Int {
        guard !roles.isEmpty else { return 0 }
        let placeholders = Array(repeating: "?", count: roles.count).joined(separator: ", ")
        var values: [(any DatabaseValueConvertible)?] = [partnerID]
        values += roles.map { $0.rawValue }
        let ids: [Int64] = try db.query("""
            SELECT DISTINCT s.id, s.events FROM push_subscriptions s
            JOIN memberships m ON m.user_id = s.user_id AND m.partner_id = s.partner_id JOIN users u ON u.id = s.user_id
            WHERE s.partner_id = ? AND m.role IN (\(placeholders)) AND u.disabled_at IS NULL ORDER BY s.id
            """, StatementArguments(values)).compactMap { row in
            events(try row["events"]).contains(event) ? try row["id"] as Int64 : nil
        }
        guard !ids.isEmpty else { return 0 }
        let payload = try Self.payload(title: title, body: body, url: url)
        for id in ids {
            try db.execute("""
                INSERT INTO push_deliveries (subscription_id, event, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)
                """, [id, event.rawValue, payload, now, now])
        }
        return ids.count
    }

    /// `{"title", "body", "url"}`, shortened so that even four-byte characters and escapes stay under a push
    /// message's 3993 bytes of plaintext (`WebPushEncryption.maxPlaintext`).
    static func payload(title: String, body: String, url: String) throws -> String {
        func cut(_ text: String, _ limit: Int) -> String { text.count > limit ? String(text.prefix(limit - 1)) + "…" : text }
        let object: [String: String] = ["title": cut(title, 120), "body": cut(body, 400), "url": String(url.prefix(500))]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    static func authData(_ endpoint: String) -> [UInt8] { Array("push_subscriptions.auth:\(endpoint)".utf8) }

    static func eventsText(_ events: Set<NotificationEvent>) -> String {
        NotificationEvent.allCases.filter(events.contains).map(\.rawValue).joined(separator: " ")
    }

    static func events(_ text: String) -> Set<NotificationEvent> {
        Set(text.split(separator: " ").compactMap { NotificationEvent(rawValue: String($0)) })
    }
}

/// The server's VAPID key pair (RFC 8292): generated on first use, the private scalar sealed in `vapid_keys`.
public struct VAPIDKeys: Sendable {
    let box: SecretBox
    /// The `sub` claim: who the push services may contact about our traffic.
    public var subject: String

    public init(key: SecretKey, subject: String = "mailto:no-reply@partnerportal.local") throws {
        self.box = SecretBox(key: try SecretKey(bytes: key.derive("vapid")))
        self.subject = subject
    }

    static let associatedData = "vapid_keys.private_key:1"

    /// The key pair, created and stored in the caller's transaction if there is none yet.
    public func keyPair(in db: Database, now: Int64) throws -> P256.PrivateKey {
        if let row = try db.queryOne("SELECT public_key, private_key_sealed FROM vapid_keys WHERE id = 1") {
            guard let publicKey = WebPushEncryption.base64URLDecode(try row["public_key"] as String) else { throw P256.KeyError.invalidKey }
            let scalar = try box.decrypt(try row["private_key_sealed"], associatedData: Array(Self.associatedData.utf8))
            return try P256.PrivateKey(rawPrivateKey: scalar, publicKey: publicKey)
        }
        let key = try P256.PrivateKey.generate()
        try db.execute("INSERT INTO vapid_keys (id, public_key, private_key_sealed, created_at) VALUES (1, ?, ?, ?)",
                       [WebPushEncryption.base64URL(key.publicKey),
                        try box.encrypt(key.rawPrivateKey, associatedData: Array(Self.associatedData.utf8)), now])
        return key
    }

    /// The public key as the browser's `applicationServerKey` wants it (base64url).
    public func publicKey(_ database: DatabasePool, now: Int64) throws -> String {
        if let stored = try database.read({ db in try db.queryValue("SELECT public_key FROM vapid_keys WHERE id = 1", as: String.self) }) {
            return stored
        }
        return WebPushEncryption.base64URL(try database.write { db in try keyPair(in: db, now: now) }.publicKey)
    }
}
