import Testing
@testable import PortalCore

/// The engine's seeded generator, so a failing random sequence replays exactly from its seed.
typealias SeededGenerator = SplitMix

/// Random sequences of earn / approve / refund / pay out / fail / adjust, with the ledger's invariants checked
/// after every step against an independent model of what should have happened.
@Suite struct LedgerPropertyTests {
    /// What the test itself remembers about each sale, independent of the ledger's own indexes.
    struct Sale {
        let total: Int64
        let commission: Int64
        var refunded: Int64 = 0
    }

    static let seeds: [UInt64] = [1, 2, 3, 42, 2026, 0xDEAD_BEEF]

    @Test(arguments: seeds)
    func invariantsHoldAfterEveryStep(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        var ledger = Ledger()
        var sales: [Int64: Sale] = [:]
        var adjustments: Int64 = 0
        var nextCommission: Int64 = 1, nextPayout: Int64 = 1

        for step in 0..<2_000 {
            let before = ledger.balance
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<25:  // a sale earns a commission
                let total = Int64.random(in: 1...200_000, using: &rng)
                let commission = try CommissionMath.percentage(of: total, basisPoints: .random(in: 0...5_000, using: &rng))
                guard commission > 0 else { continue }
                try ledger.earn(commissionID: nextCommission, amount: commission)
                sales[nextCommission] = Sale(total: total, commission: commission)
                nextCommission += 1
            case 25..<45:  // a hold ends
                let candidates = ledger.commissions.filter { !$0.value.approved && $0.value.remaining > 0 }.keys.sorted()
                guard let id = candidates.randomElement(using: &rng) else { continue }
                try ledger.approve(commissionID: id)
                #expect(ledger.balance.total == before.total, "seed \(seed) step \(step)")
            case 45..<65:  // a partial or full refund, before or after approval and payout
                let candidates = sales.filter { $0.value.refunded < $0.value.total }.keys.sorted()
                guard let id = candidates.randomElement(using: &rng), var sale = sales[id] else { continue }
                let left = sale.total - sale.refunded
                let full = Bool.random(using: &rng)
                let refund = full ? left : Int64.random(in: 1...left, using: &rng)
                let reversal = try CommissionMath.reversal(
                    of: sale.commission, alreadyRefunded: sale.refunded, refunding: refund, of: sale.total)
                sale.refunded += refund
                sales[id] = sale
                if reversal > 0 { try ledger.reverse(commissionID: id, amount: reversal) }
                // Refusing a reversal larger than what remains writes nothing.
                let count = ledger.entries.count
                let remaining = ledger.commissions[id]?.remaining ?? 0
                #expect(throws: LedgerError.self) { try ledger.reverse(commissionID: id, amount: remaining + 1) }
                #expect(ledger.entries.count == count)
            case 65..<78:  // a payout of the whole available balance
                guard before.available > 0 else {
                    #expect(throws: LedgerError.nothingAvailable) { try ledger.payOut(payoutID: nextPayout) }
                    continue
                }
                let entry = try ledger.payOut(payoutID: nextPayout)
                #expect(entry.amount == before.available)
                #expect(ledger.balance == Balance(pending: before.pending, available: 0, paid: before.paid + before.available))
                nextPayout += 1
            case 78..<90:  // a payout fails: its money returns to available
                let live = ledger.payouts.filter { !$0.value.failed }.keys.sorted()
                guard let id = live.randomElement(using: &rng), let amount = ledger.payouts[id]?.amount else { continue }
                try ledger.failPayout(payoutID: id)
                #expect(ledger.balance == Balance(pending: before.pending, available: before.available + amount,
                                                  paid: before.paid - amount), "seed \(seed) step \(step)")
                #expect(throws: LedgerError.payoutAlreadyFailed(id)) { try ledger.failPayout(payoutID: id) }
            default:  // a manual adjustment or bonus
                let amount = Int64.random(in: -5_000...20_000, using: &rng)
                guard amount != 0 else { continue }
                try ledger.adjust(amount: amount, reason: "step \(step)")
                adjustments += amount
            }
            try checkInvariants(ledger, sales: sales, adjustments: adjustments, context: "seed \(seed) step \(step)")
        }
        // The run must actually have exercised every kind of entry.
        #expect(Set(ledger.entries.map(\.kind)) == Set(LedgerEntry.Kind.allCases))
    }

    func checkInvariants(_ ledger: Ledger, sales: [Int64: Sale], adjustments: Int64, context: String) throws {
        let balance = ledger.balance
        #expect(balance == Balance(summing: ledger.entries), "\(context)")
        // One pass summing amounts by kind (and by stage for reversals), independent of `LedgerEntry.effect`.
        var byKind: [LedgerEntry.Kind: Int64] = [:]
        var reversedFrom: [LedgerEntry.Stage: Int64] = [:]
        for entry in ledger.entries {
            byKind[entry.kind, default: 0] += entry.amount
            if let stage = entry.stage { reversedFrom[stage, default: 0] += entry.amount }
        }
        func sum(_ kind: LedgerEntry.Kind, _ stage: LedgerEntry.Stage? = nil) -> Int64 {
            stage.map { reversedFrom[$0] ?? 0 } ?? byKind[kind] ?? 0
        }
        // Balances are exactly the identities over the entries, summed by kind.
        #expect(balance.pending == sum(.earned) - sum(.approved) + sum(.reversed, .pending), "\(context)")
        #expect(balance.available == sum(.approved) + sum(.reversed, .available) + sum(.adjusted)
                - sum(.paidOut) + sum(.payoutFailed), "\(context)")
        #expect(balance.paid == sum(.paidOut) - sum(.payoutFailed), "\(context)")

        // Money is neither created nor lost, and agrees with the test's own record of sales and refunds.
        #expect(balance.total == sum(.earned) + sum(.reversed) + sum(.adjusted), "\(context)")
        // Per-commission checks gather problems in plain code and assert once: an #expect per commission per
        // step would make the run slow for no extra information.
        var problems: [String] = []
        var expectedTotal = adjustments
        for (id, sale) in sales {
            guard let position = ledger.commissions[id] else { problems.append("commission \(id) missing"); continue }
            let expectedReversed = try CommissionMath.part(of: sale.commission, refunded: sale.refunded, of: sale.total)
            // A reversal never exceeds its commission, and refunds reverse exactly their cumulative share.
            if position.reversed != expectedReversed || position.reversed > position.earned || position.earned != sale.commission {
                problems.append("commission \(id): \(position) expected reversed \(expectedReversed)")
            }
            expectedTotal += sale.commission - expectedReversed
        }
        #expect(balance.total == expectedTotal, "\(context)")

        // pending is what remains of unapproved commissions; paid is what live payouts took.
        let unapproved = ledger.commissions.values.filter { !$0.approved }.reduce(0) { $0 + $1.remaining }
        #expect(balance.pending == unapproved && balance.pending >= 0, "\(context)")
        let live = ledger.payouts.filter { !$0.value.failed }
        #expect(balance.paid == live.values.reduce(0) { $0 + $1.amount } && balance.paid >= 0, "\(context)")

        // No commission is in two live payouts, and each settled commission points at the payout that lists it.
        let settledList = live.values.flatMap(\.commissionIDs)
        let settled = Set(settledList)
        if settled.count != settledList.count { problems.append("a commission is in two live payouts") }
        for (id, position) in ledger.commissions {
            if let payoutID = position.payoutID {
                if live[payoutID]?.commissionIDs.contains(id) != true || !position.approved {
                    problems.append("commission \(id) points at payout \(payoutID) that does not settle it")
                }
            } else if settled.contains(id) {
                problems.append("commission \(id) is settled but has no payout")
            }
        }
        #expect(problems.isEmpty, "\(context): \(problems.prefix(3))")
        #expect(ledger.entries.enumerated().allSatisfy { $0.offset == $0.element.sequence }, "\(context)")
    }

    @Test func generatorReplaysFromItsSeed() {
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7), c = SeededGenerator(seed: 8)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
    }
}
