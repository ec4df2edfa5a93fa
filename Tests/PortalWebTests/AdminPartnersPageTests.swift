import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

extension PortalTeam {
    /// A partner without a user, in `status`, with optional company, group and joining time.
    func applicant(_ name: String, status: String = "pending", company: String = "", group: String = "", createdAt: Int64 = 0) throws -> Int64 {
        try portal.database.write { db in
            try db.execute("""
                INSERT INTO partners (program_id, name, email, status, created_at, company, group_name) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [programID, name, "\(name.lowercased().replacingOccurrences(of: " ", with: "."))@example.com", status, createdAt, company, group])
            return db.lastInsertRowID
        }
    }
}

/// `/admin/partners`: the program's partner list, one partner's page and the status changes, scoped to the
/// admin's program, audited, and refused to viewers.
@Suite struct AdminPartnersPageTests {
    func status(_ portal: RunningPortal, _ id: Int64) throws -> String? {
        try portal.database.read { db in try db.queryValue("SELECT status FROM partners WHERE id = ?", [id], as: String.self) }
    }

    func audits(_ portal: RunningPortal, _ id: Int64) throws -> [String] {
        try portal.database.read { db in
            try db.query("SELECT action FROM audit_log WHERE subject_type = 'partner' AND subject_id = ? ORDER BY id", [id]).map { try $0["action"] as String }
        }
    }

    func mails(_ portal: RunningPortal, to email: String) throws -> [String] {
        try portal.database.read { db in
            try db.query("SELECT subject FROM outbox WHERE recipient = ? ORDER BY id", [email]).map { try $0["subject"] as String }
        }
    }

    @Test func searchFilterSortAndPage() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let manager = try team.session(try team.staff("Max"))
        _ = try team.applicant("Zed Pending", status: "pending", company: "Widgets 100%", createdAt: 300)
        _ = try team.applicant("Amy Approved", status: "approved", company: "Acme_Co", group: "gold", createdAt: 200)
        let bea = try team.applicant("Bea Approved", status: "approved", group: "silver", createdAt: 100)
        try portal.database.write { db in
            try db.execute("INSERT INTO daily_stats (program_id, partner_id, day, link_id, campaign, sub_id, clicks, commission) VALUES (?, ?, ?, 0, '', '', 7, 12345)",
                           [team.programID, bea, DailyStats.day(of: Int64(Date().timeIntervalSince1970))])
        }
        let base = "/admin/partners?program=\(team.programID)"
        let overview = try team.get(base, as: manager).body
        #expect(overview.contains(#"href="/admin/partners""#) && overview.contains(#"href="/admin/partners?status=pending""#))

        // Search is case-insensitive over name, e-mail and company; % and _ are literal.
        let byName = try team.get(base + "&q=ZED", as: manager)
        #expect(byName.status == 200)
        #expect(byName.body.contains("Zed Pending") && !byName.body.contains("Amy Approved"))
        let percent = try team.get(base + "&q=" + PercentDecoding.encode("100%"), as: manager).body
        #expect(percent.contains("Zed Pending") && !percent.contains("Bea Approved"))
        let underscore = try team.get(base + "&q=" + PercentDecoding.encode("e_C"), as: manager).body
        #expect(underscore.contains("Amy Approved") && !underscore.contains("Zed Pending"))
        #expect(!(try team.get(base + "&q=" + PercentDecoding.encode("%"), as: manager).body.contains("Amy Approved")))
        #expect(try team.get(base + "&q=BEA.approved%40example", as: manager).body.contains("Bea Approved"))

        // Filters.
        let pending = try team.get(base + "&status=pending", as: manager).body
        #expect(pending.contains("Zed Pending") && !pending.contains("Amy Approved"))
        #expect(pending.contains(#"/approve?program="#))
        let gold = try team.get(base + "&group=gold", as: manager).body
        #expect(gold.contains("Amy Approved") && !gold.contains("Bea Approved"))

        // Sorting, with the 30-day stats from daily_stats.
        let byNameAsc = try team.get(base + "&sort=name&dir=asc", as: manager).body
        let order = ["Amy Approved", "Bea Approved", "Zed Pending"].compactMap { byNameAsc.range(of: $0)?.lowerBound }
        #expect(order.count == 3 && order == order.sorted())
        let byEarnings = try team.get(base + "&sort=earnings&dir=desc", as: manager).body
        #expect((byEarnings.range(of: "Bea Approved")?.lowerBound ?? byEarnings.endIndex) < (byEarnings.range(of: "Amy Approved")?.lowerBound ?? byEarnings.startIndex))
        #expect(byEarnings.contains("$123.45"))
        let byCreated = try team.get(base + "&sort=created&dir=asc", as: manager).body
        #expect((byCreated.range(of: "Bea Approved")?.lowerBound ?? byCreated.endIndex) < (byCreated.range(of: "Zed Pending")?.lowerBound ?? byCreated.startIndex))

        // Paging: 50 a page.
        try portal.database.write { db in
            for index in 0..<60 {
                try db.execute("INSERT INTO partners (program_id, name, email, status, created_at) VALUES (?, ?, ?, 'approved', ?)",
                               [team.programID, String(format: "Bulk %03d", index), "bulk\(index)@example.com", 1000 + index])
            }
        }
        let first = try team.get(base + "&sort=name&dir=asc&q=bulk", as: manager).body
        #expect(first.contains("Bulk 000") && first.contains("Bulk 049") && !first.contains("Bulk 050"))
        #expect(first.contains(#"rel="next""#))
        let second = try team.get(base + "&sort=name&dir=asc&q=bulk&page=2", as: manager).body
        #expect(second.contains("Bulk 050") && second.contains("Bulk 059") && !second.contains("Bulk 049"))
        #expect(!second.contains(#"rel="next""#))
    }

    @Test func transitionsChangeStatusAuditAndMailThePartner() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let manager = try team.session(try team.staff("Max"))
        let zed = try team.applicant("Zed")
        let yan = try team.applicant("Yan")
        let back = "/admin/partners?program=\(team.programID)&status=pending"

        // Reject without a reason: 422, nothing changes.
        let refused = try team.post("/admin/partners/\(zed)/reject?program=\(team.programID)", [("reason", "  "), ("return", back)], as: manager)
        #expect(refused.status == 422)
        #expect(try status(portal, zed) == "pending")
        #expect(try audits(portal, zed).isEmpty)
        #expect(try mails(portal, to: "zed@example.com").isEmpty)

        // Approve: 303 back to the list, one audit entry, one e-mail.
        let approved = try team.post("/admin/partners/\(zed)/approve?program=\(team.programID)", [("return", back)], as: manager)
        #expect(approved.status == 303)
        #expect(approved.headers["location"] == back)
        #expect(try status(portal, zed) == "approved")
        #expect(try audits(portal, zed) == ["partner.approve"])
        #expect(try mails(portal, to: "zed@example.com").count == 1)

        // Suspend (reason required), then reinstate.
        #expect(try team.post("/admin/partners/\(zed)/suspend?program=\(team.programID)", [], as: manager).status == 422)
        let suspended = try team.post("/admin/partners/\(zed)/suspend?program=\(team.programID)", [("reason", "Spam"), ("return", "https://evil.example/")], as: manager)
        #expect(suspended.status == 303)
        #expect((suspended.headers["location"] ?? "").hasPrefix("/admin/partners/\(zed)"))
        #expect(try status(portal, zed) == "suspended")
        #expect(try team.post("/admin/partners/\(zed)/reinstate?program=\(team.programID)", [], as: manager).status == 303)
        #expect(try status(portal, zed) == "approved")
        #expect(try audits(portal, zed) == ["partner.approve", "partner.suspend", "partner.reinstate"])
        #expect(try mails(portal, to: "zed@example.com").count == 3)
        let reason = try portal.database.read { db in
            try db.queryValue("SELECT details FROM audit_log WHERE action = 'partner.suspend' AND subject_id = ?", [zed], as: String.self)
        }
        #expect(reason == "Spam")

        // Reject with a reason.
        #expect(try team.post("/admin/partners/\(yan)/reject?program=\(team.programID)", [("reason", "Not a fit")], as: manager).status == 303)
        #expect(try status(portal, yan) == "rejected")
        #expect(try audits(portal, yan) == ["partner.reject"])
        #expect(try mails(portal, to: "yan@example.com").count == 1)
        // Reinstating is only for suspended partners.
        #expect(try team.post("/admin/partners/\(yan)/reinstate?program=\(team.programID)", [], as: manager).status == 422)
        // Without the CSRF token: refused.
        #expect(try team.post("/admin/partners/\(yan)/approve?program=\(team.programID)", [], as: manager, csrf: false).status == 403)
        #expect(try status(portal, yan) == "rejected")
    }

    @Test func viewersAndOtherProgramsAreRefused() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let zed = try team.applicant("Zed")
        let viewer = try team.session(try team.staff("Vic", role: .programViewer))

        // A viewer reads the list and the page without buttons, and gets 403 on POST.
        let list = try team.get("/admin/partners?program=\(team.programID)", as: viewer)
        #expect(list.status == 200)
        #expect(list.body.contains("Zed") && !list.body.contains("/approve"))
        let page = try team.get("/admin/partners/\(zed)?program=\(team.programID)", as: viewer)
        #expect(page.status == 200)
        #expect(!page.body.contains("/approve") && !page.body.contains("/reject"))
        #expect(try team.post("/admin/partners/\(zed)/approve?program=\(team.programID)", [], as: viewer).status == 403)
        #expect(try status(portal, zed) == "pending")
        #expect(try audits(portal, zed).isEmpty)

        // A manager of another program: this program's partner is not found, and ?program= of this program is 404.
        let other = try portal.database.write { db in
            try ProgramStore().create(in: db, NewProgram(name: "Other", slug: "other\(Int.random(in: 1000...9999))", currency: "EUR"), now: 0)
        }
        let stranger = try team.session(try team.staff("Sam", programID: other.id))
        #expect(try team.post("/admin/partners/\(zed)/approve", [], as: stranger).status == 404)
        #expect(try team.get("/admin/partners/\(zed)", as: stranger).status == 404)
        #expect(try team.get("/admin/partners?program=\(team.programID)", as: stranger).status == 404)
        #expect(try team.post("/admin/partners/\(zed)/approve?program=\(team.programID)", [], as: stranger).status == 404)
        #expect(!(try team.get("/admin/partners", as: stranger).body.contains("Zed")))
        #expect(try status(portal, zed) == "pending")
        #expect(try audits(portal, zed).isEmpty)
        // A partner user has no admin console.
        let partnerUser = try team.session(try team.partner("Pat").userID)
        #expect(try team.get("/admin/partners", as: partnerUser).status == 403)
    }

    @Test func thePartnerPageShowsDetailsButNeverTheFullTaxID() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let manager = try team.session(try team.staff("Max"))
        let ada = try team.partner("Ada")
        let store = try TaxFormStore(key: portal.environment.secretKey)
        try portal.database.write { db in
            try db.execute("UPDATE partners SET company = 'Ada Ltd', country = 'US', application_answers = ? WHERE id = ?",
                           [#"{"audience":"Developers"}"#, ada.partnerID])
            let form = TaxForm(kind: .w9, legalName: "Ada", country: "US", addressLine1: "1 Main St", city: "Springfield", classification: .individual,
                               taxID: "123-45-6789", signatureName: "Ada", certified: true)
            try store.submit(in: db, programID: team.programID, partnerID: ada.partnerID, form, signerUserID: nil, signerAddressHash: nil, now: 0)
            try db.execute("INSERT INTO links (program_id, partner_id, code, destination_url, created_at) VALUES (?, ?, 'ada-link', 'https://acme.example/', 0)",
                           [team.programID, ada.partnerID])
        }
        let page = try team.get("/admin/partners/\(ada.partnerID)?program=\(team.programID)", as: manager)
        #expect(page.status == 200)
        #expect(page.body.contains("Ada Ltd") && page.body.contains("Developers") && page.body.contains("ada-link"))
        #expect(page.body.contains("Form W-9") && page.body.contains("6789"))
        #expect(!page.body.contains("123-45-6789") && !page.body.contains("123456789"))
        #expect(page.body.contains("ada-user@example.com"))
        #expect(page.body.contains("/suspend?program="))
        #expect(try team.get("/admin/partners/999999?program=\(team.programID)", as: manager).status == 404)
    }

    @Test func onlyAdminPartnerPathsAreReturnedTo() {
        #expect(AdminPartnersController.safeReturn("/admin/partners?program=1&status=pending") == "/admin/partners?program=1&status=pending")
        #expect(AdminPartnersController.safeReturn("/admin/partners/5?program=1") == "/admin/partners/5?program=1")
        #expect(AdminPartnersController.safeReturn("/admin/partnersx") == nil)
        #expect(AdminPartnersController.safeReturn("https://evil.example/admin/partners") == nil)
        #expect(AdminPartnersController.safeReturn("/admin/partners\r\nSet-Cookie: x=1") == nil)
        #expect(AdminPartnersController.safeReturn("/admin/partners/\\evil.example") == nil)
        #expect(AdminPartnersController.safeReturn(nil) == nil)
    }
}
