import Foundation
import HTTPServer
import PortalCore
import Store

/// `/portal/tax`: the partner's tax form (W-9, W-8BEN, W-8BEN-E or EU VAT id) signed by typing the legal name, its
/// review status and masked tax id, and yearly earnings statements as CSV. Everyone in the team sees the status;
/// only owners and admins submit a form (checked here on the server), and a submission is e-mailed to them. The
/// tax id is sealed at rest and never rendered, logged or echoed back into the form after it is posted.
struct PartnerTaxController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let store: TaxFormStore
    let addressSecret: [UInt8]

    static let textFields = ["kind", "legal_name", "business_name", "country", "address_line1", "address_line2", "city", "region",
                             "postal_code", "classification", "signature_name"]

    func register(on routes: RouterGroup) {
        routes.get("/tax") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            return try page(context, partner: partner, form: [:], errors: [:], saved: request.queryParameters["saved"] == "1")
        }
        routes.post("/tax", options: RouteOptions(maxBodySize: 16 * 1024)) { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            try partner.require(.managePayoutSettings)
            let body = try FormBody.parse(request)
            var values: [String: String] = [:]
            for name in Self.textFields { values[name] = body[name]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }
            values["country"] = values["country"]?.uppercased()
            values["certified"] = body["certified"] == "1" ? "1" : ""
            var errors: [String: [String]] = [:]
            guard let kind = TaxFormKind(rawValue: values["kind"] ?? "") else {
                errors["kind"] = ["Choose which form applies to you."]
                return try page(context, partner: partner, form: values, errors: errors, saved: false, status: .unprocessableContent)
            }
            let classification = FederalTaxClassification(rawValue: values["classification"] ?? "")
            if kind == .w9, !(values["classification"] ?? "").isEmpty, classification == nil {
                errors["classification"] = ["Choose one of the classifications listed."]
            }
            let form = TaxForm(kind: kind, legalName: values["legal_name"] ?? "", businessName: values["business_name"] ?? "",
                               country: values["country"] ?? "", addressLine1: values["address_line1"] ?? "",
                               addressLine2: values["address_line2"] ?? "", city: values["city"] ?? "", region: values["region"] ?? "",
                               postalCode: values["postal_code"] ?? "", classification: classification, taxID: body["tax_id"] ?? "",
                               usTIN: body["us_tin"] ?? "", signatureName: values["signature_name"] ?? "", certified: values["certified"] == "1")
            for (field, messages) in form.problems() where errors[field] == nil { errors[field] = messages }
            guard errors.isEmpty else {
                return try page(context, partner: partner, form: values, errors: errors, saved: false, status: .unprocessableContent)
            }
            let principal = context.webSession.principal
            let who = principal?.user.email ?? "a team member"
            let now = AuthController.now()
            let addressHash = AddressHash.compute(ip: AuthController.address(request), secret: addressSecret)
            try database.write { db in
                let stored = try store.submit(in: db, programID: partner.programID, partnerID: partner.partnerID, form,
                                              signerUserID: principal?.user.id, signerAddressHash: addressHash, now: now)
                // Everyone who could have submitted it hears of it: a tax form names who the program reports income for.
                for recipient in try SecurityNotices.recipients(in: db, partnerID: partner.partnerID) {
                    try Outbox.enqueue(in: db, to: recipient, subject: "A tax form for \(partner.programName) was submitted",
                                       body: "Hello,\n\n\(who) submitted a \(kind.label) for \(partner.partnerName), signed as \(stored.signatureName), with the tax id \(stored.maskedTaxID). It replaces any earlier form and waits for the program's review.\n\nIf this was not you or your team, sign in, submit the correct form, and write to the program's managers.\n",
                                       now: now)
                }
            }
            return .redirect(to: "/portal/tax?saved=1", status: .seeOther)
        }
        routes.get("/tax/statements/{file}") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            let file = try context.parameters.require("file")
            guard file.hasSuffix(".csv"), let year = YearlyEarningsStatement.year(from: String(file.dropLast(4))) else {
                throw HTTPError(.notFound, "Not found")
            }
            let statement = try database.read { db in
                try YearlyEarningsStatement.load(in: db, programID: partner.programID, partnerID: partner.partnerID, year: year, currency: partner.currency)
            }
            return Downloads.csv(statement.csv(partnerName: partner.partnerName), fileName: "earnings-\(year).csv")
        }
    }

    private func page(_ context: RequestContext, partner: PartnerContext, form: [String: String], errors: [String: [String]], saved: Bool,
                      status: HTTPStatus = .ok) throws -> Response {
        let (current, years) = try database.read { db in
            (try store.current(in: db, partnerID: partner.partnerID),
             try YearlyEarningsStatement.activeYears(in: db, programID: partner.programID, partnerID: partner.partnerID))
        }
        let now = AuthController.now()
        let selectedKind = form["kind"] ?? current?.kind.rawValue ?? ""
        let selectedClassification = form["classification"] ?? current?.classification?.rawValue ?? ""
        func field(_ name: String, _ label: String, help: String = "", autocomplete: String = "off", value: String? = nil) -> [String: Any] {
            ["name": name, "label": label, "value": value ?? form[name] ?? "", "help": TemplateValue.section(help), "autocomplete": autocomplete,
             "errors": errors[name] ?? [], "invalid": errors[name] != nil]
        }
        var model: [String: Any] = [
            "programName": partner.programName, "canEdit": partner.may(.managePayoutSettings), "saved": saved,
            "hasErrors": !errors.isEmpty, "today": CivilDate.format(days: DailyStats.day(of: now)),
            "kinds": TaxFormKind.allCases.map { kind -> [String: Any] in
                ["value": kind.rawValue, "label": kind.label, "explanation": kind.explanation, "checked": kind.rawValue == selectedKind,
                 "certification": kind.certification]
            },
            "kindErrors": errors["kind"] ?? [], "kindInvalid": errors["kind"] != nil,
            "classifications": FederalTaxClassification.allCases.map {
                ["value": $0.rawValue, "label": $0.label, "selected": $0.rawValue == selectedClassification] as [String: Any]
            },
            "classificationErrors": errors["classification"] ?? [], "classificationInvalid": errors["classification"] != nil,
            "nameFields": [
                field("legal_name", "Legal name (as on your tax return)", autocomplete: "name"),
                field("business_name", "Business or entity name (W-8BEN-E and VAT: required)", autocomplete: "organization"),
            ],
            "addressFields": [
                field("country", "Country (two-letter code, such as US, DE or FR)", help: "Your country of residence or incorporation.",
                      autocomplete: "country"),
                field("address_line1", "Street address", autocomplete: "address-line1"),
                field("address_line2", "Apartment, suite (optional)", autocomplete: "address-line2"),
                field("city", "City", autocomplete: "address-level2"),
                field("region", "State or region (optional)", autocomplete: "address-level1"),
                field("postal_code", "Postal code (optional)", autocomplete: "postal-code"),
            ],
            // The tax ids are never echoed back: the partner types them again after an error.
            "idFields": [
                field("tax_id", "Tax id: SSN or EIN (W-9), foreign tax number (W-8), or VAT id with its country prefix",
                      help: "Stored encrypted; afterwards only its last four characters are shown.", value: ""),
                field("us_tin", "US taxpayer id (W-8 forms, optional)", help: "An SSN, ITIN or EIN, if you have one.", value: ""),
            ],
            "signatureField": field("signature_name", "Signature: type your legal name exactly as above"),
            "certified": form["certified"] == "1",
            "certifiedErrors": errors["certified"] ?? [], "certifiedInvalid": errors["certified"] != nil,
            "hasYears": !years.isEmpty,
            "years": years.map { ["year": String($0)] },
            "hasCurrent": current != nil,
        ]
        if let current {
            model["current"] = [
                "kind": current.kind.label, "legalName": current.legalName, "businessName": TemplateValue.section(current.businessName),
                "maskedTaxID": current.maskedTaxID, "signatureName": current.signatureName,
                "signedAt": CivilDate.format(days: DailyStats.day(of: current.signedAt)),
                "status": current.status.label, "tone": Self.tone(current.status),
                "rejected": current.status == .rejected, "reason": TemplateValue.section(current.statusReason),
            ] as [String: Any]
        }
        var response = try templates.page("portal/tax", PageChrome(context: context, currentPath: "/portal/tax").merged(with: model))
        response.status = status
        return response
    }

    static func tone(_ status: TaxFormStore.Status) -> String {
        switch status {
        case .submitted: "warn"
        case .accepted: "ok"
        case .rejected: "bad"
        }
    }
}
