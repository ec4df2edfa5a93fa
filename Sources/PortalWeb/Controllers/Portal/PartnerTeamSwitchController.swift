import HTTPServer
import PortalCore
import Store

/// `/portal/teams`: for a user in several partner teams (an agency working for two programs, say), the list of
/// teams and the choice of the one the portal acts for. The choice is a cookie, checked against the user's
/// memberships on every request by `PartnerContext`, so forms and links need not carry it.
struct PartnerTeamSwitchController {
    let database: DatabasePool
    let templates: TemplateRenderer

    func register(on routes: RouterGroup) {
        routes.get("/teams") { request, context in
            let current = try PartnerContext.resolve(request, context, database: database)
            let teams = try self.teams(context)
            return try templates.page("portal/teams", PageChrome(context: context, currentPath: "/portal/teams").merged(with: [
                "teams": teams.map { team -> [String: Any] in
                    ["id": team.id, "name": team.name, "program": team.program, "role": team.role.title, "current": team.id == current.partnerID]
                },
            ]))
        }
        routes.post("/teams/switch", options: RouteOptions(maxBodySize: 4 * 1024)) { request, context in
            let body = try FormBody.parse(request)
            guard let id = body["partner"].flatMap({ Int64($0) }), try teams(context).contains(where: { $0.id == id }) else {
                throw HTTPError(.notFound, "Not found")
            }
            var response = Response.redirect(to: "/portal", status: .seeOther)
            response.setCookie(TeamCookie.set(id, secure: request.isSecure))
            return response
        }
    }

    private func teams(_ context: RequestContext) throws -> [(id: Int64, name: String, program: String, role: Role)] {
        guard let principal = context.webSession.principal else { throw HTTPError(.unauthorized, "Please sign in.") }
        let memberships = principal.memberships.compactMap { membership in membership.partnerID.map { ($0, membership.role) } }
        return try database.read { db in
            try memberships.compactMap { partnerID, role in
                try db.queryOne("""
                    SELECT pa.name, pr.name AS program FROM partners pa JOIN programs pr ON pr.id = pa.program_id WHERE pa.id = ?
                    """, [partnerID]).map { (partnerID, try $0["name"] as String, try $0["program"] as String, role) }
            }
        }
    }
}
