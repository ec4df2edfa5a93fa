import Foundation
import HTTPServer
import PortalCore
import Store

/// Single sign-on settings: `/admin/sso` (the program's staff connection; program owners change it, other staff read it)
/// and `/portal/team/sso` (a partner team's connection; its owners only). The client secret is write-only: never shown
/// back, kept when the field is left empty. Every change is audited in the same transaction.
struct SSOSettingsController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let addressSecret: [UInt8]
    let service: SSOService
    let allowHTTPIssuer: Bool

    func register(admin: RouterGroup, portal: RouterGroup) {
        let small = RouteOptions(maxBodySize: 16 * 1024)
        admin.get("/sso") { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            return try adminPage(context, admin: admin, draft: nil, errors: [:], notice: Self.notice(request))
        }
        admin.post("/sso", options: small) { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.manageProgramSettings)
            let draft = Self.draft(try FormBody.parse(request))
            let now = AuthController.now()
            do {
                try database.write { db in
                    let saved = try service.store.save(in: db, programID: admin.programID, partnerID: nil, draft: draft,
                                                       allowHTTPIssuer: allowHTTPIssuer, now: now)
                    try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "sso.save", subjectType: "sso_connection",
                                          subjectID: saved.id, details: Self.auditDetails(saved, secretChanged: !draft.clientSecret.isEmpty), now: now)
                }
            } catch let invalid as SSOStore.Invalid {
                return try adminPage(context, admin: admin, draft: draft, errors: invalid.errors, notice: nil, status: .unprocessableContent)
            }
            return .redirect(to: "/admin/sso?program=\(admin.programID)&done=saved", status: .seeOther)
        }
        admin.post("/sso/delete", options: small) { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.manageProgramSettings)
            _ = try FormBody.parse(request)
            let now = AuthController.now()
            try database.write { db in
                guard let existing = try service.store.connection(in: db, programID: admin.programID, partnerID: nil) else {
                    throw HTTPError(.notFound, "Not found")
                }
                try service.store.delete(in: db, programID: admin.programID, partnerID: nil)
                try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "sso.delete", subjectType: "sso_connection",
                                      subjectID: existing.id, details: existing.issuer, now: now)
            }
            return .redirect(to: "/admin/sso?program=\(admin.programID)&done=deleted", status: .seeOther)
        }

        // A partner's connection can be removed by the program's owners (a team that claimed a domain it should not have).
        admin.post("/sso/partners/{id}/delete", options: small) { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.manageProgramSettings)
            _ = try FormBody.parse(request)
            guard let id = Int64(try context.parameters.require("id")) else { throw HTTPError(.notFound, "Not found") }
            let now = AuthController.now()
            try database.write { db in
                guard let existing = try service.store.connection(in: db, id: id), existing.programID == admin.programID,
                      let partnerID = existing.partnerID else { throw HTTPError(.notFound, "Not found") }
                try service.store.delete(in: db, programID: admin.programID, partnerID: partnerID)
                try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "sso.partner_remove", subjectType: "sso_connection",
                                      subjectID: id, details: "partner \(partnerID): \(existing.issuer), domains \(existing.domains.joined(separator: " "))", now: now)
            }
            return .redirect(to: "/admin/sso?program=\(admin.programID)&done=deleted", status: .seeOther)
        }

        portal.get("/team/sso") { request, context in
            let partner = try requireOwner(request, context)
            return try partnerPage(context, partner: partner, draft: nil, errors: [:], notice: Self.notice(request))
        }
        portal.post("/team/sso", options: small) { request, context in
            let partner = try requireOwner(request, context)
            let draft = Self.draft(try FormBody.parse(request))
            let now = AuthController.now()
            do {
                try database.write { db in
                    let saved = try service.store.save(in: db, programID: partner.programID, partnerID: partner.partnerID, draft: draft,
                                                       allowHTTPIssuer: allowHTTPIssuer, now: now)
                    try AuditLog().record(in: db, programID: partner.programID, actor: partnerActor(request, context), action: "sso.partner_save",
                                          subjectType: "sso_connection", subjectID: saved.id,
                                          details: "\(partner.partnerName): " + Self.auditDetails(saved, secretChanged: !draft.clientSecret.isEmpty), now: now)
                }
            } catch let invalid as SSOStore.Invalid {
                return try partnerPage(context, partner: partner, draft: draft, errors: invalid.errors, notice: nil, status: .unprocessableContent)
            }
            return .redirect(to: "/portal/team/sso?done=saved", status: .seeOther)
        }
        portal.post("/team/sso/delete", options: small) { request, context in
            let partner = try requireOwner(request, context)
            _ = try FormBody.parse(request)
            let now = AuthController.now()
            try database.write { db in
                guard let existing = try service.store.connection(in: db, programID: partner.programID, partnerID: partner.partnerID) else {
                    throw HTTPError(.notFound, "Not found")
                }
                try service.store.delete(in: db, programID: partner.programID, partnerID: partner.partnerID)
                try AuditLog().record(in: db, programID: partner.programID, actor: partnerActor(request, context), action: "sso.partner_delete",
                                      subjectType: "sso_connection", subjectID: existing.id, details: "\(partner.partnerName): \(existing.issuer)", now: now)
            }
            return .redirect(to: "/portal/team/sso?done=deleted", status: .seeOther)
        }
    }

    /// Only the team's owners (not admins): single sign-on decides who may join the team and how everyone signs in.
    private func requireOwner(_ request: Request, _ context: RequestContext) throws -> PartnerContext {
        let partner = try PartnerContext.resolve(request, context, database: database)
        guard partner.role == .partnerOwner, !partner.readOnly else {
            throw HTTPError(.forbidden, "Only the team's owners set up single sign-on.")
        }
        return partner
    }

    private func partnerActor(_ request: Request, _ context: RequestContext) -> AuditLog.Actor {
        let user = context.webSession.principal?.user
        return AuditLog.Actor(userID: user?.id, email: user?.email ?? "",
                              addressHash: AddressHash.compute(ip: AuthController.address(request), secret: addressSecret))
    }

    static func notice(_ request: Request) -> String? {
        switch request.queryParameters["done"] {
        case "saved": "Single sign-on saved."
        case "deleted": "Single sign-on turned off."
        default: nil
        }
    }

    static func draft(_ form: FormParameters) -> SSOStore.Draft {
        SSOStore.Draft(issuer: form["issuer"] ?? "", clientID: form["client_id"] ?? "", clientSecret: form["client_secret"] ?? "",
                       domains: form["domains"] ?? "", defaultRole: form["default_role"] ?? "", mandatory: form["mandatory"] == "1")
    }

    static func auditDetails(_ connection: SSOConnection, secretChanged: Bool) -> String {
        "issuer \(connection.issuer), client \(connection.clientID), domains \(connection.domains.joined(separator: " ")), "
            + "new members \(connection.defaultRole.rawValue)\(connection.mandatory ? ", mandatory" : "")\(secretChanged ? ", secret changed" : "")"
    }

    private func formValues(existing: SSOConnection?, draft: SSOStore.Draft?, errors: [String: [String]], staff: Bool) -> [String: Any] {
        let role = draft?.defaultRole ?? existing?.defaultRole.rawValue ?? (staff ? Role.programViewer : Role.partnerMember).rawValue
        let roles: [[String: Any]] = SSOStore.allowedDefaultRoles(staff: staff).map { choice in
            ["value": choice.rawValue, "label": choice.title, "selected": choice.rawValue == role]
        }
        var values: [String: Any] = [
            "hasConnection": existing != nil,
            "domainList": existing?.domains.joined(separator: ", ") ?? "",
            "issuer": draft?.issuer ?? existing?.issuer ?? "",
            "clientID": draft?.clientID ?? existing?.clientID ?? "",
            "domains": draft?.domains ?? existing?.domains.joined(separator: ", ") ?? "",
            "mandatory": draft?.mandatory ?? existing?.mandatory ?? false,
            "roles": roles, "redirectURI": service.redirectURI, "hasErrors": !errors.isEmpty,
        ]
        let fields: [(String, String)] = [("issuer", "issuer"), ("client_id", "clientID"), ("client_secret", "clientSecret"),
                                          ("domains", "domains"), ("default_role", "defaultRole")]
        for (field, key) in fields {
            values[key + "Errors"] = errors[field] ?? []
            values[key + "Invalid"] = errors[field] != nil
        }
        return values
    }

    private func adminPage(_ context: RequestContext, admin: AdminContext, draft: SSOStore.Draft?, errors: [String: [String]], notice: String?,
                           status: HTTPStatus = .ok) throws -> Response {
        let (existing, partners) = try database.read { db -> (SSOConnection?, [[String: Any]]) in
            let partners = try db.query("""
                SELECT c.id, p.name FROM sso_connections c JOIN partners p ON p.id = c.partner_id WHERE c.program_id = ? ORDER BY p.name
                """, [admin.programID]).map { row -> [String: Any] in
                let connection = try service.store.connection(in: db, id: try row["id"])
                return ["id": try row["id"] as Int64, "partner": try row["name"] as String, "issuer": connection?.issuer ?? "",
                        "domains": connection?.domains.joined(separator: ", ") ?? "", "mandatory": connection?.mandatory ?? false,
                        "role": connection?.defaultRole.title ?? ""]
            }
            return (try service.store.connection(in: db, programID: admin.programID, partnerID: nil), partners)
        }
        var values = formValues(existing: existing, draft: draft, errors: errors, staff: true)
        values["partnerConnections"] = partners
        values["hasPartnerConnections"] = !partners.isEmpty
        values["programID"] = admin.programID
        values["programName"] = admin.programName
        values["canManage"] = admin.may(.manageProgramSettings)
        values["formAction"] = "/admin/sso?program=\(admin.programID)"
        values["deleteAction"] = "/admin/sso/delete?program=\(admin.programID)"
        if let notice { values["notice"] = notice }
        return try templates.page("admin/sso", PageChrome(context: context, currentPath: "/admin/sso").merged(with: values), status: status)
    }

    private func partnerPage(_ context: RequestContext, partner: PartnerContext, draft: SSOStore.Draft?, errors: [String: [String]],
                             notice: String?, status: HTTPStatus = .ok) throws -> Response {
        let existing = try database.read { db in
            try service.store.connection(in: db, programID: partner.programID, partnerID: partner.partnerID)
        }
        var values = formValues(existing: existing, draft: draft, errors: errors, staff: false)
        values["partnerName"] = partner.partnerName
        values["canManage"] = true
        values["formAction"] = "/portal/team/sso"
        values["deleteAction"] = "/portal/team/sso/delete"
        if let notice { values["notice"] = notice }
        return try templates.page("portal/team-sso", PageChrome(context: context, currentPath: "/portal/team").merged(with: values), status: status)
    }
}
