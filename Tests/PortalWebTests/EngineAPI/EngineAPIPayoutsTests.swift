import Foundation
import Testing
@testable import PortalWeb

/// Payout batches through the API: who is paid and who is skipped (and why), reading payouts back, the CSV
/// export, and settling payouts as paid or failed with the balances that follow.
@Suite struct EngineAPIPayoutsTests {
    static let csvHeader = "payout_id,partner_id,partner_name,method,recipient,amount,currency,reference"

    func payouts(_ batch: [String: Any]) -> [[String: Any]] { batch["payouts"] as? [[String: Any]] ?? [] }
    func skipped(_ batch: [String: Any]) -> [Int64: String] {
        Dictionary(uniqueKeysWithValues: (batch["skipped"] as? [[String: Any]] ?? []).compactMap { s in
            s.int("partner_id").map { ($0, s.string("reason") ?? "") }
        })
    }

    @Test func batchPaysOnlyPartnersWhoReachTheMinimumsAndHaveAMethod() throws {
        let h = try EngineAPIHarness(.init(holdDays: 0, minPayout: 5000)) // 50.00 USD
        let paid = try h.createPartner("paid@example.com", name: "Paid")
        let noMethod = try h.createPartner("nomethod@example.com", payout: nil)
        let small = try h.createPartner("small@example.com")
        let picky = try h.createPartner("picky@example.com", threshold: 20_000)
        let nothing = try h.createPartner("nothing@example.com")
        try h.sale("o-paid", amount: 50_000, partner: paid) // 100.00
        try h.sale("o-nomethod", amount: 30_000, partner: noMethod) // 60.00
        try h.sale("o-small", amount: 10_000, partner: small) // 20.00
        try h.sale("o-picky", amount: 40_000, partner: picky) // 80.00
        _ = nothing

        let batch = try h.batch()
        let batchID = try #require(batch.int("id"))
        #expect(payouts(batch).count == 1)
        let payout = try #require(payouts(batch).first)
        #expect(payout.int("partner_id") == paid)
        #expect(payout.int("amount") == 10_000)
        #expect(payout.string("currency") == "USD")
        #expect(payout.string("method") == "paypal")
        #expect(payout.string("status") == "pending")
        #expect(payout.int("batch_id") == batchID)
        #expect(skipped(batch) == [
            noMethod: "no payout method",
            small: "below the program minimum of 50.00 USD",
            picky: "below the partner's threshold of 200.00 USD",
        ])
        #expect(try h.balance(paid) == .init(pending: 0, available: 0, paid: 10_000))
        #expect(try h.balance(noMethod) == .init(pending: 0, available: 6000, paid: 0))
        #expect(try h.balance(small).available == 2000)
        #expect(try h.balance(picky).available == 8000)
    }

    @Test func suspendedPartnersMoneyWaits() throws {
        let h = try EngineAPIHarness(.init(holdDays: 0, minPayout: 1000))
        let partner = try h.createPartner("ada@example.com")
        try h.sale("o-1", amount: 10_000, partner: partner)
        #expect(try h.post("/partners/\(partner)/suspend", ["reason": "Review"]).status == 200)
        let batch = try h.batch()
        #expect(payouts(batch).isEmpty)
        #expect(skipped(batch) == [partner: "partner is suspended"])
        #expect(try h.balance(partner).available == 2000)
    }

    @Test func pendingCommissionsAreNotPaid() throws {
        let h = try EngineAPIHarness(.init(holdDays: 30, minPayout: 100))
        let partner = try h.createPartner("ada@example.com")
        try h.sale("o-1", amount: 50_000, partner: partner)
        let batch = try h.batch()
        #expect(batch.isNull("id"))
        #expect(payouts(batch).isEmpty)
        #expect(skipped(batch).isEmpty)
        #expect(try h.balance(partner) == .init(pending: 10_000, available: 0, paid: 0))
    }

    @Test func payoutsAreListedByBatchAndReadWithTheirCommissions() throws {
        let h = try EngineAPIHarness(.init(holdDays: 0, minPayout: 1000))
        let ada = try h.createPartner("ada@example.com")
        let bob = try h.createPartner("bob@example.com")
        let c1 = try #require((try h.sale("o-1", amount: 10_000, partner: ada)["commissions"] as? [[String: Any]])?.first?.int("id"))
        let c2 = try #require((try h.sale("o-2", amount: 5000, partner: ada)["commissions"] as? [[String: Any]])?.first?.int("id"))
        try h.sale("o-3", amount: 20_000, partner: bob)
        let first = try h.batch()
        let firstID = try #require(first.int("id"))
        try h.sale("o-4", amount: 10_000, partner: bob)
        let second = try h.batch()
        let secondID = try #require(second.int("id"))
        #expect(firstID != secondID)

        let listed = try h.get("/payouts?batch_id=\(firstID)")
        #expect(listed.status == 200)
        #expect(Set(listed.data.compactMap { $0.int("partner_id") }) == [ada, bob])
        #expect(listed.data.allSatisfy { $0.int("batch_id") == firstID })
        #expect(listed.object?.isNull("next_cursor") == true)
        #expect(try h.get("/payouts?batch_id=\(secondID)").data.map { $0.int("partner_id") } == [bob])
        #expect(try h.get("/payouts?status=pending").data.count == 3)
        #expect(try h.get("/payouts?status=paid").data.isEmpty)

        let adaPayout = try #require(listed.data.first { $0.int("partner_id") == ada })
        let read = try h.get("/payouts/\(try #require(adaPayout.int("id")))")
        #expect(read.status == 200)
        let statement = try #require(read.object)
        #expect(statement.int("amount") == 3000)
        let settled = try #require(statement["commissions"] as? [[String: Any]])
        #expect(settled.compactMap { $0.int("id") } == [c1, c2])
        #expect(settled.allSatisfy { $0.string("status") == "paid" && $0.int("partner_id") == ada })
        #expect(settled.compactMap { $0.string("external_id") } == ["o-1", "o-2"])
    }

    @Test func exportIsTheContractsCSVInMajorUnits() throws {
        let h = try EngineAPIHarness(.init(holdDays: 0, minPayout: 1000))
        let ada = try h.createPartner("ada@example.com", name: "Ada, Ltd", payout: ["method": "paypal", "paypal_email": "ada.pay@example.com"])
        let bob = try h.createPartner("bob@example.com", name: "=Bob",
                                      payout: ["method": "bank", "account_holder": "Bob", "iban": "DE89 3704 0044 0532 0130 00"])
        try h.sale("o-1", amount: 9995, partner: ada) // 19.99
        try h.sale("o-2", amount: 25_000, partner: bob) // 50.00
        let batch = try h.batch()
        let batchID = try #require(batch.int("id"))
        let ids = Dictionary(uniqueKeysWithValues: payouts(batch).compactMap { p in p.int("partner_id").flatMap { k in p.int("id").map { (k, $0) } } })
        let adaPayout = try #require(ids[ada]), bobPayout = try #require(ids[bob])
        #expect(try h.post("/payouts/\(adaPayout)/mark-paid", ["reference": "PP-123"]).status == 200)

        let export = try h.get("/payouts/export.csv?batch_id=\(batchID)")
        #expect(export.status == 200)
        #expect(export.headers["content-type"] == "text/csv; charset=utf-8")
        #expect(export.headers["content-disposition"] == "attachment; filename=\"payouts-batch-\(batchID).csv\"")
        let lines = export.body.components(separatedBy: "\r\n")
        #expect(lines.first == Self.csvHeader)
        #expect(lines.contains("\(adaPayout),\(ada),\"Ada, Ltd\",paypal,ada.pay@example.com,19.99,USD,PP-123"))
        #expect(lines.contains("\(bobPayout),\(bob),'=Bob,bank,DE89370400440532013000,50.00,USD,"))
        #expect(lines.count == 4) // header, two rows, and the empty string after the last CRLF
        #expect(lines.last == "")
    }

    @Test func markPaidTwiceIs422() throws {
        let h = try EngineAPIHarness(.init(holdDays: 0, minPayout: 1000))
        let partner = try h.createPartner("ada@example.com")
        try h.sale("o-1", amount: 10_000, partner: partner)
        let payoutID = try #require(payouts(try h.batch()).first?.int("id"))

        #expect(try h.post("/payouts/\(payoutID)/mark-paid").errors["reference"] == ["is required"])
        let paid = try h.post("/payouts/\(payoutID)/mark-paid", ["reference": "PP-123"])
        #expect(paid.status == 200)
        #expect(paid.object?.string("status") == "paid")
        #expect(paid.object?.string("reference") == "PP-123")
        #expect(paid.object?.string("settled_at")?.hasSuffix("Z") == true)
        let again = try h.post("/payouts/\(payoutID)/mark-paid", ["reference": "PP-456"])
        #expect(again.status == 422)
        #expect(again.errors["status"] == ["the payout is already paid"])
        #expect(try h.get("/payouts/\(payoutID)").object?.string("reference") == "PP-123")
        #expect(try h.balance(partner) == .init(pending: 0, available: 0, paid: 2000))
    }

    @Test func markFailedReturnsTheMoneyToAvailableAndTheNextBatchPaysItAgain() throws {
        let h = try EngineAPIHarness(.init(holdDays: 0, minPayout: 1000))
        let partner = try h.createPartner("ada@example.com")
        let commissionID = try #require((try h.sale("o-1", amount: 10_000, partner: partner)["commissions"] as? [[String: Any]])?.first?.int("id"))
        let payoutID = try #require(payouts(try h.batch()).first?.int("id"))
        #expect(try h.get("/commissions").data.first?.string("status") == "paid")

        #expect(try h.post("/payouts/\(payoutID)/mark-failed").errors["reason"] == ["is required"])
        let failed = try h.post("/payouts/\(payoutID)/mark-failed", ["reason": "PayPal account closed"])
        #expect(failed.status == 200)
        #expect(failed.object?.string("status") == "failed")
        #expect(failed.object?.string("failure_reason") == "PayPal account closed")
        #expect(try h.balance(partner) == .init(pending: 0, available: 2000, paid: 0))
        #expect(try h.get("/commissions").data.first?.string("status") == "approved")
        #expect(try h.post("/payouts/\(payoutID)/mark-failed", ["reason": "again"]).status == 422)
        #expect(try h.post("/payouts/\(payoutID)/mark-paid", ["reference": "late"]).status == 422)

        let retry = try h.batch()
        let again = try #require(payouts(retry).first)
        #expect(again.int("amount") == 2000)
        let statement = try h.get("/payouts/\(try #require(again.int("id")))")
        #expect((statement.object?["commissions"] as? [[String: Any]])?.compactMap { $0.int("id") } == [commissionID])
        #expect(try h.balance(partner) == .init(pending: 0, available: 0, paid: 2000))
    }

    @Test func aSecondBatchRightAfterTheFirstPaysNobodyTwice() throws {
        let h = try EngineAPIHarness(.init(holdDays: 0, minPayout: 1000))
        let ada = try h.createPartner("ada@example.com")
        let bob = try h.createPartner("bob@example.com")
        try h.sale("o-1", amount: 10_000, partner: ada)
        try h.sale("o-2", amount: 10_000, partner: bob)
        #expect(payouts(try h.batch()).count == 2)
        let second = try h.batch()
        #expect(second.isNull("id"))
        #expect(payouts(second).isEmpty)
        #expect(skipped(second).isEmpty)
        #expect(try h.get("/payouts").data.count == 2)
        #expect(try h.balance(ada) == .init(pending: 0, available: 0, paid: 2000))
    }

    @Test func batchBodyMustBeEmptyObject() throws {
        let h = try EngineAPIHarness()
        let reply = try h.post("/payouts/batches", ["dry_run": true])
        #expect(reply.status == 422)
        #expect(reply.errors["dry_run"] == ["is not a known field"])
        #expect(try h.send("POST", "/payouts/batches", bearer: h.secret, body: "", contentType: nil).status == 201)
    }
}
