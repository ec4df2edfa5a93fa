import Foundation
import Store

/// A program's commission rules in SQLite, turned into `CommissionRule` values for the pure selector.
///
/// Every program has an implicit default sale rule at its `commission_bps` (set by `program create
/// --commission-percent`), with id 0 so that any rule an admin adds for the whole program wins over it.
/// Leads earn nothing until a lead rule exists.
public struct CommissionRuleStore: Sendable {
    public init() {}

    public struct Stored: Sendable, Equatable {
        public let rule: CommissionRule
        public let name: String
    }

    public func rules(in db: Database, programID: Int64) throws -> [CommissionRule] {
        let defaultRate: Int64 = try db.queryValue("SELECT commission_bps FROM programs WHERE id = ?", [programID], as: Int64.self) ?? 2000
        var rules = [CommissionRule(id: 0, event: .sale, scope: .programDefault, kind: .percentage(basisPoints: defaultRate))]
        for row in try db.query("""
            SELECT id, event, scope, scope_value, kind, rate_bps, flat_amount, tiers, recurring_months
            FROM commission_rules WHERE program_id = ? AND archived_at IS NULL
            """, [programID]) {
            if let rule = try Self.rule(row) { rules.append(rule) }
        }
        return rules
    }

    /// Adds a rule after checking it; `CommissionRule.problems` gives the field errors.
    @discardableResult
    public func create(in db: Database, programID: Int64, _ rule: CommissionRule, name: String = "", now: Int64) throws -> Int64 {
        let problems = rule.problems()
        guard problems.isEmpty else { throw PartnerStore.Failure.invalid(problems) }
        let (scope, scopeValue): (String, String) = switch rule.scope {
        case .programDefault: ("program", "")
        case .partnerGroup(let group): ("group", group)
        case .productSKU(let sku): ("sku", sku)
        case .partner(let id): ("partner", String(id))
        }
        let (kind, rate, flat): (String, Int64, Int64) = switch rule.kind {
        case .percentage(let bps): ("percentage", bps, 0)
        case .flat(let amount): ("flat", 0, amount)
        }
        let tiers = "[" + rule.tiers.map { "[\($0.minimumVolume),\($0.basisPoints)]" }.joined(separator: ",") + "]"
        try db.execute("""
            INSERT INTO commission_rules (program_id, name, event, scope, scope_value, kind, rate_bps, flat_amount, tiers, recurring_months, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [programID, name, rule.event.rawValue, scope, scopeValue, kind, rate, flat, tiers, rule.recurringMonths, now])
        return db.lastInsertRowID
    }

    public func archive(in db: Database, programID: Int64, ruleID: Int64, now: Int64) throws {
        try db.execute("UPDATE commission_rules SET archived_at = ? WHERE id = ? AND program_id = ? AND archived_at IS NULL", [now, ruleID, programID])
    }

    static func rule(_ row: Row) throws -> CommissionRule? {
        guard let event = ConversionEvent(rawValue: try row["event"]) else { return nil }
        let value: String = try row["scope_value"]
        let scope: RuleScope
        switch try row["scope"] as String {
        case "program": scope = .programDefault
        case "group": scope = .partnerGroup(value)
        case "sku": scope = .productSKU(value)
        case "partner":
            guard let id = Int64(value) else { return nil }
            scope = .partner(id)
        default: return nil
        }
        let kind: CommissionKind = (try row["kind"] as String) == "flat"
            ? .flat(amount: try row["flat_amount"]) : .percentage(basisPoints: try row["rate_bps"])
        let tiersJSON: String = try row["tiers"]
        let pairs = (try? JSONSerialization.jsonObject(with: Data(tiersJSON.utf8))) as? [[Int64]] ?? []
        let tiers = pairs.compactMap { $0.count == 2 ? CommissionTier(minimumVolume: $0[0], basisPoints: $0[1]) : nil }
        let months: Int64? = try row["recurring_months"]
        return CommissionRule(id: try row["id"], event: event, scope: scope, kind: kind, tiers: tiers, recurringMonths: months.map(Int.init))
    }
}

extension CommissionRule {
    /// Field → messages for a rule an admin or the API wants to add.
    public func problems() -> [String: [String]] {
        var errors: [String: [String]] = [:]
        switch kind {
        case .percentage(let bps) where !(0...10_000).contains(bps): errors["rate_bps", default: []].append("must be between 0 and 10000")
        case .flat(let amount) where amount < 0: errors["flat_amount", default: []].append("must not be negative")
        default: break
        }
        if case .flat = kind, !tiers.isEmpty { errors["tiers", default: []].append("apply to percentage rules only") }
        for tier in tiers where tier.minimumVolume < 0 || !(0...10_000).contains(tier.basisPoints) {
            errors["tiers", default: []].append("need a volume of 0 or more and a rate between 0 and 10000")
            break
        }
        if Set(tiers.map(\.minimumVolume)).count != tiers.count { errors["tiers", default: []].append("must have distinct volumes") }
        if let months = recurringMonths, months <= 0 { errors["recurring_months", default: []].append("must be at least 1") }
        switch scope {
        case .partnerGroup(let value), .productSKU(let value):
            if value.isEmpty || value.count > 100 { errors["scope_value", default: []].append("must be 1 to 100 characters") }
        default: break
        }
        return errors
    }
}
