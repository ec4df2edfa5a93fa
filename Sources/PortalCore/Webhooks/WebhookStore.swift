import Foundation
import PortalSecurity
import Store

/// Webhook endpoints of a program (partner_id nil) and partners' postback endpoints, with their signing secrets
/// sealed at rest, and the deliveries queued for them. The API and the admin pages (later) call this; the engine
/// queues events through `WebhookEvents.enqueue`, which needs no key.
public struct WebhookStore: Sendable {
    let box: SecretBox

    public init(key: SecretKey) throws {
        box = SecretBox(key: try SecretKey(bytes: key.derive("webhook-secret")))
    }

    /// The event types of CONTRACTS.md.
    public static let eventTypes: [String] = [
        "partner.applied", "partner.approved", "partner.rejected", "partner.suspended", "link.created",
        "conversion.created", "conversion.refunded", "commission.created", "commission.approved",
        "commission.reversed", "payout.created", "payout.paid", "payout.failed", "message.created",
    ]

    /// How long the previous secret keeps signing after a rotation, unless the caller says otherwise.
    public static let defaultRotationOverlap: Int64 = 86_400

    public struct Endpoint: Sendable, Equatable {
        public let id: Int64
        public let programID: Int64
        public let partnerID: Int64?
        public let url: String
        /// Picked event types; empty means every event.
        public let events: [String]
        public let createdAt: Int64
        public let disabledAt: Int64?
        public let disabledReason: String
        public let failureCount: Int64
        public let lastSuccessAt: Int64?
        public let previousSecretExpiresAt: Int64?
    }

    public struct Delivery: Sendable, Equatable {
        public let id: Int64
        public let endpointID: Int64
        public let eventID: String
        public let eventType: String
        public let payload: String
        public let createdAt: Int64
        public let attempts: Int64
        public let nextAttemptAt: Int64?
        public let lastAttemptAt: Int64?
        public let lastStatus: Int64?
        public let lastError: String
        public let deliveredAt: Int64?
        public let failedAt: Int64?
        public let replayedAt: Int64?

        /// `delivered`, `failed` (given up), `retrying` (an attempt failed, another is due) or `pending`.
        public var state: String {
            if deliveredAt != nil { return "delivered" }
            if failedAt != nil { return "failed" }
            return attempts > 0 ? "retrying" : "pending"
        }
    }

    public enum Failure: Error, Equatable {
        case invalid([String: [String]])
        case notFound
    }

    /// A new signing secret: `whsec_` and 32 random bytes, URL-safe.
    public static func newSecret() throws -> String { "whsec_" + (try SecureRandom.token(bytes: 32)) }

    /// Problems of a URL and event list as the API/form reports them (field → messages). Only the shape is
    /// checked here; where the host resolves is checked at every delivery (DNS can change).
    public static func problems(url: String, events: [String]) -> [String: [String]] {
        var errors: [String: [String]] = [:]
        let parsed = WebhookURL(url)
        if parsed == nil || url.count > 2000 {
            errors["url"] = ["must be an http:// or https:// URL with a host, at most 2000 characters"]
        }
        let unknown = events.filter { !eventTypes.contains($0) }
        if !unknown.isEmpty { errors["events"] = ["unknown event types: \(unknown.joined(separator: ", "))"] }
        return errors
    }

    /// Registers an endpoint and returns it with its secret, which is shown this once.
    public func create(in db: Database, programID: Int64, partnerID: Int64? = nil, url: String, events: [String], now: Int64) throws
        -> (endpoint: Endpoint, secret: String) {
        let url = url.trimmingCharacters(in: .whitespacesAndNewlines)
        let events = Array(Set(events)).sorted()
        let problems = Self.problems(url: url, events: events)
        guard problems.isEmpty else { throw Failure.invalid(problems) }
        if let partnerID {
            guard try db.queryOne("SELECT 1 FROM partners WHERE id = ? AND program_id = ?", [partnerID, programID]) != nil else { throw Failure.notFound }
        }
        try db.execute("""
            INSERT INTO webhook_endpoints (program_id, partner_id, url, events, secret_sealed, created_at) VALUES (?, ?, ?, ?, '', ?)
            """, [programID, partnerID, url, events.joined(separator: " "), now])
        let id = db.lastInsertRowID
        let secret = try Self.newSecret()
        try db.execute("UPDATE webhook_endpoints SET secret_sealed = ? WHERE id = ?",
                       [try box.encrypt(secret, associatedData: Self.associatedData(id: id, programID: programID, field: "secret")), id])
        guard let endpoint = try endpoint(in: db, programID: programID, id: id) else { throw Failure.notFound }
        return (endpoint, secret)
    }

    /// The program's live endpoints (not deleted); with `partnerID`, only that partner's postbacks.
    public func endpoints(in db: Database, programID: Int64, partnerID: Int64? = nil) throws -> [Endpoint] {
        try db.query("""
            SELECT \(Self.columns) FROM webhook_endpoints
            WHERE program_id = ?1 AND deleted_at IS NULL AND (?2 IS NULL OR partner_id = ?2) ORDER BY id
            """, [programID, partnerID]).map(Self.endpoint)
    }

    /// Whose endpoints a caller manages: the program's own (`partner_id IS NULL`) or one partner's postbacks.
    /// Nil where staff may see both (the admin pages, which show partners' postbacks read-only).
    public enum Owner: Sendable, Equatable {
        case program
        case partner(Int64)

        public var partnerID: Int64? { if case .partner(let id) = self { id } else { nil } }
    }

    public func endpoint(in db: Database, programID: Int64, id: Int64, owner: Owner? = nil) throws -> Endpoint? {
        let found = try db.queryOne("SELECT \(Self.columns) FROM webhook_endpoints WHERE id = ? AND program_id = ? AND deleted_at IS NULL",
                                    [id, programID]).map(Self.endpoint)
        guard let found, let owner else { return found }
        return found.partnerID == owner.partnerID ? found : nil
    }

    /// The live endpoints of one owner (a program's own, or one partner's postbacks), oldest first.
    public func endpoints(in db: Database, programID: Int64, owner: Owner) throws -> [Endpoint] {
        try db.query("""
            SELECT \(Self.columns) FROM webhook_endpoints
            WHERE program_id = ?1 AND deleted_at IS NULL AND partner_id IS ?2 ORDER BY id
            """, [programID, owner.partnerID]).map(Self.endpoint)
    }

    /// Removes an endpoint; deliveries still waiting for it are dropped (marked failed), the history stays.
    public func delete(in db: Database, programID: Int64, id: Int64, owner: Owner? = nil, now: Int64) throws {
        guard try endpoint(in: db, programID: programID, id: id, owner: owner) != nil else { throw Failure.notFound }
        try db.execute("UPDATE webhook_endpoints SET deleted_at = ? WHERE id = ?", [now, id])
        try Self.cancelPending(in: db, endpointID: id, reason: "endpoint deleted", now: now)
    }

    /// A new secret (returned, shown once); the old one keeps signing as a second `v1=` for `overlap` seconds.
    public func rotateSecret(in db: Database, programID: Int64, id: Int64, owner: Owner? = nil, overlap: Int64 = defaultRotationOverlap,
                             now: Int64) throws -> String {
        guard try endpoint(in: db, programID: programID, id: id, owner: owner) != nil else { throw Failure.notFound }
        guard let row = try db.queryOne("SELECT secret_sealed FROM webhook_endpoints WHERE id = ? AND program_id = ? AND deleted_at IS NULL",
                                        [id, programID]) else { throw Failure.notFound }
        let current = try box.decryptString(try row["secret_sealed"], associatedData: Self.associatedData(id: id, programID: programID, field: "secret"))
        let secret = try Self.newSecret()
        try db.execute("""
            UPDATE webhook_endpoints SET secret_sealed = ?, previous_secret_sealed = ?, previous_secret_expires_at = ? WHERE id = ?
            """, [try box.encrypt(secret, associatedData: Self.associatedData(id: id, programID: programID, field: "secret")),
                  try box.encrypt(current, associatedData: Self.associatedData(id: id, programID: programID, field: "previous_secret")),
                  now + max(0, overlap), id])
        return secret
    }

    /// Turns a disabled endpoint back on (after its owner fixed the receiver); new events reach it again.
    public func enable(in db: Database, programID: Int64, id: Int64, owner: Owner? = nil) throws {
        guard try endpoint(in: db, programID: programID, id: id, owner: owner) != nil else { throw Failure.notFound }
        try db.execute("UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = '', failure_count = 0 WHERE id = ?", [id])
    }

    /// The secrets that sign a delivery at `now`: the current one, then the previous one while it is valid.
    public func signingSecrets(in db: Database, endpointID: Int64, now: Int64) throws -> [String] {
        guard let row = try db.queryOne("""
            SELECT program_id, secret_sealed, previous_secret_sealed, previous_secret_expires_at FROM webhook_endpoints WHERE id = ?
            """, [endpointID]) else { throw Failure.notFound }
        let programID: Int64 = try row["program_id"]
        var secrets = [try box.decryptString(try row["secret_sealed"], associatedData: Self.associatedData(id: endpointID, programID: programID, field: "secret"))]
        let previous: String? = try row["previous_secret_sealed"]
        let expires: Int64? = try row["previous_secret_expires_at"]
        if let previous, let expires, now < expires {
            secrets.append(try box.decryptString(previous, associatedData: Self.associatedData(id: endpointID, programID: programID, field: "previous_secret")))
        }
        return secrets
    }

    /// An endpoint's deliveries, newest first (`before`: only ids below it, for cursor paging).
    public func deliveries(in db: Database, programID: Int64, endpointID: Int64, before: Int64? = nil, limit: Int = 100) throws -> [Delivery] {
        try db.query("""
            SELECT \(Self.deliveryColumns)
            FROM webhook_deliveries WHERE endpoint_id = ? AND program_id = ? AND id < ? ORDER BY id DESC LIMIT ?
            """, [endpointID, programID, before ?? Int64.max, limit]).map(Self.delivery)
    }

    /// One delivery of one endpoint (nil for another program's or another endpoint's).
    public func delivery(in db: Database, programID: Int64, endpointID: Int64, id: Int64) throws -> Delivery? {
        try db.queryOne("SELECT \(Self.deliveryColumns) FROM webhook_deliveries WHERE id = ? AND endpoint_id = ? AND program_id = ?",
                        [id, endpointID, programID]).map(Self.delivery)
    }

    public struct Attempt: Sendable, Equatable {
        public let attemptedAt: Int64
        public let status: Int64?
        public let error: String
        public let durationMS: Int64
        public let replay: Bool
    }

    /// Every attempt of a delivery, oldest first (a delivery has a dozen at most, plus replays).
    public func attempts(in db: Database, deliveryID: Int64) throws -> [Attempt] {
        try db.query("""
            SELECT attempted_at, status, error, duration_ms, replay FROM webhook_attempts WHERE delivery_id = ? ORDER BY id LIMIT 200
            """, [deliveryID]).map { row in
            Attempt(attemptedAt: try row["attempted_at"], status: try row["status"], error: try row["error"],
                    durationMS: try row["duration_ms"], replay: (try row["replay"] as Int64) == 1)
        }
    }

    /// Sends a delivery again (a person asked: the receiver lost it, or was fixed): the same event id and body,
    /// signed afresh, at the next job pass, with a new 3-day retry series from now. The endpoint must be live.
    public func replay(in db: Database, programID: Int64, endpointID: Int64, deliveryID: Int64, owner: Owner? = nil, now: Int64) throws -> Delivery {
        guard let endpoint = try endpoint(in: db, programID: programID, id: endpointID, owner: owner),
              try delivery(in: db, programID: programID, endpointID: endpointID, id: deliveryID) != nil else { throw Failure.notFound }
        guard endpoint.disabledAt == nil else {
            throw Failure.invalid(["endpoint": ["is disabled; enable it before replaying its events"]])
        }
        try db.execute("""
            UPDATE webhook_deliveries SET next_attempt_at = ?, attempts = 0, replayed_at = ?, failed_at = NULL, delivered_at = NULL
            WHERE id = ?
            """, [now, now, deliveryID])
        guard let replayed = try delivery(in: db, programID: programID, endpointID: endpointID, id: deliveryID) else { throw Failure.notFound }
        return replayed
    }

    static let deliveryColumns = """
        id, endpoint_id, event_id, event_type, payload, created_at, attempts, next_attempt_at, last_attempt_at, last_status,
        last_error, delivered_at, failed_at, replayed_at
        """

    static func delivery(_ row: Row) throws -> Delivery {
        Delivery(id: try row["id"], endpointID: try row["endpoint_id"], eventID: try row["event_id"], eventType: try row["event_type"],
                 payload: try row["payload"], createdAt: try row["created_at"], attempts: try row["attempts"],
                 nextAttemptAt: try row["next_attempt_at"], lastAttemptAt: try row["last_attempt_at"], lastStatus: try row["last_status"],
                 lastError: try row["last_error"], deliveredAt: try row["delivered_at"], failedAt: try row["failed_at"],
                 replayedAt: try row["replayed_at"])
    }

    static func cancelPending(in db: Database, endpointID: Int64, reason: String, now: Int64) throws {
        try db.execute("""
            UPDATE webhook_deliveries SET next_attempt_at = NULL, failed_at = ?, last_error = ?
            WHERE endpoint_id = ? AND next_attempt_at IS NOT NULL
            """, [now, reason, endpointID])
    }

    static func associatedData(id: Int64, programID: Int64, field: String) -> String { "webhook_endpoints.\(field):\(id):\(programID)" }

    static let columns = """
        id, program_id, partner_id, url, events, created_at, disabled_at, disabled_reason, failure_count, last_success_at, previous_secret_expires_at
        """

    static func endpoint(_ row: Row) throws -> Endpoint {
        let events: String = try row["events"]
        return Endpoint(id: try row["id"], programID: try row["program_id"], partnerID: try row["partner_id"], url: try row["url"],
                        events: events.split(separator: " ").map(String.init), createdAt: try row["created_at"],
                        disabledAt: try row["disabled_at"], disabledReason: try row["disabled_reason"], failureCount: try row["failure_count"],
                        lastSuccessAt: try row["last_success_at"], previousSecretExpiresAt: try row["previous_secret_expires_at"])
    }
}
