import Foundation
import Testing
@testable import PortalWeb

/// `POST /conversions/{external_id}/refunds`: commissions reversed in proportion (half-to-even), whole when no
/// amount is given, and after a payout as a debt on the partner's available balance.
@Suite struct EngineAPIRefundsTests {
    func reversals(_ reply: APIReply) -> [[String: Any]] { reply.object?["reversals"] as? [[String: Any]] ?? [] }

    @Test func partialRefundReversesTheCommissionInProportionHalfToEven() throws {
        let h = try EngineAPIHarness(.init(commissionPercent: 25))
        let partner = try h.createPartner("ada@example.com")
        let conversion = try h.sale("order-1", amount: 1012, partner: partner)
        let commissionID = try #require((conversion["commissions"] as? [[String: Any]])?.first?.int("id"))
        #expect(try h.balance(partner).pending == 253)

        // Half the sale: 253 / 2 = 126.5 → 126 (half to even).
        let half = try h.post("/conversions/order-1/refunds", ["amount": 506])
        #expect(half.status == 201)
        #expect(half.object?.int("amount") == 506)
        #expect(half.object?.string("currency") == "USD")
        #expect(half.object?.string("external_id") == "order-1")
        #expect(reversals(half).count == 1)
        #expect(reversals(half).first?.int("commission_id") == commissionID)
        #expect(reversals(half).first?.int("partner_id") == partner)
        #expect(reversals(half).first?.int("amount") == 126)
        #expect(try h.balance(partner) == .init(pending: 127, available: 0, paid: 0))
        #expect(try h.get("/commissions").data.first?.string("status") == "pending")

        // The rest of the sale takes back exactly what remains.
        let rest = try h.post("/conversions/order-1/refunds")
        #expect(rest.status == 201)
        #expect(rest.object?.int("amount") == 506)
        #expect(reversals(rest).first?.int("amount") == 127)
        #expect(try h.balance(partner) == .init(pending: 0, available: 0, paid: 0))
        #expect(try h.get("/commissions").data.first?.string("status") == "reversed")
    }

    @Test func refundWithoutAmountReversesTheWholeCommission() throws {
        let h = try EngineAPIHarness()
        let partner = try h.createPartner("ada@example.com")
        try h.sale("order-1", amount: 12_345, partner: partner)
        // No body at all is a refund of everything.
        let reply = try h.send("POST", "/conversions/order-1/refunds", bearer: h.secret, body: "", contentType: nil)
        #expect(reply.status == 201)
        #expect(reply.object?.int("amount") == 12_345)
        #expect(reversals(reply).first?.int("amount") == 2469)
        #expect(try h.balance(partner) == .init(pending: 0, available: 0, paid: 0))
        #expect(try h.get("/commissions?status=reversed").data.count == 1)

        let again = try h.post("/conversions/order-1/refunds")
        #expect(again.status == 422)
        #expect(again.errors["amount"] == ["the sale is already refunded in full"])
    }

    @Test func refundAmountsOutsideWhatRemainsAre422() throws {
        let h = try EngineAPIHarness()
        let partner = try h.createPartner("ada@example.com")
        try h.sale("order-1", amount: 1000, partner: partner)
        for amount in [0, 1001, -1] {
            let reply = try h.post("/conversions/order-1/refunds", ["amount": amount])
            #expect(reply.status == 422, "\(amount)")
            #expect(reply.errors["amount"] == ["must be between 1 and 1000, what remains of the sale"])
        }
        #expect(try h.post("/conversions/order-1/refunds", ["amount": 9.99]).errors["amount"]?.first?.hasPrefix("must be an integer") == true)
        #expect(try h.post("/conversions/order-1/refunds", ["amount": 100, "reason": "x"]).errors["reason"] == ["is not a known field"])
        #expect(try h.balance(partner).pending == 200)
    }

    @Test func refundReversesTheParentsOverrideToo() throws {
        let h = try EngineAPIHarness(.init(overrideBasisPoints: 1000))
        let parent = try h.createPartner("parent@example.com")
        let child = try h.createPartner("child@example.com", parent: parent)
        try h.sale("order-1", amount: 10_000, partner: child)
        let reply = try h.post("/conversions/order-1/refunds", ["amount": 2500])
        #expect(reply.status == 201)
        let byPartner = Dictionary(uniqueKeysWithValues: reversals(reply).compactMap { r in r.int("partner_id").map { ($0, r.int("amount")) } })
        #expect(byPartner[child] == 500)
        #expect(byPartner[parent] == 50)
        #expect(try h.balance(child).pending == 1500)
        #expect(try h.balance(parent).pending == 150)
    }

    @Test func refundAfterPayoutLeavesADebtAndTheNextBatchSkipsThePartner() throws {
        let h = try EngineAPIHarness(.init(holdDays: 0, minPayout: 1000))
        let partner = try h.createPartner("ada@example.com")
        try h.sale("order-1", amount: 10_000, partner: partner)
        let first = try h.batch()
        #expect((first["payouts"] as? [[String: Any]])?.first?.int("amount") == 2000)
        #expect(try h.balance(partner) == .init(pending: 0, available: 0, paid: 2000))

        let refund = try h.post("/conversions/order-1/refunds")
        #expect(refund.status == 201)
        #expect(reversals(refund).first?.int("amount") == 2000)
        #expect(try h.balance(partner) == .init(pending: 0, available: -2000, paid: 2000))

        let next = try h.batch()
        #expect(next.isNull("id"))
        #expect((next["payouts"] as? [Any])?.isEmpty == true)
        let skipped = try #require((next["skipped"] as? [[String: Any]])?.first)
        #expect(skipped.int("partner_id") == partner)
        #expect(skipped.string("reason") == "owes 20.00 USD from refunds after an earlier payout")
    }

    @Test func aDebtFromARefundIsNettedOffTheNextPayout() throws {
        let h = try EngineAPIHarness(.init(holdDays: 0, minPayout: 1000))
        let partner = try h.createPartner("ada@example.com")
        try h.sale("order-1", amount: 10_000, partner: partner)
        _ = try h.batch()
        #expect(try h.post("/conversions/order-1/refunds").status == 201)
        // A new commission of 30.00 against a debt of 20.00 leaves 10.00 to pay.
        let newer = try h.sale("order-2", amount: 15_000, partner: partner)
        let newCommission = try #require((newer["commissions"] as? [[String: Any]])?.first?.int("id"))
        #expect(try h.balance(partner) == .init(pending: 0, available: 1000, paid: 2000))
        let batch = try h.batch()
        let payout = try #require((batch["payouts"] as? [[String: Any]])?.first)
        #expect(payout.int("partner_id") == partner)
        #expect(payout.int("amount") == 1000)
        #expect(try h.balance(partner) == .init(pending: 0, available: 0, paid: 3000))
        // The statement of that payout settles the new commission, not the reversed one.
        let statement = try h.get("/payouts/\(try #require(payout.int("id")))")
        #expect((statement.object?["commissions"] as? [[String: Any]])?.compactMap { $0.int("id") } == [newCommission])
    }

    @Test func leadsAreRefundedWhole() throws {
        let h = try EngineAPIHarness()
        try h.createPartner("ada@example.com")
        try h.convert(["external_id": "lead-1", "type": "lead", "partner_id": 1])
        #expect(try h.post("/conversions/lead-1/refunds", ["amount": 5]).errors["amount"] == ["a lead is refunded whole: leave amount out"])
        #expect(try h.post("/conversions/lead-1/refunds").status == 201)
        #expect(try h.post("/conversions/lead-1/refunds").errors["amount"] == ["the conversion is already refunded"])
    }
}
