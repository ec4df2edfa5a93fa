import Foundation
import PortalSecurity
import Store

/// Checks a sign-in attempt: throttling first, then the password, recording every attempt.
public struct LoginService: Sendable {
    let database: DatabasePool
    let accounts: AccountStore
    let hasher: PasswordHasher
    public let throttle: LoginThrottle

    public init(database: DatabasePool, hasher: PasswordHasher, throttle: LoginThrottle = LoginThrottle()) {
        self.database = database
        self.accounts = AccountStore(database: database)
        self.hasher = hasher
        self.throttle = throttle
    }

    public enum Outcome: Sendable, Equatable {
        case signedIn(Principal)
        /// Wrong e-mail or password — deliberately the same answer for both.
        case invalid
        case throttled(seconds: Int64)
    }

    public func attempt(email: String, password: String, address: String, now: Int64) throws -> Outcome {
        let email = AccountStore.normalizedEmail(email) ?? email.lowercased()
        let since = now - throttle.window
        let (accountFailures, addressFailures, user) = try database.read { db -> ([Int64], [Int64], User?) in
            let byAccount = try db.query("SELECT at FROM login_attempts WHERE email = ? AND at > ? AND succeeded = 0", [email, since])
                .map { try $0["at"] as Int64 }
            let byAddress = try db.query("SELECT at FROM login_attempts WHERE address = ? AND at > ? AND succeeded = 0", [address, since])
                .map { try $0["at"] as Int64 }
            return (byAccount, byAddress, try accounts.user(in: db, email: email))
        }
        if case .wait(let seconds) = throttle.decide(now: now, accountFailures: accountFailures, addressFailures: addressFailures) {
            return .throttled(seconds: seconds)
        }
        var principal: Principal?
        if let user, !user.disabled, let hash = user.passwordHash {
            if hasher.verify(password, against: hash) {
                principal = try database.read { db in try accounts.principal(in: db, userID: user.id) }
                if principal != nil, hasher.needsRehash(hash) {
                    let upgraded = try hasher.hash(password)
                    try database.write { db in try accounts.setPassword(in: db, userID: user.id, passwordHash: upgraded) }
                }
            }
        } else {
            // Same work as a real check, so timing does not tell which e-mails have accounts.
            hasher.simulateVerification(password)
        }
        try database.write { db in
            try db.execute("INSERT INTO login_attempts (email, address, at, succeeded) VALUES (?, ?, ?, ?)",
                           [email, address, now, principal != nil])
            // Attempts older than a day tell nothing any more.
            try db.execute("DELETE FROM login_attempts WHERE at < ?", [now - 86_400])
            // Which partners' teams signed in on which day (admin analytics: partners who signed in).
            if let principal {
                try db.execute("""
                    INSERT OR IGNORE INTO partner_sign_ins (program_id, day, partner_id)
                    SELECT p.program_id, ?, p.id FROM memberships m JOIN partners p ON p.id = m.partner_id WHERE m.user_id = ?
                    """, [DailyStats.day(of: now), principal.user.id])
            }
        }
        return principal.map(Outcome.signedIn) ?? .invalid
    }
}
