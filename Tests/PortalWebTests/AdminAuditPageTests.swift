import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// `/admin/audit`: what admins did, for the program's staff only, newest first, in pages.
@Suite struct AdminAuditPageTests {
    @Test func staffReadTheirProgramsEntriesOnly() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let manager = try team.session(try team.staff("Max"))
        let viewer = try team.session(try team.staff("Vic", role: .programViewer))
        let zed = try team.applicant("Zed Pending")
        #expect(try team.post("/admin/partners/\(zed)/approve?program=\(team.programID)", [("return", "/admin/partners")], as: manager).status == 303)

        let page = try team.get("/admin/audit", as: viewer)
        #expect(page.status == 200)
        #expect(page.body.contains("max-staff@example.com"))
        #expect(page.body.contains("partner.approve"))
        #expect(page.body.contains("partner \(zed)"))

        // Another program's manager sees their own (empty) log and cannot ask for this one.
        let other = try portal.database.write { db in
            try ProgramStore().create(in: db, NewProgram(name: "Other", slug: "other\(Int.random(in: 1000...9999))", currency: "EUR"), now: 0)
        }
        let outsider = try team.session(try team.staff("Oz", programID: other.id))
        let theirs = try team.get("/admin/audit", as: outsider)
        #expect(theirs.status == 200)
        #expect(!theirs.body.contains("partner.approve"))
        #expect(try team.get("/admin/audit?program=\(team.programID)", as: outsider).status == 404)
        // Partners have no admin console.
        let partner = try team.partner("Ada")
        #expect(try team.get("/admin/audit", as: try team.session(partner.userID)).status == 403)
        #expect(try team.get("/admin/audit?before=abc", as: viewer).status == 400)
    }

    @Test func pagesGoFromNewestToOldest() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let viewer = try team.session(try team.staff("Vic", role: .programViewer))
        let actor = AuditLog.Actor(userID: nil, email: "robot@example.com", addressHash: nil)
        try portal.database.write { db in
            for index in 1...(AdminAuditController.pageSize + 5) {
                try AuditLog().record(in: db, programID: team.programID, actor: actor, action: "test.step\(index)", now: Int64(index))
            }
        }
        let first = try team.get("/admin/audit", as: viewer).body
        #expect(first.contains("test.step\(AdminAuditController.pageSize + 5)<"))
        #expect(!first.contains("test.step5<"))
        let older = try #require(first.range(of: #"/admin/audit\?before=\d+"#, options: .regularExpression).map { String(first[$0]) })
        let second = try team.get(older, as: viewer).body
        #expect(second.contains("test.step5<") && second.contains("test.step1<"))
        #expect(!second.contains("test.step6<"))
        #expect(!second.contains("Older entries"))
    }
}
