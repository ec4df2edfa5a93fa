import Foundation
import HTTPServer
import PortalCore
import Store

/// Finds the browser's session from its cookie and, when signed in, loads the principal (user and roles).
struct SessionMiddleware: Middleware {
    let sessions: SessionStore
    let database: DatabasePool

    func handle(_ request: Request, context: RequestContext, next: (Request, RequestContext) throws -> Response) throws -> Response {
        if let token = request.cookies[SessionCookie.name],
           let session = try sessions.find(token: token, now: Int64(Date().timeIntervalSince1970)) {
            var web = WebSession(token: token, session: session)
            if let userID = session.userID {
                web.principal = try database.read { db in try AccountStore(database: database).principal(in: db, userID: userID) }
            }
            context.webSession = web
        }
        return try next(request, context)
    }
}
