import Store

/// A program's API keys as admins see them: never the key itself (only its hash is stored), but its prefix, whose
/// key it is, its scopes, when it was made and last used, and whether it was revoked.
public struct APIKeyStore: Sendable {
    public init() {}

    public struct Key: Sendable, Equatable {
        public let id: Int64
        public let partnerID: Int64?
        /// `sk_ab12` / `pk_ab12`: enough to tell keys apart, useless to call the API with.
        public let prefix: String
        public let scopes: [String]
        public let createdAt: Int64
        public let lastUsedAt: Int64?
        public let revokedAt: Int64?
    }

    /// A new secret key for the program, shown once.
    public func createSecretKey(in db: Database, programID: Int64, now: Int64) throws -> (id: Int64, key: String) {
        let key = try ProgramStore().createKey(in: db, programID: programID, partnerID: nil, prefix: "sk_", scopes: [], now: now)
        return (db.lastInsertRowID, key)
    }

    /// Every key of the program (secret keys first, then partner keys), newest first within each.
    public func keys(in db: Database, programID: Int64, partnerID: Int64? = nil) throws -> [Key] {
        try db.query("""
            SELECT id, partner_id, prefix, scopes, created_at, last_used_at, revoked_at FROM api_keys
            WHERE program_id = ?1 AND (?2 IS NULL OR partner_id = ?2)
            ORDER BY partner_id IS NOT NULL, id DESC
            """, [programID, partnerID]).map { row in
            Key(id: try row["id"], partnerID: try row["partner_id"], prefix: try row["prefix"],
                scopes: (try row["scopes"] as String).split(separator: " ").map(String.init), createdAt: try row["created_at"],
                lastUsedAt: try row["last_used_at"], revokedAt: try row["revoked_at"])
        }
    }

    /// Revokes a key of the program (of the partner, when given). Returns false when there is no such live key.
    /// A revoked key answers `401` from its next request on; the row stays for the record.
    @discardableResult
    public func revoke(in db: Database, programID: Int64, keyID: Int64, partnerID: Int64? = nil, now: Int64) throws -> Bool {
        try db.execute("""
            UPDATE api_keys SET revoked_at = ?1
            WHERE id = ?2 AND program_id = ?3 AND revoked_at IS NULL AND (?4 IS NULL OR partner_id = ?4)
            """, [now, keyID, programID, partnerID])
        return db.changes == 1
    }
}
