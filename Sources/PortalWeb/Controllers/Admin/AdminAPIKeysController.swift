import Foundation
import HTTPServer
import PortalCore
import Store

/// `/admin/api-keys`: the program's secret keys (`sk_…`, which may do everything in the program through the JSON API)
/// and its partners' keys. Owners create a secret key — shown once in the answer, only its hash is kept — and revoke
/// any key of the program; each is audited. Other staff see prefixes and last use only.
struct AdminAPIKeysController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let addressSecret: [UInt8]

    func register(on routes: RouterGroup) {
        let small = RouteOptions(maxBodySize: 16 * 1024)
        routes.get("/api-keys") { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            return try page(context, admin: admin, newKey: nil, notice: request.queryParameters["done"] == "revoked" ? "Key revoked." : nil)
        }
        routes.post("/api-keys", options: small) { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.manageProgramSettings)
            _ = try FormBody.parse(request)
            let now = Int64(Date().timeIntervalSince1970)
            let key = try database.write { db -> String in
                let created = try APIKeyStore().createSecretKey(in: db, programID: admin.programID, now: now)
                try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "api_key.create", subjectType: "api_key",
                                      subjectID: created.id, details: "secret key \(created.key.prefix(7))…", now: now)
                return created.key
            }
            // Shown in this answer only: a redirect would have to keep the key somewhere it could be read again.
            var response = try page(context, admin: admin, newKey: key, notice: nil)
            response.status = .created
            return response
        }
        routes.post("/api-keys/{id}/revoke", options: small) { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.manageProgramSettings)
            _ = try FormBody.parse(request)
            guard let id = Int64(try context.parameters.require("id")) else { throw HTTPError(.notFound, "Not found") }
            let now = Int64(Date().timeIntervalSince1970)
            try database.write { db in
                let prefix = try db.queryValue("SELECT prefix FROM api_keys WHERE id = ? AND program_id = ?", [id, admin.programID], as: String.self)
                guard let prefix, try APIKeyStore().revoke(in: db, programID: admin.programID, keyID: id, now: now) else {
                    throw HTTPError(.notFound, "Not found")
                }
                try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "api_key.revoke", subjectType: "api_key",
                                      subjectID: id, details: "\(prefix)…", now: now)
            }
            return .redirect(to: "/admin/api-keys?program=\(admin.programID)&done=revoked", status: .seeOther)
        }
    }

    private func page(_ context: RequestContext, admin: AdminContext, newKey: String?, notice: String?) throws -> Response {
        let (keys, partnerNames) = try database.read { db -> ([APIKeyStore.Key], [Int64: String]) in
            let keys = try APIKeyStore().keys(in: db, programID: admin.programID)
            var names: [Int64: String] = [:]
            for row in try db.query("""
                SELECT DISTINCT p.id, p.name FROM api_keys k JOIN partners p ON p.id = k.partner_id WHERE k.program_id = ?
                """, [admin.programID]) {
                names[try row["id"]] = try row["name"]
            }
            return (keys, names)
        }
        let canManage = admin.may(.manageProgramSettings)
        func item(_ key: APIKeyStore.Key) -> [String: Any] {
            ["id": key.id, "prefix": key.prefix, "scopes": key.scopes.isEmpty ? "everything" : key.scopes.joined(separator: ", "),
             "partner": key.partnerID.flatMap { partnerNames[$0] } ?? "",
             "created": CivilDate.format(days: DailyStats.day(of: key.createdAt)),
             "lastUsed": key.lastUsedAt.map { CivilDate.format(days: DailyStats.day(of: $0)) } ?? "never",
             "revoked": key.revokedAt != nil, "canRevoke": canManage && key.revokedAt == nil]
        }
        let secret = keys.filter { $0.partnerID == nil }.map(item)
        let partner = keys.filter { $0.partnerID != nil }.map(item)
        var values: [String: Any] = [
            "programName": admin.programName, "programID": admin.programID, "canManage": canManage,
            "secretKeys": secret, "hasSecretKeys": !secret.isEmpty, "partnerKeys": partner, "hasPartnerKeys": !partner.isEmpty,
        ]
        if let newKey { values["newKey"] = newKey }
        if let notice { values["notice"] = notice }
        return try templates.page("admin/api-keys", PageChrome(context: context, currentPath: "/admin/api-keys").merged(with: values))
    }
}
