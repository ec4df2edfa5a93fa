import HTTPServer
import PortalCore

/// Guards a group of routes: a signed-in user allowed to perform `action`. Anonymous browsers are sent to
/// the sign-in page (and back afterwards); signed-in users without the role get `403`.
struct RequireAccess: Middleware {
    let action: Action

    func handle(_ request: Request, context: RequestContext, next: (Request, RequestContext) throws -> Response) throws -> Response {
        guard let principal = context.webSession.principal else {
            if request.method == .get || request.method == .head {
                return .redirect(to: "/login?next=" + PercentDecoding.encode(request.target), status: .seeOther)
            }
            throw HTTPError(.unauthorized, "Please sign in.")
        }
        // Staff viewing the portal as a partner (checked by `ViewAsPartnerMiddleware`) may read it.
        if action == .viewPartnerDashboard, context.viewingAsPartner != nil { return try next(request, context) }
        guard principal.may(action) else {
            throw HTTPError(.forbidden, "Your account does not have access to this page.")
        }
        return try next(request, context)
    }
}
