import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// `/admin/commissions`: the review queue's tabs and pages, single and bulk decisions through `CommissionReview`
/// (all-or-nothing for a selection), audit entries in the same transaction, and the permission rules.
@Suite struct AdminCommissionsPageTests {
    /// A program with a 30-day hold, so new commissions are pending.
    func setUp() throws -> (RunningPortal, PortalTeam) {
        let portal = try RunningPortal(seedDemo: false)
        return (portal, try PortalTeam(portal: portal, holdDays: 30))
    }

    func commissionID(_ portal: RunningPortal, _ externalID: String) throws -> Int64 {
        try #require(try portal.database.read { db in
            try db.queryValue("SELECT c.id FROM commissions c JOIN conversions v ON v.id = c.conversion_id WHERE v.external_id = ?",
                              [externalID], as: Int64.self)
        })
    }

    func status(_ portal: RunningPortal, _ id: Int64) throws -> String? {
        try portal.database.read { db in try db.queryValue("SELECT status FROM commissions WHERE id = ?", [id], as: String.self) }
    }

    func review(_ portal: RunningPortal, _ id: Int64) throws -> String? {
        try portal.database.read { db in try db.queryValue("SELECT review FROM commissions WHERE id = ?", [id], as: String?.self) } ?? nil
    }

    func audits(_ portal: RunningPortal, _ id: Int64) throws -> [String] {
        try portal.database.read { db in
            try db.query("SELECT action FROM audit_log WHERE subject_type = 'commission' AND subject_id = ? ORDER BY id", [id]).map { try $0["action"] as String }
        }
    }

    func ledgerKinds(_ portal: RunningPortal, _ id: Int64) throws -> [String] {
        try portal.database.read { db in
            try db.query("SELECT kind FROM ledger_entries WHERE commission_id = ? ORDER BY id", [id]).map { try $0["kind"] as String }
        }
    }

    func flag(_ portal: RunningPortal, _ id: Int64, kind: String = "self_referral", reason: String = "Customer e-mail matches the partner") throws {
        try portal.database.write { db in
            try db.execute("UPDATE commissions SET review = 'flagged' WHERE id = ?", [id])
            try db.execute("INSERT INTO commission_flags (commission_id, kind, reason, created_at) VALUES (?, ?, ?, 0)", [id, kind, reason])
        }
    }

    func endHold(_ portal: RunningPortal, _ id: Int64) throws {
        try portal.database.write { db in try db.execute("UPDATE commissions SET hold_until = 1 WHERE id = ?", [id]) }
    }

    @Test func tabsShowPendingFlaggedApprovedAndRejectedWithPages() throws {
        let (portal, team) = try setUp()
        let manager = try team.session(try team.staff("Max"))
        let ada = try team.partner("Ada")
        try team.sale("plain-1", amount: 10_000, partnerID: ada.partnerID)
        try team.sale("flagged-1", amount: 20_000, partnerID: ada.partnerID)
        let flagged = try commissionID(portal, "flagged-1")
        try flag(portal, flagged)
        let base = "/admin/commissions?program=\(team.programID)"

        let pending = try team.get(base, as: manager)
        #expect(pending.status == 200)
        #expect(pending.body.contains("plain-1") && !pending.body.contains("flagged-1"))
        #expect(pending.body.contains("$20.00") && pending.body.contains("Ada"))
        #expect(pending.body.contains(#"name="ids""#) && pending.body.contains("Approve selected"))
        #expect(pending.body.contains("Pending (1)") && pending.body.contains("Flagged (1)"))
        #expect(pending.body.contains(#"href="/admin/commissions""#), "the navigation has the Commissions entry")
        #expect(pending.body.contains(#"href="/admin/payouts""#), "the navigation has the Payouts entry")

        let flaggedTab = try team.get(base + "&tab=flagged", as: manager).body
        #expect(flaggedTab.contains("flagged-1") && !flaggedTab.contains("plain-1"))
        #expect(flaggedTab.contains("self referral: Customer e-mail matches the partner"))
        #expect(try team.get(base + "&tab=approved", as: manager).body.contains("No approved commissions."))
        #expect(try team.get(base + "&tab=rejected", as: manager).body.contains("No rejected commissions."))

        // 50 a page, newest first, with an "older" cursor.
        for index in 0..<55 { try team.sale("bulk-\(index)", amount: 1_000, partnerID: ada.partnerID) }
        let first = try team.get(base, as: manager).body
        let b54 = try commissionID(portal, "bulk-54"), b5 = try commissionID(portal, "bulk-5"), b4 = try commissionID(portal, "bulk-4")
        #expect(first.contains("#\(b54)</span>") && first.contains("#\(b5)</span>") && !first.contains("#\(b4)</span>"))
        #expect(first.contains(#"rel="next""#) && !first.contains("plain-1"))
        let second = try team.get(base + "&before=\(b5)", as: manager).body
        #expect(second.contains("#\(b4)</span>") && second.contains("plain-1") && !second.contains("#\(b5)</span>"))
        #expect(!second.contains(#"rel="next""#))
    }

    @Test func singleApproveAndRejectGoThroughTheEngineWithAudit() throws {
        let (portal, team) = try setUp()
        let manager = try team.session(try team.staff("Max"))
        let ada = try team.partner("Ada")
        try team.sale("held", amount: 10_000, partnerID: ada.partnerID)
        try team.sale("due", amount: 10_000, partnerID: ada.partnerID)
        try team.sale("bad", amount: 10_000, partnerID: ada.partnerID)
        let held = try commissionID(portal, "held"), due = try commissionID(portal, "due"), bad = try commissionID(portal, "bad")
        try endHold(portal, due)
        try flag(portal, due)
        let query = "?program=\(team.programID)&tab=pending"

        // Approving in the hold clears it (approved when the hold ends); after the hold, approves at once.
        let cleared = try team.post("/admin/commissions/\(held)/approve\(query)", [], as: manager)
        #expect(cleared.status == 303)
        #expect((cleared.headers["location"] ?? "").contains("waiting=1"))
        #expect(try status(portal, held) == "pending" && review(portal, held) == "cleared")
        #expect(try ledgerKinds(portal, held) == ["earned"])
        #expect(try audits(portal, held) == ["commission.approve"])
        #expect(try team.post("/admin/commissions/\(due)/approve\(query)", [], as: manager).status == 303)
        #expect(try status(portal, due) == "approved")
        #expect(try ledgerKinds(portal, due) == ["earned", "approved"])
        #expect(try audits(portal, due) == ["commission.approve"])
        let notice = try team.get("/admin/commissions?program=\(team.programID)&tab=pending&done=approved&count=1&waiting=1", as: manager).body
        #expect(notice.contains("1 commission approved.") && notice.contains("still in their hold"))

        // Reject without a reason: 422, nothing written.
        let refused = try team.post("/admin/commissions/\(bad)/reject\(query)", [("reason", "   ")], as: manager)
        #expect(refused.status == 422)
        #expect(refused.body.contains("Give a reason"))
        #expect(try status(portal, bad) == "pending" && ledgerKinds(portal, bad) == ["earned"] && audits(portal, bad).isEmpty)
        // With a reason: the ledger reverses what remains, the reason is kept, one audit entry.
        #expect(try team.post("/admin/commissions/\(bad)/reject\(query)", [("reason", "Own purchase")], as: manager).status == 303)
        #expect(try status(portal, bad) == "rejected")
        #expect(try ledgerKinds(portal, bad) == ["earned", "reversed"])
        let details = try portal.database.read { db in
            try db.queryValue("SELECT details FROM audit_log WHERE action = 'commission.reject' AND subject_id = ?", [bad], as: String.self)
        }
        #expect(details == "Own purchase")
        let balance = try portal.database.read { db in try LedgerStore().balance(in: db, partnerID: ada.partnerID) }
        #expect(balance == Balance(pending: 2_000, available: 2_000, paid: 0))
        #expect(try team.get("/admin/commissions?program=\(team.programID)&tab=rejected", as: manager).body.contains("Rejected: Own purchase"))

        // A decided commission cannot be decided again: 422, nothing more written.
        #expect(try team.post("/admin/commissions/\(bad)/approve\(query)", [], as: manager).status == 422)
        #expect(try team.post("/admin/commissions/\(due)/reject\(query)", [("reason", "Late")], as: manager).status == 422)
        #expect(try audits(portal, bad) == ["commission.reject"] && audits(portal, due) == ["commission.approve"])
        // Unknown id: 404. No CSRF token: 403.
        #expect(try team.post("/admin/commissions/999999/approve\(query)", [], as: manager).status == 404)
        #expect(try team.post("/admin/commissions/\(held)/reject\(query)", [("reason", "x")], as: manager, csrf: false).status == 403)
        #expect(try status(portal, held) == "pending")
    }

    @Test func bulkDecisionsAreAllOrNothing() throws {
        let (portal, team) = try setUp()
        let manager = try team.session(try team.staff("Max"))
        let ada = try team.partner("Ada"), bob = try team.partner("Bob")
        try team.sale("a1", amount: 10_000, partnerID: ada.partnerID)
        try team.sale("a2", amount: 10_000, partnerID: ada.partnerID)
        try team.sale("b1", amount: 10_000, partnerID: bob.partnerID)
        try team.sale("b2", amount: 10_000, partnerID: bob.partnerID)
        let a1 = try commissionID(portal, "a1"), a2 = try commissionID(portal, "a2")
        let b1 = try commissionID(portal, "b1"), b2 = try commissionID(portal, "b2")
        for id in [a1, a2, b1] { try endHold(portal, id) }
        let bulk = "/admin/commissions/bulk?program=\(team.programID)&tab=pending"

        // Validation: an empty selection, no decision, no reason to reject, an unreadable id.
        let empty = try team.post(bulk, [("decision", "approve")], as: manager)
        #expect(empty.status == 422 && empty.body.contains("Select at least one commission."))
        #expect(try team.post(bulk, [("ids", String(a1))], as: manager).status == 422)
        let noReason = try team.post(bulk, [("decision", "reject"), ("ids", String(a1)), ("ids", String(a2)), ("reason", "")], as: manager)
        #expect(noReason.status == 422 && noReason.body.contains("Give a reason"))
        #expect(noReason.body.contains(#"value="\#(a1)" id="select-\#(a1)" aria-labelledby="select-column commission-\#(a1)" checked"#), "the selection is kept")
        #expect(try team.post(bulk, [("decision", "approve"), ("ids", "x")], as: manager).status == 422)

        // One invalid item (already rejected): nothing is changed, and the page says which one.
        #expect(try team.post("/admin/commissions/\(b2)/reject?program=\(team.programID)", [("reason", "Duplicate")], as: manager).status == 303)
        let mixed = try team.post(bulk, [("decision", "approve"), ("ids", String(a1)), ("ids", String(b2)), ("ids", String(b1))], as: manager)
        #expect(mixed.status == 422)
        #expect(mixed.body.contains("Commission #\(b2) cannot be approved") && mixed.body.contains("Nothing was changed"))
        #expect(try status(portal, a1) == "pending" && status(portal, b1) == "pending")
        #expect(try ledgerKinds(portal, a1) == ["earned"] && audits(portal, a1).isEmpty && audits(portal, b1).isEmpty)

        // A valid selection: every one decided, one audit entry each, in one go (duplicates ignored).
        let approved = try team.post(bulk, [("decision", "approve"), ("ids", String(a1)), ("ids", String(b1)), ("ids", String(a1))], as: manager)
        #expect(approved.status == 303)
        #expect((approved.headers["location"] ?? "").contains("count=2"))
        #expect(try status(portal, a1) == "approved" && status(portal, b1) == "approved")
        #expect(try audits(portal, a1) == ["commission.approve"] && audits(portal, b1) == ["commission.approve"])
        let note = try portal.database.read { db in
            try db.queryValue("SELECT details FROM audit_log WHERE subject_id = ? AND action = 'commission.approve'", [a1], as: String.self)
        }
        #expect(note == "Approved (one of 2 decided together)")
        // Bulk reject with a reason.
        #expect(try team.post(bulk, [("decision", "reject"), ("ids", String(a2)), ("reason", "Test orders")], as: manager).status == 303)
        #expect(try status(portal, a2) == "rejected" && ledgerKinds(portal, a2) == ["earned", "reversed"])
    }

    @Test func viewersReadOnlyAndOtherProgramsAreNotFound() throws {
        let (portal, team) = try setUp()
        let ada = try team.partner("Ada")
        try team.sale("ada-order-1", amount: 10_000, partnerID: ada.partnerID)
        let a1 = try commissionID(portal, "ada-order-1")
        let viewer = try team.session(try team.staff("Vic", role: .programViewer))

        let list = try team.get("/admin/commissions?program=\(team.programID)", as: viewer)
        #expect(list.status == 200 && list.body.contains("ada-order-1"))
        #expect(!list.body.contains(#"name="ids""#) && !list.body.contains("Approve selected"))
        #expect(try team.post("/admin/commissions/\(a1)/approve?program=\(team.programID)", [], as: viewer).status == 403)
        #expect(try team.post("/admin/commissions/\(a1)/reject?program=\(team.programID)", [("reason", "x")], as: viewer).status == 403)
        #expect(try team.post("/admin/commissions/bulk?program=\(team.programID)", [("decision", "approve"), ("ids", String(a1))], as: viewer).status == 403)

        let other = try portal.database.write { db in
            try ProgramStore().create(in: db, NewProgram(name: "Other", slug: "other\(Int.random(in: 1000...9999))", currency: "EUR"), now: 0)
        }
        let stranger = try team.session(try team.staff("Sam", programID: other.id))
        #expect(try team.post("/admin/commissions/\(a1)/approve", [], as: stranger).status == 404)
        #expect(try team.post("/admin/commissions/\(a1)/reject", [("reason", "x")], as: stranger).status == 404)
        #expect(try team.post("/admin/commissions/bulk", [("decision", "approve"), ("ids", String(a1))], as: stranger).status == 404)
        #expect(try team.get("/admin/commissions?program=\(team.programID)", as: stranger).status == 404)
        #expect(!(try team.get("/admin/commissions", as: stranger).body.contains("ada-order-1")))
        #expect(try status(portal, a1) == "pending" && review(portal, a1) == nil && audits(portal, a1).isEmpty)
    }
}
