import Foundation
import HTTPServer
import PortalCore
import Store

/// `/admin/program`: every setting of the program (currency, commission, cookie window, attribution, hold, payout
/// minimum and schedule, auto-approve, landing, allowed and fallback pages, sub-affiliate overrides) and
/// `/admin/program/form`, the extra questions of the public application form. Owners change them
/// (`manageProgramSettings`); the rest of the staff read them. Each save writes one audit entry naming what changed,
/// in the same transaction; invalid input re-renders the form with field errors and changes nothing.
struct AdminProgramController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let addressSecret: [UInt8]
    let linkCache: LinkCache
    let baseURL: String

    /// Blank rows offered below the existing questions of the application form.
    static let blankQuestionRows = 3

    func register(on routes: RouterGroup) {
        let small = RouteOptions(maxBodySize: 64 * 1024)
        routes.get("/program") { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            let settings = try database.read { db in try ProgramSettingsForm.load(in: db, programID: admin.programID) }
            guard let settings else { throw HTTPError(.notFound, "Not found") }
            return try settingsPage(context, admin: admin, settings: settings, submitted: nil, errors: [:],
                                    notice: request.queryParameters["done"] == "saved" ? "Settings saved." : nil)
        }
        routes.post("/program", options: small) { request, context in
            try saveSettings(request, context)
        }
        routes.get("/program/form") { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            let json = try database.read { db in
                try db.queryValue("SELECT application_fields FROM programs WHERE id = ?", [admin.programID], as: String.self) ?? "[]"
            }
            let rows = Self.rows(ApplicationField.parse(json))
            return try formPage(context, admin: admin, rows: rows, errors: [:],
                                notice: request.queryParameters["done"] == "saved" ? "Application form saved." : nil)
        }
        routes.post("/program/form", options: small) { request, context in
            try saveApplicationForm(request, context)
        }
    }

    // MARK: - Settings

    private func saveSettings(_ request: Request, _ context: RequestContext) throws -> Response {
        let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
        try admin.require(.manageProgramSettings)
        let form = try FormBody.parse(request).firstValues
        let now = Int64(Date().timeIntervalSince1970)
        let parsed = ProgramSettingsForm.parse(form, currentCurrency: admin.currency)
        let outcome = try database.write { db -> Result<Void, FormErrors> in
            guard let old = try ProgramSettingsForm.load(in: db, programID: admin.programID) else { throw HTTPError(.notFound, "Not found") }
            switch parsed {
            case .failure(let errors):
                return .failure(errors)
            case .success(let new):
                // Every amount already recorded is in the old currency: it can change only before the first money.
                if new.currency != old.currency, try ProgramSettingsForm.hasMoney(in: db, programID: admin.programID) {
                    return .failure(FormErrors(fields: ["currency": ["The currency is fixed once the program has recorded conversions or money."]]))
                }
                let changes = new.changes(from: old)
                guard !changes.isEmpty else { return .success(()) }
                try new.save(in: db, programID: admin.programID)
                try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "program.settings",
                                      subjectType: "program", subjectID: admin.programID, details: changes.joined(separator: "; "), now: now)
                return .success(())
            }
        }
        switch outcome {
        case .success:
            // Redirects read the cookie window and fallback page through the cache: drop it so they apply at once.
            linkCache.invalidateAll()
            return .redirect(to: "/admin/program?program=\(admin.programID)&done=saved", status: .seeOther)
        case .failure(let errors):
            let current = try database.read { db in try ProgramSettingsForm.load(in: db, programID: admin.programID) }
            guard let current else { throw HTTPError(.notFound, "Not found") }
            return try settingsPage(context, admin: admin, settings: current, submitted: form, errors: errors.fields, notice: nil,
                                    status: .unprocessableContent)
        }
    }

    private func settingsPage(_ context: RequestContext, admin: AdminContext, settings: ProgramSettingsForm, submitted: [String: String]?,
                              errors: [String: [String]], notice: String?, status: HTTPStatus = .ok) throws -> Response {
        // After a failed save the form shows what was typed; otherwise the stored values.
        func value(_ name: String, _ stored: String) -> String { submitted?[name] ?? stored }
        let currency = settings.currency
        let fields: [[String: Any]] = [
            FormFields.input("name", "Program name", value: value("name", settings.name), errors: errors),
            FormFields.input("currency", "Currency (ISO 4217)", value: value("currency", settings.currency),
                             help: "Fixed once the program records its first conversion.", errors: errors),
            FormFields.input("commission_percent", "Default commission on sales (%)",
                             value: value("commission_percent", Percentage.text(basisPoints: settings.commissionBasisPoints)), type: "text",
                             help: "Paid when no more specific rule applies; see Commission rules.", errors: errors, extra: ["inputmode": "decimal"]),
            FormFields.input("cookie_days", "Cookie window (days)", value: value("cookie_days", String(settings.cookieDays)), type: "number",
                             help: "How long after a click a conversion is still credited (1–730).", errors: errors),
            FormFields.input("hold_days", "Hold period (days)", value: value("hold_days", String(settings.holdDays)), type: "number",
                             help: "Commissions wait this long for refunds before they are approved (0–365).", errors: errors),
            FormFields.input("min_payout", "Minimum payout (\(currency))",
                             value: value("min_payout", Currency.majorUnits(settings.minPayout, currency: currency)),
                             help: "A partner is paid once their approved balance reaches this.", errors: errors, extra: ["inputmode": "decimal"]),
            FormFields.input("default_url", "Default landing page", value: value("default_url", settings.defaultURL), type: "url",
                             help: "Where a partner's link goes unless they choose a page.", errors: errors),
            FormFields.input("allowed_domains", "Allowed link domains", value: value("allowed_domains", settings.allowedDomains),
                             help: "Host names partners' links may point at, separated by spaces; a host allows its subdomains. Empty allows any.",
                             errors: errors),
            FormFields.input("fallback_url", "Fallback page", value: value("fallback_url", settings.fallbackURL), type: "url",
                             help: "Where links of suspended partners send visitors (no click is recorded).", errors: errors),
            FormFields.input("override_percent", "Sub-affiliate override (%)",
                             value: value("override_percent", Percentage.text(basisPoints: settings.overrideBasisPoints)),
                             help: "A parent partner earns this share of the commission one level below.", errors: errors,
                             extra: ["inputmode": "decimal"]),
            FormFields.input("override_depth", "Override levels", value: value("override_depth", String(settings.overrideDepth)), type: "number",
                             help: "How many parents up the tree earn overrides (0–10).", errors: errors),
        ]
        let model = submitted?["attribution_model"] ?? settings.attributionModel.rawValue
        let schedule = submitted?["payout_schedule"] ?? settings.payoutSchedule.rawValue
        let autoApprove = submitted.map { $0["auto_approve"] == "1" } ?? settings.autoApprove
        var values: [String: Any] = [
            "programName": admin.programName, "programID": admin.programID, "fields": fields,
            "models": FormFields.options([("last_click", "Last click wins"), ("first_click", "First click wins")], selected: model),
            "schedules": FormFields.options(ProgramSettingsForm.PayoutSchedule.allCases.map { ($0.rawValue, $0.label) }, selected: schedule),
            "modelErrors": errors["attribution_model"] ?? [], "scheduleErrors": errors["payout_schedule"] ?? [],
            "autoApprove": autoApprove, "canEdit": admin.may(.manageProgramSettings), "hasErrors": !errors.isEmpty,
            "applyURL": "\(baseURL)/apply/", "slug": try database.read { db in
                try db.queryValue("SELECT slug FROM programs WHERE id = ?", [admin.programID], as: String.self) ?? ""
            },
        ]
        if let notice { values["notice"] = notice }
        var response = try templates.page("admin/program", PageChrome(context: context, currentPath: "/admin/program").merged(with: values))
        response.status = status
        return response
    }

    // MARK: - Application form

    private func saveApplicationForm(_ request: Request, _ context: RequestContext) throws -> Response {
        let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
        try admin.require(.manageProgramSettings)
        let form = try FormBody.parse(request).firstValues
        let rowCount = Int(form["rows"] ?? "") ?? 0
        switch ApplicationFieldsForm.parse(form, rows: rowCount) {
        case .failure(let errors):
            var rows: [[String: String]] = []
            for index in 0..<max(0, min(rowCount, 100)) {
                rows.append(["name": form["field_name_\(index)"] ?? "", "label": form["field_label_\(index)"] ?? "",
                             "type": form["field_type_\(index)"] ?? "text", "required": form["field_required_\(index)"] ?? "",
                             "options": form["field_options_\(index)"] ?? ""])
            }
            return try formPage(context, admin: admin, rows: rows, errors: errors.fields, notice: nil, status: .unprocessableContent)
        case .success(let fields):
            let json = ApplicationFieldsForm.json(fields)
            let now = Int64(Date().timeIntervalSince1970)
            try database.write { db in
                let old = try db.queryValue("SELECT application_fields FROM programs WHERE id = ?", [admin.programID], as: String.self) ?? "[]"
                guard old != json else { return }
                try db.execute("UPDATE programs SET application_fields = ? WHERE id = ?", [json, admin.programID])
                let names = fields.map(\.label).joined(separator: " | ")
                try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "program.application_form",
                                      subjectType: "program", subjectID: admin.programID,
                                      details: fields.isEmpty ? "no extra questions" : "\(fields.count) questions: \(names)", now: now)
            }
            return .redirect(to: "/admin/program/form?program=\(admin.programID)&done=saved", status: .seeOther)
        }
    }

    static func rows(_ fields: [ApplicationField]) -> [[String: String]] {
        fields.map { ["name": $0.name, "label": $0.label, "type": $0.type.rawValue, "required": $0.required ? "1" : "",
                      "options": $0.options.joined(separator: "\n")] }
    }

    private func formPage(_ context: RequestContext, admin: AdminContext, rows: [[String: String]], errors: [String: [String]],
                          notice: String?, status: HTTPStatus = .ok) throws -> Response {
        let all = rows + Array(repeating: ["name": "", "label": "", "type": "text", "required": "", "options": ""], count: Self.blankQuestionRows)
        let kinds: [(String, String)] = [("text", "Short text"), ("textarea", "Long text"), ("url", "Web address"), ("select", "Choice")]
        let items: [[String: Any]] = all.enumerated().map { index, row in
            let rowErrors = errors["field_\(index)"] ?? []
            return ["index": index, "number": index + 1, "name": row["name"] ?? "", "label": row["label"] ?? "",
                    "required": row["required"] == "1", "options": row["options"] ?? "", "errors": rowErrors, "invalid": !rowErrors.isEmpty,
                    "kinds": FormFields.options(kinds, selected: row["type"] ?? "text")]
        }
        var values: [String: Any] = [
            "programName": admin.programName, "programID": admin.programID, "rows": items, "rowCount": all.count,
            "canEdit": admin.may(.manageProgramSettings), "hasErrors": !errors.isEmpty, "formErrors": errors["fields"] ?? [],
        ]
        if let notice { values["notice"] = notice }
        var response = try templates.page("admin/application-form", PageChrome(context: context, currentPath: "/admin/program/form").merged(with: values))
        response.status = status
        return response
    }
}
