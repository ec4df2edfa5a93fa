import Testing
@testable import PortalCore

/// The ledger's movements one by one: balances after each, and the movements it must refuse.
@Suite struct LedgerTests {
    func bal(_ pending: Int64, _ available: Int64, _ paid: Int64) -> Balance {
        Balance(pending: pending, available: available, paid: paid)
    }

    @Test func earnApprovePayFail() throws {
        var ledger = Ledger()
        try ledger.earn(commissionID: 1, amount: 1000)
        try ledger.earn(commissionID: 2, amount: 500)
        #expect(ledger.balance == bal(1500, 0, 0))
        try ledger.approve(commissionID: 1)
        #expect(ledger.balance == bal(500, 1000, 0))
        let payout = try ledger.payOut(payoutID: 10)
        #expect(payout.amount == 1000 && payout.kind == .paidOut)
        #expect(ledger.balance == bal(500, 0, 1000))
        #expect(ledger.payouts[10]?.commissionIDs == [1])
        #expect(ledger.commissions[1]?.payoutID == 10)
        try ledger.failPayout(payoutID: 10)
        #expect(ledger.balance == bal(500, 1000, 0))
        #expect(ledger.commissions[1]?.payoutID == nil)
        try ledger.approve(commissionID: 2)
        try ledger.payOut(payoutID: 11)
        #expect(ledger.balance == bal(0, 0, 1500))
        #expect(ledger.payouts[11]?.commissionIDs == [1, 2])
        #expect(ledger.entries.map(\.kind) == [.earned, .earned, .approved, .paidOut, .payoutFailed, .approved, .paidOut])
        #expect(ledger.entries.map(\.sequence) == Array(0..<7))
    }

    @Test func reversalWhilePendingShrinksPending() throws {
        var ledger = Ledger()
        try ledger.earn(commissionID: 1, amount: 1000)
        let reversal = try ledger.reverse(commissionID: 1, amount: 300)
        #expect(reversal.amount == -300 && reversal.stage == .pending)
        #expect(ledger.balance == bal(700, 0, 0))
        try ledger.approve(commissionID: 1)
        #expect(ledger.balance == bal(0, 700, 0))
        #expect(ledger.entries.last?.amount == 700)
    }

    @Test func refundAfterPayoutLeavesADebtTheNextPayoutNetsOff() throws {
        var ledger = Ledger()
        try ledger.earn(commissionID: 1, amount: 1000)
        try ledger.approve(commissionID: 1)
        try ledger.payOut(payoutID: 10)
        let reversal = try ledger.reverse(commissionID: 1, amount: 1000)
        #expect(reversal.stage == .available)
        #expect(ledger.balance == bal(0, -1000, 1000))
        #expect(throws: LedgerError.nothingAvailable) { try ledger.payOut(payoutID: 11) }
        try ledger.earn(commissionID: 2, amount: 1500)
        try ledger.approve(commissionID: 2)
        #expect(ledger.balance.available == 500)
        let next = try ledger.payOut(payoutID: 11)
        #expect(next.amount == 500)
        #expect(ledger.balance == bal(0, 0, 1500))
        #expect(ledger.balance.total == 1500)  // 1000 + 1500 earned − 1000 reversed
    }

    @Test func adjustmentsGoToAvailableWithAReason() throws {
        var ledger = Ledger()
        try ledger.adjust(amount: 250, reason: "launch bonus")
        try ledger.adjust(amount: -50, reason: "correction")
        #expect(ledger.balance == bal(0, 200, 0))
        #expect(ledger.entries.first?.reason == "launch bonus")
        #expect(throws: LedgerError.emptyReason) { try ledger.adjust(amount: 1, reason: "  ") }
        #expect(throws: LedgerError.nonPositiveAmount) { try ledger.adjust(amount: 0, reason: "x") }
    }

    @Test func invalidMovementsAreRefusedAndLeaveNoEntry() throws {
        var ledger = Ledger()
        #expect(throws: LedgerError.nonPositiveAmount) { try ledger.earn(commissionID: 1, amount: 0) }
        try ledger.earn(commissionID: 1, amount: 100)
        #expect(throws: LedgerError.commissionExists(1)) { try ledger.earn(commissionID: 1, amount: 5) }
        #expect(throws: LedgerError.unknownCommission(2)) { try ledger.approve(commissionID: 2) }
        #expect(throws: LedgerError.unknownCommission(2)) { try ledger.reverse(commissionID: 2, amount: 1) }
        #expect(throws: LedgerError.reversalExceedsRemaining(commissionID: 1, remaining: 100)) {
            try ledger.reverse(commissionID: 1, amount: 101)
        }
        #expect(throws: LedgerError.nonPositiveAmount) { try ledger.reverse(commissionID: 1, amount: 0) }
        #expect(throws: LedgerError.nothingAvailable) { try ledger.payOut(payoutID: 1) }
        try ledger.reverse(commissionID: 1, amount: 100)
        #expect(throws: LedgerError.nothingToApprove(1)) { try ledger.approve(commissionID: 1) }
        try ledger.earn(commissionID: 3, amount: 10)
        try ledger.approve(commissionID: 3)
        #expect(throws: LedgerError.alreadyApproved(3)) { try ledger.approve(commissionID: 3) }
        try ledger.payOut(payoutID: 7)
        #expect(throws: LedgerError.payoutExists(7)) { try ledger.payOut(payoutID: 7) }
        #expect(throws: LedgerError.unknownPayout(8)) { try ledger.failPayout(payoutID: 8) }
        try ledger.failPayout(payoutID: 7)
        #expect(throws: LedgerError.payoutAlreadyFailed(7)) { try ledger.failPayout(payoutID: 7) }
        #expect(ledger.entries.count == 6)
    }

    @Test func entryEffectsFollowTheAccountingIdentities() {
        func effect(_ kind: LedgerEntry.Kind, _ amount: Int64, _ stage: LedgerEntry.Stage? = nil) -> Balance {
            LedgerEntry(sequence: 0, kind: kind, amount: amount, stage: stage).effect
        }
        #expect(effect(.earned, 5) == bal(5, 0, 0))
        #expect(effect(.approved, 5) == bal(-5, 5, 0))
        #expect(effect(.reversed, -5, .pending) == bal(-5, 0, 0))
        #expect(effect(.reversed, -5, .available) == bal(0, -5, 0))
        #expect(effect(.adjusted, -5) == bal(0, -5, 0))
        #expect(effect(.paidOut, 5) == bal(0, -5, 5))
        #expect(effect(.payoutFailed, 5) == bal(0, 5, -5))
        // Moves between balances change no total.
        for kind in [LedgerEntry.Kind.approved, .paidOut, .payoutFailed] { #expect(effect(kind, 5).total == 0) }
    }
}
