/// One partner's append-only ledger as a value: every movement is an entry, balances are sums of entries, and
/// every append checks the invariants first so an invalid movement is refused rather than recorded.
///
/// The store persists `entries`; the commission and payout positions here are indexes derived from them,
/// kept alongside so each check is O(1).
public struct Ledger: Sendable, Equatable {
    /// Where one commission stands, derived from its entries.
    public struct CommissionPosition: Sendable, Hashable {
        public internal(set) var earned: Int64
        /// Total reversed so far, as a positive amount.
        public internal(set) var reversed: Int64 = 0
        public internal(set) var approved = false
        /// The live (not failed) payout that settled it, if any.
        public internal(set) var payoutID: Int64?

        /// What can still be reversed or approved: earned minus reversed.
        public var remaining: Int64 { earned - reversed }
    }

    /// A payout's amount, the commissions it settled and whether it failed.
    public struct PayoutPosition: Sendable, Hashable {
        public let amount: Int64
        public let commissionIDs: [Int64]
        public internal(set) var failed = false
    }

    public private(set) var entries: [LedgerEntry] = []
    public private(set) var commissions: [Int64: CommissionPosition] = [:]
    public private(set) var payouts: [Int64: PayoutPosition] = [:]

    public init() {}

    /// pending, available and paid: the sum of the entries' effects, kept as a running sum on each append so
    /// reading it is O(1); always equal to `Balance(summing: entries)`, which the tests check after every step.
    public private(set) var balance = Balance.zero

    /// Records a new commission, pending until approved.
    @discardableResult
    public mutating func earn(commissionID: Int64, amount: Int64) throws(LedgerError) -> LedgerEntry {
        guard amount > 0 else { throw .nonPositiveAmount }
        guard commissions[commissionID] == nil else { throw .commissionExists(commissionID) }
        commissions[commissionID] = CommissionPosition(earned: amount)
        return append(.earned, amount, commissionID: commissionID)
    }

    /// Moves what remains of a pending commission to available (its hold ended or a reviewer cleared it).
    @discardableResult
    public mutating func approve(commissionID: Int64) throws(LedgerError) -> LedgerEntry {
        guard var position = commissions[commissionID] else { throw .unknownCommission(commissionID) }
        guard !position.approved else { throw .alreadyApproved(commissionID) }
        guard position.remaining > 0 else { throw .nothingToApprove(commissionID) }
        position.approved = true
        commissions[commissionID] = position
        return append(.approved, position.remaining, commissionID: commissionID)
    }

    /// Takes back `amount` of a commission (a refund, see `CommissionMath.reversal`), from pending if the
    /// commission was not approved yet, otherwise from available — even when it was already paid out, in which
    /// case available goes negative and the next payouts net the debt off.
    @discardableResult
    public mutating func reverse(commissionID: Int64, amount: Int64) throws(LedgerError) -> LedgerEntry {
        guard amount > 0 else { throw .nonPositiveAmount }
        guard var position = commissions[commissionID] else { throw .unknownCommission(commissionID) }
        guard amount <= position.remaining else {
            throw .reversalExceedsRemaining(commissionID: commissionID, remaining: position.remaining)
        }
        position.reversed += amount
        commissions[commissionID] = position
        let stage: LedgerEntry.Stage = position.approved ? .available : .pending
        return append(.reversed, -amount, commissionID: commissionID, stage: stage)
    }

    /// A manual adjustment or bonus (negative for a correction), straight into available, with its reason.
    @discardableResult
    public mutating func adjust(amount: Int64, reason: String) throws(LedgerError) -> LedgerEntry {
        guard amount != 0 else { throw .nonPositiveAmount }
        guard !reason.allSatisfy(\.isWhitespace) else { throw .emptyReason }
        return append(.adjusted, amount, reason: reason)
    }

    /// Pays out the whole available balance, which must be positive, and settles every approved commission with
    /// something left that is not already in a live payout. Paying the balance rather than a sum of commissions is what nets off debts
    /// from refunds after earlier payouts; marking the commissions is what stops any being paid twice.
    @discardableResult
    public mutating func payOut(payoutID: Int64) throws(LedgerError) -> LedgerEntry {
        guard payouts[payoutID] == nil else { throw .payoutExists(payoutID) }
        let available = balance.available
        guard available > 0 else { throw .nothingAvailable }
        // A commission fully reversed before its payout has nothing left to settle.
        let settled = commissions.filter { $0.value.approved && $0.value.payoutID == nil && $0.value.remaining > 0 }
            .keys.sorted()
        for id in settled { commissions[id]?.payoutID = payoutID }
        payouts[payoutID] = PayoutPosition(amount: available, commissionIDs: settled)
        return append(.paidOut, available, payoutID: payoutID)
    }

    /// A payout failed: its whole amount returns to available and its commissions can be paid again.
    @discardableResult
    public mutating func failPayout(payoutID: Int64) throws(LedgerError) -> LedgerEntry {
        guard var payout = payouts[payoutID] else { throw .unknownPayout(payoutID) }
        guard !payout.failed else { throw .payoutAlreadyFailed(payoutID) }
        payout.failed = true
        payouts[payoutID] = payout
        for id in payout.commissionIDs { commissions[id]?.payoutID = nil }
        return append(.payoutFailed, payout.amount, payoutID: payoutID)
    }

    private mutating func append(
        _ kind: LedgerEntry.Kind, _ amount: Int64, commissionID: Int64? = nil, payoutID: Int64? = nil,
        stage: LedgerEntry.Stage? = nil, reason: String? = nil
    ) -> LedgerEntry {
        let entry = LedgerEntry(
            sequence: entries.count, kind: kind, amount: amount, commissionID: commissionID, payoutID: payoutID,
            stage: stage, reason: reason)
        entries.append(entry)
        balance = balance + entry.effect
        return entry
    }
}
