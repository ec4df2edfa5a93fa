import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// View as partner: staff see a partner's portal read-only — a banner says so, nothing can be submitted, nothing is
/// counted or marked read — and each start is audited. The cookie is bound to the session and to the program.
@Suite struct AdminViewAsPartnerTests {
    /// Starts a view and returns the cookie header carrying the session and the view.
    func startView(_ team: PortalTeam, partnerID: Int64, as session: (cookie: String, csrf: String)) throws -> (cookie: String, csrf: String) {
        let started = try team.post("/admin/partners/\(partnerID)/view-as?program=\(team.programID)", [], as: session)
        #expect(started.status == 303)
        #expect(started.headers["location"] == "/portal")
        let set = try #require(started.setCookies.first { $0.hasPrefix("pp_view_as=") })
        #expect(set.contains("HttpOnly") && set.contains("SameSite=Strict"))
        let value = String(set.split(separator: ";")[0])
        return (session.cookie + "; " + value, session.csrf)
    }

    @Test func staffSeeThePartnersPortalReadOnlyAndTheViewIsAudited() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let ada = try team.partner("Ada")
        let viewerID = try team.staff("Vic", role: .programViewer)
        let staff = try team.session(viewerID)
        try team.sale("order-1", amount: 12_345, partnerID: ada.partnerID)
        let now = Int64(Date().timeIntervalSince1970)
        let store = MessageStore(baseURL: "http://test")
        let (threadID, resource) = try portal.database.write { db -> (Int64, Resource) in
            let thread = try store.startThread(in: db, programID: team.programID, partnerID: ada.partnerID, side: .program,
                                               authorUserID: viewerID, subject: "Hello Ada", body: "How are you?", now: now)
            var guide = NewResource(kind: .guideline, title: "Brand guidelines")
            guide.body = "Be nice."
            guide.files = [NewResourceFile(contentType: "image/png", fileName: "logo.png", data: [1, 2, 3])]
            return (thread, try ResourceStore().create(in: db, programID: team.programID, guide, now: 0))
        }
        func counts() throws -> [Int64?] {
            try portal.database.read { db in
                [try db.queryValue("SELECT count(*) FROM resource_reads", as: Int64.self),
                 try db.queryValue("SELECT count(*) FROM resource_downloads", as: Int64.self),
                 try db.queryValue("SELECT count(*) FROM message_reads", as: Int64.self),
                 try db.queryValue("SELECT count(*) FROM announcement_reads", as: Int64.self)]
            }
        }
        let before = try counts()
        // Without a view, staff have no portal.
        #expect(try team.get("/portal", as: staff).status == 403)

        let viewing = try startView(team, partnerID: ada.partnerID, as: staff)
        let dashboard = try team.get("/portal", as: viewing)
        #expect(dashboard.status == 200)
        #expect(dashboard.body.contains("Viewing as Ada"))
        #expect(dashboard.body.contains("/portal/links"))
        let commissions = try team.get("/portal/commissions", as: viewing)
        #expect(commissions.status == 200 && commissions.body.contains("$24.69"))
        // No form is offered, and none is accepted.
        let links = try team.get("/portal/links", as: viewing)
        #expect(links.status == 200 && !links.body.contains("action=\"/portal/links\""))
        let refused = try team.post("/portal/links", [("destination_url", "https://shop.example/")], as: viewing)
        #expect(refused.status == 403 && refused.body.contains("read-only"))
        #expect(try team.post("/portal/messages/\(threadID)/reply", [("body", "hi")], as: viewing).status == 403)
        // Reading the thread, the guidelines and downloading the file change nothing.
        #expect(try team.get("/portal/messages/\(threadID)", as: viewing).status == 200)
        #expect(try team.get("/portal/resources/\(resource.id)", as: viewing).status == 200)
        let fileID = try #require(resource.files.first?.id)
        #expect(try team.get("/portal/resources/files/\(fileID)/download", as: viewing).status == 200)
        #expect(try team.get("/portal/messages", as: viewing).status == 200)
        #expect(try counts() == before)
        let audit = try portal.database.read { db in try AuditLog().entries(in: db, programID: team.programID) }
        #expect(audit.map(\.action) == ["partner.view_as"])
        #expect(audit.first?.subjectID == ada.partnerID && audit.first?.actorEmail == "vic-staff@example.com")

        // Stopping clears the cookie and returns to the partner's admin page.
        let stopped = try team.post("/admin/view-as/stop", [], as: viewing)
        #expect(stopped.status == 303 && stopped.headers["location"] == "/admin/partners/\(ada.partnerID)?program=\(team.programID)")
        #expect(stopped.setCookies.contains { $0.hasPrefix("pp_view_as=;") || $0.hasPrefix("pp_view_as=\"\"") || $0.contains("Max-Age=0") })
    }

    @Test func theCookieCannotBeForgedMovedOrUsedAcrossPrograms() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let ada = try team.partner("Ada")
        let bob = try team.partner("Bob")
        let staffID = try team.staff("Max")
        let staff = try team.session(staffID)
        let viewing = try startView(team, partnerID: ada.partnerID, as: staff)
        // Changing the partner id in the cookie breaks its MAC: no view, no portal.
        let forged = viewing.cookie.replacingOccurrences(of: "pp_view_as=\(ada.partnerID).", with: "pp_view_as=\(bob.partnerID).")
        #expect(try team.get("/portal", as: (forged, viewing.csrf)).status == 403)
        // The same cookie in another session of the same user is worthless.
        let other = try team.session(staffID)
        let moved = other.cookie + "; " + (viewing.cookie.split(separator: ";").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "")
        #expect(try team.get("/portal", as: (moved, other.csrf)).status == 403)
        // Another program's staff cannot start a view of this program's partner.
        let otherProgram = try portal.database.write { db in
            try ProgramStore().create(in: db, NewProgram(name: "Other", slug: "other\(Int.random(in: 1000...9999))", currency: "EUR"), now: 0)
        }
        let outsider = try team.session(try team.staff("Oz", programID: otherProgram.id))
        #expect(try team.post("/admin/partners/\(ada.partnerID)/view-as", [], as: outsider).status == 404)
        // A partner cannot use the staff action.
        #expect(try team.post("/admin/partners/\(bob.partnerID)/view-as", [], as: try team.session(ada.userID)).status == 403)
    }
}
