import Foundation
import Store

/// Sends the deliveries that are due, signs each attempt afresh (new `t`, same event id), and records the outcome:
/// delivered on a 2xx; otherwise the next attempt by `WebhookRetry`, or given up after 3 days. An endpoint with
/// nothing delivered for the whole retry window of a given-up delivery is disabled, its waiting deliveries are
/// dropped and its owner gets an e-mail (`Outbox`). Run by the server's job loop and by `portal jobs run`.
public struct WebhookDeliverer: Sendable {
    let store: WebhookStore
    public var client: WebhookHTTPClient
    /// Deliveries sent per run; the rest wait for the next pass (a pass blocks on slow receivers).
    public var batchSize = 50
    /// A claimed delivery is not picked again for this long, so the job loop and a cron `portal jobs run` never
    /// send it twice at once; a process that dies mid-send leaves it to be retried after the lease.
    public var lease: Int64 = 120

    public init(store: WebhookStore, client: WebhookHTTPClient = WebhookHTTPClient()) {
        self.store = store
        self.client = client
    }

    public struct Report: Sendable, Equatable {
        public var delivered = 0
        public var failed = 0
        public var gaveUp = 0
        public var disabledEndpoints = 0

        public init() {}
    }

    struct Claimed {
        let id: Int64
        let endpointID: Int64
        let url: String
        let eventID: String
        let eventType: String
        let payload: String
        let createdAt: Int64
        let attempts: Int64
        let replayedAt: Int64?

        /// Where the 3-day retry window starts: the event, or the latest replay.
        var retryWindowStart: Int64 { replayedAt ?? createdAt }
    }

    public func run(_ database: DatabasePool, now: Int64) throws -> Report {
        let claimed = try database.write { db -> [Claimed] in
            let rows = try db.query("""
                SELECT d.id, d.endpoint_id, e.url, d.event_id, d.event_type, d.payload, d.created_at, d.attempts, d.replayed_at
                FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                WHERE d.next_attempt_at IS NOT NULL AND d.next_attempt_at <= ? AND e.disabled_at IS NULL AND e.deleted_at IS NULL
                ORDER BY d.next_attempt_at, d.id LIMIT ?
                """, [now, batchSize]).map { row in
                Claimed(id: try row["id"], endpointID: try row["endpoint_id"], url: try row["url"], eventID: try row["event_id"],
                        eventType: try row["event_type"], payload: try row["payload"], createdAt: try row["created_at"], attempts: try row["attempts"],
                        replayedAt: try row["replayed_at"])
            }
            for delivery in rows {
                try db.execute("UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?", [now + lease, delivery.id])
            }
            return rows
        }
        var report = Report()
        var unreachable: Set<Int64> = []
        for delivery in claimed {
            // One dead receiver must not hold up the pass: its other deliveries wait for their lease to end.
            if unreachable.contains(delivery.endpointID) { continue }
            let body = Array(delivery.payload.utf8)
            let secrets = try database.read { db in try store.signingSecrets(in: db, endpointID: delivery.endpointID, now: now) }
            let headers: [(String, String)] = [
                ("Portal-Event-Id", delivery.eventID),
                ("Portal-Event-Type", delivery.eventType),
                (WebhookSignature.header, WebhookSignature.header(body: body, timestamp: now, secrets: secrets)),
            ]
            var status: Int?
            var errorText = ""
            let started = DispatchTime.now().uptimeNanoseconds
            do {
                status = try client.post(url: delivery.url, headers: headers, body: body).status
                if let status, !(200 ..< 300).contains(status) { errorText = "HTTP \(status)" }
            } catch {
                errorText = error.description
            }
            let attempt = WebhookAttempt(deliveryID: delivery.id, at: now, status: status, error: String(errorText.prefix(500)),
                                  durationMS: Int64((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000),
                                  replay: delivery.attempts == 0 && delivery.replayedAt != nil)
            if errorText.isEmpty {
                try database.write { db in
                    try attempt.record(in: db)
                    try db.execute("""
                        UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = ?, last_status = ?, last_error = '',
                            delivered_at = ?, next_attempt_at = NULL WHERE id = ?
                        """, [now, status, now, delivery.id])
                    try db.execute("UPDATE webhook_endpoints SET last_success_at = ?, failure_count = 0 WHERE id = ?", [now, delivery.endpointID])
                }
                report.delivered += 1
                continue
            }
            unreachable.insert(delivery.endpointID)
            let attempts = Int(delivery.attempts) + 1
            let next = WebhookRetry.nextAttempt(attempts: attempts, failedAt: now, createdAt: delivery.retryWindowStart)
            let disabled = try database.write { db -> Bool in
                try attempt.record(in: db)
                try db.execute("""
                    UPDATE webhook_deliveries SET attempts = ?, last_attempt_at = ?, last_status = ?, last_error = ?, next_attempt_at = ?,
                        failed_at = CASE WHEN ? IS NULL THEN ? END
                    WHERE id = ?
                    """, [attempts, now, status, String(errorText.prefix(500)), next, next, now, delivery.id])
                guard next == nil else { return false }
                return try giveUp(in: db, endpointID: delivery.endpointID, deliveryCreatedAt: delivery.retryWindowStart, lastError: errorText, now: now)
            }
            if next == nil { report.gaveUp += 1 } else { report.failed += 1 }
            if disabled { report.disabledEndpoints += 1 }
        }
        return report
    }

    /// Counts the given-up delivery against its endpoint and disables the endpoint when nothing reached it for the
    /// whole retry window (`WebhookRetry.shouldDisable`). Returns whether it was disabled.
    func giveUp(in db: Database, endpointID: Int64, deliveryCreatedAt: Int64, lastError: String, now: Int64) throws -> Bool {
        try db.execute("UPDATE webhook_endpoints SET failure_count = failure_count + 1 WHERE id = ?", [endpointID])
        guard let row = try db.queryOne("""
            SELECT program_id, partner_id, url, last_success_at FROM webhook_endpoints WHERE id = ? AND disabled_at IS NULL
            """, [endpointID]) else { return false }
        guard WebhookRetry.shouldDisable(lastSuccessAt: try row["last_success_at"], givenUpDeliveryCreatedAt: deliveryCreatedAt) else { return false }
        let reason = "No delivery succeeded for 3 days (last error: \(lastError.prefix(200)))"
        try db.execute("UPDATE webhook_endpoints SET disabled_at = ?, disabled_reason = ? WHERE id = ?", [now, reason, endpointID])
        try WebhookStore.cancelPending(in: db, endpointID: endpointID, reason: "endpoint disabled", now: now)
        let programID: Int64 = try row["program_id"]
        let partnerID: Int64? = try row["partner_id"]
        let url: String = try row["url"]
        let program = try db.queryValue("SELECT name FROM programs WHERE id = ?", [programID], as: String.self) ?? "your program"
        let recipients: [String]
        if let partnerID {
            recipients = try db.query("SELECT email FROM partners WHERE id = ?", [partnerID]).map { try $0["email"] }
        } else {
            recipients = try db.query("""
                SELECT DISTINCT u.email FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.program_id = ? AND m.role IN ('program_owner', 'program_manager') AND u.disabled_at IS NULL ORDER BY u.email
                """, [programID]).map { try $0["email"] }
        }
        let subject = "Webhook endpoint disabled: \(url)"
        let body = """
            The webhook endpoint \(url) of \(program) has been disabled: \(reason).

            Events are no longer sent to it. Fix the receiver, then enable the endpoint again; events from the time it \
            was disabled are not re-sent.
            """
        for recipient in recipients {
            try Outbox.enqueue(in: db, to: recipient, subject: subject, body: body, now: now)
        }
        return true
    }
}

/// One attempt for the delivery log (`webhook_attempts`, append-only).
struct WebhookAttempt {
    let deliveryID: Int64
    let at: Int64
    let status: Int?
    let error: String
    let durationMS: Int64
    let replay: Bool

    func record(in db: Database) throws {
        try db.execute("""
            INSERT INTO webhook_attempts (delivery_id, attempted_at, status, error, duration_ms, replay) VALUES (?, ?, ?, ?, ?, ?)
            """, [deliveryID, at, status.map { Int64($0) }, error, durationMS, replay ? 1 : 0])
    }
}
