import Foundation
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// `/api/v1/webhooks` (secret key) and `/api/v1/me/webhooks` (partner key with `webhooks:write`): registration
/// with the secret shown once, validation, every CONTRACTS.md event queued by the change that causes it, each key
/// seeing only its own endpoints, rotation, re-enabling, the delivery log and replay.
@Suite struct WebhooksAPITests {
    static let everything = ["url": "https://hooks.example.com/portal"]

    func eventTypes(_ h: EngineAPIHarness, endpoint id: Int64, key: String? = nil, prefix: String = "") throws -> [String] {
        let reply = try h.get("\(prefix)/webhooks/\(id)/deliveries?limit=500", key: key)
        #expect(reply.status == 200, "\(reply.body)")
        return reply.data.compactMap { $0.string("event_type") }.reversed()
    }

    @Test func registeringListingAndDeletingAProgramEndpoint() throws {
        let h = try EngineAPIHarness()
        let created = try h.post("/webhooks", ["url": "https://hooks.example.com/in", "events": ["payout.paid", "conversion.created"]])
        #expect(created.status == 201, "\(created.body)")
        let object = try #require(created.object)
        let id = try #require(object.int("id"))
        #expect(object.string("secret")?.hasPrefix("whsec_") == true)
        #expect(object["events"] as? [String] == ["conversion.created", "payout.paid"])
        #expect(object.string("status") == "enabled")
        #expect(object.isNull("partner_id"))

        // The secret is shown that once: never in reads.
        let read = try h.get("/webhooks/\(id)")
        #expect(read.status == 200 && read.object?["secret"] == nil && !read.body.contains("whsec_"))
        #expect(try h.get("/webhooks").data.compactMap { $0.int("id") } == [id])
        // Stored sealed, not in clear.
        let stored = try h.portal.database.read { db in try db.queryValue("SELECT secret_sealed FROM webhook_endpoints WHERE id = ?", [id], as: String.self) }
        #expect(stored?.contains("whsec_") == false)

        let badURL = try h.post("/webhooks", ["url": "ftp://example.com/x"])
        #expect(badURL.status == 422 && badURL.errors["url"] != nil)
        let badEvent = try h.post("/webhooks", ["url": "https://example.com/x", "events": ["partner.exploded"]])
        #expect(badEvent.status == 422 && badEvent.errors["events"]?.first?.contains("partner.exploded") == true)
        let notStrings = try h.post("/webhooks", ["url": "https://example.com/x", "events": [1]])
        #expect(notStrings.status == 422 && notStrings.errors["events"] != nil)
        let unknownField = try h.post("/webhooks", ["url": "https://example.com/x", "secret": "mine"])
        #expect(unknownField.status == 422 && unknownField.errors["secret"] != nil)
        #expect(try h.get("/webhooks").data.count == 1)  // nothing half-made

        #expect(try h.send("DELETE", "/webhooks/\(id)", bearer: h.secret).status == 204)
        #expect(try h.get("/webhooks/\(id)").status == 404)
        #expect(try h.send("DELETE", "/webhooks/\(id)", bearer: h.secret).status == 404)
        #expect(try h.get("/webhooks").data.isEmpty)
    }

    @Test func everyEventIsQueuedByTheChangeThatCausesIt() throws {
        let h = try EngineAPIHarness(.init(holdDays: 0, minPayout: 100))
        let hook = try #require(try h.post("/webhooks", Self.everything).object?.int("id"))
        let ada = try h.createPartner("ada@example.com", status: "pending")
        #expect(try h.post("/partners/\(ada)/approve", [:]).status == 200)
        let code = try h.createLink(for: ada)
        _ = try h.convert(["external_id": "o-1", "type": "sale", "amount": 10_000, "link_code": code])
        #expect(try h.post("/conversions/o-1/refunds", ["amount": 2_500]).status == 201)
        #expect(try h.batch()["payouts"] as? [[String: Any]] != nil)
        let types = try eventTypes(h, endpoint: hook)
        #expect(types == ["partner.applied", "partner.approved", "link.created", "conversion.created", "commission.created",
                          "commission.approved", "conversion.refunded", "commission.reversed", "payout.created"])

        // The bodies carry what an integration needs.
        let deliveries = try h.get("/webhooks/\(hook)/deliveries?limit=500").data
        func payload(_ type: String) throws -> [String: Any] {
            let text = try #require(deliveries.first { $0.string("event_type") == type }?.string("payload"))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            #expect(json["type"] as? String == type)
            return try #require(json["data"] as? [String: Any])
        }
        #expect(try payload("link.created").string("code") == code)
        #expect(try payload("commission.created").int("amount") == 2_000)
        #expect(try payload("commission.reversed").int("reversed_amount") == 500)
        #expect(try payload("commission.reversed").int("remaining_amount") == 1_500)
        #expect(try payload("conversion.refunded").int("amount") == 2_500)
        #expect(try payload("payout.created").int("amount") == 1_500)
        #expect(try payload("partner.applied").string("email") == "ada@example.com")
        // Newest first, with a cursor.
        let page = try h.get("/webhooks/\(hook)/deliveries?limit=4")
        #expect(page.data.count == 4 && page.object?.string("next_cursor") != nil)
        #expect(page.data.first?.string("event_type") == "payout.created")
        #expect(page.data.first?.string("status") == "pending")
    }

    @Test func partnersManageTheirOwnPostbacksAndSeeOnlyTheirOwnEvents() throws {
        let h = try EngineAPIHarness(.init(holdDays: 0))
        let ada = try h.createPartner("ada@example.com")
        let bob = try h.createPartner("bob@example.com")
        let adaKey = try h.partnerKey(ada, scopes: ["reports:read", "webhooks:write"])
        let bobKey = try h.partnerKey(bob, scopes: ["webhooks:write"])
        let readOnly = try h.partnerKey(ada, scopes: ["reports:read"])

        let created = try h.post("/me/webhooks", ["url": "https://ada.example.net/postback", "events": ["commission.created"]], key: adaKey)
        #expect(created.status == 201, "\(created.body)")
        let postback = try #require(created.object?.int("id"))
        #expect(created.object?.int("partner_id") == ada)
        #expect(try h.post("/me/webhooks", ["url": "https://x.example/"], key: readOnly).status == 403)
        #expect(try h.get("/me/webhooks", key: readOnly).status == 403)
        // A secret key is not a partner key, and the program's list is the program's own endpoints.
        #expect(try h.get("/me/webhooks").status == 403)
        #expect(try h.get("/webhooks").data.isEmpty)
        #expect(try h.get("/webhooks/\(postback)").status == 404)
        #expect(try h.get("/webhooks", key: adaKey).status == 403)
        // Bob sees nothing of Ada's.
        #expect(try h.get("/me/webhooks", key: bobKey).data.isEmpty)
        #expect(try h.get("/me/webhooks/\(postback)", key: bobKey).status == 404)
        #expect(try h.get("/me/webhooks/\(postback)/deliveries", key: bobKey).status == 404)
        #expect(try h.send("DELETE", "/me/webhooks/\(postback)", bearer: bobKey).status == 404)
        #expect(try h.post("/me/webhooks/\(postback)/rotate-secret", [:], key: bobKey).status == 404)

        // Ada's postback hears about Ada's commissions only.
        let adaCode = try h.createLink(for: ada)
        let bobCode = try h.createLink(for: bob)
        _ = try h.convert(["external_id": "a-1", "type": "sale", "amount": 5_000, "link_code": adaCode])
        _ = try h.convert(["external_id": "b-1", "type": "sale", "amount": 5_000, "link_code": bobCode])
        let deliveries = try h.get("/me/webhooks/\(postback)/deliveries", key: adaKey).data
        #expect(deliveries.count == 1)
        let body = try #require(deliveries.first?.string("payload"))
        #expect(body.contains("\"conversion_external_id\":\"a-1\"") && !body.contains("b-1"))

        #expect(try h.send("DELETE", "/me/webhooks/\(postback)", bearer: adaKey).status == 204)
        #expect(try h.get("/me/webhooks", key: adaKey).data.isEmpty)
    }

    @Test func rotatingEnablingAndReplaying() throws {
        let h = try EngineAPIHarness()
        let created = try #require(try h.post("/webhooks", Self.everything).object)
        let id = try #require(created.int("id"))
        let first = try #require(created.string("secret"))

        let rotated = try h.post("/webhooks/\(id)/rotate-secret", [:])
        #expect(rotated.status == 200, "\(rotated.body)")
        let second = try #require(rotated.object?.string("secret"))
        #expect(second.hasPrefix("whsec_") && second != first)
        let expires = try #require(rotated.object?.string("previous_secret_expires_at"))
        let expiry = try #require(ISO8601DateFormatter().date(from: expires))
        #expect(abs(expiry.timeIntervalSinceNow - 86_400) < 60)
        let short = try h.post("/webhooks/\(id)/rotate-secret", ["overlap_seconds": 0])
        #expect(short.status == 200)
        #expect(try h.post("/webhooks/\(id)/rotate-secret", ["overlap_seconds": 8 * 86_400]).status == 422)
        #expect(try h.post("/webhooks/\(id)/rotate-secret", raw: "[1]").status == 400)
        #expect(try h.post("/webhooks/999/rotate-secret", [:]).status == 404)

        // Disabled (as the deliverer does after 3 days of failures), then enabled again.
        try h.portal.database.write { db in
            try db.execute("UPDATE webhook_endpoints SET disabled_at = 1, disabled_reason = 'No delivery succeeded' WHERE id = ?", [id])
        }
        #expect(try h.get("/webhooks/\(id)").object?.string("status") == "disabled")
        #expect(try h.get("/webhooks/\(id)").object?.string("disabled_reason") == "No delivery succeeded")
        let enabled = try h.post("/webhooks/\(id)/enable", [:])
        #expect(enabled.status == 200 && enabled.object?.string("status") == "enabled")

        // A delivery given up, then replayed: due again, same event id.
        _ = try h.createPartner("ada@example.com", status: "pending")
        let delivery = try #require(try h.get("/webhooks/\(id)/deliveries").data.first)
        let deliveryID = try #require(delivery.int("id"))
        try h.portal.database.write { db in
            try db.execute("UPDATE webhook_deliveries SET attempts = 12, next_attempt_at = NULL, failed_at = 5, last_status = 500 WHERE id = ?", [deliveryID])
        }
        #expect(try h.get("/webhooks/\(id)/deliveries").data.first?.string("status") == "failed")
        let replay = try h.post("/webhooks/\(id)/deliveries/\(deliveryID)/replay", [:])
        #expect(replay.status == 202, "\(replay.body)")
        #expect(replay.object?.string("status") == "pending")
        #expect(replay.object?.string("event_id") == delivery.string("event_id"))
        #expect(replay.object?.string("next_attempt_at") != nil)
        #expect(try h.post("/webhooks/\(id)/deliveries/\(deliveryID + 100)/replay", [:]).status == 404)
        // Another program's key sees none of it.
        let other = try h.addProgram(.init(slug: "other"))
        #expect(try h.get("/webhooks/\(id)", key: other.secret).status == 404)
        #expect(try h.post("/webhooks/\(id)/deliveries/\(deliveryID)/replay", [:], key: other.secret).status == 404)
    }
}
