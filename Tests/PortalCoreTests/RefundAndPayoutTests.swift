import Foundation
import Store
import Testing
@testable import PortalCore

/// Refunds and payouts through the stores: proportional reversals, debts after payout netted off by the next
/// payout, batches that pay only the eligible and never twice, failures that return the money.
@Suite struct RefundAndPayoutTests {
    let day: Int64 = 86_400

    @Test func partialRefundsReverseTheirCumulativeShare() throws {
        let f = try EngineFixture()
        let ada = try f.partner("Ada")
        try f.convert(f.sale("o", amount: 3, partner: ada))  // 20% of 3 = 0.6 → 1 (half-to-even of 0.6 is 1)
        try f.rule(CommissionRule(id: 0, event: .sale, scope: .programDefault, kind: .flat(amount: 3)))
        try f.convert(f.sale("p", amount: 2, partner: ada))  // flat 3 on a sale of 2
        let refund = RefundRecorder()
        let first = try f.pool.write { db in try refund.refund(in: db, programID: f.programID, externalID: "p", amount: 1, now: EngineFixture.t0) }
        let second = try f.pool.write { db in try refund.refund(in: db, programID: f.programID, externalID: "p", amount: 1, now: EngineFixture.t0) }
        // 3 × 1/2 = 1.5 → 2, then 3 × 2/2 − 2 = 1: never 2 + 2.
        #expect(first.reversals.map(\.amount) == [2])
        #expect(second.reversals.map(\.amount) == [1])
        #expect(throws: RefundRecorder.Failure.invalid(["amount": ["the sale is already refunded in full"]])) {
            try f.pool.write { db in try refund.refund(in: db, programID: f.programID, externalID: "p", amount: nil, now: EngineFixture.t0) }
        }
        #expect(try f.balance(ada).pending == 1)
        let stored = try f.pool.read { db in try ConversionStore().conversion(in: db, id: 2) }
        #expect(stored?.status == "refunded")
        #expect(stored?.commissions.first?.status == "reversed")
    }

    @Test func aRefundLargerThanWhatRemainsIsRefusedAndWritesNothing() throws {
        let f = try EngineFixture()
        let ada = try f.partner("Ada")
        try f.convert(f.sale("o", amount: 1_000, partner: ada))
        #expect(throws: RefundRecorder.Failure.self) {
            try f.pool.write { db in try RefundRecorder().refund(in: db, programID: f.programID, externalID: "o", amount: 1_001, now: 0) }
        }
        #expect(throws: RefundRecorder.Failure.conversionNotFound) {
            try f.pool.write { db in try RefundRecorder().refund(in: db, programID: f.programID, externalID: "nope", amount: nil, now: 0) }
        }
        #expect(try f.count("SELECT count(*) FROM refunds") == 0)
        #expect(try f.count("SELECT count(*) FROM ledger_entries WHERE kind = 'reversed'") == 0)
    }

    @Test func aRefundAfterPayoutLeavesADebtThatTheNextPayoutNetsOff() throws {
        let f = try EngineFixture(holdDays: 0, minPayout: 100)
        let ada = try f.partner("Ada")
        let payouts = PayoutStore(vault: f.vault)
        try f.convert(f.sale("o-1", amount: 10_000, partner: ada))  // 2,000 available at once
        let batch = try f.pool.write { db in try payouts.createBatch(in: db, programID: f.programID, now: EngineFixture.t0) }
        #expect(batch.payouts.map(\.amount) == [2_000])
        try f.pool.write { db in _ = try RefundRecorder().refund(in: db, programID: f.programID, externalID: "o-1", amount: nil, now: EngineFixture.t0 + 1) }
        #expect(try f.balance(ada) == Balance(pending: 0, available: -2_000, paid: 2_000))
        let owed = try f.pool.write { db in try payouts.createBatch(in: db, programID: f.programID, now: EngineFixture.t0 + 2) }
        #expect(owed.id == nil)
        #expect(owed.skipped.first?.reason.contains("owes 20.00 USD") == true)
        try f.convert(f.sale("o-2", amount: 15_000, at: EngineFixture.t0 + 3, partner: ada))  // 3,000 more
        try f.pool.write { db in try LedgerStore().adjust(in: db, programID: f.programID, partnerID: ada, amount: 250, reason: "Launch bonus", now: EngineFixture.t0 + 3) }
        let next = try f.pool.write { db in try payouts.createBatch(in: db, programID: f.programID, now: EngineFixture.t0 + 4) }
        #expect(next.payouts.map(\.amount) == [1_250])
        // The statement of that payout reconciles: the refund's debt, the new commission and the bonus.
        let statement = try #require(try f.pool.read { db in
            try PayoutStatement.load(in: db, store: payouts, programID: f.programID, payoutID: next.payouts[0].id)
        })
        #expect(statement.lines.map(\.amount) == [-2_000, 3_000, 250])
        #expect(statement.lines.map(\.description) == ["Refund of o-1", "Commission on o-2", "Launch bonus"])
        #expect(statement.total == 1_250)
        #expect(statement.csv.hasSuffix(",Total of payout \(next.payouts[0].id),,,12.50,USD\r\n"))
        #expect(try f.balance(ada) == Balance(pending: 0, available: 0, paid: 3_250))
    }

    @Test func batchesPayOnlyTheEligibleAndNeverTwice() throws {
        let f = try EngineFixture(holdDays: 0, minPayout: 5_000)
        let rich = try f.partner("Rich")
        let poor = try f.partner("Poor")
        let noMethod = try f.partner("NoMethod", payout: nil)
        let picky = try f.partner("Picky")
        let suspended = try f.partner("Suspended")
        try f.pool.write { db in try db.execute("UPDATE partners SET payout_threshold = 100000 WHERE id = ?", [picky]) }
        for (partner, amount) in [(rich, Int64(50_000)), (poor, 10_000), (noMethod, 50_000), (picky, 50_000), (suspended, 50_000)] {
            try f.convert(f.sale("o-\(partner)", amount: amount, partner: partner))
        }
        try f.pool.write { db in try db.execute("UPDATE partners SET status = 'suspended' WHERE id = ?", [suspended]) }
        let payouts = PayoutStore(vault: f.vault)
        let batch = try f.pool.write { db in try payouts.createBatch(in: db, programID: f.programID, now: EngineFixture.t0) }
        #expect(batch.payouts.map(\.partnerID) == [rich])
        #expect(batch.payouts.map(\.amount) == [10_000])
        #expect(Dictionary(uniqueKeysWithValues: batch.skipped.map { ($0.partnerID, $0.reason) }) == [
            poor: "below the program minimum of 50.00 USD", noMethod: "no payout method",
            picky: "below the partner's threshold of 1000.00 USD", suspended: "partner is suspended",
        ])
        let again = try f.pool.write { db in try payouts.createBatch(in: db, programID: f.programID, now: EngineFixture.t0 + 1) }
        #expect(again.payouts.isEmpty)
        #expect(try f.count("SELECT count(*) FROM payout_commissions") == 1)
        // The recipient is sealed at rest and opens for the export.
        let sealed = try f.pool.read { db in try db.queryValue("SELECT recipient_sealed FROM payouts", as: String.self) }
        #expect(sealed?.contains("example.com") == false)
        #expect(try f.pool.read { db in try payouts.recipient(in: db, payoutID: batch.payouts[0].id) } == "p@example.com")
    }

    @Test func aFailedPayoutReturnsTheMoneyAndTheCommissionsArePaidAgain() throws {
        let f = try EngineFixture(holdDays: 0, minPayout: 100)
        let ada = try f.partner("Ada")
        let payouts = PayoutStore(vault: f.vault)
        let stored = try f.convert(f.sale("o", amount: 10_000, partner: ada))
        let first = try f.pool.write { db in try payouts.createBatch(in: db, programID: f.programID, now: EngineFixture.t0) }
        let payoutID = try #require(first.payouts.first?.id)
        #expect(try f.pool.read { db in try ConversionStore().conversion(in: db, id: stored.id)?.commissions.first?.status } == "paid")
        _ = try f.pool.write { db in try payouts.markFailed(in: db, programID: f.programID, id: payoutID, reason: "PayPal account closed", now: 1) }
        #expect(try f.balance(ada) == Balance(pending: 0, available: 2_000, paid: 0))
        #expect(throws: PayoutStore.Failure.self) {
            try f.pool.write { db in try payouts.markPaid(in: db, programID: f.programID, id: payoutID, reference: "x", now: 2) }
        }
        let second = try f.pool.write { db in try payouts.createBatch(in: db, programID: f.programID, now: 3) }
        let secondID = try #require(second.payouts.first?.id)
        _ = try f.pool.write { db in try payouts.markPaid(in: db, programID: f.programID, id: secondID, reference: "PP-123", now: 4) }
        let settled = try f.pool.read { db in try payouts.settledCommissions(in: db, programID: f.programID, payoutID: secondID) }
        #expect(settled.map(\.commission.id) == stored.commissions.map(\.id))
        #expect(try f.balance(ada) == Balance(pending: 0, available: 0, paid: 2_000))
    }

    @Test func rejectingAFlaggedCommissionReversesIt() throws {
        let f = try EngineFixture(holdDays: 0)
        let ada = try f.partner("Ada")
        let stored = try f.convert(f.sale("o", amount: 1_000, partner: ada, email: "ada@example.com"))
        let id = try #require(stored.commissions.first?.id)
        #expect(throws: CommissionReview.Failure.invalid(["reason": ["is required"]])) {
            try f.pool.write { db in try CommissionReview().reject(in: db, programID: f.programID, commissionID: id, reason: " ", now: 1) }
        }
        try f.pool.write { db in try CommissionReview().reject(in: db, programID: f.programID, commissionID: id, reason: "own purchase", now: 1) }
        #expect(try f.balance(ada) == .zero)
        #expect(try f.count("SELECT count(*) FROM commissions WHERE status = 'rejected'") == 1)
        // A refund later finds nothing left to take back.
        let refund = try f.pool.write { db in try RefundRecorder().refund(in: db, programID: f.programID, externalID: "o", amount: nil, now: 2) }
        #expect(refund.reversals.isEmpty)
    }
}
