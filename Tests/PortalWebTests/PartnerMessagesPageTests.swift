import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// Messages pages: writing needs the right role and a CSRF token, forms answer 422 with the problem beside the field,
/// and nothing of another partner is reachable by id or group.
@Suite struct PartnerMessagesPageTests {
    private func threadID(_ reply: HTTPGet.Reply) -> Int64? {
        guard let location = reply.headers["location"],
              let match = location.range(of: #"/portal/messages/(\d+)"#, options: .regularExpression) else { return nil }
        return Int64(location[match].split(separator: "/").last ?? "")
    }

    @Test func partnersStartThreadsReplyAndSeeUnreadCounts() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada")
        let owner = try team.session(a.userID)
        #expect(try team.get("/portal/messages", as: owner).status == 200)

        let invalid = try team.post("/portal/messages", [("subject", " "), ("body", "Hello")], as: owner)
        #expect(invalid.status == 422)
        #expect(invalid.body.contains("Enter a subject."))
        #expect(invalid.body.contains(">Hello</textarea>"))

        let sent = try team.post("/portal/messages", [("subject", "Coupons"), ("body", "Can we have a coupon?")], as: owner)
        #expect(sent.status == 303)
        let thread = try #require(threadID(sent))
        let page = try team.get("/portal/messages/\(thread)", as: owner)
        #expect(page.status == 200)
        #expect(page.body.contains("Can we have a coupon?"))

        // The program answers; the owner sees one unread on the list, in the navigation and on the dashboard.
        let manager = try portal.database.write { db -> Int64 in
            let user = try AccountStore(database: portal.database).createUser(in: db, email: "pm@example.com", name: "Pat", passwordHash: nil, now: 0)
            try AccountStore(database: portal.database).addMembership(in: db, userID: user.id,
                                                                      Membership(role: .programManager, programID: team.programID), now: 0)
            try MessageStore(baseURL: "http://x").reply(in: db, programID: team.programID, partnerID: a.partnerID, threadID: thread,
                                                        side: .program, authorUserID: user.id, body: "Sure, use ADA10.", now: 10)
            return user.id
        }
        #expect(manager > 0)
        let list = try team.get("/portal/messages", as: owner)
        #expect(list.body.contains("1 unread"))
        #expect(list.body.contains(#"Messages <span class="badge">1</span>"#))
        #expect(try team.get("/portal", as: owner).body.contains("1 unread message"))
        let read = try team.get("/portal/messages/\(thread)", as: owner)
        #expect(read.body.contains("Sure, use ADA10."))
        #expect(!read.body.contains(#"Messages <span class="badge">"#))
        #expect(!(try team.get("/portal/messages", as: owner).body.contains("1 unread")))

        let badReply = try team.post("/portal/messages/\(thread)/reply", [("body", "")], as: owner)
        #expect(badReply.status == 422)
        #expect(badReply.body.contains("Write your message."))
        #expect(try team.post("/portal/messages/\(thread)/reply", [("body", "Thanks!")], as: owner).status == 303)
        #expect(try team.get("/portal/messages/\(thread)", as: owner).body.contains("Thanks!"))
        // The manager (added after the thread began) was told of the reply by e-mail.
        let notices = try portal.database.read { db in
            try db.queryValue("SELECT count(*) FROM outbox WHERE recipient = 'pm@example.com'", as: Int64.self)
        }
        #expect(notices == 1)
        // No CSRF token: refused before anything is written.
        #expect(try team.post("/portal/messages", [("subject", "x"), ("body", "y")], as: owner, csrf: false).status == 403)
        #expect(try team.post("/portal/messages/\(thread)/reply", [("body", "y")], as: owner, csrf: false).status == 403)
        #expect(try portal.database.read { db in try db.queryValue("SELECT count(*) FROM messages", as: Int64.self) } == 3)
    }

    @Test func viewersReadButCannotWrite() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada")
        let owner = try team.session(a.userID)
        let thread = try #require(threadID(try team.post("/portal/messages", [("subject", "Hi"), ("body", "Hello")], as: owner)))
        let viewer = try team.session(try team.member(of: a.partnerID, name: "Vic", role: .partnerViewer))
        let list = try team.get("/portal/messages", as: viewer)
        #expect(list.status == 200)
        #expect(!list.body.contains(#"action="/portal/messages""#))
        #expect(try team.get("/portal/messages/\(thread)", as: viewer).body.contains("Hello"))
        #expect(try team.post("/portal/messages", [("subject", "x"), ("body", "y")], as: viewer).status == 403)
        #expect(try team.post("/portal/messages/\(thread)/reply", [("body", "y")], as: viewer).status == 403)
        let member = try team.session(try team.member(of: a.partnerID, name: "Mia", role: .partnerMember))
        #expect(try team.post("/portal/messages/\(thread)/reply", [("body", "From Mia")], as: member).status == 303)
    }

    @Test func anotherPartnersThreadsAndGroupAnnouncementsAreNotFound() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada"), b = try team.partner("Bob")
        try portal.database.write { db in
            try db.execute("UPDATE partners SET group_name = 'gold' WHERE id = ?", [b.partnerID])
            let store = MessageStore(baseURL: "http://x")
            try store.publish(in: db, programID: team.programID, title: "For everyone", bodyMarkdown: "All partners", now: 1)
            try store.publish(in: db, programID: team.programID, groupName: "gold", title: "Gold only", bodyMarkdown: "Bonus", now: 2)
        }
        let ada = try team.session(a.userID), bob = try team.session(b.userID)
        let bobThread = try #require(threadID(try team.post("/portal/messages", [("subject", "Bob private"), ("body", "Secret")], as: bob)))
        #expect(try team.get("/portal/messages/\(bobThread)", as: ada).status == 404)
        #expect(try team.post("/portal/messages/\(bobThread)/reply", [("body", "Intrusion")], as: ada).status == 404)
        #expect(try team.get("/portal/messages/999999", as: ada).status == 404)
        let adaList = try team.get("/portal/messages", as: ada)
        #expect(adaList.body.contains("For everyone"))
        #expect(!adaList.body.contains("Gold only"))
        #expect(!adaList.body.contains("Bob private"))
        let bobList = try team.get("/portal/messages", as: bob)
        #expect(bobList.body.contains("Gold only") && bobList.body.contains("Bob private"))
        // Bob's announcements were new on the first visit and are read afterwards.
        #expect(bobList.body.contains(">New</span>"))
        #expect(!(try team.get("/portal/messages", as: bob).body.contains(">New</span>")))
        #expect(try portal.database.read { db in try db.queryValue("SELECT count(*) FROM messages WHERE body = 'Intrusion'", as: Int64.self) } == 0)
    }

    @Test func announcementsShowTheirMarkdownAndNothingUnsafe() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada")
        _ = try portal.database.write { db in
            try MessageStore(baseURL: "http://x").publish(in: db, programID: team.programID, title: "Summer",
                                                          bodyMarkdown: "Double **commission** in July. <script>alert(1)</script> [x](javascript:alert(2))",
                                                          now: 1)
        }
        let page = try team.get("/portal/messages", as: try team.session(a.userID)).body
        #expect(page.contains("<strong>commission</strong>"))
        #expect(!page.contains("<script>alert(1)"))
        #expect(page.contains("&lt;script&gt;"))
        #expect(!page.contains("javascript:alert(2)"))
    }
}
