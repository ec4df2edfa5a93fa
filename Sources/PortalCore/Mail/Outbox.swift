import Foundation
import Store

/// E-mail waits in the `outbox` table until `portal jobs run` hands it to SMTP. Without SMTP configured it
/// stays there, readable by admins at `/admin/outbox` — nothing is lost and nothing is sent half-way.
public struct Outbox: Sendable {
    let database: DatabasePool
    /// Attempts per message before it is left for a person to look at.
    public var maxAttempts = 8
    public var sender = "no-reply@partnerportal.local"

    public init(database: DatabasePool) {
        self.database = database
    }

    public struct Entry: Sendable, Equatable {
        public let id: Int64
        public let recipient: String
        public let subject: String
        public let body: String
        public let createdAt: Int64
        public let sentAt: Int64?
        public let attempts: Int64
        public let lastError: String?
    }

    public struct Report: Sendable, Equatable {
        public var sent = 0
        public var failed = 0
        public var waiting = 0
    }

    /// Queues a message; call inside the transaction that caused it, so the mail exists exactly when the
    /// change does.
    public static func enqueue(in db: Database, to recipient: String, subject: String, body: String, now: Int64) throws {
        try db.execute("INSERT INTO outbox (recipient, subject, body_text, created_at) VALUES (?, ?, ?, ?)", [recipient, subject, body, now])
    }

    public func recent(limit: Int = 100) throws -> [Entry] {
        try database.read { db in
            try db.query("""
                SELECT id, recipient, subject, body_text, created_at, sent_at, attempts, last_error
                FROM outbox ORDER BY id DESC LIMIT ?
                """, [limit]).map { row in
                Entry(id: try row["id"], recipient: try row["recipient"], subject: try row["subject"], body: try row["body_text"],
                      createdAt: try row["created_at"], sentAt: try row["sent_at"], attempts: try row["attempts"], lastError: try row["last_error"])
            }
        }
    }

    /// Sends what is waiting through `smtp` (nil: sends nothing and only counts).
    public func deliver(using smtp: SMTPClient?, now: Int64) throws -> Report {
        let waiting = try database.read { db in
            try db.query("SELECT id, recipient, subject, body_text FROM outbox WHERE sent_at IS NULL AND attempts < ? ORDER BY id LIMIT 500",
                         [maxAttempts])
        }
        var report = Report()
        guard let smtp else {
            report.waiting = waiting.count
            return report
        }
        for row in waiting {
            let id: Int64 = try row["id"]
            let message = EmailMessage(from: sender, to: try row["recipient"], subject: try row["subject"], body: try row["body_text"])
            do {
                try smtp.send(message, messageID: "\(id).\(now)@partnerportal")
                try database.write { db in try db.execute("UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?", [now, id]) }
                report.sent += 1
            } catch {
                try database.write { db in
                    try db.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?", [String(describing: error), id])
                }
                report.failed += 1
            }
        }
        return report
    }
}
