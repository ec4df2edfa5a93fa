import Foundation
import PortalSecurity
import Store

/// Seeds a demo program with an admin and a partner when the database has no program yet, so that
/// `portal serve --demo` on a fresh clone can be signed into at once.
public struct DemoSeeder: Sendable {
    public struct Login: Sendable, Equatable {
        public let role: String
        public let email: String
        public let password: String
    }

    let hasher: PasswordHasher

    public init(hasher: PasswordHasher) {
        self.hasher = hasher
    }

    /// Returns the logins it created (empty when the database already had a program).
    public func seedIfEmpty(_ database: DatabasePool, now: Int64) throws -> [Login] {
        let hasProgram = try database.read { db in try db.queryOne("SELECT id FROM programs LIMIT 1") != nil }
        if hasProgram { return [] }
        // Random passwords, printed once at start: a demo must not ship a known password.
        let adminPassword = try SecureRandom.token(bytes: 9)
        let partnerPassword = try SecureRandom.token(bytes: 9)
        let adminHash = try hasher.hash(adminPassword)
        let partnerHash = try hasher.hash(partnerPassword)
        let accounts = AccountStore(database: database)
        try database.write { db in
            var program = NewProgram(name: "Acme Analytics", slug: "acme", currency: "USD")
            program.commissionPercent = 25
            let created = try ProgramStore().create(in: db, program, now: now)
            let admin = try accounts.createUser(in: db, email: "admin@demo.partnerportal.test", name: "Avery Admin", passwordHash: adminHash, now: now)
            try accounts.addMembership(in: db, userID: admin.id, Membership(role: .platformAdmin), now: now)
            try accounts.addMembership(in: db, userID: admin.id, Membership(role: .programOwner, programID: created.id), now: now)
            try db.execute("INSERT INTO partners (program_id, name, email, status, created_at) VALUES (?, ?, ?, 'approved', ?)",
                           [created.id, "Ada's Reviews", "partner@demo.partnerportal.test", now])
            let partnerID = db.lastInsertRowID
            // The demo tracking link, /r/demo (also what scripts/bench measures).
            try db.execute("""
                INSERT INTO links (program_id, partner_id, code, destination_url, campaign, created_at)
                VALUES (?, ?, 'demo', 'https://example.com/landing', 'launch', ?)
                """, [created.id, partnerID, now])
            let partner = try accounts.createUser(in: db, email: "partner@demo.partnerportal.test", name: "Ada Partner", passwordHash: partnerHash, now: now)
            try accounts.addMembership(in: db, userID: partner.id, Membership(role: .partnerOwner, programID: created.id, partnerID: partnerID), now: now)
            try DemoLibrary.seed(in: db, programID: created.id, now: now)
        }
        return [
            Login(role: "admin", email: "admin@demo.partnerportal.test", password: adminPassword),
            Login(role: "partner", email: "partner@demo.partnerportal.test", password: partnerPassword),
        ]
    }
}
