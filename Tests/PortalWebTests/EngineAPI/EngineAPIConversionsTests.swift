import Foundation
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// `POST /conversions` end to end: a partner made through the API, a link, a real click through `/r/{code}`,
/// and the conversion crediting that partner at the program's rate, idempotently.
@Suite struct EngineAPIConversionsTests {
    // MARK: Idempotency

    static let replayBody = #"{"external_id": "order-7", "type": "sale", "amount": 4990, "currency": "USD", "partner_id": 1, "customer_id": "c-9"}"#

    @Test func sameBodyTwiceIs201Then200WithTheSameObject() throws {
        let h = try EngineAPIHarness()
        #expect(try h.createPartner("ada@example.com") == 1)
        let first = try h.post("/conversions", raw: Self.replayBody)
        let second = try h.post("/conversions", raw: Self.replayBody)
        #expect(first.status == 201)
        #expect(second.status == 200)
        #expect(second.headers["content-type"] == "application/json")
        let a = try #require(first.object), b = try #require(second.object)
        #expect(NSDictionary(dictionary: a).isEqual(to: b))
        #expect(first.body == second.body)
        // Replays credit nothing more.
        #expect(try h.balance(1) == .init(pending: 998, available: 0, paid: 0))
        #expect(try h.portal.database.read { db in try db.queryValue("SELECT count(*) FROM commissions", as: Int64.self) } == 1)
    }

    @Test func replayWithKeysInAnotherOrderIsStill200() throws {
        let h = try EngineAPIHarness()
        try h.createPartner("ada@example.com")
        let first = try h.post("/conversions", raw: Self.replayBody)
        #expect(first.status == 201)
        let reordered = "{ \"customer_id\":\"c-9\",\n \"partner_id\":1, \"amount\":4990, \"currency\":\"USD\", \"type\":\"sale\", \"external_id\":\"order-7\" }"
        let replay = try h.post("/conversions", raw: reordered)
        #expect(replay.status == 200)
        #expect(replay.body == first.body)
    }

    // MARK: The whole flow through a click

    @Test func conversionWithAClickFromTheRedirectCreditsThePartnerAtTheProgramRate() throws {
        let h = try EngineAPIHarness()
        let created = try h.post("/partners", ["email": "ada@example.com", "name": "Ada", "status": "approved", "payout": EngineAPIHarness.paypal])
        #expect(created.status == 201)
        let partner = try #require(created.object)
        let partnerID = try #require(partner.int("id"))
        #expect(partner.string("status") == "approved")
        #expect(partner.isNull("parent_partner_id"))
        #expect((partner["payout"] as? [String: Any])?.string("method") == "paypal")
        #expect((partner["payout"] as? [String: Any])?.string("recipient") == "p•••@example.com")
        #expect(partner.string("created_at")?.hasSuffix("Z") == true)

        let link = try h.post("/partners/\(partnerID)/links", ["campaign": "spring"])
        #expect(link.status == 201)
        let code = try #require(link.object?.string("code"))
        #expect(link.object?.string("url") == "http://127.0.0.1:8080/r/\(code)")
        #expect(link.object?.string("destination_url") == "https://shop.example/landing")

        let redirect = try h.follow(code)
        #expect(redirect.status == 302)
        let location = try #require(redirect.headers["location"])
        #expect(location.hasPrefix("https://shop.example/landing?pp_click="))
        let clickID = try #require(Int64(location.split(separator: "=").last ?? ""))
        #expect(redirect.setCookies.first == "pp_click=\(clickID); Path=/; Max-Age=\(60 * 86_400); HttpOnly; SameSite=Lax")

        let reply = try h.post("/conversions", ["external_id": "order-1", "type": "sale", "amount": 12_345, "currency": "USD", "click_id": clickID])
        #expect(reply.status == 201)
        let conversion = try #require(reply.object)
        #expect(conversion.int("partner_id") == partnerID)
        #expect(conversion.string("external_id") == "order-1")
        #expect(conversion.string("type") == "sale")
        #expect(conversion.int("amount") == 12_345)
        #expect(conversion.string("currency") == "USD")
        #expect(conversion.string("status") == "attributed")
        let commissions = try #require(conversion["commissions"] as? [[String: Any]])
        #expect(commissions.count == 1)
        let commission = try #require(commissions.first)
        #expect(commission.int("partner_id") == partnerID)
        #expect(commission.int("amount") == 2469) // 20 % of 123.45
        #expect(commission.string("currency") == "USD")
        #expect(commission.string("status") == "pending")
        #expect(commission.int("level") == 0)
        #expect(commission.string("rule") == "program_default")
        #expect(try h.balance(partnerID) == .init(pending: 2469, available: 0, paid: 0))
        // The click id as a string (from the cookie) is the same click.
        let again = try h.convert(["external_id": "order-2", "type": "lead", "click_id": String(clickID)])
        #expect(again.int("partner_id") == partnerID)
    }

    @Test func saleCommissionsRoundHalfToEven() throws {
        let h = try EngineAPIHarness(.init(commissionPercent: 25))
        let partner = try h.createPartner("ada@example.com")
        // 25 % of 10.10 is 2.525 → 2.52; of 10.30 is 2.575 → 2.58; of 10.11 is 2.5275 → 2.53; of 10.12 is 2.53.
        let amounts: [(Int64, Int64)] = [(1010, 252), (1030, 258), (1011, 253), (1012, 253)]
        for (index, (amount, expected)) in amounts.enumerated() {
            let conversion = try h.sale("order-\(index)", amount: amount, partner: partner)
            #expect((conversion["commissions"] as? [[String: Any]])?.first?.int("amount") == expected, "\(amount)")
        }
    }

    @Test func holdDaysZeroApprovesAtOnceIntoAvailable() throws {
        let h = try EngineAPIHarness(.init(holdDays: 0))
        let partner = try h.createPartner("ada@example.com")
        let conversion = try h.sale("order-1", amount: 10_000, partner: partner)
        let commission = try #require((conversion["commissions"] as? [[String: Any]])?.first)
        #expect(commission.string("status") == "approved")
        #expect(commission.int("amount") == 2000)
        #expect(try h.balance(partner) == .init(pending: 0, available: 2000, paid: 0))
        #expect(try h.get("/commissions?status=approved").data.count == 1)
        #expect(try h.get("/commissions?status=pending").data.isEmpty)
    }

    @Test func theProgramsHoldKeepsANewCommissionPending() throws {
        let h = try EngineAPIHarness(.init(holdDays: 30))
        let partner = try h.createPartner("ada@example.com")
        try h.sale("order-1", amount: 10_000, partner: partner)
        let listed = try #require(try h.get("/commissions?partner_id=\(partner)").data.first)
        #expect(listed.string("status") == "pending")
        #expect(listed.string("external_id") == "order-1")
        #expect(listed["flagged"] as? Bool == false)
        let holdUntil = try #require(listed.string("hold_until").flatMap(RFC3339.parse))
        let createdAt = try #require(listed.string("created_at").flatMap(RFC3339.parse))
        #expect(holdUntil - createdAt >= 30 * 86_400 - 5 && holdUntil - createdAt <= 30 * 86_400 + 5)
        #expect(try h.balance(partner) == .init(pending: 2000, available: 0, paid: 0))
    }

    @Test func conversionNoPartnerCanBeFoundForIsStoredUnattributed() throws {
        let h = try EngineAPIHarness()
        try h.createPartner("ada@example.com")
        let references: [[String: Any]] = [[:], ["click_id": 424_242], ["coupon": "NOPE"], ["link_code": "nope"], ["partner_id": 999]]
        for (index, extra) in references.enumerated() {
            var body: [String: Any] = ["external_id": "order-\(index)", "type": "sale", "amount": 5000]
            body.merge(extra) { $1 }
            let reply = try h.post("/conversions", body)
            #expect(reply.status == 201, "\(extra)")
            #expect(reply.object?.isNull("partner_id") == true, "\(extra)")
            #expect((reply.object?["commissions"] as? [Any])?.isEmpty == true, "\(extra)")
            #expect(reply.object?.string("status") == "unattributed")
        }
        #expect(try h.get("/commissions").data.isEmpty)
        #expect(try h.portal.database.read { db in try db.queryValue("SELECT count(*) FROM conversions", as: Int64.self) } == 5)
    }

    @Test func pendingOrSuspendedPartnersEarnNothing() throws {
        let h = try EngineAPIHarness()
        let pending = try h.createPartner("pending@example.com", status: "pending")
        let suspended = try h.createPartner("suspended@example.com")
        #expect(try h.post("/partners/\(suspended)/suspend", ["reason": "Spam"]).status == 200)
        #expect(try h.sale("order-1", amount: 5000, partner: pending).isNull("partner_id"))
        #expect(try h.sale("order-2", amount: 5000, partner: suspended).isNull("partner_id"))
    }

    @Test func couponCreditsItsPartner() throws {
        let h = try EngineAPIHarness()
        let partner = try h.createPartner("ada@example.com")
        #expect(try h.post("/partners/\(partner)/coupons", ["code": "ADA10"]).status == 201)
        let conversion = try h.convert(["external_id": "order-1", "type": "sale", "amount": 1000, "coupon": "ada10"])
        #expect(conversion.int("partner_id") == partner)
        #expect((conversion["commissions"] as? [[String: Any]])?.first?.int("amount") == 200)
    }

    // MARK: Attribution order (CONTRACTS.md § Commission semantics)

    @Test func aClickBeatsACouponAndACouponBeatsAPartnerID() throws {
        let h = try EngineAPIHarness()
        let ada = try h.createPartner("ada@example.com")
        let bob = try h.createPartner("bob@example.com")
        #expect(try h.post("/partners/\(bob)/coupons", ["code": "BOB10"]).status == 201)
        let click = try h.click(try h.createLink(for: ada))
        #expect(try h.convert(["external_id": "o-1", "type": "sale", "amount": 1000, "click_id": click, "coupon": "BOB10"]).int("partner_id") == ada)
        #expect(try h.convert(["external_id": "o-2", "type": "sale", "amount": 1000, "coupon": "BOB10", "partner_id": ada]).int("partner_id") == bob)
    }

    @Test func aKnownCustomerRenewsWithTheirFirstPartnerBeforeALinkCode() throws {
        let h = try EngineAPIHarness()
        let ada = try h.createPartner("ada@example.com")
        let bob = try h.createPartner("bob@example.com")
        let bobsLink = try h.createLink(for: bob)
        #expect(try h.convert(["external_id": "o-1", "type": "sale", "amount": 1000, "customer_id": "cust-1", "partner_id": ada]).int("partner_id") == ada)
        let renewal = try h.convert(["external_id": "o-2", "type": "sale", "amount": 1000, "customer_id": "cust-1", "link_code": bobsLink])
        #expect(renewal.int("partner_id") == ada)
        #expect(try h.convert(["external_id": "o-3", "type": "sale", "amount": 1000, "link_code": bobsLink]).int("partner_id") == bob)
    }

    @Test func aClickOutsideTheCookieWindowCreditsNobody() throws {
        let h = try EngineAPIHarness() // 60 cookie days
        let ada = try h.createPartner("ada@example.com")
        let click = try h.click(try h.createLink(for: ada))
        try h.portal.database.write { db in try db.execute("UPDATE clicks SET at = at - 61 * 86400 WHERE id = ?", [click]) }
        #expect(try h.convert(["external_id": "o-1", "type": "sale", "amount": 1000, "click_id": click]).isNull("partner_id"))
        // A conversion that happened before the click cannot come from it either.
        let fresh = try h.click(try h.createLink(for: ada))
        let early = try h.convert(["external_id": "o-2", "type": "sale", "amount": 1000, "click_id": fresh,
                                   "occurred_at": EngineAPIHarness.rfc3339(daysAgo: 1)])
        #expect(early.isNull("partner_id"))
    }

    @Test func aSelfReferralIsFlaggedAndWaitsForReviewDespiteNoHold() throws {
        let h = try EngineAPIHarness(.init(holdDays: 0))
        let ada = try h.createPartner("ada@example.com")
        let conversion = try h.convert(["external_id": "o-1", "type": "sale", "amount": 10_000, "partner_id": ada,
                                        "customer_email": "Ada@Example.com"])
        #expect((conversion["commissions"] as? [[String: Any]])?.first?.string("status") == "pending")
        #expect(try h.get("/commissions").data.first?["flagged"] as? Bool == true)
        #expect(try h.balance(ada) == .init(pending: 2000, available: 0, paid: 0))
    }

    @Test func invalidOccurredAtIs422() throws {
        let h = try EngineAPIHarness()
        let future = try h.post("/conversions", ["external_id": "o-1", "type": "lead", "occurred_at": "2999-01-01T00:00:00Z"])
        #expect(future.status == 422)
        #expect(future.errors["occurred_at"] == ["must not be in the future"])
        let garbage = try h.post("/conversions", ["external_id": "o-1", "type": "lead", "occurred_at": "yesterday"])
        #expect(garbage.errors["occurred_at"] == ["must be an RFC 3339 time such as 2026-11-25T17:00:00Z"])
        let offset = try h.convert(["external_id": "o-2", "type": "lead", "occurred_at": "2025-03-04T10:00:00+02:00"])
        #expect(offset.string("occurred_at") == "2025-03-04T08:00:00Z")
    }

    @Test func externalIDsWithReservedCharactersCanBeRefunded() throws {
        let h = try EngineAPIHarness()
        let ada = try h.createPartner("ada@example.com")
        try h.sale("order #1/2 é", amount: 1000, partner: ada)
        let path = "/conversions/" + "order #1/2 é".addingPercentEncoding(withAllowedCharacters: .alphanumerics)! + "/refunds"
        let refund = try h.post(path)
        #expect(refund.status == 201, "\(path): \(refund.body)")
        #expect(refund.object?.string("external_id") == "order #1/2 é")
        #expect(try h.balance(ada).pending == 0)
    }

    // MARK: Sub-affiliates

    @Test func parentEarnsTheProgramsOverrideAsALevelOneCommission() throws {
        let h = try EngineAPIHarness(.init(overrideBasisPoints: 1000)) // 10 % of the child's commission
        let parent = try h.createPartner("parent@example.com")
        let childReply = try h.post("/partners", ["email": "child@example.com", "name": "Child", "status": "approved", "parent_partner_id": parent])
        #expect(childReply.status == 201)
        let child = try #require(childReply.object?.int("id"))
        #expect(childReply.object?.int("parent_partner_id") == parent)

        let conversion = try h.sale("order-1", amount: 10_000, partner: child)
        let commissions = try #require(conversion["commissions"] as? [[String: Any]])
        #expect(commissions.count == 2)
        let own = try #require(commissions.first { $0.int("level") == 0 })
        let override = try #require(commissions.first { $0.int("level") == 1 })
        #expect(own.int("partner_id") == child)
        #expect(own.int("amount") == 2000)
        #expect(override.int("partner_id") == parent)
        #expect(override.int("amount") == 200)
        #expect(override.string("rule") == "sub_affiliate_override")
        #expect(override.string("status") == "pending")
        #expect(try h.balance(child).pending == 2000)
        #expect(try h.balance(parent).pending == 200)
        #expect(try h.get("/commissions?partner_id=\(parent)").data.map { $0.int("level") } == [1])
    }

    @Test func withoutAnOverrideRateTheParentEarnsNothing() throws {
        let h = try EngineAPIHarness()
        let parent = try h.createPartner("parent@example.com")
        let child = try h.createPartner("child@example.com", parent: parent)
        let conversion = try h.sale("order-1", amount: 10_000, partner: child)
        #expect((conversion["commissions"] as? [[String: Any]])?.count == 1)
        #expect(try h.balance(parent) == .init(pending: 0, available: 0, paid: 0))
    }

    @Test func aParentWhoIsNotApprovedEarnsNoOverride() throws {
        let h = try EngineAPIHarness(.init(overrideBasisPoints: 1000))
        let parent = try h.createPartner("parent@example.com", status: "pending")
        let child = try h.createPartner("child@example.com", parent: parent)
        let conversion = try h.sale("order-1", amount: 10_000, partner: child)
        #expect((conversion["commissions"] as? [[String: Any]])?.map { $0.int("level") } == [0])
    }

    @Test func partnerCannotBecomeItsOwnAncestor() throws {
        let h = try EngineAPIHarness()
        let parent = try h.createPartner("parent@example.com")
        let child = try h.createPartner("child@example.com", parent: parent)
        let loop = try h.patch("/partners/\(parent)", ["parent_partner_id": child])
        #expect(loop.status == 422)
        #expect(loop.errors["parent_partner_id"] == ["would make the partner its own ancestor"])
        let cleared = try h.patch("/partners/\(child)", ["parent_partner_id": NSNull()])
        #expect(cleared.status == 200)
        #expect(cleared.object?.isNull("parent_partner_id") == true)
    }
}
