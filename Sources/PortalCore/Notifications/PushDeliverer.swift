import Foundation
import PortalSecurity
import Store

/// Sends due pushes (RFC 8030): each attempt encrypts the payload afresh for the subscription (RFC 8291,
/// aes128gcm) and signs a VAPID JWT for the endpoint's origin (RFC 8292). 2xx: delivered. 404/410: the
/// subscription expired and is removed with what waits for it. 429, 5xx or no answer: retried with backoff,
/// given up after `maxAttempts` or a day. Any other answer (400, 401/403: the service refused our VAPID key,
/// 413) is given up at once. Run by the server's job loop and by `portal jobs run`.
public struct PushDeliverer: Sendable {
    let subscriptions: PushSubscriptions
    let keys: VAPIDKeys
    public var client: WebhookHTTPClient
    public var batchSize = 100
    public var lease: Int64 = 120
    public var maxAttempts = 6
    /// How long the push service may hold the message for an offline device (the `TTL` header), and how long
    /// we keep retrying: a notice older than a day is not worth a buzz.
    public var timeToLive: Int64 = 86_400

    public init(subscriptions: PushSubscriptions, keys: VAPIDKeys, client: WebhookHTTPClient = WebhookHTTPClient()) {
        self.subscriptions = subscriptions
        self.keys = keys
        self.client = client
    }

    public struct Report: Sendable, Equatable {
        public var delivered = 0
        public var failed = 0
        public var gaveUp = 0
        public var expiredSubscriptions = 0

        public init() {}
    }

    struct Claimed {
        let id: Int64
        let subscriptionID: Int64
        let event: String
        let payload: String
        let createdAt: Int64
        let attempts: Int64
    }

    /// Seconds before attempt `attempts + 1`: 1, 5, 25, 120, 600 minutes.
    static func backoff(attempts: Int) -> Int64 {
        [60, 300, 1500, 7200, 36_000][min(max(attempts - 1, 0), 4)]
    }

    public func run(_ database: DatabasePool, now: Int64) throws -> Report {
        let claimed = try database.write { db -> [Claimed] in
            // Finished pushes are kept a week for diagnosis, then dropped.
            try db.execute("DELETE FROM push_deliveries WHERE next_attempt_at IS NULL AND created_at < ?", [now - 7 * 86_400])
            let rows = try db.query("""
                SELECT id, subscription_id, event, payload, created_at, attempts FROM push_deliveries
                WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?
                """, [now, batchSize]).map { row in
                Claimed(id: try row["id"], subscriptionID: try row["subscription_id"], event: try row["event"], payload: try row["payload"],
                        createdAt: try row["created_at"], attempts: try row["attempts"])
            }
            for delivery in rows {
                try db.execute("UPDATE push_deliveries SET next_attempt_at = ? WHERE id = ?", [now + lease, delivery.id])
            }
            return rows
        }
        var report = Report()
        guard !claimed.isEmpty else { return report }
        let key = try database.write { db in try keys.keyPair(in: db, now: now) }
        var expired: Set<Int64> = []
        for delivery in claimed where !expired.contains(delivery.subscriptionID) {
            var status: Int?
            var errorText = ""
            // Only an answer of the push service or a network failure may be retried; our own failure (a secret
            // that no longer opens, keys the browser sent that cannot be used) would fail the same way again.
            var networkFailure = false
            do {
                guard let target = try database.read({ db in try subscriptions.target(in: db, id: delivery.subscriptionID) }) else { continue }
                let body = try WebPushEncryption.encrypt(Array(delivery.payload.utf8), userAgentPublicKey: target.userAgentPublicKey,
                                                         authSecret: target.authSecret)
                guard let audience = VAPID.audience(of: target.endpoint) else { throw WebhookHTTPClient.Failure.invalidURL }
                let claims = VAPID.Claims(audience: audience, expiresAt: now + 12 * 3600, subject: keys.subject)
                let headers: [(String, String)] = [
                    ("Authorization", try VAPID.authorization(claims, key: key)),
                    ("TTL", String(timeToLive)),
                    ("Content-Encoding", "aes128gcm"),
                    ("Urgency", delivery.event == NotificationEvent.payoutFailed.rawValue ? "high" : "normal"),
                ]
                status = try client.send(method: "POST", url: target.endpoint, headers: headers, contentType: "application/octet-stream",
                                         body: body, readBody: false).status
                if let status, !(200 ..< 300).contains(status) { errorText = "HTTP \(status)" }
            } catch let failure as WebhookHTTPClient.Failure {
                errorText = failure.description
                switch failure {
                case .invalidURL, .refusedAddress: networkFailure = false
                case .resolve, .connect, .timeout, .tls, .malformedResponse: networkFailure = true
                }
            } catch {
                errorText = String(describing: error)
            }
            if errorText.isEmpty {
                try database.write { db in
                    try db.execute("""
                        UPDATE push_deliveries SET attempts = attempts + 1, last_status = ?, last_error = '', delivered_at = ?,
                            next_attempt_at = NULL WHERE id = ?
                        """, [status, now, delivery.id])
                    try db.execute("UPDATE push_subscriptions SET last_success_at = ? WHERE id = ?", [now, delivery.subscriptionID])
                }
                report.delivered += 1
                continue
            }
            if status == 404 || status == 410 {
                // RFC 8030 §7.3: the subscription is gone for good. Its queued deliveries go with it (ON DELETE CASCADE).
                try database.write { db in try db.execute("DELETE FROM push_subscriptions WHERE id = ?", [delivery.subscriptionID]) }
                expired.insert(delivery.subscriptionID)
                report.expiredSubscriptions += 1
                continue
            }
            let attempts = Int(delivery.attempts) + 1
            let retryable = status == nil ? networkFailure : status == 429 || (status ?? 0) >= 500
            var next: Int64? = retryable && attempts < maxAttempts ? now + Self.backoff(attempts: attempts) : nil
            if let planned = next, planned > delivery.createdAt + timeToLive { next = nil }
            try database.write { db in
                try db.execute("""
                    UPDATE push_deliveries SET attempts = ?, last_status = ?, last_error = ?, next_attempt_at = ?,
                        failed_at = CASE WHEN ? IS NULL THEN ? END
                    WHERE id = ?
                    """, [attempts, status, String(errorText.prefix(500)), next, next, now, delivery.id])
            }
            if next == nil { report.gaveUp += 1 } else { report.failed += 1 }
        }
        return report
    }
}
