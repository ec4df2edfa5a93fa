import Foundation
import HTTPServer
import PortalCore
import Store

/// `/portal/links`: the partner's tracking links (with clicks of the last 30 days and a QR code each), their
/// coupon codes, and a form to create a link. Everything is scoped by `PartnerContext`, never by an id from the
/// request: a link id in a URL only ever finds the signed-in partner's own link.
struct PartnerLinksController {
    let database: DatabasePool
    let templates: TemplateRenderer
    /// The public URL the tracking links start with (`{baseURL}/r/{code}`).
    let baseURL: String
    let links = LinkStore()
    let coupons = CouponStore()

    struct LinkRow {
        let id: Int64
        let code: String
        let url: String
        let destination: String
        let campaign: String
        let clicks: Int64
        let qrPath: String
    }

    /// What the create form shows again after a refused submission.
    struct FormValues {
        var destination = ""
        var campaign = ""
        var code = ""
        var destinationError: String?
        var campaignError: String?
        var codeError: String?
        var hasErrors: Bool { destinationError != nil || campaignError != nil || codeError != nil }
    }

    func register(on routes: RouterGroup) {
        routes.get("/links") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            return try page(request, context, partner, form: FormValues())
        }
        routes.post("/links", options: RouteOptions(maxBodySize: 16 * 1024)) { request, context in
            try create(request, context)
        }
        routes.get("/links/{id}/qr.svg") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            let id = try context.parameters.requireInt("id")
            guard let code = try database.read({ db in
                try db.queryValue("SELECT code FROM links WHERE id = ? AND partner_id = ? AND program_id = ?",
                                  [id, partner.partnerID, partner.programID], as: String.self)
            }) else { throw HTTPError(.notFound, "Not found") }
            var response = Response(contentType: "image/svg+xml", body: Array(try QRCode(trackingURL(code)).svg(moduleSize: 8, quietZone: 4).utf8))
            response.headers.append("Cache-Control", "private, max-age=300")
            response.headers.append("X-Content-Type-Options", "nosniff")
            return response
        }
    }

    func trackingURL(_ code: String) -> String {
        (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + "/r/" + code
    }

    /// `?partner={id}` kept on links and the form for users in several partner teams.
    static func partnerQuery(_ request: Request, first: Bool) -> String {
        guard let partner = request.queryParameters["partner"], Int64(partner) != nil else { return "" }
        return (first ? "?" : "&") + "partner=" + partner
    }

    private func create(_ request: Request, _ context: RequestContext) throws -> Response {
        let partner = try PartnerContext.resolve(request, context, database: database)
        try partner.require(.manageLinks)
        let form = try FormBody.parse(request)
        func field(_ name: String) -> String { (form[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        var values = FormValues(destination: field("destination_url"), campaign: field("campaign"), code: field("code"))
        let newLink = NewLink(destinationURL: values.destination.isEmpty ? nil : values.destination,
                              campaign: values.campaign.isEmpty ? nil : values.campaign,
                              code: values.code.isEmpty ? nil : values.code)
        do {
            let link = try database.write { db in
                try links.create(in: db, programID: partner.programID, partnerID: partner.partnerID, newLink, now: AuthController.now())
            }
            return .redirect(to: "/portal/links?created=" + PercentDecoding.encode(link.code) + Self.partnerQuery(request, first: false),
                             status: .seeOther)
        } catch LinkStore.Failure.invalid(let errors) {
            func message(_ key: String, _ label: String) -> String? {
                errors[key].map { label + " " + $0.joined(separator: "; ") }
            }
            values.destinationError = message("destination_url", "The destination URL")
            values.campaignError = message("campaign", "The campaign")
            values.codeError = message("code", "The code")
            return try page(request, context, partner, form: values, status: .unprocessableContent)
        }
    }

    private func page(_ request: Request, _ context: RequestContext, _ partner: PartnerContext, form: FormValues,
                      status: HTTPStatus = .ok) throws -> Response {
        let today = DailyStats.day(of: AuthController.now())
        let (rows, couponCodes, program) = try database.read { db in
            let clicks = Dictionary(uniqueKeysWithValues: try db.query("""
                SELECT link_id, sum(clicks) AS clicks FROM daily_stats
                WHERE partner_id = ? AND program_id = ? AND day > ? GROUP BY link_id
                """, [partner.partnerID, partner.programID, today - 30]).map { row in
                (try row["link_id"] as Int64, try row["clicks"] as Int64)
            })
            let rows = try links.links(in: db, programID: partner.programID, partnerID: partner.partnerID).reversed().map { link in
                LinkRow(id: link.id, code: link.code, url: trackingURL(link.code), destination: link.destinationURL, campaign: link.campaign,
                        clicks: clicks[link.id] ?? 0, qrPath: "/portal/links/\(link.id)/qr.svg" + Self.partnerQuery(request, first: true))
            }
            let codes = try coupons.coupons(in: db, programID: partner.programID, partnerID: partner.partnerID).map(\.code)
            let program = try db.queryOne("SELECT default_url, allowed_domains FROM programs WHERE id = ?", [partner.programID])
            return (rows, codes, program)
        }
        var defaultURL = ""
        var domains: [String] = []
        if let program {
            defaultURL = try program["default_url"]
            domains = (try program["allowed_domains"] as String).split(separator: " ").map(String.init)
        }
        var notices: [[String: String]] = []
        if status == .ok, let created = request.queryParameters["created"], let link = rows.first(where: { $0.code == created }) {
            notices.append(["kind": "ok", "role": "status", "message": "Link created: \(link.url)"])
        }
        if form.hasErrors {
            notices.append(["kind": "bad", "role": "alert", "message": "The link was not created. Please correct the fields marked below."])
        }
        var values: [String: Any] = [
            "partnerName": partner.partnerName,
            "programName": partner.programName,
            "links": rows,
            "hasLinks": !rows.isEmpty,
            "coupons": couponCodes,
            "hasCoupons": !couponCodes.isEmpty,
            "canManage": partner.may(.manageLinks),
            "destination": form.destination,
            "campaign": form.campaign,
            "code": form.code,
            "formAction": "/portal/links" + Self.partnerQuery(request, first: true),
            "allowedDomains": domains.joined(separator: ", "),
            "hasAllowedDomains": !domains.isEmpty,
            "defaultURL": defaultURL,
            "hasDefaultURL": !defaultURL.isEmpty,
            "trackingPrefix": trackingURL(""),
            "notices": notices,
        ]
        // Only present keys open a section: an error message is shown (and referenced) only when there is one.
        if let error = form.destinationError { values["destinationError"] = error }
        if let error = form.campaignError { values["campaignError"] = error }
        if let error = form.codeError { values["codeError"] = error }
        return try templates.page("portal/links", PageChrome(context: context, currentPath: "/portal/links").merged(with: values), status: status)
    }
}
