import Store

/// The admin console's audit trail: one append-only row per action that changes data, written in the same
/// transaction as the change (so an action and its record exist together or not at all).
public struct AuditLog: Sendable {
    public struct Entry: Sendable, Equatable {
        public let id: Int64
        public let programID: Int64?
        public let actorEmail: String
        public let action: String
        public let subjectType: String
        public let subjectID: Int64?
        public let details: String
        public let createdAt: Int64
    }

    /// Who acted, and from where (the keyed address hash of `AddressHash`).
    public struct Actor: Sendable, Equatable {
        public let userID: Int64?
        public let email: String
        public let addressHash: [UInt8]?

        public init(userID: Int64?, email: String, addressHash: [UInt8]?) {
            self.userID = userID
            self.email = email
            self.addressHash = addressHash
        }
    }

    public init() {}

    /// Appends one entry: `action` a short verb phrase (`partner.approve`), the subject it changed, and details
    /// for a person reading the log (a reason, the old and new value).
    public func record(in db: Database, programID: Int64?, actor: Actor, action: String, subjectType: String = "", subjectID: Int64? = nil,
                       details: String = "", now: Int64) throws {
        try db.execute("""
            INSERT INTO audit_log (program_id, actor_user_id, actor_email, action, subject_type, subject_id, details, address_hash, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [programID, actor.userID, actor.email, action, subjectType, subjectID, String(details.prefix(2000)), actor.addressHash, now])
    }

    /// The program's entries, newest first, before the entry id `before` (a cursor), at most `limit`.
    public func entries(in db: Database, programID: Int64, before: Int64? = nil, limit: Int = 100) throws -> [Entry] {
        try db.query("""
            SELECT id, program_id, actor_email, action, subject_type, subject_id, details, created_at FROM audit_log
            WHERE program_id = ? AND id < ? ORDER BY id DESC LIMIT ?
            """, [programID, before ?? Int64.max, Int64(limit)]).map { row in
            Entry(id: try row["id"], programID: try row["program_id"], actorEmail: try row["actor_email"], action: try row["action"],
                  subjectType: try row["subject_type"], subjectID: try row["subject_id"], details: try row["details"], createdAt: try row["created_at"])
        }
    }
}
