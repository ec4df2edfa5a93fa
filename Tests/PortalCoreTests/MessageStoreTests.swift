import Foundation
import Store
import Testing
@testable import PortalCore

/// Threads, read marks and announcements against a migrated database, and the e-mail notices they queue.
@Suite struct MessageStoreTests {
    struct World {
        let fixture: EngineFixture
        let store = MessageStore(baseURL: "https://partners.example")
        let ada: Int64, bob: Int64
        let owner: Int64, member: Int64, viewer: Int64, bobOwner: Int64, manager: Int64, otherManager: Int64

        init() throws {
            let fixture = try EngineFixture()
            self.fixture = fixture
            let ada = try fixture.partner("Ada", group: "gold")
            let bob = try fixture.partner("Bob", group: "silver")
            self.ada = ada
            self.bob = bob
            let accounts = AccountStore(database: fixture.pool)
            func user(_ email: String, _ membership: Membership) throws -> Int64 {
                try fixture.pool.write { db in
                    let user = try accounts.createUser(in: db, email: email, name: "", passwordHash: nil, now: 0)
                    try accounts.addMembership(in: db, userID: user.id, membership, now: 0)
                    return user.id
                }
            }
            owner = try user("owner@ada.example", Membership(role: .partnerOwner, programID: fixture.programID, partnerID: ada))
            member = try user("member@ada.example", Membership(role: .partnerMember, programID: fixture.programID, partnerID: ada))
            viewer = try user("viewer@ada.example", Membership(role: .partnerViewer, programID: fixture.programID, partnerID: ada))
            bobOwner = try user("owner@bob.example", Membership(role: .partnerOwner, programID: fixture.programID, partnerID: bob))
            manager = try user("manager@program.example", Membership(role: .programManager, programID: fixture.programID))
            // A manager of another program hears nothing of this one.
            let other = try fixture.pool.write { db in try ProgramStore().create(in: db, NewProgram(name: "Other", slug: "other", currency: "USD"), now: 0) }
            otherManager = try user("manager@other.example", Membership(role: .programManager, programID: other.id))
        }

        func outbox() throws -> [(recipient: String, subject: String, body: String)] {
            try fixture.pool.read { db in
                try db.query("SELECT recipient, subject, body_text FROM outbox ORDER BY id").map {
                    (try $0["recipient"], try $0["subject"], try $0["body_text"])
                }
            }
        }
    }

    @Test func threadLifecycleCountsUnreadPerUser() throws {
        let w = try World()
        let program = w.fixture.programID
        let thread = try w.fixture.pool.write { (db: Database) throws in
            try w.store.startThread(in: db, programID: program, partnerID: w.ada, side: .partner, authorUserID: w.owner,
                                    subject: "  Question about coupons ", body: "Can we get a coupon?", now: 100)
        }
        // The partner's own message is unread for nobody on the partner side.
        try w.fixture.pool.read { (db: Database) throws in
            #expect(try w.store.unreadTotal(in: db, programID: program, partnerID: w.ada, userID: w.owner) == 0)
            #expect(try w.store.unreadTotal(in: db, programID: program, partnerID: w.ada, userID: w.member) == 0)
            // …but unread for the program's manager reading from the program side.
            #expect(try w.store.unreadTotal(in: db, programID: program, partnerID: w.ada, userID: w.manager, side: .program) == 1)
        }
        try w.fixture.pool.write { (db: Database) throws in
            try w.store.reply(in: db, programID: program, partnerID: w.ada, threadID: thread, side: .program, authorUserID: w.manager,
                              body: "Yes: use ADA10.", now: 200)
            try w.store.reply(in: db, programID: program, partnerID: w.ada, threadID: thread, side: .program, authorUserID: w.manager,
                              body: "It works from Monday.", now: 300)
        }
        try w.fixture.pool.write { (db: Database) throws in
            let listed = try w.store.threads(in: db, programID: program, partnerID: w.ada, userID: w.owner)
            #expect(listed.count == 1)
            #expect(listed[0].subject == "Question about coupons")
            #expect(listed[0].unread == 2 && listed[0].messageCount == 3 && listed[0].lastMessageAt == 300)
            #expect(try w.store.unreadTotal(in: db, programID: program, partnerID: w.ada, userID: w.manager, side: .program) == 0)
            // Reading marks it read for that user only.
            let read = try #require(try w.store.read(in: db, programID: program, partnerID: w.ada, threadID: thread, userID: w.owner))
            #expect(read.messages.map(\.body) == ["Can we get a coupon?", "Yes: use ADA10.", "It works from Monday."])
            #expect(read.messages.map(\.side) == [.partner, .program, .program])
            #expect(try w.store.unreadTotal(in: db, programID: program, partnerID: w.ada, userID: w.owner) == 0)
            #expect(try w.store.unreadTotal(in: db, programID: program, partnerID: w.ada, userID: w.member) == 2)
            #expect(try w.store.threads(in: db, programID: program, partnerID: w.ada, userID: w.member)[0].unread == 2)
        }
        // A new program message is unread again for the owner: one, not three.
        try w.fixture.pool.write { (db: Database) throws in
            try w.store.reply(in: db, programID: program, partnerID: w.ada, threadID: thread, side: .program, authorUserID: w.manager,
                              body: "Any more questions?", now: 400)
            #expect(try w.store.unreadTotal(in: db, programID: program, partnerID: w.ada, userID: w.owner) == 1)
        }
    }

    @Test func anotherPartnersThreadIsNeverReachable() throws {
        let w = try World()
        let program = w.fixture.programID
        let thread = try w.fixture.pool.write { (db: Database) throws in
            try w.store.startThread(in: db, programID: program, partnerID: w.bob, side: .partner, authorUserID: w.bobOwner,
                                    subject: "Private", body: "Bob's secret", now: 100)
        }
        try w.fixture.pool.write { (db: Database) throws in
            #expect(try w.store.read(in: db, programID: program, partnerID: w.ada, threadID: thread, userID: w.owner) == nil)
            #expect(throws: MessageError.threadNotFound) {
                try w.store.reply(in: db, programID: program, partnerID: w.ada, threadID: thread, side: .partner, authorUserID: w.owner,
                                  body: "Hi", now: 200)
            }
            #expect(try w.store.threads(in: db, programID: program, partnerID: w.ada, userID: w.owner).isEmpty)
            // The wrong program with the right partner is not found either.
            #expect(try w.store.read(in: db, programID: program + 1, partnerID: w.bob, threadID: thread, userID: w.bobOwner) == nil)
            #expect(throws: MessageError.partnerNotFound) {
                try w.store.startThread(in: db, programID: program + 1, partnerID: w.bob, side: .partner, authorUserID: w.bobOwner,
                                        subject: "x", body: "y", now: 1)
            }
            #expect(try db.queryValue("SELECT count(*) FROM messages", as: Int64.self) == 1)
        }
    }

    @Test func validationRefusesEmptyAndLongFields() throws {
        #expect(MessageStore.validate(subject: " ", body: "")["subject"] != nil)
        #expect(MessageStore.validate(subject: " ", body: "")["body"] != nil)
        #expect(MessageStore.validate(subject: String(repeating: "a", count: 201), body: "x")["subject"] != nil)
        #expect(MessageStore.validate(subject: nil, body: String(repeating: "a", count: 10_001))["body"] != nil)
        #expect(MessageStore.validate(subject: "Hi", body: "Hello").isEmpty)
        let w = try World()
        _ = try w.fixture.pool.write { (db: Database) throws in
            #expect(throws: MessageError.self) {
                try w.store.startThread(in: db, programID: w.fixture.programID, partnerID: w.ada, side: .partner, authorUserID: w.owner,
                                        subject: "", body: "x", now: 1)
            }
        }
    }

    @Test func noticesGoToTheOtherSide() throws {
        let w = try World()
        let program = w.fixture.programID
        let thread = try w.fixture.pool.write { (db: Database) throws in
            try w.store.startThread(in: db, programID: program, partnerID: w.ada, side: .partner, authorUserID: w.member,
                                    subject: "Payout date", body: "When is the next payout?", now: 100)
        }
        let first = try w.outbox()
        #expect(first.map(\.recipient) == ["manager@program.example"])
        #expect(first[0].subject == "Ada: Payout date")
        #expect(first[0].body.contains("When is the next payout?"))
        #expect(first[0].body.contains("https://partners.example/admin/messages/\(thread)"))

        _ = try w.fixture.pool.write { (db: Database) throws in
            try w.store.reply(in: db, programID: program, partnerID: w.ada, threadID: thread, side: .program, authorUserID: w.manager,
                              body: "On the 1st.", now: 200)
        }
        let reply = try w.outbox().dropFirst()
        // Owners, admins and members of Ada's team; not the viewer, not Bob's team, not other programs.
        #expect(Set(reply.map(\.recipient)) == ["owner@ada.example", "member@ada.example"])
        #expect(reply.allSatisfy { $0.body.contains("https://partners.example/portal/messages/\(thread)?partner=\(w.ada)") })
        #expect(reply.allSatisfy { $0.subject == "Test: Payout date" })
    }

    @Test func announcementsReachTheirGroupOnly() throws {
        let w = try World()
        let program = w.fixture.programID
        try w.fixture.pool.write { (db: Database) throws in
            try w.store.publish(in: db, programID: program, title: "Welcome", bodyMarkdown: "Hello all", now: 100)
            try w.store.publish(in: db, programID: program, groupName: "gold", title: "Gold bonus", bodyMarkdown: "For gold", now: 200)
            try w.store.publish(in: db, programID: program, groupName: "silver", title: "Silver news", bodyMarkdown: "For silver", now: 300)
            #expect(throws: MessageError.self) { try w.store.publish(in: db, programID: program, title: " ", bodyMarkdown: "x", now: 1) }
        }
        try w.fixture.pool.write { (db: Database) throws in
            let ada = try w.store.announcements(in: db, programID: program, partnerID: w.ada, userID: w.owner)
            #expect(ada.map(\.title) == ["Gold bonus", "Welcome"])
            #expect(ada.allSatisfy { !$0.read })
            let bob = try w.store.announcements(in: db, programID: program, partnerID: w.bob, userID: w.bobOwner)
            #expect(bob.map(\.title) == ["Silver news", "Welcome"])
            #expect(try w.store.unreadAnnouncements(in: db, programID: program, partnerID: w.ada, userID: w.owner) == 2)
            // Marking Bob's group announcement through Ada does nothing.
            let silver = bob[0].id
            let marked = try w.store.markAnnouncementsRead(in: db, programID: program, partnerID: w.ada, ids: ada.map(\.id) + [silver],
                                                           userID: w.owner, now: 400)
            #expect(marked == 2)
            #expect(try w.store.unreadAnnouncements(in: db, programID: program, partnerID: w.ada, userID: w.owner) == 0)
            #expect(try w.store.unreadAnnouncements(in: db, programID: program, partnerID: w.ada, userID: w.member) == 2)
            #expect(try w.store.announcements(in: db, programID: program, partnerID: w.ada, userID: w.owner).allSatisfy(\.read))
            // Another program's view of the same partner sees nothing.
            #expect(try w.store.announcements(in: db, programID: program + 1, partnerID: w.ada, userID: w.owner).isEmpty)
        }
    }
}
