import HTTPServer
import PortalCore
import PortalSecurity
import Store

/// Which program an `/admin` request acts on, resolved once from the signed-in staff member's memberships: every
/// admin query is scoped by this `programID`, never by one taken from a form. A member of several programs' staff
/// (or a platform admin, who may act on any) picks one with `?program={id}`; otherwise their first program is used.
/// A program the user may not manage is `404`, so the console never reveals another program.
struct AdminContext {
    let programID: Int64
    let programName: String
    let currency: String
    let principal: Principal
    /// The audit log's record of who acts and from where.
    let actor: AuditLog.Actor

    /// Whether the user may perform `action` in this program (enforced on the server, not only hidden).
    func may(_ action: Action) -> Bool { principal.may(action, inProgram: programID) }

    /// Refuses with `403` unless the user's role in this program allows `action`.
    func require(_ action: Action) throws {
        guard may(action) else { throw HTTPError(.forbidden, "Your role in this program does not allow this.") }
    }

    static func resolve(_ request: Request, _ context: RequestContext, database: DatabasePool, addressSecret: [UInt8]) throws -> AdminContext {
        // Resolved once per request: the unread-messages middleware and the page's controller both ask.
        if let resolved = context[ResolvedAdminKey.self] { return resolved }
        let resolved = try resolveAnew(request, context, database: database, addressSecret: addressSecret)
        context[ResolvedAdminKey.self] = resolved
        return resolved
    }

    private static func resolveAnew(_ request: Request, _ context: RequestContext, database: DatabasePool,
                                    addressSecret: [UInt8]) throws -> AdminContext {
        guard let principal = context.webSession.principal else { throw HTTPError(.unauthorized, "Please sign in.") }
        guard principal.isProgramStaff else { throw HTTPError(.forbidden, "The admin console is for the program's staff.") }
        let isPlatformAdmin = principal.memberships.contains { $0.role == .platformAdmin }
        let staffPrograms = principal.memberships.filter { $0.role.isProgramStaff }.compactMap(\.programID)
        let requested = request.queryParameters["program"]
        let row = try database.read { db -> Row? in
            if let requested {
                guard let id = Int64(requested), isPlatformAdmin || staffPrograms.contains(id) else { return nil }
                return try db.queryOne("SELECT id, name, currency FROM programs WHERE id = ?", [id])
            }
            if let first = staffPrograms.first {
                return try db.queryOne("SELECT id, name, currency FROM programs WHERE id = ?", [first])
            }
            return isPlatformAdmin ? try db.queryOne("SELECT id, name, currency FROM programs ORDER BY id LIMIT 1") : nil
        }
        guard let row else { throw HTTPError(.notFound, "Not found") }
        let actor = AuditLog.Actor(userID: principal.user.id, email: principal.user.email,
                                   addressHash: AddressHash.compute(ip: AuthController.address(request), secret: addressSecret))
        return AdminContext(programID: try row["id"], programName: try row["name"], currency: try row["currency"], principal: principal,
                            actor: actor)
    }

    func money(_ amount: Int64) -> String { MoneyText.format(amount, currency: currency) }
}

enum ResolvedAdminKey: ContextKey {
    typealias Value = AdminContext
}
