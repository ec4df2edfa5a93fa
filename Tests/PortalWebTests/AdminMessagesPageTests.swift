import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// The admin console's communication pages: scoped to the program the staff member manages, writing needs
/// `.messagePartners`, and announcements reach only their audience with one audit entry each.
@Suite struct AdminMessagesPageTests {
    private func threadID(_ reply: HTTPGet.Reply, prefix: String) -> Int64? {
        guard let location = reply.headers["location"],
              let match = location.range(of: prefix + #"/(\d+)"#, options: .regularExpression) else { return nil }
        return Int64(location[match].split(separator: "/").last ?? "")
    }

    private func count(_ portal: RunningPortal, _ sql: String) throws -> Int64 {
        try portal.database.read { db in try db.queryValue(sql, as: Int64.self) } ?? -1
    }

    @Test func partnerThreadsShowUnreadAndAdminRepliesReachThePartner() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada")
        let ada = try team.session(a.userID)
        let manager = try team.session(try team.staff("Pat"))
        let sent = try team.post("/portal/messages", [("subject", "Coupons please"), ("body", "Can we have a coupon?")], as: ada)
        let thread = try #require(threadID(sent, prefix: "/portal/messages"))

        let list = try team.get("/admin/messages", as: manager)
        #expect(list.status == 200)
        #expect(list.body.contains("Coupons please") && list.body.contains("Ada"))
        #expect(list.body.contains("1 unread"))
        #expect(list.body.contains(#"Messages <span class="badge">1</span>"#))
        #expect(try team.get("/admin/messages?unread=1", as: manager).body.contains("Coupons please"))

        let page = try team.get("/admin/messages/\(thread)", as: manager)
        #expect(page.status == 200)
        #expect(page.body.contains("Can we have a coupon?"))
        let after = try team.get("/admin/messages", as: manager)
        #expect(!after.body.contains("1 unread"))
        #expect(!after.body.contains(#"Messages <span class="badge">"#))
        #expect(!(try team.get("/admin/messages?unread=1", as: manager).body.contains("Coupons please")))

        let outboxBefore = try count(portal, "SELECT count(*) FROM outbox WHERE recipient = 'ada-user@example.com'")
        let bad = try team.post("/admin/messages/\(thread)/reply", [("body", "  ")], as: manager)
        #expect(bad.status == 422)
        #expect(bad.body.contains("Write your message."))
        let replied = try team.post("/admin/messages/\(thread)/reply", [("body", "Sure, use ADA10.")], as: manager)
        #expect(replied.status == 303)
        #expect(try team.get("/portal/messages/\(thread)", as: ada).body.contains("Sure, use ADA10."))
        #expect(try count(portal, "SELECT count(*) FROM outbox WHERE recipient = 'ada-user@example.com'") == outboxBefore + 1)

        // A new conversation started by the program reaches the partner too.
        let started = try team.post("/admin/messages", [("partner", String(a.partnerID)), ("subject", "Welcome"), ("body", "Hello Ada")],
                                    as: manager)
        #expect(started.status == 303)
        let newThread = try #require(threadID(started, prefix: "/admin/messages"))
        #expect(try team.get("/portal/messages/\(newThread)", as: ada).body.contains("Hello Ada"))
        #expect(try team.post("/admin/messages", [("partner", ""), ("subject", "x"), ("body", "y")], as: manager).status == 422)
        #expect(try count(portal, "SELECT count(*) FROM audit_log WHERE action IN ('message.reply', 'message.start')") == 2)
        #expect(try team.post("/admin/messages/\(thread)/reply", [("body", "y")], as: manager, csrf: false).status == 403)
    }

    @Test func viewersReadButCannotWrite() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada")
        let thread = try #require(threadID(try team.post("/portal/messages", [("subject", "Hi"), ("body", "Hello")], as: try team.session(a.userID)),
                                           prefix: "/portal/messages"))
        let viewer = try team.session(try team.staff("Vic", role: .programViewer))
        let list = try team.get("/admin/messages", as: viewer)
        #expect(list.status == 200)
        #expect(!list.body.contains(#"action="/admin/messages"#))
        #expect(try team.get("/admin/messages/\(thread)", as: viewer).body.contains("Hello"))
        #expect(try team.get("/admin/announcements", as: viewer).status == 200)
        #expect(try team.post("/admin/messages/\(thread)/reply", [("body", "y")], as: viewer).status == 403)
        #expect(try team.post("/admin/messages", [("partner", String(a.partnerID)), ("subject", "x"), ("body", "y")], as: viewer).status == 403)
        #expect(try team.post("/admin/announcements", [("title", "x"), ("body", "y"), ("group", "")], as: viewer).status == 403)
        #expect(try count(portal, "SELECT count(*) FROM messages") == 1)
        #expect(try count(portal, "SELECT count(*) FROM announcements") == 0)
    }

    @Test func anotherProgramsManagerFindsNothing() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada")
        let thread = try #require(threadID(try team.post("/portal/messages", [("subject", "Private"), ("body", "Secret")], as: try team.session(a.userID)),
                                           prefix: "/portal/messages"))
        let other = try portal.database.write { db in
            try ProgramStore().create(in: db, NewProgram(name: "Other", slug: "other\(Int.random(in: 1000...9999))", currency: "EUR"), now: 0)
        }
        let outsider = try team.session(try team.staff("Oscar", programID: other.id))
        #expect(try team.get("/admin/messages/\(thread)", as: outsider).status == 404)
        #expect(try team.get("/admin/messages/\(thread)?program=\(team.programID)", as: outsider).status == 404)
        #expect(try team.post("/admin/messages/\(thread)/reply", [("body", "Intrusion")], as: outsider).status == 404)
        #expect(!(try team.get("/admin/messages", as: outsider).body.contains("Private")))
        let start = try team.post("/admin/messages", [("partner", String(a.partnerID)), ("subject", "Hi"), ("body", "Intrusion")], as: outsider)
        #expect(start.status == 422 || start.status == 404)
        #expect(try count(portal, "SELECT count(*) FROM messages WHERE body = 'Intrusion'") == 0)
        #expect(try count(portal, "SELECT count(*) FROM message_threads") == 1)
    }

    @Test func announcementsReachOnlyTheirGroupWithOneAuditEntry() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada"), b = try team.partner("Bob")
        try portal.database.write { db in try db.execute("UPDATE partners SET group_name = 'gold' WHERE id = ?", [b.partnerID]) }
        let manager = try team.session(try team.staff("Pat"))
        let page = try team.get("/admin/announcements", as: manager)
        #expect(page.status == 200)
        #expect(page.body.contains(#"<option value="gold">The gold group</option>"#))

        let empty = try team.post("/admin/announcements", [("title", " "), ("body", ""), ("group", "")], as: manager)
        #expect(empty.status == 422)
        #expect(empty.body.contains("Enter a title.") && empty.body.contains("Write the announcement."))
        #expect(try team.post("/admin/announcements", [("title", "x"), ("body", "y"), ("group", "nope")], as: manager).status == 422)
        #expect(try count(portal, "SELECT count(*) FROM announcements") == 0)
        #expect(try count(portal, "SELECT count(*) FROM audit_log") == 0)

        let published = try team.post("/admin/announcements", [("title", "Gold bonus"), ("body", "**Double** commission"), ("group", "gold")],
                                      as: manager)
        #expect(published.status == 303)
        #expect(try count(portal, "SELECT count(*) FROM announcements") == 1)
        #expect(try count(portal, "SELECT count(*) FROM audit_log WHERE action = 'announcement.publish'") == 1)
        #expect(try count(portal, "SELECT count(*) FROM outbox WHERE recipient = 'bob-user@example.com'") == 1)
        #expect(try count(portal, "SELECT count(*) FROM outbox WHERE recipient = 'ada-user@example.com'") == 0)
        #expect(try team.get("/portal/messages", as: try team.session(b.userID)).body.contains("Gold bonus"))
        #expect(!(try team.get("/portal/messages", as: try team.session(a.userID)).body.contains("Gold bonus")))
        let listed = try team.get("/admin/announcements", as: manager)
        #expect(listed.body.contains("<strong>Double</strong>") && listed.body.contains("The gold group"))
    }
}
