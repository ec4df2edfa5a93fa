/// A partner's balances (CONTRACTS.md `GET /partners/{id}/balance`), always derived from ledger entries.
///
/// The accounting identities, with reversed amounts negative and the other amounts as in `LedgerEntry`:
///
///     pending   = Σ earned − Σ approved + Σ reversed(from pending)
///     available = Σ approved + Σ reversed(from available) + Σ adjusted − Σ paidOut + Σ payoutFailed
///     paid      = Σ paidOut − Σ payoutFailed
///
/// Approvals, payouts and failures only move money between balances, so adding the three up:
///
///     pending + available + paid = Σ earned + Σ reversed + Σ adjusted
///
/// money is neither created nor lost by moving it. `available` may be negative (a refund after payout); the
/// ledger keeps `pending >= 0` and `paid >= 0`.
public struct Balance: Sendable, Hashable {
    public var pending: Int64
    public var available: Int64
    public var paid: Int64

    public static let zero = Balance(pending: 0, available: 0, paid: 0)

    public init(pending: Int64, available: Int64, paid: Int64) {
        self.pending = pending
        self.available = available
        self.paid = paid
    }

    /// The balances as the sum of the entries' effects. Overflow traps: no real ledger comes near Int64.max.
    public init(summing entries: some Sequence<LedgerEntry>) {
        self = entries.reduce(.zero) { $0 + $1.effect }
    }

    /// Everything the partner has been credited, wherever it sits now.
    public var total: Int64 { pending + available + paid }

    public static func + (lhs: Balance, rhs: Balance) -> Balance {
        Balance(pending: lhs.pending + rhs.pending, available: lhs.available + rhs.available, paid: lhs.paid + rhs.paid)
    }
}
