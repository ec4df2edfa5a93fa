import Foundation
import HTTPServer
import PortalCore
import Store

/// `/admin/rules`: the program's commission rules — percentage or flat, per event, for everyone, a partner group, a
/// product SKU or one partner, tiered by monthly volume, recurring for N months or the customer's lifetime — and a
/// preview that runs the engine's own selector and calculator on a hypothetical conversion. Rules are never edited in
/// place: commissions already earned name the rule that made them, so a change is "archive and add". Managers and
/// owners change rules (`manageCommissions`); every change is audited.
struct AdminRulesController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let addressSecret: [UInt8]

    func register(on routes: RouterGroup) {
        let small = RouteOptions(maxBodySize: 16 * 1024)
        routes.get("/rules") { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            let notice: String? = switch request.queryParameters["done"] {
            case "added": "Rule added. It applies to conversions from now on."
            case "archived": "Rule archived. Commissions already earned keep their amounts."
            default: nil
            }
            return try page(request, context, admin: admin, submitted: nil, errors: [:], notice: notice)
        }
        routes.post("/rules", options: small) { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.manageCommissions)
            let form = try FormBody.parse(request).firstValues
            switch CommissionRuleForm.parse(form, currency: admin.currency) {
            case .failure(let errors):
                return try page(request, context, admin: admin, submitted: form, errors: errors.fields, notice: nil, status: .unprocessableContent)
            case .success(let parsed):
                let now = Int64(Date().timeIntervalSince1970)
                try database.write { db in
                    if case .partner(let partnerID) = parsed.rule.scope,
                       try db.queryOne("SELECT 1 FROM partners WHERE id = ? AND program_id = ?", [partnerID, admin.programID]) == nil {
                        throw HTTPError(.unprocessableContent, "There is no partner #\(partnerID) in this program.")
                    }
                    let id = try CommissionRuleStore().create(in: db, programID: admin.programID, parsed.rule, name: parsed.name, now: now)
                    try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "rule.create", subjectType: "commission_rule",
                                          subjectID: id, details: (parsed.name.isEmpty ? "" : parsed.name + ": ") + parsed.rule.summary(currency: admin.currency),
                                          now: now)
                }
                return .redirect(to: "/admin/rules?program=\(admin.programID)&done=added", status: .seeOther)
            }
        }
        routes.post("/rules/{id}/archive", options: small) { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.manageCommissions)
            _ = try FormBody.parse(request)
            guard let id = Int64(try context.parameters.require("id")) else { throw HTTPError(.notFound, "Not found") }
            let now = Int64(Date().timeIntervalSince1970)
            try database.write { db in
                guard let row = try db.queryOne("SELECT name FROM commission_rules WHERE id = ? AND program_id = ? AND archived_at IS NULL",
                                                [id, admin.programID]) else { throw HTTPError(.notFound, "Not found") }
                try CommissionRuleStore().archive(in: db, programID: admin.programID, ruleID: id, now: now)
                try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "rule.archive", subjectType: "commission_rule",
                                      subjectID: id, details: try row["name"], now: now)
            }
            return .redirect(to: "/admin/rules?program=\(admin.programID)&done=archived", status: .seeOther)
        }
    }

    // MARK: - Page

    private func page(_ request: Request, _ context: RequestContext, admin: AdminContext, submitted: [String: String]?,
                      errors: [String: [String]], notice: String?, status: HTTPStatus = .ok) throws -> Response {
        let (rules, names, settings, groups) = try database.read { db -> ([CommissionRule], [Int64: String], ProgramSettings?, [String]) in
            let rules = try CommissionRuleStore().rules(in: db, programID: admin.programID)
            var names: [Int64: String] = [:]
            for row in try db.query("SELECT id, name FROM commission_rules WHERE program_id = ? AND archived_at IS NULL", [admin.programID]) {
                names[try row["id"]] = try row["name"]
            }
            let groups = try PartnerStore.groupNames(in: db, programID: admin.programID, limit: 200)
            return (rules, names, try ProgramSettings.load(in: db, programID: admin.programID), groups)
        }
        guard let settings else { throw HTTPError(.notFound, "Not found") }
        let canManage = admin.may(.manageCommissions)
        let ruleItems: [[String: Any]] = rules.sorted { ($0.scope.specificity, $0.id) > ($1.scope.specificity, $1.id) }.map { rule in
            ["id": rule.id, "name": names[rule.id].flatMap { $0.isEmpty ? nil : $0 } ?? (rule.id == 0 ? "Program default" : "Rule #\(rule.id)"),
             "summary": rule.summary(currency: admin.currency), "isDefault": rule.id == 0, "canArchive": canManage && rule.id != 0]
        }
        func value(_ name: String, _ fallback: String = "") -> String { submitted?[name] ?? fallback }
        var values: [String: Any] = [
            "programName": admin.programName, "programID": admin.programID, "currency": admin.currency, "canManage": canManage,
            "rules": ruleItems, "hasErrors": !errors.isEmpty, "groups": groups.map { ["value": $0] },
            "name": value("name"), "scopeValue": value("scope_value"), "ratePercent": value("rate_percent", "20"),
            "flatAmount": value("flat_amount"), "tiers": value("tiers"), "recurringMonths": value("recurring_months", "12"),
            "events": FormFields.options([("sale", "Sale"), ("lead", "Lead")], selected: value("event", "sale")),
            "scopes": FormFields.options([("program", "Every partner"), ("group", "A partner group"), ("sku", "A product SKU"), ("partner", "One partner")],
                                         selected: value("scope", "program")),
            "kinds": FormFields.options([("percentage", "A percentage of the sale"), ("flat", "A flat amount")], selected: value("kind", "percentage")),
            "recurrences": FormFields.options([("lifetime", "Every purchase, for the customer's lifetime"), ("months", "For a number of months from the first purchase")],
                                              selected: value("recurring", "lifetime")),
        ]
        for field in ["name", "event", "scope", "scope_value", "kind", "rate_percent", "flat_amount", "tiers", "recurring", "recurring_months",
                      "rate_bps", "flat_amount", "recurring_months"] {
            if let messages = errors[field] { values[field.replacingOccurrences(of: "_", with: "") + "Errors"] = messages }
        }
        values.merge(try preview(request, admin: admin, rules: rules, settings: settings)) { $1 }
        if let notice { values["notice"] = notice }
        var response = try templates.page("admin/rules", PageChrome(context: context, currentPath: "/admin/rules").merged(with: values))
        response.status = status
        return response
    }

    /// The preview's form values and, when asked (`?preview=1`), its answer — or the reason it cannot be computed.
    private func preview(_ request: Request, admin: AdminContext, rules: [CommissionRule], settings: ProgramSettings) throws -> [String: Any] {
        let query = request.queryParameters
        func text(_ name: String, _ fallback: String = "") -> String { (query[name] ?? fallback).trimmingCharacters(in: .whitespaces) }
        var values: [String: Any] = [
            "previewAmount": text("amount", "120.00"), "previewGroup": text("group"), "previewSKU": text("sku"), "previewPartner": text("partner"),
            "previewVolume": text("volume", "0"), "previewMonths": text("months", "0"), "previewParents": text("parents", "0"),
            "previewEvents": FormFields.options([("sale", "Sale"), ("lead", "Lead")], selected: text("event", "sale")),
        ]
        guard query["preview"] == "1" else { return values }
        var problems: [String] = []
        let event = ConversionEvent(rawValue: text("event", "sale")) ?? .sale
        let amountText = text("amount")
        let amount = amountText.isEmpty && event == .lead ? nil : Currency.minorUnits(from: amountText, currency: admin.currency)
        if amount == nil && !(amountText.isEmpty && event == .lead) { problems.append("Enter the sale amount, such as 120.00.") }
        let volume = Currency.minorUnits(from: text("volume", "0"), currency: admin.currency)
        if volume == nil { problems.append("Enter the partner's sales so far this month, such as 0 or 4,000.00.") }
        let months = Int(text("months", "0")).flatMap { (0...1200).contains($0) ? $0 : nil }
        if months == nil { problems.append("Enter the months since the customer's first purchase (0 or more).") }
        let parents = Int(text("parents", "0")).flatMap { (0...10).contains($0) ? $0 : nil }
        if parents == nil { problems.append("Enter a number of parent partners from 0 to 10.") }
        var partnerID: Int64 = 0
        if !text("partner").isEmpty {
            if let id = Int64(text("partner")), id > 0 { partnerID = id } else { problems.append("Enter a partner's number, or leave it empty.") }
        }
        guard problems.isEmpty, let volume, let months, let parents else {
            values["previewErrors"] = problems
            return values
        }
        let facts = ConversionFacts(event: event, amount: amount, partnerID: partnerID, partnerGroup: text("group").isEmpty ? nil : text("group"),
                                    productSKU: text("sku").isEmpty ? nil : text("sku"), monthlyVolumeBefore: volume,
                                    monthsSinceFirstConversion: months)
        let result: CommissionPreview
        do {
            result = try CommissionPreview.compute(rules: rules, facts: facts, overrideBasisPoints: settings.overrideBasisPoints,
                                                   overrideDepth: settings.overrideDepth, parentLevels: parents)
        } catch {
            values["previewErrors"] = ["These figures are too large to compute."]
            return values
        }
        var who = "a partner"
        if partnerID > 0 { who = "partner #\(partnerID)" }
        if !text("group").isEmpty { who += " in group \(text("group"))" }
        let what = amount.map { "A \(admin.money($0)) \(event.rawValue)" } ?? "A \(event.rawValue)"
        let sku = text("sku").isEmpty ? "" : " of product \(text("sku"))"
        var sentence = "\(what)\(sku) by \(who) earns "
        sentence += result.commission.map { admin.money($0) } ?? "nothing"
        if let rule = result.rule {
            sentence += result.commission == nil ? " under " : " by "
            sentence += rule.id == 0 ? "the program default" : "rule #\(rule.id)"
            sentence += " (\(rule.summary(currency: admin.currency)))"
            if let tier = result.tierBasisPoints { sentence += ", at the \(Percentage.text(basisPoints: tier)) % tier" }
        } else {
            sentence += ": no rule applies"
        }
        values["previewSentence"] = sentence + "."
        values["previewOverrides"] = result.overrides.map { ["line": "Level \($0.level) parent earns \(admin.money($0.amount))"] }
        return values
    }
}
