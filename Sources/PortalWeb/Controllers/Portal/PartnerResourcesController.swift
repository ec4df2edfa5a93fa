import Foundation
import HTTPServer
import PortalCore
import PortalSecurity
import Store

/// `/portal/resources`: the program's resource library as the signed-in partner sees it. Creatives with previews,
/// downloads (each one counted) and an embed snippet carrying the partner's own tracking link; content templates
/// with the link merged in; Markdown pages. Every lookup goes through `ResourceStore` with the partner and `now`,
/// so a resource of another program or group, archived or outside its dates is a `404` like one that never existed.
///
/// Filters (`?kind=`, `?campaign=`, `?link=`) are validated: an unknown kind, a campaign the partner cannot see or a
/// link code that is not the partner's own is a `404`, never a silent fallback.
///
/// Creatives are also served publicly at `/assets/creatives/{fileID}/{token}` (the token is the start of the file's
/// SHA-256), because the embed snippet's `<img>` is loaded by the partner's visitors, who have no portal session.
struct PartnerResourcesController {
    let database: DatabasePool
    let templates: TemplateRenderer
    /// The public URL tracking links and embedded images start with.
    let baseURL: String
    let store = ResourceStore()
    let links = LinkStore()
    let coupons = CouponStore()

    func register(on portal: RouterGroup, assets: Router) {
        portal.get("/resources") { request, context in try library(request, context) }
        portal.get("/resources/{id}") { request, context in try detail(request, context) }
        portal.get("/resources/files/{fileID}/preview") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            let found = try visibleFile(context, partner)
            guard Self.inlineTypes.contains(found.file.contentType) else { throw HTTPError(.notFound, "Not found") }
            return Self.fileResponse(found, attachment: false, cache: "private, max-age=300")
        }
        portal.get("/resources/files/{fileID}/download") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            let found = try visibleFile(context, partner)
            // HEAD is routed here too: only a GET is a download.
            if request.method == .get, !partner.readOnly {
                let user = context.webSession.principal?.user.id
                try database.write { db in
                    try store.recordDownload(in: db, file: found.file, partnerID: partner.partnerID, userID: user, now: AuthController.now())
                }
            }
            return Self.fileResponse(found, attachment: true, cache: "private, no-cache")
        }
        assets.get("/assets/creatives/{fileID}/{token}") { _, context in
            guard let id = Int64(try context.parameters.require("fileID")),
                  let found = try database.read({ db in
                      try store.publicFile(in: db, id: id, token: try context.parameters.require("token"), now: AuthController.now())
                  }), Self.inlineTypes.contains(found.file.contentType)
            else { throw HTTPError(.notFound, "Not found") }
            var response = Self.fileResponse(found, attachment: false, cache: "public, max-age=3600")
            response.headers.append("Cross-Origin-Resource-Policy", "cross-origin")
            return response
        }
    }

    /// Image types a browser may show inline from here; anything else is only ever an attachment.
    static let inlineTypes: Set<String> = ["image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"]

    private func visibleFile(_ context: RequestContext, _ partner: PartnerContext) throws -> ResourceFileData {
        guard let id = Int64(try context.parameters.require("fileID")), let found = try database.read({ db in
            try store.file(in: db, id: id, programID: partner.programID, partnerID: partner.partnerID, now: AuthController.now())
        }) else { throw HTTPError(.notFound, "Not found") }
        return found
    }

    /// The bytes with a checked type, `nosniff`, and a CSP that keeps an SVG's scripts from running even when it is
    /// opened directly.
    static func fileResponse(_ found: ResourceFileData, attachment: Bool, cache: String) -> Response {
        var response = Response(contentType: contentType(found.file.contentType), body: found.data)
        response.headers.append("X-Content-Type-Options", "nosniff")
        response.headers.append("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
        response.headers.append("Cache-Control", cache)
        response.headers.append("ETag", "\"" + Hex.encode(Array(found.file.sha256.prefix(16))) + "\"")
        if attachment {
            response.headers.append("Content-Disposition", "attachment; filename=\"\(safeFileName(found.file.fileName))\"")
        }
        return response
    }

    /// A stored content type when it is a plain `type/subtype`, else `application/octet-stream`.
    static func contentType(_ stored: String) -> String {
        let parts = stored.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.+-")
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(allowed.contains) }) else { return "application/octet-stream" }
        return stored
    }

    /// Letters, digits, `.`, `-` and `_` only (no quotes, slashes or control characters), not starting with a dot.
    static func safeFileName(_ name: String) -> String {
        var out = String(name.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "." || scalar == "-" || scalar == "_")
                ? Character(scalar) : "_"
        })
        while out.hasPrefix(".") { out.removeFirst() }
        out = String(out.suffix(100))
        return out.isEmpty ? "download" : out
    }

    // MARK: - Pages

    /// The partner's links, the one picked with `?link=` (or the first), and the merge values for templates.
    private struct Merge {
        let links: [LinkStore.Link]
        let chosen: LinkStore.Link?
        let values: [String: String]
    }

    private func mergeValues(_ request: Request, _ partner: PartnerContext, _ db: Database) throws -> Merge {
        let own = try links.links(in: db, programID: partner.programID, partnerID: partner.partnerID)
        var chosen = own.first
        if let code = request.queryParameters["link"] {
            guard let match = own.first(where: { $0.code == code }) else { throw HTTPError(.notFound, "Not found") }
            chosen = match
        }
        var values = ["partner_name": partner.partnerName, "program_name": partner.programName]
        if let chosen { values["link"] = trackingURL(chosen.code) }
        if let coupon = try coupons.coupons(in: db, programID: partner.programID, partnerID: partner.partnerID).first {
            values["coupon"] = coupon.code
        }
        return Merge(links: own, chosen: chosen, values: values)
    }

    func trackingURL(_ code: String) -> String { base + "/r/" + code }

    private var base: String { baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL }

    private func library(_ request: Request, _ context: RequestContext) throws -> Response {
        let partner = try PartnerContext.resolve(request, context, database: database)
        let query = request.queryParameters
        var kind: ResourceKind?
        if let text = query["kind"], !text.isEmpty {
            guard let known = ResourceKind(rawValue: text) else { throw HTTPError(.notFound, "Not found") }
            kind = known
        }
        let now = AuthController.now()
        let (resources, campaigns, merge) = try database.read { db -> ([Resource], [String], Merge) in
            let campaigns = try store.campaigns(in: db, programID: partner.programID, partnerID: partner.partnerID, now: now)
            var campaign: String?
            if let text = query["campaign"], !text.isEmpty {
                guard campaigns.contains(text) else { throw HTTPError(.notFound, "Not found") }
                campaign = text
            }
            let resources = try store.visible(in: db, programID: partner.programID, partnerID: partner.partnerID, now: now,
                                              kind: kind, campaign: campaign)
            return (resources, campaigns, try mergeValues(request, partner, db))
        }
        let campaign = query["campaign"].flatMap { $0.isEmpty ? nil : $0 }
        let linkCode = query["link"].flatMap { $0.isEmpty ? nil : $0 }
        func href(kind: ResourceKind?, campaign: String?) -> String {
            var parts: [String] = []
            if let kind { parts.append("kind=" + kind.rawValue) }
            if let campaign { parts.append("campaign=" + PercentDecoding.encode(campaign)) }
            if let linkCode { parts.append("link=" + PercentDecoding.encode(linkCode)) }
            if let partnerID = query["partner"], Int64(partnerID) != nil { parts.append("partner=" + partnerID) }
            return "/portal/resources" + (parts.isEmpty ? "" : "?" + parts.joined(separator: "&"))
        }
        let tabs: [[String: Any]] = [["label": "All", "href": href(kind: nil, campaign: campaign), "current": kind == nil]]
            + ResourceKind.allCases.map { item in
                ["label": item.label, "href": href(kind: item, campaign: campaign), "current": kind == item]
            }
        let values: [String: Any] = [
            "partnerName": partner.partnerName,
            "programName": partner.programName,
            "tabs": tabs,
            "kindValue": kind?.rawValue ?? "",
            "hasCampaigns": !campaigns.isEmpty,
            "campaigns": campaigns.map { ["name": $0, "selected": $0 == campaign] },
            "noCampaign": campaign == nil,
            "items": resources.map { item($0, merge: merge, request: request) },
            "hasItems": !resources.isEmpty,
            "filtered": kind != nil || campaign != nil,
            "clearHref": href(kind: nil, campaign: nil),
            "linkPicker": linkPicker(merge),
            "hasLink": merge.chosen != nil,
            "trackingURL": merge.chosen.map { trackingURL($0.code) } ?? "",
            "partnerField": TemplateValue.section(query["partner"].flatMap { Int64($0) }.map(String.init) ?? ""),
        ]
        return try templates.page("portal/resources", PageChrome(context: context, currentPath: "/portal/resources").merged(with: values))
    }

    private func linkPicker(_ merge: Merge) -> [[String: Any]] {
        merge.links.map { link in
            ["code": link.code, "url": trackingURL(link.code), "selected": link.id == merge.chosen?.id,
             "label": link.campaign.isEmpty ? link.code : "\(link.code) (\(link.campaign))"]
        }
    }

    private func detail(_ request: Request, _ context: RequestContext) throws -> Response {
        let partner = try PartnerContext.resolve(request, context, database: database)
        guard let id = Int64(try context.parameters.require("id")) else { throw HTTPError(.notFound, "Not found") }
        let now = AuthController.now()
        let (resource, merge) = try database.read { db -> (Resource?, Merge) in
            (try store.resource(in: db, id: id, programID: partner.programID, partnerID: partner.partnerID, now: now),
             try mergeValues(request, partner, db))
        }
        guard let resource else { throw HTTPError(.notFound, "Not found") }
        // The first read of a page counts (the onboarding checklist's guidelines step, usage figures); later
        // reads only look, so a page view is not a write.
        if !partner.readOnly, try !database.read({ db in try store.hasRead(in: db, resourceID: resource.id, partnerID: partner.partnerID) }) {
            let userID = context.webSession.principal?.user.id
            try database.write { db in
                try store.recordRead(in: db, resourceID: resource.id, partnerID: partner.partnerID, userID: userID, now: now)
            }
        }
        var values = item(resource, merge: merge, request: request)
        values["partnerName"] = partner.partnerName
        values["programName"] = partner.programName
        values["backHref"] = "/portal/resources" + PartnerLinksController.partnerQuery(request, first: true)
        values["linkPicker"] = linkPicker(merge)
        // The link picker only where a link is merged: templates and creatives.
        values["showLinkPicker"] = merge.chosen != nil && (resource.kind == .template || resource.file(.original) != nil)
        values["partnerField"] = TemplateValue.section(request.queryParameters["partner"].flatMap { Int64($0) }.map(String.init) ?? "")
        values["formAction"] = "/portal/resources/\(resource.id)"
        return try templates.page("portal/resource", PageChrome(context: context, currentPath: "/portal/resources").merged(with: values))
    }

    /// One resource's view model, shared by the library's cards and the detail page.
    private func item(_ resource: Resource, merge: Merge, request: Request) -> [String: Any] {
        let partnerQuery = PartnerLinksController.partnerQuery(request, first: true)
        let linkQuery = request.queryParameters["link"].map { (partnerQuery.isEmpty ? "?" : "&") + "link=" + PercentDecoding.encode($0) } ?? ""
        var values: [String: Any] = [
            "id": resource.id,
            "title": resource.title,
            "kindLabel": resource.kind.singular,
            "description": TemplateValue.section(resource.description),
            "campaign": TemplateValue.section(resource.campaign),
            "dates": TemplateValue.section(Self.dates(resource)),
            "detailHref": "/portal/resources/\(resource.id)" + partnerQuery + linkQuery,
            "isTemplate": resource.kind == .template,
            "isMarkdown": resource.kind.bodyIsMarkdown && !resource.body.isEmpty,
        ]
        if resource.kind == .template {
            values["channel"] = TemplateValue.section(resource.channel.capitalized)
            values["merged"] = MergeFields.merge(resource.body, values: merge.values)
            values["missingLink"] = merge.chosen == nil && MergeFields.fields(in: resource.body).contains("link")
        } else if !resource.body.isEmpty {
            // Ink's HTML with raw HTML escaped and unsafe URLs removed (SafeMarkdown); the templates use {{{bodyHTML}}}.
            values["bodyHTML"] = SafeMarkdown.html(resource.body)
        }
        if let original = resource.file(.original) {
            let preview = resource.preview ?? original
            var creative: [String: Any] = [
                "previewSrc": "/portal/resources/files/\(preview.id)/preview" + partnerQuery,
                "hasPreview": Self.inlineTypes.contains(preview.contentType),
                "alt": resource.title,
                "type": Self.typeLabel(original.contentType),
                "dimensions": TemplateValue.section(original.dimensions ?? ""),
                "size": original.sizeText,
                "downloads": [original, resource.file(.mobile)].compactMap { $0 }.map { file -> [String: Any] in
                    ["href": "/portal/resources/files/\(file.id)/download" + partnerQuery,
                     "label": file.variant == .mobile ? "Mobile size" : "Download",
                     "meta": [file.dimensions, file.sizeText].compactMap { $0 }.joined(separator: ", ")]
                },
            ]
            if let chosen = merge.chosen, Self.inlineTypes.contains(original.contentType) {
                creative["snippet"] = EmbedSnippet.html(trackingURL: trackingURL(chosen.code), imageURL: publicURL(original),
                                                       width: original.width, height: original.height, alt: resource.title)
            }
            values["creative"] = creative
        }
        return values
    }

    /// The public address of a creative's file for embedding.
    func publicURL(_ file: ResourceFile) -> String {
        base + "/assets/creatives/\(file.id)/" + ResourceStore.publicToken(file)
    }

    /// `SVG`, `PNG`, … from a content type.
    static func typeLabel(_ contentType: String) -> String {
        switch contentType {
        case "image/svg+xml": "SVG"
        case "image/png": "PNG"
        case "image/jpeg": "JPEG"
        case "image/gif": "GIF"
        case "image/webp": "WebP"
        case "application/pdf": "PDF"
        case "application/zip": "ZIP"
        default: contentType.split(separator: "/").last.map { $0.uppercased() } ?? "File"
        }
    }

    /// `3 Nov 2026 – 30 Nov 2026`, `From 3 Nov 2026`, `Until 30 Nov 2026`, or "" without dates.
    static func dates(_ resource: Resource) -> String {
        func text(_ seconds: Int64) -> String { PartnerAnalyticsController.longDate(DailyStats.day(of: seconds)) }
        // ends_at is exclusive: the last day shown is the second before it.
        switch (resource.startsAt, resource.endsAt) {
        case let (start?, end?): return text(start) + " – " + text(end - 1)
        case let (start?, nil): return "From " + text(start)
        case let (nil, end?): return "Until " + text(end - 1)
        case (nil, nil): return ""
        }
    }
}
