import Foundation
import HTTPServer
import PortalCore
import Store

/// `/portal/api`: the partner's own API keys (`pk_…`) — create with scopes (the key is shown once, only its hash is
/// kept) and revoke. Owners and admins manage integrations; the list shows prefixes and last use only.
struct PartnerAPIKeysController {
    let database: DatabasePool
    let templates: TemplateRenderer

    static let scopes: [(String, String)] = [
        ("reports:read", "Read reports, commissions and payouts"),
        ("links:write", "Create tracking links"),
        ("webhooks:write", "Manage postback endpoints (webhooks for your own events)"),
        ("messages:write", "Read and send messages to the program"),
    ]

    func register(on routes: RouterGroup) {
        let small = RouteOptions(maxBodySize: 16 * 1024)
        routes.get("/api") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            return try page(context, partner: partner, newKey: nil, notice: request.queryParameters["done"] == "revoked" ? "Key revoked." : nil)
        }
        routes.post("/api/keys", options: small) { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            try partner.require(.managePartnerIntegrations)
            let form = try FormBody.parse(request)
            // Only the scopes the program's partner API access allows.
            let known = Set(Self.scopes.map(\.0)).intersection((context.portalBranding ?? .standard).apiAccess.allowedScopes)
            let scopes = Array(Set(form.values(for: "scope").filter { known.contains($0) })).sorted()
            guard !scopes.isEmpty else {
                var response = try page(context, partner: partner, newKey: nil, notice: nil, error: "Choose at least one permission for the key.")
                response.status = .unprocessableContent
                return response
            }
            let key = try database.write { db in
                try ProgramStore().createKey(in: db, programID: partner.programID, partnerID: partner.partnerID, prefix: "pk_", scopes: scopes,
                                             now: Int64(Date().timeIntervalSince1970))
            }
            // Shown in this answer only: a redirect would need to carry the key somewhere it could be read again.
            var response = try page(context, partner: partner, newKey: key, notice: nil)
            response.status = .created
            return response
        }
        routes.post("/api/keys/{id}/revoke", options: small) { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            try partner.require(.managePartnerIntegrations)
            _ = try FormBody.parse(request)
            guard let id = Int64(try context.parameters.require("id")),
                  try database.write({ db in
                      try APIKeyStore().revoke(in: db, programID: partner.programID, keyID: id, partnerID: partner.partnerID,
                                               now: Int64(Date().timeIntervalSince1970))
                  }) else { throw HTTPError(.notFound, "Not found") }
            return .redirect(to: "/portal/api?done=revoked", status: .seeOther)
        }
    }

    private func page(_ context: RequestContext, partner: PartnerContext, newKey: String?, notice: String?, error: String? = nil) throws -> Response {
        let keys = try database.read { db in try APIKeyStore().keys(in: db, programID: partner.programID, partnerID: partner.partnerID) }
        let items = keys.map { key -> [String: Any] in
            ["id": key.id, "prefix": key.prefix, "scopes": key.scopes.joined(separator: ", "),
             "created": CivilDate.format(days: DailyStats.day(of: key.createdAt)),
             "lastUsed": key.lastUsedAt.map { CivilDate.format(days: DailyStats.day(of: $0)) } ?? "never",
             "revoked": key.revokedAt != nil]
        }
        // Only present keys open a section: swift-mustache treats an empty string as true.
        var values: [String: Any] = [
            "partnerName": partner.partnerName, "keys": items, "hasKeys": !items.isEmpty, "canManage": partner.may(.managePartnerIntegrations),
            "scopes": Self.scopes.filter { (context.portalBranding ?? .standard).apiAccess.allowedScopes.contains($0.0) }
                .map { ["value": $0.0, "label": $0.1] },
        ]
        if let newKey { values["newKey"] = newKey }
        if let notice { values["notice"] = notice }
        if let error { values["error"] = error }
        return try templates.page("portal/api", PageChrome(context: context, currentPath: "/portal/api").merged(with: values))
    }
}
