/// The two multiplications money rules need: a rate applied to an amount, and a refund's share of a commission.
public enum CommissionMath {
    /// One hundred percent in basis points.
    public static let basisPointsPerWhole: Int64 = 10_000

    /// `amount × basisPoints / 10 000`, rounded half-to-even to the minor unit.
    public static func percentage(of amount: Int64, basisPoints: Int64) throws(MoneyError) -> Int64 {
        try Rounding.halfToEven(multiplying: amount, by: basisPoints, dividedBy: basisPointsPerWhole)
    }

    /// The share of `commission` that `refunded` out of `total` corresponds to, half-to-even, never more than
    /// the commission. `refunded` must lie in `0...total` and `total` must be positive.
    public static func part(of commission: Int64, refunded: Int64, of total: Int64) throws(MoneyError) -> Int64 {
        guard total > 0 else { throw .invalidArgument("total must be positive") }
        guard commission >= 0 else { throw .invalidArgument("commission must not be negative") }
        guard refunded >= 0, refunded <= total else { throw .invalidArgument("refunded must lie in 0...total") }
        // commission × refunded / total <= commission exactly, and rounding to an integer cannot pass an integer
        // bound, so the min is only a belt over the braces.
        return min(commission, try Rounding.halfToEven(multiplying: commission, by: refunded, dividedBy: total))
    }

    /// How much of `commission` to reverse for a refund of `refunding` when `alreadyRefunded` of the sale's
    /// `total` was refunded before. Computed as the difference of cumulative parts, not as the part of this
    /// refund alone: rounding each refund separately could reverse more than the commission (two refunds of
    /// 1 out of 2 on a commission of 3 would each round 1.5 to 2), while cumulative parts always sum to exactly
    /// the commission once the whole sale is refunded.
    public static func reversal(
        of commission: Int64, alreadyRefunded: Int64, refunding: Int64, of total: Int64
    ) throws(MoneyError) -> Int64 {
        guard refunding >= 0, alreadyRefunded >= 0 else { throw .invalidArgument("refund amounts must not be negative") }
        guard refunding <= total - alreadyRefunded else { throw .invalidArgument("refund exceeds what remains of the sale") }
        let before = try part(of: commission, refunded: alreadyRefunded, of: total)
        let after = try part(of: commission, refunded: alreadyRefunded + refunding, of: total)
        return after - before
    }
}
