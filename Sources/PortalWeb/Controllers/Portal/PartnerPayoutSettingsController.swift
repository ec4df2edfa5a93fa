import Foundation
import HTTPServer
import PortalCore
import Store

/// `/portal/payouts/settings`: the payout method, its details (stored encrypted, shown masked) and the partner's
/// own threshold (at or above the program minimum). Everyone in the team sees the masked settings; only owners and
/// admins change them (checked here on the server), and every change is e-mailed to the team's owners and admins.
struct PartnerPayoutSettingsController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let store: PartnerStore

    static let detailFields = ["paypal_email", "wise_email", "account_holder", "iban", "bic", "account_number", "routing_number", "bank_name", "note"]

    func register(on routes: RouterGroup) {
        routes.get("/payouts/settings") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            return try page(context, partner: partner, form: [:], errors: [:], saved: request.queryParameters["saved"] == "1")
        }
        routes.post("/payouts/settings", options: RouteOptions(maxBodySize: 16 * 1024)) { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            try partner.require(.managePayoutSettings)
            let form = try FormBody.parse(request)
            var values: [String: String] = [:]
            for name in ["method", "threshold"] + Self.detailFields { values[name] = form[name]?.trimmingCharacters(in: .whitespaces) ?? "" }
            var errors: [String: [String]] = [:]
            let method = PayoutMethod(rawValue: values["method"] ?? "")
            if method == nil { errors["method", default: []].append("Choose how you want to be paid.") }
            let minimum = try database.read { db in try ProgramSettings.load(in: db, programID: partner.programID)?.minPayout } ?? 0
            var threshold: Int64 = 0
            if let text = values["threshold"], !text.isEmpty {
                if let parsed = Currency.minorUnits(from: text, currency: partner.currency) { threshold = parsed }
                else { errors["threshold", default: []].append("Enter an amount such as 100.00.") }
            }
            if threshold != 0 && threshold < minimum {
                errors["threshold", default: []].append("Must be at least the program minimum of \(partner.money(minimum)).")
            }
            var details: PayoutDetails?
            if let method {
                let allowed = PayoutDetails.allowedFieldNames(for: method)
                let fields = values.filter { allowed.contains($0.key) && !$0.value.isEmpty }
                let candidate = PayoutDetails(method: method, fields: fields)
                for (key, messages) in candidate.problems() { errors[String(key.dropFirst("payout.".count)), default: []] += messages }
                details = candidate
            }
            guard errors.isEmpty, let details else {
                return try page(context, partner: partner, form: values, errors: errors, saved: false, status: .unprocessableContent)
            }
            let who = context.webSession.principal?.user.email ?? "a team member"
            let now = Int64(Date().timeIntervalSince1970)
            try database.write { db in
                _ = try store.update(in: db, programID: partner.programID, id: partner.partnerID,
                                     PartnerChanges(payout: details, payoutThreshold: threshold))
                // Tell everyone who could have made the change: a hijacked session changing where money goes
                // must not go unnoticed.
                for recipient in try SecurityNotices.recipients(in: db, partnerID: partner.partnerID) {
                    try Outbox.enqueue(in: db, to: recipient, subject: "Your payout details for \(partner.programName) were changed",
                                       body: "Hello,\n\nThe payout details of \(partner.partnerName) were changed to \(details.method.rawValue) (\(details.maskedRecipient)) by \(who).\n\nIf this was not you or your team, sign in and change them back, and write to the program's managers.\n",
                                       now: now)
                }
            }
            return .redirect(to: "/portal/payouts/settings?saved=1", status: .seeOther)
        }
    }

    private func page(_ context: RequestContext, partner: PartnerContext, form: [String: String], errors: [String: [String]], saved: Bool,
                      status: HTTPStatus = .ok) throws -> Response {
        let (current, threshold, minimum) = try database.read { db -> (PayoutDetails?, Int64, Int64) in
            let details = try? store.payoutDetails(in: db, partnerID: partner.partnerID)
            let threshold = try db.queryValue("SELECT payout_threshold FROM partners WHERE id = ?", [partner.partnerID], as: Int64.self) ?? 0
            return (details ?? nil, threshold, try ProgramSettings.load(in: db, programID: partner.programID)?.minPayout ?? 0)
        }
        let selected = form["method"] ?? current?.method.rawValue ?? ""
        func field(_ name: String, _ label: String, type: String = "text", help: String = "") -> [String: Any] {
            // The payee's details, not the user's own: no autofill, except that an e-mail field may offer one.
            ["name": name, "label": label, "type": type, "autocomplete": type == "email" ? "email" : "off", "value": form[name] ?? "",
             "help": TemplateValue.section(help),
             "errors": errors[name] ?? [], "invalid": errors[name] != nil]
        }
        var response = try templates.page("portal/payout-settings", PageChrome(context: context, currentPath: "/portal/payouts").merged(with: [
            "programName": partner.programName, "canEdit": partner.may(.managePayoutSettings), "saved": saved,
            "currentMethod": current?.method.rawValue ?? "", "currentRecipient": current?.maskedRecipient ?? "", "hasCurrent": current != nil,
            "minimum": partner.money(minimum), "threshold": TemplateValue.section(threshold > 0 ? partner.money(threshold) : ""),
            "thresholdValue": form["threshold"] ?? (threshold > 0 ? Currency.majorUnits(threshold, currency: partner.currency) : ""),
            "thresholdErrors": errors["threshold"] ?? [], "methodErrors": errors["method"] ?? [], "methodInvalid": errors["method"] != nil,
            "hasErrors": !errors.isEmpty,
            "methods": PayoutMethod.allCases.map { ["value": $0.rawValue, "label": Self.label($0), "selected": $0.rawValue == selected] },
            "fields": [
                field("paypal_email", "PayPal e-mail (PayPal)", type: "email"),
                field("wise_email", "Wise e-mail (Wise)", type: "email"),
                field("account_holder", "Account holder (bank, Wise)"),
                field("iban", "IBAN (bank)", help: "Or an account and routing number below."),
                field("bic", "BIC / SWIFT (bank, optional)"),
                field("account_number", "Account number (bank)"),
                field("routing_number", "Routing number (bank)"),
                field("bank_name", "Bank name (optional)"),
                field("note", "Note for the program (manual)"),
            ],
        ]))
        response.status = status
        return response
    }

    static func label(_ method: PayoutMethod) -> String {
        switch method {
        case .paypal: "PayPal"
        case .bank: "Bank transfer"
        case .wise: "Wise"
        case .manual: "Manual (arranged with the program)"
        }
    }
}
