import Foundation
import PortalSecurity
import Store

/// Single-use, expiring links (password reset, invitation, first admin setup). The link carries a random
/// token; the table keeps only its SHA-256, and redeeming marks it used in the same transaction that acts on it.
public struct OneTimeTokens: Sendable {
    public enum Purpose: String, Sendable {
        case passwordReset = "password_reset"
        case invitation
        case setup
    }

    public struct Grant: Sendable, Equatable {
        public let purpose: Purpose
        public let userID: Int64?
        public let email: String
        public let role: Role?
        public let programID: Int64?
        public let partnerID: Int64?
    }

    public init() {}

    /// Issues a token valid for `lifetime` seconds; returns the token for the link (shown once).
    public func issue(in db: Database, purpose: Purpose, email: String, userID: Int64? = nil, role: Role? = nil,
                      programID: Int64? = nil, partnerID: Int64? = nil, lifetime: Int64, now: Int64) throws -> String {
        let token = try SecureRandom.token(bytes: 32)
        try db.execute("""
            INSERT INTO one_time_tokens (token_hash, purpose, user_id, email, role, program_id, partner_id, created_at, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [SHA256.hash(token), purpose.rawValue, userID, email, role?.rawValue, programID, partnerID, now, now + lifetime])
        return token
    }

    /// What a live, unused token of `purpose` grants, without using it up (to show the form).
    public func peek(in db: Database, token: String, purpose: Purpose, now: Int64) throws -> Grant? {
        guard token.utf8.count <= 100 else { return nil }
        guard let row = try db.queryOne("""
            SELECT user_id, email, role, program_id, partner_id FROM one_time_tokens
            WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?
            """, [SHA256.hash(token), purpose.rawValue, now]) else { return nil }
        let role: String? = try row["role"]
        return Grant(purpose: purpose, userID: try row["user_id"], email: try row["email"], role: role.flatMap(Role.init(rawValue:)),
                     programID: try row["program_id"], partnerID: try row["partner_id"])
    }

    /// Uses the token up: nil when it is unknown, expired, of another purpose or already used. Call inside the
    /// write transaction that performs what it grants, so both happen or neither.
    public func redeem(in db: Database, token: String, purpose: Purpose, now: Int64) throws -> Grant? {
        guard let grant = try peek(in: db, token: token, purpose: purpose, now: now) else { return nil }
        try db.execute("UPDATE one_time_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL", [now, SHA256.hash(token)])
        return db.changes == 1 ? grant : nil
    }
}
