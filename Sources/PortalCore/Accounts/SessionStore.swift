import Foundation
import PortalSecurity
import Store

/// A server-side session: who is signed in (nil for an anonymous visitor) and the CSRF token of its forms.
public struct Session: Sendable, Equatable {
    public let idHash: [UInt8]
    public let userID: Int64?
    public let csrfToken: String
    public let createdAt: Int64
    public let lastSeenAt: Int64
}

/// Sessions in SQLite. The cookie carries a random 256-bit token; the table stores its SHA-256 only, so a
/// leaked database copy cannot be used to sign in.
public struct SessionStore: Sendable {
    let database: DatabasePool
    public let policy: SessionPolicy

    public init(database: DatabasePool, policy: SessionPolicy = SessionPolicy()) {
        self.database = database
        self.policy = policy
    }

    /// Starts a session; returns the cookie value (shown once, never stored) and the session.
    public func start(userID: Int64?, address: String, userAgent: String, now: Int64) throws -> (token: String, session: Session) {
        let token = try SecureRandom.token(bytes: 32)
        let session = Session(idHash: SHA256.hash(token), userID: userID, csrfToken: try SecureRandom.token(bytes: 32),
                              createdAt: now, lastSeenAt: now)
        try database.write { db in
            try db.execute("""
                INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, address, user_agent)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [session.idHash, userID, session.csrfToken, now, now, address, String(userAgent.prefix(300))])
        }
        return (token, session)
    }

    /// The live session for a cookie value, touching its last-seen time now and then; nil when unknown or
    /// expired (an expired one is deleted).
    public func find(token: String, now: Int64) throws -> Session? {
        guard token.utf8.count >= 20, token.utf8.count <= 100 else { return nil }
        let hash = SHA256.hash(token)
        let found = try database.read { db in
            try db.queryOne("SELECT user_id, csrf_token, created_at, last_seen_at FROM sessions WHERE id_hash = ?", [hash])
        }
        guard let row = found else { return nil }
        let session = Session(idHash: hash, userID: try row["user_id"], csrfToken: try row["csrf_token"],
                              createdAt: try row["created_at"], lastSeenAt: try row["last_seen_at"])
        if policy.isExpired(now: now, createdAt: session.createdAt, lastSeenAt: session.lastSeenAt) {
            try database.write { db in try db.execute("DELETE FROM sessions WHERE id_hash = ?", [hash]) }
            return nil
        }
        if policy.needsTouch(now: now, lastSeenAt: session.lastSeenAt) {
            try database.write { db in try db.execute("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?", [now, hash]) }
        }
        return session
    }

    public func end(token: String) throws {
        let hash = SHA256.hash(token)
        try database.write { db in try db.execute("DELETE FROM sessions WHERE id_hash = ?", [hash]) }
    }

    /// Signs a user out everywhere (after a password change, or on request).
    public func endAll(userID: Int64) throws {
        try database.write { db in try db.execute("DELETE FROM sessions WHERE user_id = ?", [userID]) }
    }

    /// Deletes every session past its idle or absolute limit (run by `portal jobs run`); returns how many.
    @discardableResult
    public func purgeExpired(now: Int64) throws -> Int {
        try database.write { db in
            try db.execute("DELETE FROM sessions WHERE last_seen_at <= ? OR created_at <= ?",
                           [now - policy.idleTimeout, now - policy.absoluteTimeout])
            return db.changes
        }
    }
}
