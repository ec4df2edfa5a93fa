/// Why the ledger refused to append: the movement would break one of its invariants.
public enum LedgerError: Error, Sendable, Equatable {
    case nonPositiveAmount
    case commissionExists(Int64)
    case unknownCommission(Int64)
    case alreadyApproved(Int64)
    /// Nothing of the commission is left to approve (it was fully reversed while pending).
    case nothingToApprove(Int64)
    /// The reversal asks for more than what remains of the commission (earned minus reversed).
    case reversalExceedsRemaining(commissionID: Int64, remaining: Int64)
    /// A payout needs a positive available balance.
    case nothingAvailable
    case payoutExists(Int64)
    case unknownPayout(Int64)
    case payoutAlreadyFailed(Int64)
    case emptyReason
}
