import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// `/admin/rules` (rules editor and preview) and `/admin/team` (owners, managers, viewers).
@Suite struct AdminRulesAndTeamPageTests {
    @Test func managerAddsATieredGroupRuleAndThePreviewUsesIt() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let manager = try team.session(try team.staff("Max"))
        let added = try team.post("/admin/rules?program=\(team.programID)", [
            ("name", "Gold partners"), ("event", "sale"), ("scope", "group"), ("scope_value", "Gold"), ("kind", "percentage"),
            ("rate_percent", "30"), ("tiers", "5,000.00 = 35 %"), ("recurring", "months"), ("recurring_months", "12"),
        ], as: manager)
        #expect(added.status == 303)
        let preview = try team.get("/admin/rules?preview=1&event=sale&amount=120.00&group=Gold&volume=0&months=0&parents=1", as: manager)
        #expect(preview.status == 200)
        #expect(preview.body.contains("A $120.00 sale by a partner in group Gold earns $36.00 by rule #"))
        // Program default is 20 %, override 0 %: no parent line.
        #expect(!preview.body.contains("Level 1 parent"))
        let tier = try team.get("/admin/rules?preview=1&event=sale&amount=120.00&group=Gold&volume=4900.00&months=0&parents=0", as: manager)
        #expect(tier.body.contains("earns $42.00") && tier.body.contains("at the 35 % tier"))
        let outside = try team.get("/admin/rules?preview=1&event=sale&amount=120.00&group=Gold&volume=0&months=12&parents=0", as: manager)
        #expect(outside.body.contains("earns nothing under rule #"))
        let silver = try team.get("/admin/rules?preview=1&event=sale&amount=120.00&group=Silver&volume=0&months=0&parents=0", as: manager)
        #expect(silver.body.contains("earns $24.00 by the program default"))
        let bad = try team.get("/admin/rules?preview=1&event=sale&amount=abc", as: manager)
        #expect(bad.body.contains("Enter the sale amount"))
        let audit = try portal.database.read { db in try AuditLog().entries(in: db, programID: team.programID) }
        #expect(audit.first?.action == "rule.create" && audit.first?.details.contains("30 % of each sale for group Gold") == true)
    }

    @Test func invalidRulesAreRefusedAndViewersCannotChangeRules() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let manager = try team.session(try team.staff("Max"))
        let viewer = try team.session(try team.staff("Vic", role: .programViewer))
        let bad = try team.post("/admin/rules?program=\(team.programID)", [
            ("event", "sale"), ("scope", "group"), ("scope_value", ""), ("kind", "flat"), ("flat_amount", "-3"), ("recurring", "lifetime"),
        ], as: manager)
        #expect(bad.status == 422)
        #expect(bad.body.contains("Enter the partner group") && bad.body.contains("Enter an amount greater than zero"))
        let unknownPartner = try team.post("/admin/rules?program=\(team.programID)", [
            ("event", "sale"), ("scope", "partner"), ("scope_value", "999999"), ("kind", "percentage"), ("rate_percent", "50"), ("recurring", "lifetime"),
        ], as: manager)
        #expect(unknownPartner.status == 422)
        let count = try portal.database.read { db in
            try db.queryValue("SELECT count(*) FROM commission_rules WHERE program_id = ?", [team.programID], as: Int64.self)
        }
        #expect(count == 0)
        #expect(try team.post("/admin/rules?program=\(team.programID)", [
            ("event", "lead"), ("scope", "program"), ("kind", "flat"), ("flat_amount", "5.00"), ("recurring", "lifetime"),
        ], as: viewer).status == 403)
        #expect(!(try team.get("/admin/rules", as: viewer).body.contains("Add a rule")))
        // Archive: a rule of this program only.
        #expect(try team.post("/admin/rules?program=\(team.programID)", [
            ("event", "lead"), ("scope", "program"), ("kind", "flat"), ("flat_amount", "5.00"), ("recurring", "lifetime"),
        ], as: manager).status == 303)
        let ruleID = try #require(try portal.database.read { db in
            try db.queryValue("SELECT id FROM commission_rules WHERE program_id = ?", [team.programID], as: Int64.self)
        })
        #expect(try team.post("/admin/rules/\(ruleID)/archive?program=\(team.programID)", [], as: viewer).status == 403)
        #expect(try team.post("/admin/rules/\(ruleID)/archive?program=\(team.programID)", [], as: manager).status == 303)
        #expect(try team.post("/admin/rules/\(ruleID)/archive?program=\(team.programID)", [], as: manager).status == 404)
    }

    @Test func ownersInviteChangeAndRemoveStaffButKeepAnOwner() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let ownerID = try team.staff("Olga", role: .programOwner)
        let owner = try team.session(ownerID)
        let manager = try team.session(try team.staff("Max"))
        #expect(try team.post("/admin/team/invite?program=\(team.programID)", [("email", "new@example.com"), ("role", "program_viewer")], as: manager).status == 403)
        let invited = try team.post("/admin/team/invite?program=\(team.programID)", [("email", "New@Example.com"), ("role", "program_viewer")], as: owner)
        #expect(invited.status == 303)
        let mail = try portal.database.read { db in
            try db.queryOne("SELECT recipient, body_text AS body FROM outbox WHERE recipient = 'new@example.com'")
        }
        let body: String = try #require(mail)["body"]
        #expect(body.contains("/password/") && body.contains("as Viewer"))
        #expect(try team.get("/admin/team", as: owner).body.contains("new@example.com as Viewer"))
        let badRole = try team.post("/admin/team/invite?program=\(team.programID)", [("email", "x@example.com"), ("role", "partner_owner")], as: owner)
        #expect(badRole.status == 422 && badRole.body.contains("Choose owner, manager or viewer."))

        let ownerMembership = try #require(try portal.database.read { db in
            try db.queryValue("SELECT id FROM memberships WHERE user_id = ? AND program_id = ?", [ownerID, team.programID], as: Int64.self)
        })
        #expect(try team.post("/admin/team/\(ownerMembership)/role?program=\(team.programID)", [("role", "program_manager")], as: owner).status == 409)
        #expect(try team.post("/admin/team/\(ownerMembership)/remove?program=\(team.programID)", [], as: owner).status == 409)
        let maxMembership = try #require(try portal.database.read { db in
            try db.queryValue("SELECT m.id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'max-staff@example.com'", as: Int64.self)
        })
        #expect(try team.post("/admin/team/\(maxMembership)/role?program=\(team.programID)", [("role", "program_owner")], as: owner).status == 303)
        #expect(try team.post("/admin/team/\(ownerMembership)/role?program=\(team.programID)", [("role", "program_viewer")], as: owner).status == 303)
        // Olga is now a viewer: the team page no longer offers her changes, and the server refuses them.
        #expect(try team.post("/admin/team/\(maxMembership)/remove?program=\(team.programID)", [], as: owner).status == 403)
        let actions = try portal.database.read { db in try AuditLog().entries(in: db, programID: team.programID).map(\.action) }
        #expect(actions == ["team.role", "team.role", "team.invite"])
        // A partner team's membership is not this page's to change.
        let ada = try team.partner("Ada")
        let adaMembership = try #require(try portal.database.read { db in
            try db.queryValue("SELECT id FROM memberships WHERE user_id = ?", [ada.userID], as: Int64.self)
        })
        let maxSession = try team.session(try #require(try portal.database.read { db in
            try db.queryValue("SELECT id FROM users WHERE email = 'max-staff@example.com'", as: Int64.self)
        }))
        #expect(try team.post("/admin/team/\(adaMembership)/remove?program=\(team.programID)", [], as: maxSession).status == 404)
    }
}
