import Foundation

/// The rule editor's form on `/admin/rules`, parsed into a `CommissionRule` the engine validates again
/// (`CommissionRule.problems`). Pure and tested. Tiers are typed one per line as `volume = rate %`
/// (`5,000.00 = 25 %`): from that monthly sales volume on, the whole sale earns that rate.
public enum CommissionRuleForm {
    public struct Parsed: Sendable, Equatable {
        public let rule: CommissionRule
        public let name: String
    }

    public static func parse(_ form: [String: String], currency: String) -> Result<Parsed, FormErrors> {
        var errors: [String: [String]] = [:]
        func fail(_ field: String, _ message: String) { errors[field, default: []].append(message) }
        func text(_ field: String) -> String { (form[field] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }

        let name = text("name")
        if name.count > 120 { fail("name", "Keep the name under 120 characters.") }
        let event = ConversionEvent(rawValue: text("event"))
        if event == nil { fail("event", "Choose sale or lead.") }

        let scopeValue = text("scope_value")
        var scope: RuleScope?
        switch text("scope") {
        case "program": scope = .programDefault
        case "group":
            if scopeValue.isEmpty || scopeValue.count > 100 { fail("scope_value", "Enter the partner group (1 to 100 characters).") } else { scope = .partnerGroup(scopeValue) }
        case "sku":
            if scopeValue.isEmpty || scopeValue.count > 100 { fail("scope_value", "Enter the product SKU (1 to 100 characters).") } else { scope = .productSKU(scopeValue) }
        case "partner":
            if let id = Int64(scopeValue), id > 0 { scope = .partner(id) } else { fail("scope_value", "Enter the partner's number.") }
        default: fail("scope", "Choose whom the rule applies to.")
        }

        var kind: CommissionKind?
        switch text("kind") {
        case "percentage":
            if let bps = Percentage.basisPoints(from: text("rate_percent")) { kind = .percentage(basisPoints: bps) } else {
                fail("rate_percent", "Enter a percentage from 0 to 100, with at most two decimals.")
            }
        case "flat":
            if let amount = Currency.minorUnits(from: text("flat_amount"), currency: currency), amount > 0 { kind = .flat(amount: amount) } else {
                fail("flat_amount", "Enter an amount greater than zero, such as 25.00.")
            }
        default: fail("kind", "Choose a percentage or a flat amount.")
        }

        var tiers: [CommissionTier] = []
        for (number, line) in text("tiers").split(whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let parts = trimmed.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let volume = Currency.minorUnits(from: parts[0], currency: currency),
                  let bps = Percentage.basisPoints(from: parts[1]) else {
                fail("tiers", "Tier line \(number + 1): write it as volume = rate, like 5,000.00 = 25 %.")
                continue
            }
            tiers.append(CommissionTier(minimumVolume: volume, basisPoints: bps))
        }
        if tiers.count > 20 { fail("tiers", "At most 20 tiers.") }
        if !tiers.isEmpty, case .flat? = kind { fail("tiers", "Tiers apply to percentage rules only.") }
        if Set(tiers.map(\.minimumVolume)).count != tiers.count { fail("tiers", "Each tier needs a different volume.") }

        var months: Int?
        switch text("recurring") {
        case "lifetime": months = nil
        case "months":
            if let value = Int(text("recurring_months")), (1...120).contains(value) { months = value } else {
                fail("recurring_months", "Enter a number of months from 1 to 120.")
            }
        default: fail("recurring", "Choose how long the rule pays for a customer.")
        }

        guard errors.isEmpty, let event, let scope, let kind else { return .failure(FormErrors(fields: errors)) }
        let rule = CommissionRule(id: 0, event: event, scope: scope, kind: kind, tiers: tiers.sorted { $0.minimumVolume < $1.minimumVolume },
                                  recurringMonths: months)
        let problems = rule.problems()
        guard problems.isEmpty else { return .failure(FormErrors(fields: problems)) }
        return .success(Parsed(rule: rule, name: name))
    }
}
