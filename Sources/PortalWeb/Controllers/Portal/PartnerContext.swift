import HTTPServer
import PortalCore
import Store

/// Which partner a `/portal` request acts for, resolved once from the signed-in user's memberships: every portal
/// query is scoped by this `partnerID` and `programID`, never by an id taken from the URL or a form. A user in
/// several partner teams picks one on `/portal/teams` (remembered in the `TeamCookie`), or for one request with
/// `?partner={id}`; an id the user is not a member of is `404`, so the portal never reveals that another partner
/// exists. The cookie only chooses among the user's own memberships, so changing it by hand grants nothing.
struct PartnerContext {
    let partnerID: Int64
    let programID: Int64
    let role: Role
    let partnerName: String
    let programName: String
    let status: PartnerStatus
    let currency: String
    /// A staff member viewing the portal as this partner: nothing may be changed or counted (`ViewingAsPartner`).
    var readOnly = false

    /// Whether the user's role in this partner team allows `action` (enforced on the server, not only hidden).
    func may(_ action: Action) -> Bool { Authorization.allows(role, action) }

    /// Refuses with `403` unless the role allows `action`.
    func require(_ action: Action) throws {
        guard may(action) else { throw HTTPError(.forbidden, "Your role in this partner team does not allow this.") }
    }

    static func resolve(_ request: Request, _ context: RequestContext, database: DatabasePool) throws -> PartnerContext {
        // Resolved once per request: the unread-messages middleware and the page's controller both ask.
        if let resolved = context[ResolvedPartnerKey.self] { return resolved }
        let resolved = try resolveAnew(request, context, database: database)
        context[ResolvedPartnerKey.self] = resolved
        return resolved
    }

    private static func resolveAnew(_ request: Request, _ context: RequestContext, database: DatabasePool) throws -> PartnerContext {
        guard let principal = context.webSession.principal else { throw HTTPError(.unauthorized, "Please sign in.") }
        if let viewing = context.viewingAsPartner {
            // Staff viewing as a partner hold the viewer role there: the pages offer no action (and the middleware
            // refuses any unsafe request besides).
            guard let row = try database.read({ db in
                try db.queryOne("""
                    SELECT pa.name AS partner_name, pa.status, pr.name AS program_name, pr.currency
                    FROM partners pa JOIN programs pr ON pr.id = pa.program_id WHERE pa.id = ? AND pa.program_id = ?
                    """, [viewing.partnerID, viewing.programID])
            }) else { throw HTTPError(.notFound, "Not found") }
            return PartnerContext(partnerID: viewing.partnerID, programID: viewing.programID, role: .partnerViewer,
                                  partnerName: try row["partner_name"], programName: try row["program_name"],
                                  status: PartnerStatus(rawValue: try row["status"]) ?? .pending, currency: try row["currency"], readOnly: true)
        }
        let teams = principal.memberships.filter { $0.role.isPartnerTeam && $0.partnerID != nil }
        guard !teams.isEmpty else { throw HTTPError(.forbidden, "Your account is not in a partner team.") }
        var chosen = teams[0]
        if let text = request.queryParameters["partner"] {
            guard let id = Int64(text), let match = teams.first(where: { $0.partnerID == id }) else {
                throw HTTPError(.notFound, "Not found")
            }
            chosen = match
        } else if let text = request.cookies[TeamCookie.name], let id = Int64(text),
                  let match = teams.first(where: { $0.partnerID == id }) {
            // The team last chosen on `/portal/teams`; a stale cookie (membership removed) falls back to the first.
            chosen = match
        }
        guard let partnerID = chosen.partnerID, let row = try database.read({ db in
            try db.queryOne("""
                SELECT pa.program_id, pa.name AS partner_name, pa.status, pr.name AS program_name, pr.currency
                FROM partners pa JOIN programs pr ON pr.id = pa.program_id WHERE pa.id = ?
                """, [partnerID])
        }) else { throw HTTPError(.notFound, "Not found") }
        return PartnerContext(partnerID: partnerID, programID: try row["program_id"], role: chosen.role,
                              partnerName: try row["partner_name"], programName: try row["program_name"],
                              status: PartnerStatus(rawValue: try row["status"]) ?? .pending, currency: try row["currency"])
    }

    /// `1999` → `$19.99`-style text in the program's currency (`19.99 USD` for currencies without a symbol here).
    func money(_ amount: Int64) -> String {
        MoneyText.format(amount, currency: currency)
    }
}

enum ResolvedPartnerKey: ContextKey {
    typealias Value = PartnerContext
}

/// The cookie remembering which of the user's partner teams the portal acts for.
enum TeamCookie {
    static let name = "pp_team"

    static func set(_ partnerID: Int64, secure: Bool) -> SetCookie {
        SetCookie(name: name, value: String(partnerID), path: "/portal", httpOnly: true, secure: secure, sameSite: .lax)
    }
}

/// Money as people read it on a page.
enum MoneyText {
    static let symbols: [String: String] = ["USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$", "INR": "₹"]

    static func format(_ amount: Int64, currency: String) -> String {
        let exponent = Currency.exponent(of: currency)
        var divisor: UInt64 = 1
        for _ in 0..<exponent { divisor *= 10 }
        let magnitude = amount.magnitude
        var text = DigitGrouping.grouped(magnitude / divisor)
        if exponent > 0 { text += "." + DigitGrouping.padded(magnitude % divisor, width: exponent) }
        let sign = amount < 0 ? "−" : ""
        if let symbol = symbols[currency] { return sign + symbol + text }
        return sign + text + " " + currency
    }
}
