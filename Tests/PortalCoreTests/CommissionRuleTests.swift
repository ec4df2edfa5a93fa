import Testing
@testable import PortalCore

/// Rule choice (most specific wins, newest breaks ties) and the calculator's rates, tiers and recurrence.
@Suite struct CommissionRuleTests {
    static let rules: [CommissionRule] = [
        CommissionRule(id: 1, event: .sale, scope: .programDefault, kind: .percentage(basisPoints: 1000)),
        CommissionRule(id: 2, event: .lead, scope: .programDefault, kind: .flat(amount: 500)),
        CommissionRule(id: 3, event: .sale, scope: .partnerGroup("gold"), kind: .percentage(basisPoints: 1500)),
        CommissionRule(id: 4, event: .sale, scope: .productSKU("PRO"), kind: .percentage(basisPoints: 2000)),
        CommissionRule(id: 5, event: .sale, scope: .partner(42), kind: .percentage(basisPoints: 3000)),
        CommissionRule(id: 6, event: .lead, scope: .partner(42), kind: .flat(amount: 900)),
    ]

    func sale(partner: Int64 = 7, group: String? = nil, sku: String? = nil, amount: Int64 = 10_000) -> ConversionFacts {
        ConversionFacts(event: .sale, amount: amount, partnerID: partner, partnerGroup: group, productSKU: sku)
    }

    @Test func mostSpecificRuleWins() {
        #expect(RuleSelector.select(rules: Self.rules, for: sale())?.id == 1)
        #expect(RuleSelector.select(rules: Self.rules, for: sale(group: "gold"))?.id == 3)
        #expect(RuleSelector.select(rules: Self.rules, for: sale(group: "silver"))?.id == 1)
        #expect(RuleSelector.select(rules: Self.rules, for: sale(group: "gold", sku: "PRO"))?.id == 4)
        #expect(RuleSelector.select(rules: Self.rules, for: sale(partner: 42, group: "gold", sku: "PRO"))?.id == 5)
        #expect(RuleSelector.select(rules: Self.rules, for: sale(sku: "BASIC"))?.id == 1)
    }

    @Test func eventTypeSeparatesRules() {
        let lead = ConversionFacts(event: .lead, amount: nil, partnerID: 7, productSKU: "PRO")
        #expect(RuleSelector.select(rules: Self.rules, for: lead)?.id == 2)
        let partnerLead = ConversionFacts(event: .lead, amount: nil, partnerID: 42)
        #expect(RuleSelector.select(rules: Self.rules, for: partnerLead)?.id == 6)
    }

    @Test func noMatchingRuleMeansNoRule() {
        let only = [CommissionRule(id: 1, event: .sale, scope: .partner(1), kind: .flat(amount: 1))]
        #expect(RuleSelector.select(rules: only, for: sale()) == nil)
        #expect(RuleSelector.select(rules: [], for: sale()) == nil)
    }

    @Test func newestOfEquallySpecificRulesWinsWhateverTheOrder() {
        let older = CommissionRule(id: 10, event: .sale, scope: .partnerGroup("gold"), kind: .percentage(basisPoints: 1))
        let newer = CommissionRule(id: 11, event: .sale, scope: .partnerGroup("gold"), kind: .percentage(basisPoints: 2))
        #expect(RuleSelector.select(rules: [older, newer], for: sale(group: "gold"))?.id == 11)
        #expect(RuleSelector.select(rules: [newer, older], for: sale(group: "gold"))?.id == 11)
        // Specificity beats recency: an old SKU rule still beats a new group rule.
        let sku = CommissionRule(id: 1, event: .sale, scope: .productSKU("PRO"), kind: .percentage(basisPoints: 3))
        #expect(RuleSelector.select(rules: [newer, sku], for: sale(group: "gold", sku: "PRO"))?.id == 1)
    }

    @Test func saleEarnsRateHalfToEvenAndLeadEarnsFlat() throws {
        let tenPercent = Self.rules[0]
        #expect(try CommissionCalculator.commission(for: sale(amount: 1999), rule: tenPercent) == 200)
        #expect(try CommissionCalculator.commission(for: sale(amount: 1985), rule: tenPercent) == 198)
        #expect(try CommissionCalculator.commission(for: sale(amount: 1995), rule: tenPercent) == 200)
        let lead = ConversionFacts(event: .lead, amount: nil, partnerID: 7)
        #expect(try CommissionCalculator.commission(for: lead, rule: Self.rules[1]) == 500)
        // A rule for another event pays nothing; so does a percentage without an amount, or a zero result.
        #expect(try CommissionCalculator.commission(for: lead, rule: tenPercent) == nil)
        let leadPercent = CommissionRule(id: 9, event: .lead, scope: .programDefault, kind: .percentage(basisPoints: 100))
        #expect(try CommissionCalculator.commission(for: lead, rule: leadPercent) == nil)
        #expect(try CommissionCalculator.commission(for: sale(amount: 4), rule: tenPercent) == nil)
        #expect(throws: MoneyError.self) { try CommissionCalculator.commission(for: sale(amount: -5), rule: tenPercent) }
    }

    static let tiered = CommissionRule(
        id: 20, event: .sale, scope: .programDefault, kind: .percentage(basisPoints: 1000),
        tiers: [CommissionTier(minimumVolume: 500_000, basisPoints: 2000), CommissionTier(minimumVolume: 100_000, basisPoints: 1500)])

    static let tierCases: [(Int64, Int64, Int64)] = [
        // (volume before, sale amount, expected commission)
        (0, 10_000, 1_000),            // 10 000 in the month: base 10 %
        (89_999, 10_000, 1_000),       // 99 999: still below the first threshold
        (90_000, 10_000, 1_500),       // exactly 100 000 including this sale: 15 %
        (100_000, 10_000, 1_500),
        (490_000, 10_000, 2_000),      // exactly 500 000: 20 % (tiers listed in any order)
        (1_000_000, 1, 0),             // 0.2 rounds to 0 → no commission
    ]

    @Test(arguments: tierCases)
    func tierChosenByVolumeIncludingThisSale(before: Int64, amount: Int64, expected: Int64) throws {
        var facts = sale(amount: amount)
        facts.monthlyVolumeBefore = before
        let earned = try CommissionCalculator.commission(for: facts, rule: Self.tiered)
        #expect(earned == (expected == 0 ? nil : expected))
    }

    @Test func recurringRulesStopAfterTheirMonths() throws {
        let threeMonths = CommissionRule(id: 30, event: .sale, scope: .programDefault, kind: .percentage(basisPoints: 1000),
                                         recurringMonths: 3)
        let lifetime = CommissionRule(id: 31, event: .sale, scope: .programDefault, kind: .percentage(basisPoints: 1000))
        for month in 0..<12 {
            var facts = sale(amount: 1000)
            facts.monthsSinceFirstConversion = month
            #expect(try CommissionCalculator.commission(for: facts, rule: threeMonths) == (month < 3 ? 100 : nil))
            #expect(try CommissionCalculator.commission(for: facts, rule: lifetime) == 100)
        }
        let never = CommissionRule(id: 32, event: .lead, scope: .programDefault, kind: .flat(amount: 1), recurringMonths: 0)
        #expect(try CommissionCalculator.commission(for: ConversionFacts(event: .lead, amount: nil, partnerID: 1), rule: never) == nil)
    }

    @Test func overridesClimbTheChainOnTheChildsCommission() throws {
        let chain = try SubAffiliateOverrides.chain(commission: 10_000, parents: [2, 3, 4], overrideBasisPoints: 1000, depthLimit: 5)
        #expect(chain == [
            OverrideCommission(partnerID: 2, level: 1, amount: 1000),
            OverrideCommission(partnerID: 3, level: 2, amount: 100),
            OverrideCommission(partnerID: 4, level: 3, amount: 10),
        ])
        let limited = try SubAffiliateOverrides.chain(commission: 10_000, parents: [2, 3, 4], overrideBasisPoints: 1000, depthLimit: 1)
        #expect(limited.map(\.partnerID) == [2])
        // Half-to-even at each level: 25 × 10 % = 2.5 → 2; 2 × 10 % = 0.2 → 0 ends the chain.
        let rounded = try SubAffiliateOverrides.chain(commission: 25, parents: [2, 3], overrideBasisPoints: 1000, depthLimit: 5)
        #expect(rounded == [OverrideCommission(partnerID: 2, level: 1, amount: 2)])
        #expect(try SubAffiliateOverrides.chain(commission: 10_000, parents: [2], overrideBasisPoints: 0, depthLimit: 5).isEmpty)
        #expect(try SubAffiliateOverrides.chain(commission: 10_000, parents: [], overrideBasisPoints: 1000, depthLimit: 5).isEmpty)
        #expect(try SubAffiliateOverrides.chain(commission: 10_000, parents: [2], overrideBasisPoints: 1000, depthLimit: 0).isEmpty)
        // A cycle in the parent data stops the chain instead of paying a partner twice.
        let cycle = try SubAffiliateOverrides.chain(commission: 1_000_000, parents: [2, 3, 2, 3], overrideBasisPoints: 5000, depthLimit: 10)
        #expect(cycle.map(\.partnerID) == [2, 3])
        #expect(throws: MoneyError.self) {
            try SubAffiliateOverrides.chain(commission: 1, parents: [2], overrideBasisPoints: -1, depthLimit: 1)
        }
    }
}
