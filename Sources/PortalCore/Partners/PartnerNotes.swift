import Foundation
import Store

/// The program staff's internal notes on a partner: append-only, never shown in the portal, scoped by program.
public struct PartnerNotes: Sendable {
    public struct Note: Sendable, Equatable {
        public let id: Int64
        public let authorEmail: String
        public let body: String
        public let createdAt: Int64
    }

    public static let bodyLimit = 5000

    public init() {}

    /// What is wrong with a note's text, or nil.
    public static func problem(_ body: String) -> String? {
        let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return "Write the note first." }
        if trimmed.count > bodyLimit { return "Keep a note under 5,000 characters." }
        return nil
    }

    public func add(in db: Database, programID: Int64, partnerID: Int64, authorUserID: Int64?, authorEmail: String, body: String, now: Int64) throws -> Int64 {
        try db.execute("""
            INSERT INTO partner_notes (program_id, partner_id, author_user_id, author_email, body, created_at) VALUES (?, ?, ?, ?, ?, ?)
            """, [programID, partnerID, authorUserID, authorEmail, body.trimmingCharacters(in: .whitespacesAndNewlines), now])
        return db.lastInsertRowID
    }

    public func notes(in db: Database, programID: Int64, partnerID: Int64, limit: Int = 100) throws -> [Note] {
        try db.query("""
            SELECT id, author_email, body, created_at FROM partner_notes WHERE partner_id = ? AND program_id = ? ORDER BY id DESC LIMIT ?
            """, [partnerID, programID, Int64(limit)]).map { row in
            Note(id: try row["id"], authorEmail: try row["author_email"], body: try row["body"], createdAt: try row["created_at"])
        }
    }
}
