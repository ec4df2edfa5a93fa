import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// The partner page's staff tools: internal notes, group and parent (the sub-affiliate tree), and inviting partners.
@Suite struct AdminPartnerRecordsTests {
    @Test func notesAreInternalAuditedAndScoped() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let manager = try team.session(try team.staff("Max"))
        let viewer = try team.session(try team.staff("Vic", role: .programViewer))
        let ada = try team.partner("Ada")
        let path = "/admin/partners/\(ada.partnerID)/notes?program=\(team.programID)"
        #expect(try team.post(path, [("body", "Asked for a <b>higher</b> rate.\nFollow up in March.")], as: manager).status == 303)
        #expect(try team.post(path, [("body", "   ")], as: manager).status == 422)
        #expect(try team.post(path, [("body", "Viewer note")], as: viewer).status == 403)
        let page = try team.get("/admin/partners/\(ada.partnerID)", as: viewer).body
        #expect(page.contains("Asked for a &lt;b&gt;higher&lt;/b&gt; rate.") && page.contains("max-staff@example.com"))
        #expect(!page.contains("Add note"))
        // Never in the portal.
        let partner = try team.session(ada.userID)
        for path in ["/portal", "/portal/profile", "/portal/messages"] {
            #expect(!(try team.get(path, as: partner).body.contains("higher")), "\(path)")
        }
        // Another program's staff cannot write on this partner.
        let other = try portal.database.write { db in
            try ProgramStore().create(in: db, NewProgram(name: "Other", slug: "other\(Int.random(in: 1000...9999))", currency: "EUR"), now: 0)
        }
        let outsider = try team.session(try team.staff("Oz", programID: other.id))
        #expect(try team.post("/admin/partners/\(ada.partnerID)/notes", [("body", "x")], as: outsider).status == 404)
        let count = try portal.database.read { db in try db.queryValue("SELECT count(*) FROM partner_notes", as: Int64.self) }
        #expect(count == 1)
        #expect(try portal.database.read { db in try AuditLog().entries(in: db, programID: team.programID) }.map(\.action) == ["partner.note"])
        // Append-only.
        #expect(throws: (any Error).self) { try portal.database.write { db in try db.execute("UPDATE partner_notes SET body = 'changed'") } }
    }

    @Test func groupAndParentBuildTheTreeWithoutCycles() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let manager = try team.session(try team.staff("Max"))
        let ada = try team.partner("Ada"), bob = try team.partner("Bob"), cyd = try team.partner("Cyd")
        func place(_ id: Int64, group: String, parent: String) throws -> Int {
            try team.post("/admin/partners/\(id)/group?program=\(team.programID)", [("group", group), ("parent", parent)], as: manager).status
        }
        #expect(try place(bob.partnerID, group: "Gold", parent: String(ada.partnerID)) == 303)
        #expect(try place(cyd.partnerID, group: "", parent: String(bob.partnerID)) == 303)
        // Ada under Cyd would be a cycle.
        let cycle = try team.post("/admin/partners/\(ada.partnerID)/group?program=\(team.programID)", [("group", ""), ("parent", String(cyd.partnerID))],
                                  as: manager)
        #expect(cycle.status == 422 && cycle.body.contains("own ancestor"))
        #expect(try place(ada.partnerID, group: "", parent: "abc") == 422)
        let page = try team.get("/admin/partners/\(ada.partnerID)", as: manager).body
        #expect(page.contains("2 sub-affiliates below"))
        let bobAt = try #require(page.range(of: ">Bob</a>")), cydAt = try #require(page.range(of: ">Cyd</a>"))
        #expect(bobAt.lowerBound < cydAt.lowerBound && page.contains("class=\"depth-1\"><a href=\"/admin/partners/\(cyd.partnerID)"))
        let cydPage = try team.get("/admin/partners/\(cyd.partnerID)", as: manager).body
        #expect(cydPage.contains("Parents: <a href=\"/admin/partners/\(ada.partnerID)?program=\(team.programID)\">Ada</a> › <a"))
        let audit = try portal.database.read { db in try AuditLog().entries(in: db, programID: team.programID) }
        #expect(audit.map(\.details).contains("group: — → Gold; parent: — → #\(ada.partnerID)"))
        #expect(try portal.database.read { db in try db.queryValue("SELECT group_name FROM partners WHERE id = ?", [bob.partnerID], as: String.self) } == "Gold")
        let viewer = try team.session(try team.staff("Vic", role: .programViewer))
        #expect(try team.post("/admin/partners/\(ada.partnerID)/group?program=\(team.programID)", [("group", "X"), ("parent", "")], as: viewer).status == 403)
    }

    @Test func invitedPartnersAreApprovedAndChooseAPassword() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let manager = try team.session(try team.staff("Max"))
        let sent = try team.post("/admin/partner-invitations?program=\(team.programID)",
                                 [("email", "Zoe@Creators.example"), ("name", "Zoe Creates"), ("group", "Creators")], as: manager)
        #expect(sent.status == 303)
        let row = try #require(try portal.database.read { db in
            try db.queryOne("SELECT id, status, group_name FROM partners WHERE email = 'zoe@creators.example'")
        })
        #expect(try row["status"] as String == "approved" && (try row["group_name"] as String) == "Creators")
        let body = try #require(try portal.database.read { db in
            try db.queryValue("SELECT body_text FROM outbox WHERE recipient = 'zoe@creators.example'", as: String.self)
        })
        let token = try #require(body.range(of: #"/password/[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(body[$0].dropFirst(10)) })
        #expect(try team.get("/admin/partner-invitations", as: manager).body.contains("Zoe Creates (zoe@creators.example)"))
        // The same e-mail again is refused with a sentence; a viewer cannot invite.
        let again = try team.post("/admin/partner-invitations?program=\(team.programID)", [("email", "zoe@creators.example"), ("name", "Zoe")], as: manager)
        #expect(again.status == 422 && again.body.contains("already a partner of this program"))
        let viewer = try team.session(try team.staff("Vic", role: .programViewer))
        #expect(try team.post("/admin/partner-invitations?program=\(team.programID)", [("email", "v@x.example"), ("name", "V")], as: viewer).status == 403)
        // Accepting the link makes the invitee the partner's owner.
        let form = try HTTPGet.request(port: portal.port, method: "GET", path: "/password/\(token)")
        #expect(form.status == 200)
        let cookie = try #require(form.setCookies.first { $0.hasPrefix("pp_session=") }).split(separator: ";")[0]
        let csrf = try #require(form.body.range(of: #"name="csrf_token" value="[^"]+""#, options: .regularExpression)
            .map { String(form.body[$0]).components(separatedBy: "value=\"")[1].dropLast() })
        let accepted = try HTTPGet.request(port: portal.port, method: "POST", path: "/password/\(token)",
                                           headers: ["Cookie": String(cookie), "Content-Type": "application/x-www-form-urlencoded"],
                                           body: FormParameters.encode([("csrf_token", String(csrf)), ("name", "Zoe"),
                                                                        ("password", "a long enough passphrase 42"),
                                                                        ("confirm", "a long enough passphrase 42")]))
        #expect(accepted.status == 303)
        let role = try portal.database.read { db in
            try db.queryValue("""
                SELECT m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'zoe@creators.example' AND m.partner_id = ?
                """, [try row["id"] as Int64], as: String.self)
        }
        #expect(role == "partner_owner")
        #expect(try portal.database.read { db in try AuditLog().entries(in: db, programID: team.programID) }.map(\.action) == ["partner.invite"])
    }
}
