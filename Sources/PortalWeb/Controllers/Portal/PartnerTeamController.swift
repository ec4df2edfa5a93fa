import Foundation
import HTTPServer
import PortalCore
import Store

/// `/portal/team`: the partner team's members and pending invitations; owners and admins invite by e-mail with a
/// role (owner, admin, member, viewer) and remove members. Checked on the server: other roles see the list only.
/// Owners and admins also change a member's role. The last owner cannot be removed or demoted, and only an owner can
/// make or remove an owner.
struct PartnerTeamController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let baseURL: String

    static let roles: [(Role, String, String)] = [
        (.partnerOwner, "Owner", "Everything, including payout and tax details and the team."),
        (.partnerAdmin, "Admin", "Everything an owner does, including payout details and the team."),
        (.partnerMember, "Member", "Links, reports and messages; no money settings."),
        (.partnerViewer, "Viewer", "Reads reports and earnings; changes nothing."),
    ]

    func register(on routes: RouterGroup) {
        let small = RouteOptions(maxBodySize: 16 * 1024)
        routes.get("/team") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            return try page(context, partner: partner, notice: request.queryParameters["done"], errors: [:], email: "")
        }
        routes.post("/team/invite", options: small) { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            try partner.require(.manageTeam)
            let form = try FormBody.parse(request)
            var errors: [String: [String]] = [:]
            let email = AccountStore.normalizedEmail(form["email"] ?? "")
            if email == nil { errors["email", default: []].append("Enter the e-mail address to invite.") }
            let role = Role(rawValue: form["role"] ?? "")
            if role == nil || !(role?.isPartnerTeam ?? false) || role == .platformAdmin {
                errors["role", default: []].append("Choose a role.")
            } else if role == .partnerOwner && partner.role != .partnerOwner {
                errors["role", default: []].append("Only an owner can invite another owner.")
            }
            if let email, errors.isEmpty, try database.read({ db in
                try db.queryOne("""
                    SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.partner_id = ? AND u.email = ?
                    """, [partner.partnerID, email])
            }) != nil {
                errors["email", default: []].append("This person is already in your team.")
            }
            guard errors.isEmpty, let email, let role else {
                return try page(context, partner: partner, notice: nil, errors: errors, email: form["email"] ?? "", status: .unprocessableContent)
            }
            let inviter = context.webSession.principal?.user.email ?? "your team"
            let now = Int64(Date().timeIntervalSince1970)
            try database.write { db in
                let token = try OneTimeTokens().issue(in: db, purpose: .invitation, email: email, role: role, programID: partner.programID,
                                                      partnerID: partner.partnerID, lifetime: 7 * 86_400, now: now)
                try Outbox.enqueue(in: db, to: email, subject: "Join \(partner.partnerName) on the \(partner.programName) partner portal",
                                   body: "Hello,\n\n\(inviter) invites you to the \(partner.partnerName) team as \(Self.label(role)).\n\nAccept within 7 days: \(baseURL)/password/\(token)\n",
                                   now: now)
            }
            return .redirect(to: "/portal/team?done=invited", status: .seeOther)
        }
        routes.post("/team/{membership}/role", options: small) { request, context in
            try changeRole(request, context)
        }
        routes.post("/team/{membership}/remove", options: small) { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            try partner.require(.manageTeam)
            _ = try FormBody.parse(request)
            guard let membershipID = Int64(try context.parameters.require("membership")) else { throw HTTPError(.notFound, "Not found") }
            try database.write { db in
                // Only a membership of this partner team: another team's id is "not found".
                guard let row = try db.queryOne("SELECT role FROM memberships WHERE id = ? AND partner_id = ?", [membershipID, partner.partnerID]) else {
                    throw HTTPError(.notFound, "Not found")
                }
                let role: String = try row["role"]
                if role == Role.partnerOwner.rawValue {
                    guard partner.role == .partnerOwner else { throw HTTPError(.forbidden, "Only an owner can remove an owner.") }
                    let owners = try db.queryValue("SELECT count(*) FROM memberships WHERE partner_id = ? AND role = 'partner_owner'",
                                                   [partner.partnerID], as: Int64.self) ?? 0
                    guard owners > 1 else { throw HTTPError(.conflict, "The last owner cannot be removed: make someone else owner first.") }
                }
                try db.execute("DELETE FROM memberships WHERE id = ?", [membershipID])
            }
            return .redirect(to: "/portal/team?done=removed", status: .seeOther)
        }
    }

    /// `POST /portal/team/{membership}/role`: 404 for another team's membership, 422 for an unknown role, 403 when an
    /// admin would grant or take away the owner role, 409 for demoting the last owner. The member is told by e-mail.
    private func changeRole(_ request: Request, _ context: RequestContext) throws -> Response {
        let partner = try PartnerContext.resolve(request, context, database: database)
        try partner.require(.manageTeam)
        let form = try FormBody.parse(request)
        guard let membershipID = Int64(try context.parameters.require("membership")) else { throw HTTPError(.notFound, "Not found") }
        let newRole = Role(rawValue: form["role"] ?? "")
        let changer = context.webSession.principal?.user.email ?? "your team"
        let now = Int64(Date().timeIntervalSince1970)
        let changed = try database.write { db -> Bool in
            guard let row = try db.queryOne("""
                SELECT m.role, u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.id = ? AND m.partner_id = ?
                """, [membershipID, partner.partnerID]) else { throw HTTPError(.notFound, "Not found") }
            guard let newRole, Self.roles.contains(where: { $0.0 == newRole }) else {
                throw HTTPError(.unprocessableContent, "Choose a role: owner, admin, member or viewer.")
            }
            let oldRole = Role(rawValue: try row["role"]) ?? .partnerViewer
            guard oldRole != newRole else { return false }
            if oldRole == .partnerOwner || newRole == .partnerOwner {
                guard partner.role == .partnerOwner else { throw HTTPError(.forbidden, "Only an owner can make someone owner or change an owner's role.") }
            }
            if oldRole == .partnerOwner {
                let owners = try db.queryValue("SELECT count(*) FROM memberships WHERE partner_id = ? AND role = 'partner_owner'",
                                               [partner.partnerID], as: Int64.self) ?? 0
                guard owners > 1 else { throw HTTPError(.conflict, "The last owner cannot be demoted: make someone else owner first.") }
            }
            try db.execute("UPDATE memberships SET role = ? WHERE id = ? AND partner_id = ?", [newRole.rawValue, membershipID, partner.partnerID])
            try Outbox.enqueue(in: db, to: try row["email"], subject: "Your role in \(partner.partnerName) is now \(Self.label(newRole))",
                               body: "Hello,\n\n\(changer) changed your role in the \(partner.partnerName) team on the \(partner.programName) partner portal from \(Self.label(oldRole)) to \(Self.label(newRole)).\n\nSign in: \(baseURL)/portal\n",
                               now: now)
            return true
        }
        return .redirect(to: "/portal/team?done=" + (changed ? "role" : "unchanged"), status: .seeOther)
    }

    static func label(_ role: Role) -> String {
        roles.first { $0.0 == role }?.1 ?? role.rawValue
    }

    private func page(_ context: RequestContext, partner: PartnerContext, notice: String?, errors: [String: [String]], email: String,
                      status: HTTPStatus = .ok) throws -> Response {
        let (members, invitations) = try database.read { db -> ([[String: Any]], [[String: Any]]) in
            let members = try db.query("""
                SELECT m.id, m.role, u.email, u.name FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.partner_id = ? ORDER BY m.id
                """, [partner.partnerID]).map { row -> [String: Any] in
                let role = Role(rawValue: try row["role"]) ?? .partnerViewer
                // The role choices for this row: an admin may not grant or take away the owner role.
                let choices = Self.roles.filter { partner.role == .partnerOwner || ($0.0 != .partnerOwner && role != .partnerOwner) }
                    .map { ["value": $0.0.rawValue, "label": $0.1, "selected": $0.0 == role] as [String: Any] }
                return ["id": try row["id"] as Int64, "email": try row["email"] as String, "name": try row["name"] as String,
                        "role": Self.label(role), "roleChoices": choices, "canChangeRole": !choices.isEmpty]
            }
            let now = Int64(Date().timeIntervalSince1970)
            let invitations = try db.query("""
                SELECT email, role, expires_at FROM one_time_tokens
                WHERE partner_id = ? AND purpose = 'invitation' AND used_at IS NULL AND expires_at > ? ORDER BY created_at
                """, [partner.partnerID, now]).map { row -> [String: Any] in
                ["email": try row["email"] as String, "role": Self.label(Role(rawValue: try row["role"] ?? "") ?? .partnerViewer),
                 "expires": CivilDate.format(days: DailyStats.day(of: try row["expires_at"]))]
            }
            return (members, invitations)
        }
        let canManage = partner.may(.manageTeam)
        // Only present keys open a section: swift-mustache treats an empty string as true.
        var extra: [String: Any] = [:]
        if notice == "invited" { extra["notice"] = "Invitation sent." }
        if notice == "removed" { extra["notice"] = "Member removed." }
        if notice == "role" { extra["notice"] = "Role changed. The member was told by e-mail." }
        if notice == "unchanged" { extra["notice"] = "The member already had that role." }
        var response = try templates.page("portal/team", PageChrome(context: context, currentPath: "/portal/team").merged(with: extra.merging([
            "partnerName": partner.partnerName, "members": members.map { var m = $0; m["canRemove"] = canManage; m["canChangeRole"] = canManage && (m["canChangeRole"] as? Bool ?? false); return m },
            "invitations": invitations, "hasInvitations": !invitations.isEmpty, "canManage": canManage, "canConfigureSSO": partner.role == .partnerOwner && !partner.readOnly,
            "email": email, "emailErrors": errors["email"] ?? [], "roleErrors": errors["role"] ?? [],
            "emailInvalid": errors["email"] != nil, "hasErrors": !errors.isEmpty,
            "roles": Self.roles.map { ["value": $0.0.rawValue, "label": $0.1, "help": $0.2, "selected": $0.0 == .partnerMember] },
        ]) { $1 }))
        response.status = status
        return response
    }
}
