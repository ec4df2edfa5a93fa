import Foundation
import Testing
@testable import PortalWeb

/// Cursor pages (`?limit=` and `?cursor=`, `{"data", "next_cursor"}`): walking every page sees each row once,
/// newest first, and the last page says `next_cursor: null`.
@Suite struct EngineAPIPaginationTests {
    @Test func partnersWalkInPagesOfTwoWithoutRepeats() throws {
        let h = try EngineAPIHarness()
        var created: [Int64] = []
        for n in 1...5 { created.append(try h.createPartner("p\(n)@example.com")) }
        let walk = try h.walk("/partners", limit: 2)
        #expect(walk.ids == created.reversed())
        #expect(walk.pages == 3)
        #expect(Set(walk.ids).count == walk.ids.count)
    }

    @Test func anExactlyFullLastPageEndsWithANullCursor() throws {
        let h = try EngineAPIHarness()
        for n in 1...4 { try h.createPartner("p\(n)@example.com") }
        let walk = try h.walk("/partners", limit: 2)
        #expect(walk.ids.count == 4)
        #expect(walk.pages == 2)
    }

    @Test func partnerPagesKeepTheirStatusFilter() throws {
        let h = try EngineAPIHarness()
        var approved: [Int64] = []
        for n in 1...5 {
            let id = try h.createPartner("p\(n)@example.com", status: n.isMultiple(of: 2) ? "pending" : "approved")
            if !n.isMultiple(of: 2) { approved.append(id) }
        }
        let walk = try h.walk("/partners?status=approved", limit: 2)
        #expect(walk.ids == approved.reversed())
        #expect(walk.pages == 2)
    }

    @Test func commissionsWalkInPagesOfTwoWithoutRepeats() throws {
        let h = try EngineAPIHarness()
        let partner = try h.createPartner("ada@example.com")
        var commissions: [Int64] = []
        for n in 1...5 {
            let conversion = try h.sale("order-\(n)", amount: 1000 * Int64(n), partner: partner)
            commissions.append(try #require((conversion["commissions"] as? [[String: Any]])?.first?.int("id")))
        }
        let walk = try h.walk("/commissions", limit: 2)
        #expect(walk.ids == commissions.reversed())
        #expect(walk.pages == 3)
        let filtered = try h.walk("/commissions?partner_id=\(partner)&status=pending", limit: 2)
        #expect(filtered.ids == commissions.reversed())
    }

    @Test func theDefaultPageIsFiftyAndAllFitInOneAtFiveHundred() throws {
        let h = try EngineAPIHarness()
        try h.portal.database.write { db in
            for n in 1...60 {
                try db.execute("INSERT INTO partners (program_id, name, email, status, created_at) VALUES (?, ?, ?, 'approved', 0)",
                               [h.programID, "P\(n)", "p\(n)@example.com"])
            }
        }
        let first = try h.get("/partners")
        #expect(first.data.count == 50)
        #expect(first.object?["next_cursor"] is String)
        let all = try h.get("/partners?limit=500")
        #expect(all.data.count == 60)
        #expect(all.object?.isNull("next_cursor") == true)
    }

    @Test func aCursorFromOneListDoesNotLeakAnotherProgramsRows() throws {
        let h = try EngineAPIHarness()
        for n in 1...3 { try h.createPartner("p\(n)@example.com") }
        let other = try h.addProgram(.init(slug: "other"))
        for n in 1...3 { try h.createPartner("q\(n)@example.com", key: other.secret) }
        let page = try h.get("/partners?limit=2", key: other.secret)
        let cursor = try #require(page.object?.string("next_cursor"))
        let rest = try h.get("/partners?limit=2&cursor=\(cursor)", key: other.secret)
        let emails = (page.data + rest.data).compactMap { $0.string("email") }
        #expect(emails == ["q3@example.com", "q2@example.com", "q1@example.com"])
        // The same cursor with program A's key shows only program A's partners.
        #expect(try h.get("/partners?cursor=\(cursor)").data.allSatisfy { $0.string("email")?.hasPrefix("p") == true })
    }
}
