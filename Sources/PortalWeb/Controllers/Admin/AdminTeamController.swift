import Foundation
import HTTPServer
import PortalCore
import Store

/// `/admin/team`: the program's staff — owners, managers and viewers — and pending invitations. Owners
/// (`manageAdminTeam`) invite by e-mail with a role, change roles and remove people; the last owner can be neither
/// removed nor demoted. Every change is audited and the person is told by e-mail.
struct AdminTeamController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let addressSecret: [UInt8]
    let baseURL: String

    static let roles: [(role: Role, label: String, help: String)] = [
        (.programOwner, "Owner", "Everything: settings, API keys, domains, branding and the admin team."),
        (.programManager, "Manager", "Partners, commissions, payouts, resources and messages."),
        (.programViewer, "Viewer", "Reads everything, changes nothing."),
    ]

    func register(on routes: RouterGroup) {
        let small = RouteOptions(maxBodySize: 16 * 1024)
        routes.get("/team") { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            let notice: String? = switch request.queryParameters["done"] {
            case "invited": "Invitation sent."
            case "role": "Role changed. The person was told by e-mail."
            case "removed": "Removed from the program's staff."
            default: nil
            }
            return try page(context, admin: admin, errors: [:], email: "", role: Role.programManager.rawValue, notice: notice)
        }
        routes.post("/team/invite", options: small) { request, context in
            try invite(request, context)
        }
        routes.post("/team/{membership}/role", options: small) { request, context in
            try change(request, context, remove: false)
        }
        routes.post("/team/{membership}/remove", options: small) { request, context in
            try change(request, context, remove: true)
        }
    }

    static func label(_ role: Role) -> String { roles.first { $0.role == role }?.label ?? role.title }

    private func invite(_ request: Request, _ context: RequestContext) throws -> Response {
        let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
        try admin.require(.manageAdminTeam)
        let form = try FormBody.parse(request)
        var errors: [String: [String]] = [:]
        let email = AccountStore.normalizedEmail(form["email"] ?? "")
        if email == nil { errors["email", default: []].append("Enter the e-mail address to invite.") }
        let role = Role(rawValue: form["role"] ?? "")
        if role == nil || !Self.roles.contains(where: { $0.role == role }) { errors["role", default: []].append("Choose owner, manager or viewer.") }
        if let email, errors.isEmpty, try database.read({ db in
            try db.queryOne("SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.program_id = ? AND m.partner_id IS NULL AND u.email = ?",
                            [admin.programID, email])
        }) != nil {
            errors["email", default: []].append("This person is already on the program's staff.")
        }
        guard errors.isEmpty, let email, let role else {
            return try page(context, admin: admin, errors: errors, email: form["email"] ?? "", role: form["role"] ?? "", notice: nil,
                            status: .unprocessableContent)
        }
        let now = Int64(Date().timeIntervalSince1970)
        try database.write { db in
            let token = try OneTimeTokens().issue(in: db, purpose: .invitation, email: email, role: role, programID: admin.programID,
                                                  partnerID: nil, lifetime: 7 * 86_400, now: now)
            try Outbox.enqueue(in: db, to: email, subject: "Join the \(admin.programName) partner program's admin team",
                               body: "Hello,\n\n\(admin.actor.email) invites you to run the \(admin.programName) partner program as \(Self.label(role)).\n\nAccept within 7 days: \(baseURL)/password/\(token)\n",
                               now: now)
            try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "team.invite", subjectType: "user",
                                  details: "\(email) as \(Self.label(role))", now: now)
        }
        return .redirect(to: "/admin/team?program=\(admin.programID)&done=invited", status: .seeOther)
    }

    /// Role change or removal: 404 for a membership of another program (or a partner team), 422 for an unknown role,
    /// 409 for the last owner.
    private func change(_ request: Request, _ context: RequestContext, remove: Bool) throws -> Response {
        let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
        try admin.require(.manageAdminTeam)
        let form = try FormBody.parse(request)
        guard let membershipID = Int64(try context.parameters.require("membership")) else { throw HTTPError(.notFound, "Not found") }
        let newRole = Role(rawValue: form["role"] ?? "")
        let now = Int64(Date().timeIntervalSince1970)
        let done = try database.write { db -> String in
            guard let row = try db.queryOne("""
                SELECT m.role, u.email FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.id = ? AND m.program_id = ? AND m.partner_id IS NULL
                """, [membershipID, admin.programID]) else { throw HTTPError(.notFound, "Not found") }
            let oldRole = Role(rawValue: try row["role"]) ?? .programViewer
            let email: String = try row["email"]
            if !remove {
                guard let newRole, Self.roles.contains(where: { $0.role == newRole }) else {
                    throw HTTPError(.unprocessableContent, "Choose a role: owner, manager or viewer.")
                }
                if newRole == oldRole { return "role" }
            }
            if oldRole == .programOwner {
                let owners = try db.queryValue("SELECT count(*) FROM memberships WHERE program_id = ? AND role = 'program_owner'",
                                               [admin.programID], as: Int64.self) ?? 0
                guard owners > 1 else {
                    throw HTTPError(.conflict, "The last owner cannot be \(remove ? "removed" : "demoted"): make someone else owner first.")
                }
            }
            if remove {
                try db.execute("DELETE FROM memberships WHERE id = ?", [membershipID])
                try Outbox.enqueue(in: db, to: email, subject: "You are no longer on the \(admin.programName) admin team",
                                   body: "Hello,\n\n\(admin.actor.email) removed you from the \(admin.programName) partner program's admin team.\n", now: now)
                try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "team.remove", subjectType: "user",
                                      details: "\(email) (\(Self.label(oldRole)))", now: now)
                return "removed"
            }
            guard let newRole else { return "role" }
            try db.execute("UPDATE memberships SET role = ? WHERE id = ?", [newRole.rawValue, membershipID])
            try Outbox.enqueue(in: db, to: email, subject: "Your role on the \(admin.programName) admin team is now \(Self.label(newRole))",
                               body: "Hello,\n\n\(admin.actor.email) changed your role on the \(admin.programName) partner program from \(Self.label(oldRole)) to \(Self.label(newRole)).\n\nSign in: \(baseURL)/admin\n",
                               now: now)
            try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "team.role", subjectType: "user",
                                  details: "\(email): \(Self.label(oldRole)) → \(Self.label(newRole))", now: now)
            return "role"
        }
        return .redirect(to: "/admin/team?program=\(admin.programID)&done=\(done)", status: .seeOther)
    }

    private func page(_ context: RequestContext, admin: AdminContext, errors: [String: [String]], email: String, role: String, notice: String?,
                      status: HTTPStatus = .ok) throws -> Response {
        let canManage = admin.may(.manageAdminTeam)
        let now = Int64(Date().timeIntervalSince1970)
        let (members, invitations) = try database.read { db -> ([[String: Any]], [[String: Any]]) in
            let members = try db.query("""
                SELECT m.id, m.role, u.email, u.name FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.program_id = ? AND m.partner_id IS NULL ORDER BY m.role = 'program_owner' DESC, u.email
                """, [admin.programID]).map { row -> [String: Any] in
                let memberRole = Role(rawValue: try row["role"]) ?? .programViewer
                return ["id": try row["id"] as Int64, "email": try row["email"] as String, "name": try row["name"] as String,
                        "role": Self.label(memberRole), "canManage": canManage,
                        "choices": FormFields.options(Self.roles.map { ($0.role.rawValue, $0.label) }, selected: memberRole.rawValue)]
            }
            let invitations = try db.query("""
                SELECT email, role, expires_at FROM one_time_tokens
                WHERE program_id = ? AND partner_id IS NULL AND purpose = 'invitation' AND used_at IS NULL AND expires_at > ? ORDER BY created_at
                """, [admin.programID, now]).map { row -> [String: Any] in
                ["email": try row["email"] as String, "role": Self.label(Role(rawValue: try row["role"] ?? "") ?? .programViewer),
                 "expires": CivilDate.format(days: DailyStats.day(of: try row["expires_at"]))]
            }
            return (members, invitations)
        }
        var values: [String: Any] = [
            "programName": admin.programName, "programID": admin.programID, "members": members, "invitations": invitations,
            "hasInvitations": !invitations.isEmpty, "canManage": canManage, "email": email, "hasErrors": !errors.isEmpty,
            "emailErrors": errors["email"] ?? [], "roleErrors": errors["role"] ?? [], "emailInvalid": errors["email"] != nil,
            "roles": Self.roles.map { ["value": $0.role.rawValue, "label": $0.label, "help": $0.help, "selected": $0.role.rawValue == role] as [String: Any] },
        ]
        if let notice { values["notice"] = notice }
        var response = try templates.page("admin/team", PageChrome(context: context, currentPath: "/admin/team").merged(with: values))
        response.status = status
        return response
    }
}
