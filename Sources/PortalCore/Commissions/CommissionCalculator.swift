/// Applies a chosen rule to a conversion's facts.
public enum CommissionCalculator {
    /// The commission in minor units, or nil when the rule pays nothing for this conversion: another event
    /// type, a recurring rule past its months, a percentage rule with no amount, or a result of zero.
    ///
    /// Tiers are chosen by the month's volume INCLUDING this sale (`monthlyVolumeBefore + amount`), so the sale
    /// that reaches a threshold is itself paid at the higher rate; the whole sale gets that one rate (no
    /// splitting of a sale across tiers).
    public static func commission(for facts: ConversionFacts, rule: CommissionRule) throws(MoneyError) -> Int64? {
        guard rule.event == facts.event else { return nil }
        if let months = rule.recurringMonths, facts.monthsSinceFirstConversion >= months { return nil }
        let earned: Int64
        switch rule.kind {
        case .flat(let amount):
            earned = amount
        case .percentage(let basisPoints):
            guard let amount = facts.amount else { return nil }
            guard amount >= 0 else { throw .invalidArgument("sale amount must not be negative") }
            let (volume, overflow) = facts.monthlyVolumeBefore.addingReportingOverflow(amount)
            guard !overflow else { throw .overflow }
            let rate = tierRate(rule.tiers, volume: volume) ?? basisPoints
            earned = try CommissionMath.percentage(of: amount, basisPoints: rate)
        }
        return earned > 0 ? earned : nil
    }

    /// The rate of the highest tier whose threshold `volume` reaches, or nil below all of them.
    static func tierRate(_ tiers: [CommissionTier], volume: Int64) -> Int64? {
        tiers.filter { volume >= $0.minimumVolume }.max { $0.minimumVolume < $1.minimumVolume }?.basisPoints
    }
}
