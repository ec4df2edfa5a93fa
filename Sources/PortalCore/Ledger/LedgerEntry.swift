/// One immutable money movement in a partner's ledger.
///
/// Sign convention: `earned`, `reversed` and `adjusted` change what the partner is owed in total, so their
/// amounts are signed that way (earned > 0, reversed < 0, adjusted either). `approved`, `paidOut` and
/// `payoutFailed` only move money between balances, so their amounts are the positive size of the move.
public struct LedgerEntry: Sendable, Hashable {
    /// What the entry records; stored as its raw value.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case earned
        case approved
        case reversed
        case adjusted
        case paidOut = "paid_out"
        case payoutFailed = "payout_failed"
    }

    /// The two balances a reversal can take money from.
    public enum Stage: String, Sendable, Hashable {
        /// The commission was still pending: the reversal shrinks pending.
        case pending
        /// The commission was approved (and perhaps paid): the reversal shrinks available, below zero if the
        /// money has already left in a payout, and the next payouts net that debt off.
        case available
    }

    /// Position in the ledger, from 0; entries are never rewritten, so this is also their order in time.
    public let sequence: Int
    public let kind: Kind
    public let amount: Int64
    public let commissionID: Int64?
    public let payoutID: Int64?
    /// For `reversed` only: the balance the money was taken from, fixed when the entry is written.
    public let stage: Stage?
    /// For `adjusted`: the reason an admin gave.
    public let reason: String?

    public init(
        sequence: Int, kind: Kind, amount: Int64, commissionID: Int64? = nil, payoutID: Int64? = nil,
        stage: Stage? = nil, reason: String? = nil
    ) {
        self.sequence = sequence
        self.kind = kind
        self.amount = amount
        self.commissionID = commissionID
        self.payoutID = payoutID
        self.stage = stage
        self.reason = reason
    }

    /// This entry's change to each balance; a balance is the sum of these over all entries (see `Balance`).
    public var effect: Balance {
        switch kind {
        case .earned: Balance(pending: amount, available: 0, paid: 0)
        case .approved: Balance(pending: -amount, available: amount, paid: 0)
        case .reversed:
            stage == .pending ? Balance(pending: amount, available: 0, paid: 0) : Balance(pending: 0, available: amount, paid: 0)
        case .adjusted: Balance(pending: 0, available: amount, paid: 0)
        case .paidOut: Balance(pending: 0, available: -amount, paid: amount)
        case .payoutFailed: Balance(pending: 0, available: amount, paid: -amount)
        }
    }
}
