import Foundation
import HTTPServer
import PortalCore
import PortalSecurity
import Store

/// Password links: "forgot password" sends a reset link by e-mail; `/password/{token}` sets a password for a
/// reset, a first admin's setup link, or an invitation (which also creates the account and its role).
/// Links are single-use and expire; using one signs the user out everywhere else and in here.
struct PasswordLinkController {
    let database: DatabasePool
    let sessions: SessionStore
    let hasher: PasswordHasher
    let templates: TemplateRenderer
    let baseURL: String
    /// A member of a team with mandatory single sign-on is sent through it instead of being signed in by the link.
    var sso: SSOService? = nil

    static let resetLifetime: Int64 = 3600
    private let tokens = OneTimeTokens()
    private static let purposes: [OneTimeTokens.Purpose] = [.passwordReset, .setup, .invitation]

    func register(on routes: RouterGroup) {
        routes.get("/password/forgot") { request, context in
            let (csrf, cookie) = try anonymousSession(request, context)
            var response = try templates.page("auth/forgot", ["csrfToken": csrf])
            if let cookie { response.setCookie(cookie) }
            return response
        }
        routes.post("/password/forgot", options: RouteOptions(maxBodySize: 16 * 1024)) { request, context in
            let form = try FormBody.parse(request)
            let email = AccountStore.normalizedEmail(form["email"] ?? "") ?? ""
            let now = AuthController.now()
            try database.write { db in
                // The page says the same whether or not the account exists: it must not reveal who has one.
                guard let user = try AccountStore(database: database).user(in: db, email: email), !user.disabled else { return }
                let token = try tokens.issue(in: db, purpose: .passwordReset, email: user.email, userID: user.id,
                                             lifetime: Self.resetLifetime, now: now)
                try Outbox.enqueue(in: db, to: user.email, subject: "Reset your PartnerPortal password", body: """
                    Someone (hopefully you) asked to reset the password of your PartnerPortal account.

                    Choose a new password here within one hour:
                    \(baseURL)/password/\(token)

                    If you did not ask for this, ignore this message; your password stays as it is.
                    """, now: now)
            }
            return try templates.page("auth/forgot", ["sent": true, "email": email, "csrfToken": context.webSession.session?.csrfToken ?? ""])
        }
        routes.get("/password/{token}") { request, context in
            let token = try context.parameters.require("token")
            guard let grant = try findGrant(token) else { return try expiredPage() }
            let (csrf, cookie) = try anonymousSession(request, context)
            var response = try formPage(token: token, grant: grant, csrf: csrf, error: nil, name: "")
            if let cookie { response.setCookie(cookie) }
            return response
        }
        routes.post("/password/{token}", options: RouteOptions(maxBodySize: 16 * 1024)) { request, context in
            try setPassword(request, context)
        }
    }

    private func findGrant(_ token: String) throws -> OneTimeTokens.Grant? {
        let now = AuthController.now()
        return try database.read { db in
            for purpose in Self.purposes {
                if let grant = try tokens.peek(in: db, token: token, purpose: purpose, now: now) { return grant }
            }
            return nil
        }
    }

    private func setPassword(_ request: Request, _ context: RequestContext) throws -> Response {
        let token = try context.parameters.require("token")
        let form = try FormBody.parse(request)
        guard let grant = try findGrant(token) else { return try expiredPage() }
        let password = form["password"] ?? ""
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let csrf = context.webSession.session?.csrfToken ?? ""
        if let problem = PasswordRules.problem(with: password, email: grant.email) {
            return try formPage(token: token, grant: grant, csrf: csrf, error: problem, name: name, status: .unprocessableContent)
        }
        if password != form["confirm"] {
            return try formPage(token: token, grant: grant, csrf: csrf, error: "The two passwords differ.", name: name, status: .unprocessableContent)
        }
        if grant.purpose == .invitation && grant.userID == nil && name.isEmpty {
            return try formPage(token: token, grant: grant, csrf: csrf, error: "Please enter your name.", name: name, status: .unprocessableContent)
        }
        let hash = try hasher.hash(password)
        let now = AuthController.now()
        let accounts = AccountStore(database: database)
        // Redeeming and acting happen in one transaction: a link works once, and never half.
        let userID = try database.write { db -> Int64? in
            guard let redeemed = try tokens.redeem(in: db, token: token, purpose: grant.purpose, now: now) else { return nil }
            var userID = redeemed.userID
            if userID == nil, redeemed.purpose == .invitation {
                let existing = try accounts.user(in: db, email: redeemed.email)
                userID = try existing?.id ?? accounts.createUser(in: db, email: redeemed.email, name: name, passwordHash: nil, now: now).id
            }
            guard let userID else { return nil }
            try accounts.setPassword(in: db, userID: userID, passwordHash: hash)
            if let role = redeemed.role {
                try accounts.addMembership(in: db, userID: userID, Membership(role: role, programID: redeemed.programID, partnerID: redeemed.partnerID), now: now)
            }
            return userID
        }
        guard let userID else { return try expiredPage() }
        try sessions.endAll(userID: userID)
        if let sso, let email = try database.read({ db in try accounts.user(in: db, id: userID)?.email }),
           try sso.mandatoryConnection(forPassword: email) != nil {
            // Mandatory single sign-on: the link set a password (unusable while SSO is required) but signs nobody in.
            if let old = context.webSession.token { try sessions.end(token: old) }
            return .redirect(to: "/sso/start?email=" + OpenIDClient.formEncode(email), status: .seeOther)
        }
        if let old = context.webSession.token { try sessions.end(token: old) }
        let started = try sessions.start(userID: userID, address: AuthController.address(request), userAgent: request.headers["user-agent"] ?? "", now: now)
        var response = Response.redirect(to: "/", status: .seeOther)
        response.setCookie(SessionCookie.set(started.token, secure: request.isSecure))
        return response
    }

    private func formPage(token: String, grant: OneTimeTokens.Grant, csrf: String, error: String?, name: String,
                          status: HTTPStatus = .ok) throws -> Response {
        let heading = switch grant.purpose {
        case .passwordReset: "Choose a new password"
        case .setup: "Set your admin password"
        case .invitation: grant.userID == nil ? "Accept your invitation" : "Set your password"
        }
        var values: [String: Any] = ["heading": heading, "email": grant.email, "token": token, "csrfToken": csrf, "name": name,
                                     "askName": grant.purpose == .invitation && grant.userID == nil]
        if let error { values["error"] = error }
        return try templates.page("auth/set-password", values, status: status)
    }

    private func expiredPage() throws -> Response {
        try templates.page("errors/error", ["status": "410", "heading": "This link no longer works",
                                            "message": "It was used already or has expired. Ask for a new one from the sign-in page."],
                           status: HTTPStatus(410))
    }

    /// The CSRF token for an anonymous form, starting a session (and returning its cookie) when needed.
    private func anonymousSession(_ request: Request, _ context: RequestContext) throws -> (String, SetCookie?) {
        if let csrf = context.webSession.session?.csrfToken { return (csrf, nil) }
        let started = try sessions.start(userID: nil, address: AuthController.address(request), userAgent: request.headers["user-agent"] ?? "",
                                         now: AuthController.now())
        return (started.session.csrfToken, SessionCookie.set(started.token, secure: request.isSecure))
    }
}
