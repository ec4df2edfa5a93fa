/// Picks the one rule that decides a conversion's commission.
public enum RuleSelector {
    /// The most specific matching rule: partner override → product SKU → partner group → program default.
    /// Among equally specific matches (two rules with the same scope and event) the one with the largest id —
    /// the newest — wins, so an admin's latest rule takes effect and the choice never depends on list order.
    /// Nil when no rule matches: the conversion earns nothing.
    public static func select(rules: [CommissionRule], for facts: ConversionFacts) -> CommissionRule? {
        rules.filter { $0.matches(facts) }.max { a, b in
            (a.scope.specificity, a.id) < (b.scope.specificity, b.id)
        }
    }
}
