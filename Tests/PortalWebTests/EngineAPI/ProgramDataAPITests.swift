import Foundation
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// `/api/v1/groups`, `/resources`, `/me/resources` and the messages routes: what the admin console shows, for
/// integrations, scoped to the key's program (and a partner key to what that partner sees).
@Suite struct ProgramDataAPITests {
    @Test func groupsAndResources() throws {
        let h = try EngineAPIHarness()
        let ada = try h.createPartner("ada@example.com")
        #expect(try h.patch("/partners/\(ada)", ["group": "Gold"]).status == 200)
        _ = try h.createPartner("bob@example.com", status: "pending")
        let bob = try #require(try h.get("/partners?status=pending").data.first?.int("id"))
        #expect(try h.patch("/partners/\(bob)", ["group": "Gold"]).status == 200)
        _ = try h.createPartner("cy@example.com")
        let groups = try h.get("/groups")
        #expect(groups.status == 200)
        #expect(groups.data.count == 1)
        #expect(groups.data.first?.string("name") == "Gold" && groups.data.first?.int("partners") == 2 && groups.data.first?.int("approved_partners") == 1)

        try h.portal.database.write { db in
            var banner = NewResource(kind: .creative, title: "Spring banner")
            banner.files = [NewResourceFile(contentType: "image/png", fileName: "banner.png", width: 1, height: 1, data: [1, 2, 3])]
            _ = try ResourceStore().create(in: db, programID: h.programID, banner, now: 1_000)
            var goldOnly = NewResource(kind: .guideline, title: "Gold rules")
            goldOnly.groupName = "Gold"
            _ = try ResourceStore().create(in: db, programID: h.programID, goldOnly, now: 1_000)
            _ = try ResourceStore().create(in: db, programID: h.programID, NewResource(kind: .template, title: "E-mail template"), now: 1_000)
        }
        let all = try h.get("/resources")
        #expect(all.status == 200 && all.data.map { $0.string("title") ?? "" } == ["E-mail template", "Gold rules", "Spring banner"])
        let banner = try #require(all.data.last)
        let file = try #require((banner["files"] as? [[String: Any]])?.first)
        #expect(file.string("content_type") == "image/png" && file.int("byte_size") == 3 && file.string("variant") == "original")
        #expect(try h.get("/resources?kind=creative").data.count == 1)
        #expect(try h.get("/resources?kind=poster").status == 400)
        let first = try h.get("/resources?limit=2")
        #expect(first.data.count == 2)
        let cursor = try #require(first.object?.string("next_cursor"))
        #expect(try h.get("/resources?limit=2&cursor=\(cursor)").data.map { $0.string("title") ?? "" } == ["Spring banner"])

        // A partner key sees what that partner sees: Cy (no group) not the Gold guideline.
        let cy = try #require(try h.get("/partners?limit=1").data.first?.int("id"))
        let cyKey = try h.partnerKey(cy, scopes: [])
        let seen = try h.get("/me/resources", key: cyKey)
        #expect(seen.status == 200 && Set(seen.data.compactMap { $0.string("title") }) == ["Spring banner", "E-mail template"])
        #expect(try h.get("/resources", key: cyKey).status == 403)
        #expect(try h.get("/groups", key: cyKey).status == 403)
        // Another program sees none of it.
        let other = try h.addProgram(.init(slug: "other"))
        #expect(try h.get("/resources", key: other.secret).data.isEmpty)
        #expect(try h.get("/groups", key: other.secret).data.isEmpty)
    }

    @Test func messagesAreStartedReadAndRepliedTo() throws {
        let h = try EngineAPIHarness()
        let ada = try h.createPartner("ada@example.com")
        let started = try h.post("/partners/\(ada)/messages", ["subject": "Your Q3 bonus", "body": "Well done, Ada."])
        #expect(started.status == 201, "\(started.body)")
        let thread = try #require(started.object)
        let id = try #require(thread.int("id"))
        #expect(thread.int("partner_id") == ada && thread.string("subject") == "Your Q3 bonus")
        #expect((thread["messages"] as? [[String: Any]])?.first?.string("from") == "program")
        // The engine's event for integrations is queued like the console's (no endpoint here: none is written).
        #expect(try h.get("/messages").data.count == 1)

        let reply = try h.post("/messages/\(id)/replies", ["body": "Paid with the next payout."])
        #expect(reply.status == 201 && (reply.object?["messages"] as? [[String: Any]])?.count == 2)
        let list = try h.get("/messages?partner_id=\(ada)")
        #expect(list.data.count == 1 && list.data.first?.int("message_count") == 2)
        #expect(try h.get("/messages/\(id)").object?.string("subject") == "Your Q3 bonus")

        // Validation, unknowns and other programs.
        let empty = try h.post("/partners/\(ada)/messages", ["subject": "", "body": "x"])
        #expect(empty.status == 422 && empty.errors["subject"] != nil)
        #expect(try h.post("/partners/999/messages", ["subject": "Hi", "body": "x"]).status == 404)
        #expect(try h.post("/messages/999/replies", ["body": "x"]).status == 404)
        #expect(try h.get("/messages?partner_id=x").status == 400)
        let other = try h.addProgram(.init(slug: "other"))
        #expect(try h.get("/messages/\(id)", key: other.secret).status == 404)
        #expect(try h.post("/messages/\(id)/replies", ["body": "hijack"], key: other.secret).status == 404)
        #expect(try h.get("/messages", key: other.secret).data.isEmpty)
        #expect(try h.post("/partners/\(ada)/messages", ["subject": "Hi", "body": "x"], key: other.secret).status == 404)
        #expect(try h.get("/messages/\(id)").object.flatMap { ($0["messages"] as? [[String: Any]])?.count } == 2)
    }

    @Test func partnersWriteToTheProgramThroughTheirOwnKey() throws {
        let h = try EngineAPIHarness()
        let ada = try h.createPartner("ada@example.com")
        let bob = try h.createPartner("bob@example.com")
        let adaKey = try h.partnerKey(ada, scopes: ["messages:write"])
        let bobKey = try h.partnerKey(bob, scopes: ["messages:write"])
        let noScope = try h.partnerKey(ada, scopes: ["reports:read"])

        let started = try h.post("/me/messages", ["subject": "Payout question", "body": "When is the next payout?"], key: adaKey)
        #expect(started.status == 201, "\(started.body)")
        let id = try #require(started.object?.int("id"))
        #expect(started.object?.int("partner_id") == ada)
        #expect((started.object?["messages"] as? [[String: Any]])?.first?.string("from") == "partner")
        // The program sees it and answers; the partner reads the answer.
        #expect(try h.get("/messages?partner_id=\(ada)").data.first?.int("id") == id)
        #expect(try h.post("/messages/\(id)/replies", ["body": "On the 1st."]).status == 201)
        let read = try h.get("/me/messages/\(id)", key: adaKey)
        #expect((read.object?["messages"] as? [[String: Any]])?.map { $0.string("from") ?? "" } == ["partner", "program"])
        #expect(try h.post("/me/messages/\(id)/replies", ["body": "Thanks!"], key: adaKey).status == 201)
        #expect(try h.get("/me/messages", key: adaKey).data.first?.int("message_count") == 3)

        // Bob sees none of it; a key without the scope is refused; a secret key is not a partner key.
        #expect(try h.get("/me/messages", key: bobKey).data.isEmpty)
        #expect(try h.get("/me/messages/\(id)", key: bobKey).status == 404)
        #expect(try h.post("/me/messages/\(id)/replies", ["body": "hijack"], key: bobKey).status == 404)
        #expect(try h.get("/me/messages", key: noScope).status == 403)
        #expect(try h.get("/me/messages").status == 403)
        #expect(try h.get("/messages/\(id)").object.flatMap { ($0["messages"] as? [[String: Any]])?.count } == 3)

        // A program that turned messaging off: the API answers as the page does.
        try h.portal.database.write { db in
            try db.execute("INSERT INTO portal_branding (program_id, messaging_enabled, resources_enabled, updated_at) VALUES (?, 0, 0, 0)", [h.programID])
        }
        #expect(try h.get("/me/messages", key: adaKey).status == 404)
        #expect(try h.post("/me/messages", ["subject": "Hi", "body": "x"], key: adaKey).status == 404)
        #expect(try h.get("/me/resources", key: adaKey).status == 404)
    }
}
