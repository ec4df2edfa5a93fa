import HTTPServer
import PortalCore
import Store

/// `/admin`: the program overview for program staff.
struct AdminDashboardController {
    let database: DatabasePool
    let templates: TemplateRenderer

    struct ProgramCard {
        let name: String
        let slug: String
        let currency: String
        let partners: Int64
        var partnersLabel: String { partners == 1 ? "1 partner" : "\(partners) partners" }
        let commission: String
        let holdDays: Int64
    }

    func register(on routes: RouterGroup) {
        routes.get("/") { _, context in
            let principal = context.webSession.principal
            let isPlatformAdmin = principal?.memberships.contains { $0.role == .platformAdmin } ?? false
            let programIDs = principal?.memberships.compactMap(\.programID) ?? []
            let rows = try database.read { db in
                try db.query("""
                    SELECT p.id, p.name, p.slug, p.currency, p.commission_bps, p.hold_days,
                           (SELECT count(*) FROM partners WHERE program_id = p.id) AS partners
                    FROM programs p ORDER BY p.name
                    """)
            }
            // Staff see only their programs; platform admins see all.
            let cards = try rows.filter { row in try isPlatformAdmin || programIDs.contains(row["id"] as Int64) }.map { row in
                ProgramCard(name: try row["name"], slug: try row["slug"], currency: try row["currency"], partners: try row["partners"],
                            commission: Self.percent(basisPoints: try row["commission_bps"]), holdDays: try row["hold_days"])
            }
            return try templates.page("admin/dashboard", PageChrome(context: context, currentPath: "/admin").merged(with: ["programs": cards]))
        }
    }

    /// 2500 bps → "25%", 1250 → "12.5%".
    static func percent(basisPoints: Int64) -> String {
        basisPoints % 100 == 0 ? "\(basisPoints / 100)%" : "\(basisPoints / 100).\(String(format: "%02d", basisPoints % 100).trimmingSuffix("0"))%"
    }
}

extension String {
    func trimmingSuffix(_ character: Character) -> String {
        var text = self
        while text.last == character { text.removeLast() }
        return text
    }
}

import Foundation
