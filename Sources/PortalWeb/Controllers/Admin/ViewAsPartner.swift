import Foundation
import HTTPServer
import PortalCore
import PortalSecurity
import Store

/// "View as partner": a member of a program's staff opens `/portal` exactly as one of the program's partners sees it,
/// to answer their questions. It is strictly read-only — every unsafe request under `/portal` is refused, the
/// partner context carries the viewer role (so no form is offered), and the per-visit bookkeeping pages do (read
/// marks, first reads, download counts) is not kept — and each start is written to the audit log.
///
/// The state is a cookie `pp_view_as={partnerID}.{HMAC}` whose MAC binds it to the staff member's session token, so
/// it is only ever made by the audited start action and dies with the session; every request re-checks that the
/// user is still staff of the partner's program.
struct ViewingAsPartner: Sendable {
    let partnerID: Int64
    let programID: Int64
    let partnerName: String
}

enum ViewingAsPartnerKey: ContextKey {
    typealias Value = ViewingAsPartner
}

extension RequestContext {
    var viewingAsPartner: ViewingAsPartner? { self[ViewingAsPartnerKey.self] }
}

enum ViewAsCookie {
    static let name = "pp_view_as"

    static func value(partnerID: Int64, sessionToken: String, key: [UInt8]) -> String {
        "\(partnerID).\(Hex.encode(mac(partnerID: partnerID, sessionToken: sessionToken, key: key)))"
    }

    /// The partner id of a cookie this session's start action made, or nil.
    static func partnerID(from value: String, sessionToken: String, key: [UInt8]) -> Int64? {
        let parts = value.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let id = Int64(parts[0]), id > 0, let given = Hex.decode(parts[1]) else { return nil }
        return ConstantTime.equals(given, mac(partnerID: id, sessionToken: sessionToken, key: key)) ? id : nil
    }

    private static func mac(partnerID: Int64, sessionToken: String, key: [UInt8]) -> [UInt8] {
        HMACSHA256.authenticate(key: key, message: "view-as|\(sessionToken)|\(partnerID)")
    }

    static func set(_ value: String, secure: Bool) -> SetCookie {
        SetCookie(name: name, value: value, httpOnly: true, secure: secure, sameSite: .strict)
    }

    static func clear(secure: Bool) -> SetCookie {
        var cookie = SetCookie.expired(name)
        cookie.secure = secure
        return cookie
    }
}

/// On `/portal`: recognises a valid view-as cookie of a staff member and refuses anything but GET and HEAD while it
/// is in force.
struct ViewAsPartnerMiddleware: Middleware {
    let database: DatabasePool
    let key: [UInt8]

    func handle(_ request: Request, context: RequestContext, next: (Request, RequestContext) throws -> Response) throws -> Response {
        if let viewing = try Self.resolve(request, context, database: database, key: key) {
            context[ViewingAsPartnerKey.self] = viewing
            guard request.method == .get || request.method == .head else {
                throw HTTPError(.forbidden, "You are viewing \(viewing.partnerName)'s portal read-only: nothing can be changed here.")
            }
        }
        return try next(request, context)
    }

    static func resolve(_ request: Request, _ context: RequestContext, database: DatabasePool, key: [UInt8]) throws -> ViewingAsPartner? {
        guard let value = request.cookies[ViewAsCookie.name], let principal = context.webSession.principal, principal.isProgramStaff,
              let token = context.webSession.token,
              let partnerID = ViewAsCookie.partnerID(from: value, sessionToken: token, key: key) else { return nil }
        guard let row = try database.read({ db in
            try db.queryOne("SELECT program_id, name FROM partners WHERE id = ?", [partnerID])
        }) else { return nil }
        let programID: Int64 = try row["program_id"]
        // Still staff of that program (a role removed since the start ends the view).
        guard principal.may(.viewProgram, inProgram: programID) else { return nil }
        return ViewingAsPartner(partnerID: partnerID, programID: programID, partnerName: try row["name"])
    }
}

/// `POST /admin/partners/{id}/view-as` starts a view (audited), `POST /admin/view-as/stop` ends it.
struct AdminViewAsController {
    let database: DatabasePool
    let addressSecret: [UInt8]
    let key: [UInt8]

    func register(on routes: RouterGroup) {
        let small = RouteOptions(maxBodySize: 4 * 1024)
        routes.post("/partners/{id}/view-as", options: small) { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.viewProgram)
            _ = try FormBody.parse(request)
            guard let id = Int64(try context.parameters.require("id")), let token = context.webSession.token else {
                throw HTTPError(.notFound, "Not found")
            }
            let now = Int64(Date().timeIntervalSince1970)
            try database.write { db in
                guard let name = try db.queryValue("SELECT name FROM partners WHERE id = ? AND program_id = ?", [id, admin.programID],
                                                   as: String.self) else { throw HTTPError(.notFound, "Not found") }
                try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "partner.view_as", subjectType: "partner",
                                      subjectID: id, details: "viewed the portal as \(name) (read-only)", now: now)
            }
            var response = Response.redirect(to: "/portal", status: .seeOther)
            response.setCookie(ViewAsCookie.set(ViewAsCookie.value(partnerID: id, sessionToken: token, key: key), secure: request.isSecure))
            return response
        }
        routes.post("/view-as/stop", options: small) { request, context in
            _ = try FormBody.parse(request)
            let viewing = try ViewAsPartnerMiddleware.resolve(request, context, database: database, key: key)
            var response = Response.redirect(to: viewing.map { "/admin/partners/\($0.partnerID)?program=\($0.programID)" } ?? "/admin/partners",
                                             status: .seeOther)
            response.setCookie(ViewAsCookie.clear(secure: request.isSecure))
            return response
        }
    }
}

extension DatabasePool {
    /// `write`, or — while viewing as a partner — the same work in a transaction that is always rolled back, so a page
    /// shows exactly what the partner would see (including its per-visit bookkeeping) and keeps none of it.
    func write<T>(discarding: Bool, _ body: (Database) throws -> T) throws -> T {
        guard discarding else { return try write(body) }
        var result: T?
        do {
            try write { db in
                result = try body(db)
                throw DiscardedTransaction()
            }
        } catch is DiscardedTransaction {}
        guard let result else { throw HTTPError(.internalServerError, "The page could not be read.") }
        return result
    }
}

private struct DiscardedTransaction: Error {}
