import Foundation
import HTTPServer
import Logging
import PortalCore

/// `/sso/start?email=` (discovery by e-mail domain, then off to the identity provider) and `/sso/callback` (code
/// exchange, ID token checks, sign-in). Every refusal is a page saying what went wrong (`auth/sso_error`), never a 500.
struct SSOController {
    let service: SSOService
    let sessions: SessionStore
    let templates: TemplateRenderer
    let logger: Logger

    /// Binds a started sign-in to the browser that started it (checked against `state` at the callback). Lax: the
    /// provider sends the browser back with a top-level GET.
    static let stateCookie = "pp_sso_state"

    func register(on routes: RouterGroup) {
        routes.get("/sso/start") { request, context in
            let email = request.queryParameters["email"] ?? ""
            let next = AuthController.safeNext(request.queryParameters["next"])
            do {
                let started = try service.start(email: email, next: next, now: AuthController.now())
                var response = Response.redirect(to: started.authorizeURL, status: .seeOther)
                response.setCookie(SetCookie(name: Self.stateCookie, value: started.state, path: "/sso/",
                                             maxAge: Int(SSOService.stateLifetime), secure: request.isSecure))
                return response
            } catch {
                return try failurePage(error, request, context)
            }
        }
        routes.get("/sso/callback") { request, context in
            let query = request.queryParameters
            do {
                let finished = try service.finish(state: query["state"], code: query["code"], providerError: query["error"],
                                                  browserState: request.cookies[Self.stateCookie], now: AuthController.now())
                // A new session id at sign-in (session fixation): any earlier one ends here.
                if let token = context.webSession.token { try sessions.end(token: token) }
                let started = try sessions.start(userID: finished.principal.user.id, address: AuthController.address(request),
                                                 userAgent: request.headers["user-agent"] ?? "", now: AuthController.now())
                let home = finished.principal.isProgramStaff ? "/admin" : "/portal"
                var response = Response.redirect(to: AuthController.safeNext(finished.next) ?? home, status: .seeOther)
                response.setCookie(SessionCookie.set(started.token, secure: request.isSecure))
                response.setCookie(Self.clearState(secure: request.isSecure))
                return response
            } catch {
                return try failurePage(error, request, context)
            }
        }
    }

    static func clearState(secure: Bool) -> SetCookie {
        var cookie = SetCookie.expired(stateCookie, path: "/sso/")
        cookie.secure = secure
        return cookie
    }

    private func failurePage(_ error: SSOFailure, _ request: Request, _ context: RequestContext) throws -> Response {
        logger.notice("single sign-on refused", metadata: ["kind": .string(error.kind.rawValue), "detail": .string(error.detail)])
        let values: [String: Any] = ["message": error.message, "kind": error.kind.rawValue]
        var response = try templates.page("auth/sso_error", values.merging(context.brandValues) { page, _ in page },
                                          status: HTTPStatus(error.status))
        response.setCookie(Self.clearState(secure: request.isSecure))
        return response
    }

    private func failurePage(_ error: any Error, _ request: Request, _ context: RequestContext) throws -> Response {
        if let failure = error as? SSOFailure { return try failurePage(failure, request, context) }
        return try failurePage(SSOFailure(.providerUnavailable, "Single sign-on failed unexpectedly. Try again in a moment.",
                                          detail: "\(error)"), request, context)
    }
}
