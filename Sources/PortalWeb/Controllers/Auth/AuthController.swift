import Foundation
import HTTPServer
import PortalCore

/// Sign-in and sign-out (`/login`, `/logout`), and `/`, which sends each visitor to their home.
struct AuthController {
    let sessions: SessionStore
    let login: LoginService
    let templates: TemplateRenderer
    /// Single sign-on: offered on the page when a connection exists; a mandatory one refuses passwords (SSOService).
    var sso: SSOService? = nil

    func register(on routes: RouterGroup) {
        routes.get("/") { _, context in
            guard let principal = context.webSession.principal else { return .redirect(to: "/login", status: .seeOther) }
            return .redirect(to: principal.isProgramStaff ? "/admin" : "/portal", status: .seeOther)
        }
        routes.get("/login") { request, context in try showLogin(request, context) }
        routes.post("/login", options: RouteOptions(maxBodySize: 16 * 1024)) { request, context in try submitLogin(request, context) }
        routes.post("/logout", options: RouteOptions(maxBodySize: 16 * 1024)) { request, context in
            // `everywhere=1` signs the user out on every device (a lost phone, a shared computer).
            if (try? FormBody.parse(request))?["everywhere"] == "1", let userID = context.webSession.principal?.user.id {
                try sessions.endAll(userID: userID)
            }
            if let token = context.webSession.token { try sessions.end(token: token) }
            var response = Response.redirect(to: "/login", status: .seeOther)
            response.setCookie(SessionCookie.clear(secure: request.isSecure))
            return response
        }
    }

    private func showLogin(_ request: Request, _ context: RequestContext) throws -> Response {
        if let principal = context.webSession.principal {
            return .redirect(to: Self.safeNext(request.queryParameters["next"]) ?? home(principal), status: .seeOther)
        }
        var response: Response
        var csrf = context.webSession.session?.csrfToken
        var newToken: String?
        if csrf == nil {
            // An anonymous session carries the sign-in form's CSRF token.
            let started = try sessions.start(userID: nil, address: Self.address(request), userAgent: request.headers["user-agent"] ?? "", now: Self.now())
            csrf = started.session.csrfToken
            newToken = started.token
        }
        let values: [String: Any] = [
            "csrfToken": csrf ?? "", "next": Self.safeNext(request.queryParameters["next"]) ?? "", "email": "",
            "offerSSO": try sso?.anyConnection() ?? false,
        ]
        response = try templates.page("auth/login", values.merging(context.brandValues) { page, _ in page })
        if let newToken { response.setCookie(SessionCookie.set(newToken, secure: request.isSecure)) }
        return response
    }

    private func submitLogin(_ request: Request, _ context: RequestContext) throws -> Response {
        let form = try FormBody.parse(request)
        let email = form["email"] ?? ""
        let next = Self.safeNext(form["next"])
        if (form["password"] ?? "").isEmpty, let sso, try sso.hasConnection(forEmail: email) {
            // Discovery by domain: an e-mail with single sign-on and no password goes to its identity provider.
            var target = "/sso/start?email=" + OpenIDClient.formEncode(AccountStore.normalizedEmail(email) ?? email)
            if let next { target += "&next=" + OpenIDClient.formEncode(next) }
            return .redirect(to: target, status: .seeOther)
        }
        if let connection = try sso?.mandatoryConnection(forPassword: email) {
            // Refused before the password is checked: the organisation decided its people sign in through its provider.
            let domain = SSOStore.domain(ofEmail: email) ?? connection.domains.first ?? ""
            return try loginPage(context, email: email, next: next,
                                 error: "\(domain) requires single sign-on: passwords are turned off for this account. "
                                     + "Use \u{201C}Continue with single sign-on\u{201D} below.",
                                 status: .forbidden, ssoRequired: true)
        }
        let outcome = try login.attempt(email: email, password: form["password"] ?? "", address: Self.address(request), now: Self.now())
        switch outcome {
        case .signedIn(let principal):
            // A new session id at sign-in (session fixation): the anonymous one ends here.
            if let token = context.webSession.token { try sessions.end(token: token) }
            let started = try sessions.start(userID: principal.user.id, address: Self.address(request),
                                             userAgent: request.headers["user-agent"] ?? "", now: Self.now())
            var response = Response.redirect(to: next ?? home(principal), status: .seeOther)
            response.setCookie(SessionCookie.set(started.token, secure: request.isSecure))
            return response
        case .invalid:
            return try loginPage(context, email: email, next: next, error: "Wrong e-mail or password.", status: .unauthorized)
        case .throttled(let seconds):
            var response = try loginPage(context, email: email, next: next, error: LoginThrottle.message(waitSeconds: seconds),
                                         status: .tooManyRequests)
            response.headers.append("Retry-After", String(seconds))
            return response
        }
    }

    private func loginPage(_ context: RequestContext, email: String, next: String?, error: String, status: HTTPStatus,
                           ssoRequired: Bool = false) throws -> Response {
        let values: [String: Any] = [
            "csrfToken": context.webSession.session?.csrfToken ?? "", "next": next ?? "", "email": email, "error": error,
            "offerSSO": try sso?.anyConnection() ?? false, "ssoRequired": ssoRequired,
        ]
        return try templates.page("auth/login", values.merging(context.brandValues) { page, _ in page }, status: status)
    }

    private func home(_ principal: Principal) -> String {
        principal.isProgramStaff ? "/admin" : "/portal"
    }

    /// Only same-site paths: `/admin/x` yes; `//evil.example`, `https://…` or `/\evil` no (open redirects).
    static func safeNext(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\"),
              // Every control character (a tab is dropped by browsers, so "/\t/evil" would become "//evil"), backslashes.
              !next.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" }), next.count <= 500 else { return nil }
        return next
    }

    static func address(_ request: Request) -> String {
        // The peer address without its port: throttling counts per client, not per connection.
        let remote = request.remoteAddress
        if remote.hasPrefix("["), let end = remote.firstIndex(of: "]") { return String(remote[remote.index(after: remote.startIndex)..<end]) }
        // The first run of characters between colons (as `split(separator: ":").first`), on the UTF-8 view:
        // this runs for every tracked click.
        let utf8 = remote.utf8
        guard let start = utf8.firstIndex(where: { $0 != UInt8(ascii: ":") }) else { return remote }
        return String(remote[start..<(utf8[start...].firstIndex(of: UInt8(ascii: ":")) ?? utf8.endIndex)])
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
