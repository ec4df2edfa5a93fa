import Foundation
import Store
import Testing
@testable import PortalCore

@Suite struct AuditLogTests {
    @Test func entriesAreAppendOnlyAndScopedByProgram() throws {
        let f = try EngineFixture(holdDays: 0)
        let actor = AuditLog.Actor(userID: nil, email: "admin@example.com", addressHash: Array(repeating: 7, count: 32))
        try f.pool.write { db in
            try AuditLog().record(in: db, programID: f.programID, actor: actor, action: "partner.approve", subjectType: "partner",
                                  subjectID: 1, details: "Welcome", now: 10)
            try AuditLog().record(in: db, programID: f.programID, actor: actor, action: "partner.suspend", subjectType: "partner",
                                  subjectID: 1, details: String(repeating: "x", count: 5_000), now: 11)
            try AuditLog().record(in: db, programID: nil, actor: actor, action: "installation.program.create", now: 12)
        }
        let entries = try f.pool.read { db in try AuditLog().entries(in: db, programID: f.programID) }
        #expect(entries.map(\.action) == ["partner.suspend", "partner.approve"])
        #expect(entries[0].details.count == 2_000)
        let older = try f.pool.read { db in try AuditLog().entries(in: db, programID: f.programID, before: entries[0].id) }
        #expect(older.map(\.action) == ["partner.approve"])
        // Neither changed nor removed.
        #expect(throws: DatabaseError.self) { try f.pool.write { db in try db.execute("UPDATE audit_log SET details = 'x'") } }
        #expect(throws: DatabaseError.self) { try f.pool.write { db in try db.execute("DELETE FROM audit_log") } }
        #expect(try f.count("SELECT count(*) FROM audit_log") == 3)
    }
}
