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
    /// The redirect's cache of link codes: an edit invalidates the link's code so `/r/{code}` follows it at once.
    let linkCache: LinkCache
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
        let pagePath: String
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
        routes.get("/links/{id}") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            let link = try ownLink(context, partner)
            return try linkPage(request, context, partner, link: link,
                                form: FormValues(destination: link.destinationURL, campaign: link.campaign))
        }
        routes.post("/links/{id}", options: RouteOptions(maxBodySize: 16 * 1024)) { request, context in
            try edit(request, context)
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

    /// The signed-in partner's link named by `{id}`; anything else (another partner's, archived, not a number) is 404.
    private func ownLink(_ context: RequestContext, _ partner: PartnerContext) throws -> LinkStore.Link {
        guard let id = Int64(try context.parameters.require("id")),
              let link = try database.read({ db in try links.link(in: db, programID: partner.programID, partnerID: partner.partnerID, id: id) })
        else { throw HTTPError(.notFound, "Not found") }
        return link
    }

    private func edit(_ request: Request, _ context: RequestContext) throws -> Response {
        let partner = try PartnerContext.resolve(request, context, database: database)
        let link = try ownLink(context, partner)
        try partner.require(.manageLinks)
        let form = try FormBody.parse(request)
        func field(_ name: String) -> String { (form[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        var values = FormValues(destination: field("destination_url"), campaign: field("campaign"))
        do {
            let updated = try database.write { db in
                try links.update(in: db, programID: partner.programID, partnerID: partner.partnerID, id: link.id,
                                 destinationURL: values.destination.isEmpty ? nil : values.destination,
                                 campaign: values.campaign.isEmpty ? nil : values.campaign)
            }
            guard let updated else { throw HTTPError(.notFound, "Not found") }
            linkCache.invalidate(updated.code)
            return .redirect(to: "/portal/links/\(updated.id)?saved=1" + Self.partnerQuery(request, first: false), status: .seeOther)
        } catch LinkStore.Failure.invalid(let errors) {
            values.destinationError = errors["destination_url"].map { "The destination URL " + $0.joined(separator: "; ") }
            values.campaignError = errors["campaign"].map { "The campaign " + $0.joined(separator: "; ") }
            return try linkPage(request, context, partner, link: link, form: values, status: .unprocessableContent)
        }
    }

    /// `/portal/links/{id}`: the tracking URL with copy button and QR code, 30 days of results, and the edit form.
    private func linkPage(_ request: Request, _ context: RequestContext, _ partner: PartnerContext, link: LinkStore.Link,
                          form: FormValues, status: HTTPStatus = .ok) throws -> Response {
        let today = DailyStats.day(of: AuthController.now())
        let (totals, program) = try database.read { db in
            (try db.queryOne("""
                SELECT coalesce(sum(clicks), 0) AS clicks, coalesce(sum(leads + sales), 0) AS conversions,
                       coalesce(sum(commission), 0) AS earnings
                FROM daily_stats WHERE partner_id = ? AND program_id = ? AND link_id = ? AND day > ?
                """, [partner.partnerID, partner.programID, link.id, today - 30]),
             try db.queryOne("SELECT default_url, allowed_domains FROM programs WHERE id = ?", [partner.programID]))
        }
        let (defaultURL, domains) = try Self.destinationRules(program)
        var notices: [[String: String]] = []
        if status == .ok, request.queryParameters["saved"] != nil {
            notices.append(["kind": "ok", "role": "status", "message": "Link saved. The tracking URL now leads to the new destination."])
        }
        if form.hasErrors {
            notices.append(["kind": "bad", "role": "alert", "message": "The link was not changed. Please correct the fields marked below."])
        }
        let url = trackingURL(link.code)
        var values: [String: Any] = [
            "partnerName": partner.partnerName,
            "programName": partner.programName,
            "id": link.id,
            "code": link.code,
            "url": url,
            "currentDestination": link.destinationURL,
            "currentCampaign": TemplateValue.section(link.campaign),
            "qrPath": "/portal/links/\(link.id)/qr.svg" + Self.partnerQuery(request, first: true),
            "clicks": try totals?["clicks"] as Int64? ?? 0,
            "conversions": try totals?["conversions"] as Int64? ?? 0,
            "earnings": partner.money(try totals?["earnings"] as Int64? ?? 0),
            "canManage": partner.may(.manageLinks),
            "destination": form.destination,
            "campaign": form.campaign,
            "formAction": "/portal/links/\(link.id)" + Self.partnerQuery(request, first: true),
            "backPath": "/portal/links" + Self.partnerQuery(request, first: true),
            "allowedDomains": domains.joined(separator: ", "),
            "hasAllowedDomains": !domains.isEmpty,
            "defaultURL": defaultURL,
            "hasDefaultURL": !defaultURL.isEmpty,
            "notices": notices,
        ]
        if let error = form.destinationError { values["destinationError"] = error }
        if let error = form.campaignError { values["campaignError"] = error }
        return try templates.page("portal/link", PageChrome(context: context, currentPath: "/portal/links").merged(with: values), status: status)
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
                        clicks: clicks[link.id] ?? 0, qrPath: "/portal/links/\(link.id)/qr.svg" + Self.partnerQuery(request, first: true),
                        pagePath: "/portal/links/\(link.id)" + Self.partnerQuery(request, first: true))
            }
            let codes = try coupons.coupons(in: db, programID: partner.programID, partnerID: partner.partnerID).map(\.code)
            let program = try db.queryOne("SELECT default_url, allowed_domains FROM programs WHERE id = ?", [partner.programID])
            return (rows, codes, program)
        }
        let (defaultURL, domains) = try Self.destinationRules(program)
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

    /// The program's landing page and allowed destination domains, from its row (none when it has no row).
    static func destinationRules(_ program: Row?) throws -> (defaultURL: String, domains: [String]) {
        guard let program else { return ("", []) }
        return (try program["default_url"], (try program["allowed_domains"] as String).split(separator: " ").map(String.init))
    }
}
