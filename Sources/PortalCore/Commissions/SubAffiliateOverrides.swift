/// A parent's override commission at one level up the sub-affiliate chain.
public struct OverrideCommission: Sendable, Hashable {
    public var partnerID: Int64
    /// 1 for the direct parent, 2 for the grandparent, and so on.
    public var level: Int
    public var amount: Int64

    public init(partnerID: Int64, level: Int, amount: Int64) {
        self.partnerID = partnerID
        self.level = level
        self.amount = amount
    }
}

/// Overrides up the parent chain: each parent earns `overrideBasisPoints` of the commission one level below it.
public enum SubAffiliateOverrides {
    /// `parents` is nearest first (parent, grandparent, …). Level n's override is computed on level n−1's
    /// commission (level 0 being the child's own), rounded half-to-even. The chain stops at `depthLimit` levels,
    /// at the first override that rounds to zero (every level above would be zero too), and at a partner seen
    /// before — a cycle in the data must not pay anyone twice.
    public static func chain(
        commission: Int64, parents: [Int64], overrideBasisPoints: Int64, depthLimit: Int
    ) throws(MoneyError) -> [OverrideCommission] {
        guard overrideBasisPoints >= 0 else { throw .invalidArgument("override rate must not be negative") }
        var result: [OverrideCommission] = []
        var seen: Set<Int64> = []
        var below = commission
        for (index, parent) in parents.prefix(max(0, depthLimit)).enumerated() {
            guard seen.insert(parent).inserted else { break }
            let amount = try CommissionMath.percentage(of: below, basisPoints: overrideBasisPoints)
            guard amount > 0 else { break }
            result.append(OverrideCommission(partnerID: parent, level: index + 1, amount: amount))
            below = amount
        }
        return result
    }
}
