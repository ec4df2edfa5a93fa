import Foundation
import Store

/// Users and their memberships in SQLite. Every query is parameterised; e-mails compare case-insensitively.
public struct AccountStore: Sendable {
    let database: DatabasePool

    public init(database: DatabasePool) {
        self.database = database
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case emailTaken(String)
        case invalidEmail(String)
        public var description: String {
            switch self {
            case .emailTaken(let email): "An account with \(email) already exists."
            case .invalidEmail(let email): "\(email) is not a valid e-mail address."
            }
        }
    }

    /// Normalises an e-mail for storage and lookup; nil when it cannot be an address.
    public static func normalizedEmail(_ text: String) -> String? {
        let email = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              email.utf8.count <= 254, !email.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" }) else { return nil }
        return email
    }

    public func createUser(in db: Database, email: String, name: String, passwordHash: String?, now: Int64) throws -> User {
        guard let email = Self.normalizedEmail(email) else { throw Failure.invalidEmail(email) }
        if try db.queryOne("SELECT id FROM users WHERE email = ?", [email]) != nil { throw Failure.emailTaken(email) }
        try db.execute("INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, ?, ?)", [email, name, passwordHash, now])
        return User(id: db.lastInsertRowID, email: email, name: name, passwordHash: passwordHash, disabled: false)
    }

    public func addMembership(in db: Database, userID: Int64, _ membership: Membership, now: Int64) throws {
        try db.execute("""
            INSERT OR IGNORE INTO memberships (user_id, role, program_id, partner_id, created_at) VALUES (?, ?, ?, ?, ?)
            """, [userID, membership.role.rawValue, membership.programID, membership.partnerID, now])
    }

    public func setPassword(in db: Database, userID: Int64, passwordHash: String) throws {
        try db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [passwordHash, userID])
    }

    public func user(in db: Database, email: String) throws -> User? {
        guard let email = Self.normalizedEmail(email) else { return nil }
        return try db.queryOne("SELECT id, email, name, password_hash, disabled_at FROM users WHERE email = ?", [email]).map { try Self.user($0) }
    }

    public func user(in db: Database, id: Int64) throws -> User? {
        try db.queryOne("SELECT id, email, name, password_hash, disabled_at FROM users WHERE id = ?", [id]).map { try Self.user($0) }
    }

    public func memberships(in db: Database, userID: Int64) throws -> [Membership] {
        try db.query("SELECT role, program_id, partner_id FROM memberships WHERE user_id = ? ORDER BY id", [userID]).compactMap { row in
            guard let role = Role(rawValue: try row["role"]) else { return nil }
            return Membership(role: role, programID: try row["program_id"], partnerID: try row["partner_id"])
        }
    }

    public func principal(in db: Database, userID: Int64) throws -> Principal? {
        guard let user = try user(in: db, id: userID), !user.disabled else { return nil }
        return Principal(user: user, memberships: try memberships(in: db, userID: userID))
    }

    static func user(_ row: Row) throws -> User {
        User(id: try row["id"], email: try row["email"], name: try row["name"], passwordHash: try row["password_hash"],
             disabled: (try row["disabled_at"] as Int64?) != nil)
    }
}
