import HTTPServer
import PortalCore
import Store

/// `/portal`: a partner team member's home.
struct PartnerDashboardController {
    let database: DatabasePool
    let templates: TemplateRenderer

    struct PartnerCard {
        let programName: String
        let partnerName: String
        let status: String
        let statusTone: String
    }

    func register(on routes: RouterGroup) {
        routes.get("/") { _, context in
            guard let principal = context.webSession.principal else { throw HTTPError(.unauthorized) }
            let partnerIDs = principal.memberships.compactMap(\.partnerID)
            var cards: [PartnerCard] = []
            try database.read { db in
                // Scoped to the partners this user belongs to: never another partner's row.
                for partnerID in partnerIDs {
                    guard let row = try db.queryOne("""
                        SELECT pa.name AS partner_name, pa.status, pr.name AS program_name
                        FROM partners pa JOIN programs pr ON pr.id = pa.program_id WHERE pa.id = ?
                        """, [partnerID]) else { continue }
                    let status: String = try row["status"]
                    cards.append(PartnerCard(programName: try row["program_name"], partnerName: try row["partner_name"], status: status,
                                             statusTone: status == "approved" ? "ok" : status == "pending" ? "warn" : "bad"))
                }
            }
            return try templates.page("portal/dashboard", PageChrome(context: context, currentPath: "/portal").merged(with: [
                "name": principal.user.name.isEmpty ? principal.user.email : principal.user.name, "partners": cards,
            ]))
        }
    }
}
