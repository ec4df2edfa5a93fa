import Foundation
import HTTPServer
import PortalCore
import Store

/// `/admin/partner-invitations`: invite a partner by e-mail. The partner is created approved (in a group, if given)
/// and its owner gets a one-time link to choose a password — no application form, since the program chose them.
/// Managers and owners invite (`managePartners`); each invitation is audited.
struct AdminPartnerInvitationsController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let addressSecret: [UInt8]
    let baseURL: String
    let vault: PayoutDetailsVault

    func register(on routes: RouterGroup) {
        routes.get("/partner-invitations") { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            return try page(context, admin: admin, form: [:], errors: [:], notice: request.queryParameters["done"] == "sent" ? "Invitation sent." : nil)
        }
        routes.post("/partner-invitations", options: RouteOptions(maxBodySize: 16 * 1024)) { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.managePartners)
            let form = try FormBody.parse(request).firstValues
            var changes = PartnerChanges()
            changes.email = (form["email"] ?? "").trimmingCharacters(in: .whitespaces)
            changes.name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
            let group = (form["group"] ?? "").trimmingCharacters(in: .whitespaces)
            if !group.isEmpty { changes.group = group }
            let now = AuthController.now()
            do {
                try database.write { db in
                    let partner = try PartnerStore(vault: vault).create(in: db, programID: admin.programID, changes, status: .approved, now: now)
                    let token = try OneTimeTokens().issue(in: db, purpose: .invitation, email: partner.email, role: .partnerOwner,
                                                          programID: admin.programID, partnerID: partner.id, lifetime: 14 * 86_400, now: now)
                    try Outbox.enqueue(in: db, to: partner.email, subject: "You are invited to the \(admin.programName) partner program",
                                       body: "Hello \(partner.name),\n\n\(admin.programName) invites you to its partner program: you are approved already.\n\nChoose your password within 14 days to open your partner portal: \(baseURL)/password/\(token)\n",
                                       now: now)
                    try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "partner.invite", subjectType: "partner",
                                          subjectID: partner.id, details: "\(partner.email)\(group.isEmpty ? "" : " in group \(group)")", now: now)
                }
            } catch PartnerStore.Failure.invalid(let errors) {
                return try page(context, admin: admin, form: form, errors: errors, notice: nil, status: .unprocessableContent)
            }
            return .redirect(to: "/admin/partner-invitations?program=\(admin.programID)&done=sent", status: .seeOther)
        }
    }

    private func page(_ context: RequestContext, admin: AdminContext, form: [String: String], errors: [String: [String]], notice: String?,
                      status: HTTPStatus = .ok) throws -> Response {
        let now = AuthController.now()
        let (pending, groups) = try database.read { db -> ([[String: Any]], [[String: String]]) in
            let pending = try db.query("""
                SELECT t.email, t.expires_at, p.name FROM one_time_tokens t JOIN partners p ON p.id = t.partner_id
                WHERE t.program_id = ? AND t.purpose = 'invitation' AND t.role = 'partner_owner' AND t.used_at IS NULL AND t.expires_at > ?
                ORDER BY t.created_at DESC LIMIT 50
                """, [admin.programID, now]).map { row -> [String: Any] in
                ["email": try row["email"] as String, "name": try row["name"] as String,
                 "expires": CivilDate.format(days: DailyStats.day(of: try row["expires_at"]))]
            }
            let groups = try PartnerStore.groupNames(in: db, programID: admin.programID, limit: 200).map { ["value": $0] }
            return (pending, groups)
        }
        func messages(_ key: String) -> [String] { (errors[key] ?? []).map { "The " + key + " " + $0 + "." } }
        var values: [String: Any] = [
            "programName": admin.programName, "programID": admin.programID, "canInvite": admin.may(.managePartners),
            "fields": [
                FormFields.input("email", "E-mail", value: form["email"] ?? "", type: "email", errors: ["email": messages("email")].filter { !$0.value.isEmpty },
                                 extra: ["autocomplete": "email"]),
                FormFields.input("name", "Partner name", value: form["name"] ?? "", errors: ["name": messages("name")].filter { !$0.value.isEmpty },
                                 extra: ["autocomplete": "organization"]),
                FormFields.input("group", "Group (optional)", value: form["group"] ?? "", help: "Commission rules and resources can target a group.",
                                 errors: ["group": messages("group")].filter { !$0.value.isEmpty }, extra: ["list": "known-groups", "autocomplete": "off"]),
            ],
            "groups": groups, "pending": pending, "hasPending": !pending.isEmpty, "hasErrors": !errors.isEmpty,
        ]
        if let notice { values["notice"] = notice }
        var response = try templates.page("admin/partner-invitations",
                                          PageChrome(context: context, currentPath: "/admin/partner-invitations").merged(with: values))
        response.status = status
        return response
    }
}
