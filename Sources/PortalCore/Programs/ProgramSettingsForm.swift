import Foundation
import Store

/// Every setting of a program an owner edits on `/admin/program` (CONTRACTS.md `program create` and PRODUCT.md's
/// Programs row), as read from and written to `programs`. Parsing a submitted form is pure (`parse`) and tested;
/// `changes(from:)` names what changed for the audit log.
public struct ProgramSettingsForm: Sendable, Equatable {
    public enum PayoutSchedule: String, Sendable, CaseIterable {
        case manual, weekly, monthly

        public var label: String {
            switch self {
            case .manual: "By hand"
            case .weekly: "Weekly (Mondays)"
            case .monthly: "Monthly (the 1st)"
            }
        }
    }

    public var name: String
    public var currency: String
    public var commissionBasisPoints: Int64
    public var holdDays: Int64
    public var cookieDays: Int64
    public var attributionModel: AttributionModel
    public var minPayout: Int64
    public var payoutSchedule: PayoutSchedule
    public var autoApprove: Bool
    public var defaultURL: String
    /// Host names a link may point at, space-separated and lower-case; empty allows any.
    public var allowedDomains: String
    public var fallbackURL: String
    public var overrideBasisPoints: Int64
    public var overrideDepth: Int64

    public init(name: String, currency: String, commissionBasisPoints: Int64, holdDays: Int64, cookieDays: Int64,
                attributionModel: AttributionModel, minPayout: Int64, payoutSchedule: PayoutSchedule, autoApprove: Bool,
                defaultURL: String, allowedDomains: String, fallbackURL: String, overrideBasisPoints: Int64, overrideDepth: Int64) {
        self.name = name
        self.currency = currency
        self.commissionBasisPoints = commissionBasisPoints
        self.holdDays = holdDays
        self.cookieDays = cookieDays
        self.attributionModel = attributionModel
        self.minPayout = minPayout
        self.payoutSchedule = payoutSchedule
        self.autoApprove = autoApprove
        self.defaultURL = defaultURL
        self.allowedDomains = allowedDomains
        self.fallbackURL = fallbackURL
        self.overrideBasisPoints = overrideBasisPoints
        self.overrideDepth = overrideDepth
    }

    /// Field name → messages.
    public typealias Errors = [String: [String]]

    /// The settings a form submits, or the field errors. `current` supplies the currency the amounts are in when the
    /// form does not change it.
    public static func parse(_ form: [String: String], currentCurrency: String) -> Result<ProgramSettingsForm, FormErrors> {
        var errors: Errors = [:]
        func fail(_ field: String, _ message: String) { errors[field, default: []].append(message) }
        func text(_ field: String) -> String { (form[field] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        func integer(_ field: String, _ range: ClosedRange<Int64>, _ message: String) -> Int64 {
            guard let value = Int64(text(field)), range.contains(value) else { fail(field, message); return range.lowerBound }
            return value
        }

        let name = text("name")
        if name.isEmpty || name.count > 120 { fail("name", "Enter a name of 1 to 120 characters.") }
        let currency = text("currency").uppercased()
        if !Currency.isWellFormed(currency) { fail("currency", "Enter an ISO 4217 code such as USD or EUR.") }
        let amountsCurrency = Currency.isWellFormed(currency) ? currency : currentCurrency
        let commission = Percentage.basisPoints(from: text("commission_percent"))
        if commission == nil { fail("commission_percent", "Enter a percentage from 0 to 100, with at most two decimals.") }
        let holdDays = integer("hold_days", 0...365, "Enter whole days from 0 to 365.")
        let cookieDays = integer("cookie_days", 1...730, "Enter whole days from 1 to 730.")
        let model = AttributionModel(rawValue: text("attribution_model"))
        if model == nil { fail("attribution_model", "Choose last click or first click.") }
        let minPayout = Currency.minorUnits(from: text("min_payout"), currency: amountsCurrency)
        if minPayout == nil { fail("min_payout", "Enter an amount such as 50.00 (0 for no minimum).") }
        let schedule = PayoutSchedule(rawValue: text("payout_schedule"))
        if schedule == nil { fail("payout_schedule", "Choose when payouts are made.") }
        let defaultURL = text("default_url")
        if !defaultURL.isEmpty, let problem = NewLink.destinationProblem(defaultURL, allowedDomains: []) {
            fail("default_url", "The landing page " + problem + ".")
        }
        let fallbackURL = text("fallback_url")
        if !fallbackURL.isEmpty, let problem = NewLink.destinationProblem(fallbackURL, allowedDomains: []) {
            fail("fallback_url", "The fallback page " + problem + ".")
        }
        var domains: [String] = []
        for raw in text("allowed_domains").lowercased().split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" || $0 == "\r" || $0 == "\t" }) {
            let domain = String(raw)
            guard HostName.isValid(domain) else { fail("allowed_domains", "\(domain.prefix(60)) is not a host name like example.com."); continue }
            if !domains.contains(domain) { domains.append(domain) }
        }
        if domains.count > 50 { fail("allowed_domains", "Allow at most 50 host names.") }
        if !defaultURL.isEmpty, !domains.isEmpty, NewLink.destinationProblem(defaultURL, allowedDomains: domains) != nil {
            fail("default_url", "The landing page must be on one of the allowed domains.")
        }
        let override = Percentage.basisPoints(from: text("override_percent"))
        if override == nil { fail("override_percent", "Enter a percentage from 0 to 100, with at most two decimals.") }
        let depth = integer("override_depth", 0...10, "Enter a number of levels from 0 to 10.")

        guard errors.isEmpty, let commission, let model, let minPayout, let schedule, let override else {
            return .failure(FormErrors(fields: errors))
        }
        return .success(ProgramSettingsForm(
            name: name, currency: currency, commissionBasisPoints: commission, holdDays: holdDays, cookieDays: cookieDays,
            attributionModel: model, minPayout: minPayout, payoutSchedule: schedule, autoApprove: form["auto_approve"] == "1",
            defaultURL: defaultURL, allowedDomains: domains.joined(separator: " "), fallbackURL: fallbackURL,
            overrideBasisPoints: override, overrideDepth: depth))
    }

    /// One line per changed setting (`hold days: 30 → 14`), for the audit log.
    public func changes(from old: ProgramSettingsForm) -> [String] {
        var lines: [String] = []
        func compare(_ label: String, _ before: String, _ after: String) {
            if before != after { lines.append("\(label): \(before.isEmpty ? "—" : before) → \(after.isEmpty ? "—" : after)") }
        }
        compare("name", old.name, name)
        compare("currency", old.currency, currency)
        compare("commission", Percentage.text(basisPoints: old.commissionBasisPoints) + " %", Percentage.text(basisPoints: commissionBasisPoints) + " %")
        compare("hold days", String(old.holdDays), String(holdDays))
        compare("cookie days", String(old.cookieDays), String(cookieDays))
        compare("attribution", old.attributionModel.rawValue, attributionModel.rawValue)
        compare("minimum payout", Currency.majorUnits(old.minPayout, currency: old.currency), Currency.majorUnits(minPayout, currency: currency))
        compare("payout schedule", old.payoutSchedule.rawValue, payoutSchedule.rawValue)
        compare("auto-approve", old.autoApprove ? "on" : "off", autoApprove ? "on" : "off")
        compare("landing page", old.defaultURL, defaultURL)
        compare("allowed domains", old.allowedDomains, allowedDomains)
        compare("fallback page", old.fallbackURL, fallbackURL)
        compare("sub-affiliate override", Percentage.text(basisPoints: old.overrideBasisPoints) + " %", Percentage.text(basisPoints: overrideBasisPoints) + " %")
        compare("override levels", String(old.overrideDepth), String(overrideDepth))
        return lines
    }

    // MARK: - Storage

    public static func load(in db: Database, programID: Int64) throws -> ProgramSettingsForm? {
        try db.queryOne("""
            SELECT name, currency, commission_bps, hold_days, cookie_days, attribution_model, min_payout, payout_schedule, auto_approve,
                   default_url, allowed_domains, ifnull(fallback_url, '') AS fallback_url, override_bps, override_depth
            FROM programs WHERE id = ?
            """, [programID]).map { row in
            ProgramSettingsForm(
                name: try row["name"], currency: try row["currency"], commissionBasisPoints: try row["commission_bps"],
                holdDays: try row["hold_days"], cookieDays: try row["cookie_days"],
                attributionModel: AttributionModel(rawValue: try row["attribution_model"]) ?? .lastClick, minPayout: try row["min_payout"],
                payoutSchedule: PayoutSchedule(rawValue: try row["payout_schedule"]) ?? .manual, autoApprove: (try row["auto_approve"] as Int64) == 1,
                defaultURL: try row["default_url"], allowedDomains: try row["allowed_domains"], fallbackURL: try row["fallback_url"],
                overrideBasisPoints: try row["override_bps"], overrideDepth: try row["override_depth"])
        }
    }

    /// Whether the program has recorded any money: its currency is then fixed (every amount is in it).
    public static func hasMoney(in db: Database, programID: Int64) throws -> Bool {
        try db.queryOne("SELECT 1 FROM conversions WHERE program_id = ? LIMIT 1", [programID]) != nil
            || db.queryOne("SELECT 1 FROM ledger_entries WHERE program_id = ? LIMIT 1", [programID]) != nil
    }

    public func save(in db: Database, programID: Int64) throws {
        try db.execute("""
            UPDATE programs SET name = ?, currency = ?, commission_bps = ?, hold_days = ?, cookie_days = ?, attribution_model = ?,
                   min_payout = ?, payout_schedule = ?, auto_approve = ?, default_url = ?, allowed_domains = ?, fallback_url = ?,
                   override_bps = ?, override_depth = ?
            WHERE id = ?
            """, [name, currency, commissionBasisPoints, holdDays, cookieDays, attributionModel.rawValue, minPayout,
                  payoutSchedule.rawValue, autoApprove ? 1 : 0, defaultURL, allowedDomains, fallbackURL.isEmpty ? nil : fallbackURL,
                  overrideBasisPoints, overrideDepth, programID])
    }
}

/// Field errors of a submitted form (field name → messages), as an `Error` so it can travel in a `Result`.
public struct FormErrors: Error, Equatable, Sendable {
    public var fields: [String: [String]]
    public init(fields: [String: [String]]) { self.fields = fields }
}

/// DNS host names as admins type them for allowed link domains and custom domains.
public enum HostName {
    /// Lower-case labels of letters, digits and inner hyphens, at least two labels, at most 253 characters, not an
    /// IP address.
    public static func isValid(_ host: String) -> Bool {
        guard (1...253).contains(host.utf8.count) else { return false }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-",
                  label.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }) else { return false }
        }
        // The last label of a real name is never all digits (1.2.3.4 is an address).
        return !(labels.last?.allSatisfy(\.isNumber) ?? true)
    }
}
