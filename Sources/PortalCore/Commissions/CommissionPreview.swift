/// "A 120.00 sale by a partner in group Gold earns …": what the engine would pay for a hypothetical conversion,
/// computed by the engine's own pure functions (`RuleSelector`, `CommissionCalculator`, `SubAffiliateOverrides`) so
/// the admin's preview can never disagree with what a real conversion earns.
public struct CommissionPreview: Sendable, Equatable {
    /// The rule that decides, or nil when none matches (the conversion earns nothing).
    public let rule: CommissionRule?
    /// The partner's own commission in minor units (nil: nothing).
    public let commission: Int64?
    /// The tier rate used, when a tier of the rule applied.
    public let tierBasisPoints: Int64?
    /// Overrides up the parent chain, nearest first, for `parentLevels` hypothetical parents.
    public let overrides: [OverrideCommission]

    public static func compute(rules: [CommissionRule], facts: ConversionFacts, overrideBasisPoints: Int64, overrideDepth: Int,
                               parentLevels: Int) throws(MoneyError) -> CommissionPreview {
        guard let rule = RuleSelector.select(rules: rules, for: facts) else {
            return CommissionPreview(rule: nil, commission: nil, tierBasisPoints: nil, overrides: [])
        }
        let commission = try CommissionCalculator.commission(for: facts, rule: rule)
        var tier: Int64?
        if case .percentage = rule.kind, let amount = facts.amount {
            let (volume, overflow) = facts.monthlyVolumeBefore.addingReportingOverflow(amount)
            if !overflow { tier = CommissionCalculator.tierRate(rule.tiers, volume: volume) }
        }
        // Hypothetical parents get ids that no real partner has; only the amounts matter here.
        let parents = (0..<max(0, min(parentLevels, 10))).map { -Int64($0) - 1 }
        let overrides = try commission.map { amount throws(MoneyError) in
            try SubAffiliateOverrides.chain(commission: amount, parents: parents, overrideBasisPoints: overrideBasisPoints, depthLimit: overrideDepth)
        } ?? []
        return CommissionPreview(rule: rule, commission: commission, tierBasisPoints: tier, overrides: overrides)
    }
}

extension CommissionRule {
    /// A sentence for people: "20 % of sales for group Gold, recurring 12 months".
    public func summary(currency: String) -> String {
        var text: String
        switch kind {
        case .percentage(let bps): text = "\(Percentage.text(basisPoints: bps)) % of each \(event.rawValue)"
        case .flat(let amount): text = "\(Currency.majorUnits(amount, currency: currency)) \(currency) per \(event.rawValue)"
        }
        switch scope {
        case .programDefault: text += " for every partner"
        case .partnerGroup(let group): text += " for group \(group)"
        case .productSKU(let sku): text += " on product \(sku)"
        case .partner(let id): text += " for partner #\(id)"
        }
        if !tiers.isEmpty {
            let steps = tiers.sorted { $0.minimumVolume < $1.minimumVolume }
                .map { "\(Percentage.text(basisPoints: $0.basisPoints)) % from \(Currency.majorUnits($0.minimumVolume, currency: currency))" }
            text += " (monthly volume tiers: " + steps.joined(separator: ", ") + ")"
        }
        if let months = recurringMonths { text += ", for \(months) month\(months == 1 ? "" : "s") from the customer's first purchase" }
        return text
    }
}
