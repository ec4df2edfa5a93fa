import Foundation
import HTTPServer
import Logging
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// Sign-in, sessions, CSRF and access rules, over real sockets against the application.
@Suite(.serialized) struct AuthenticationTests {
    typealias Portal = RunningPortal

    @Test func loginPageSetsASafeSessionCookie() throws {
        let portal = try Portal()
        let page = try HTTPGet.request(port: portal.port, method: "GET", path: "/login")
        #expect(page.status == 200)
        #expect(page.headers["cache-control"] == "no-store")
        let cookie = try #require(page.setCookies.first)
        #expect(cookie.hasPrefix("pp_session="))
        #expect(cookie.contains("HttpOnly"))
        #expect(cookie.contains("SameSite=Lax"))
        #expect(page.body.contains(#"name="csrf_token""#))
        #expect(page.body.contains(#"<label for="email">"#))
    }

    @Test func signInRotatesTheSessionAndOpensTheAdminConsole() throws {
        let portal = try Portal()
        let (anonymous, csrf) = try portal.loginForm()
        let admin = portal.login("admin")
        let reply = try portal.signIn(admin.email, admin.password, cookie: anonymous, csrf: csrf)
        #expect(reply.status == 303)
        #expect(reply.headers["location"] == "/admin")
        let session = String(try #require(reply.setCookies.first).split(separator: ";")[0])
        #expect(session != anonymous)
        let page = try HTTPGet.request(port: portal.port, method: "GET", path: "/admin", headers: ["Cookie": session])
        #expect(page.status == 200)
        #expect(page.body.contains("Acme Analytics"))
        // The anonymous session is gone: its cookie opens nothing.
        #expect(try HTTPGet.request(port: portal.port, method: "GET", path: "/admin", headers: ["Cookie": anonymous]).status == 303)
    }

    @Test func wrongPasswordIsA401WithAMessage() throws {
        let portal = try Portal()
        let (cookie, csrf) = try portal.loginForm()
        let reply = try portal.signIn(portal.login("admin").email, "not-the-password", cookie: cookie, csrf: csrf)
        #expect(reply.status == 401)
        #expect(reply.body.contains("Wrong e-mail or password."))
        #expect(reply.setCookies.isEmpty)
    }

    @Test func formsWithoutTheCSRFTokenAre403() throws {
        let portal = try Portal()
        let (cookie, _) = try portal.loginForm()
        let admin = portal.login("admin")
        let forged = try portal.signIn(admin.email, admin.password, cookie: cookie, csrf: "forged-token-value-of-some-length")
        #expect(forged.status == 403)
        let noSession = try HTTPGet.request(port: portal.port, method: "POST", path: "/login",
                                            headers: ["Content-Type": "application/x-www-form-urlencoded"], body: "email=a%40b.c&password=x")
        #expect(noSession.status == 403)
    }

    @Test func rolesKeepPartnersOutOfTheAdminConsoleAndAnonymousUsersOut() throws {
        let portal = try Portal()
        let anonymous = try HTTPGet.request(port: portal.port, method: "GET", path: "/admin")
        #expect(anonymous.status == 303)
        #expect(anonymous.headers["location"] == "/login?next=%2Fadmin")
        let (cookie, csrf) = try portal.loginForm()
        let partner = portal.login("partner")
        let reply = try portal.signIn(partner.email, partner.password, cookie: cookie, csrf: csrf)
        #expect(reply.headers["location"] == "/portal")
        let session = String(try #require(reply.setCookies.first).split(separator: ";")[0])
        #expect(try HTTPGet.request(port: portal.port, method: "GET", path: "/portal", headers: ["Cookie": session]).status == 200)
        #expect(try HTTPGet.request(port: portal.port, method: "GET", path: "/admin", headers: ["Cookie": session]).status == 403)
    }

    @Test func logoutEndsTheSession() throws {
        let portal = try Portal()
        let (cookie, csrf) = try portal.loginForm()
        let admin = portal.login("admin")
        let reply = try portal.signIn(admin.email, admin.password, cookie: cookie, csrf: csrf)
        let session = String(try #require(reply.setCookies.first).split(separator: ";")[0])
        let page = try HTTPGet.request(port: portal.port, method: "GET", path: "/admin", headers: ["Cookie": session])
        let signedInCSRF = try #require(page.body.range(of: #"name="csrf_token" value="([^"]+)""#, options: .regularExpression)
            .map { String(page.body[$0].split(separator: "\"")[3]) })
        let logout = try HTTPGet.request(port: portal.port, method: "POST", path: "/logout",
                                         headers: ["Cookie": session, "Content-Type": "application/x-www-form-urlencoded"],
                                         body: "csrf_token=\(signedInCSRF)")
        #expect(logout.status == 303)
        #expect(logout.setCookies.first?.contains("Max-Age=0") == true)
        #expect(try HTTPGet.request(port: portal.port, method: "GET", path: "/admin", headers: ["Cookie": session]).status == 303)
    }

    @Test func repeatedFailuresAreThrottled() throws {
        let portal = try Portal()
        let (cookie, csrf) = try portal.loginForm()
        let email = portal.login("admin").email
        for _ in 0..<5 { _ = try portal.signIn(email, "wrong", cookie: cookie, csrf: csrf) }
        let reply = try portal.signIn(email, portal.login("admin").password, cookie: cookie, csrf: csrf)
        #expect(reply.status == 429)
        #expect(reply.headers["retry-after"] != nil)
        #expect(reply.body.contains("Too many sign-in attempts"))
    }

    @Test func nextOnlyAllowsSameSitePaths() {
        #expect(AuthController.safeNext("/admin/partners?x=1") == "/admin/partners?x=1")
        #expect(AuthController.safeNext("//evil.example") == nil)
        #expect(AuthController.safeNext("https://evil.example") == nil)
        #expect(AuthController.safeNext("/\\evil.example") == nil)
        // Browsers drop tabs and newlines inside URLs: "/\t/evil" would become "//evil" (review finding).
        #expect(AuthController.safeNext("/\t/evil.example") == nil)
        #expect(AuthController.safeNext("/\u{7F}/evil.example") == nil)
        #expect(AuthController.safeNext(nil) == nil)
    }

    @Test func passwordResetByEmailLinkWorksOnce() throws {
        let portal = try Portal()
        let admin = portal.login("admin")
        let (cookie, csrf) = try portal.loginForm()
        let asked = try HTTPGet.request(port: portal.port, method: "POST", path: "/password/forgot",
                                        headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                                        body: FormParameters.encode([("csrf_token", csrf), ("email", admin.email)]))
        #expect(asked.status == 200)
        #expect(asked.body.contains("If an account exists"))
        // Unknown addresses get the same page and no mail.
        let unknown = try HTTPGet.request(port: portal.port, method: "POST", path: "/password/forgot",
                                          headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                                          body: FormParameters.encode([("csrf_token", csrf), ("email", "nobody@example.com")]))
        #expect(unknown.body.contains("If an account exists"))
        let mail = try Outbox(database: portal.database).recent()
        #expect(mail.count == 1)
        let body = try #require(mail.first?.body)
        let path = try #require(body.range(of: #"/password/[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(body[$0]) })

        let form = try HTTPGet.request(port: portal.port, method: "GET", path: path, headers: ["Cookie": cookie])
        #expect(form.status == 200)
        #expect(form.body.contains("Choose a new password"))
        let mismatch = try HTTPGet.request(port: portal.port, method: "POST", path: path,
                                           headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                                           body: FormParameters.encode([("csrf_token", csrf), ("password", "a new long password"), ("confirm", "something else")]))
        #expect(mismatch.status == 422)
        let done = try HTTPGet.request(port: portal.port, method: "POST", path: path,
                                       headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                                       body: FormParameters.encode([("csrf_token", csrf), ("password", "a new long password"), ("confirm", "a new long password")]))
        #expect(done.status == 303)
        #expect(done.setCookies.first?.hasPrefix("pp_session=") == true)
        let reused = try HTTPGet.request(port: portal.port, method: "GET", path: path, headers: ["Cookie": cookie])
        #expect(reused.status == 410)
        // The old password no longer works; the new one does.
        let (cookie2, csrf2) = try portal.loginForm()
        #expect(try portal.signIn(admin.email, admin.password, cookie: cookie2, csrf: csrf2).status == 401)
        #expect(try portal.signIn(admin.email, "a new long password", cookie: cookie2, csrf: csrf2).status == 303)
    }

    @Test func outboxIsForPlatformAdminsOnly() throws {
        let portal = try Portal()
        for (role, expected) in [("admin", 200), ("partner", 403)] {
            let (cookie, csrf) = try portal.loginForm()
            let login = portal.login(role)
            let reply = try portal.signIn(login.email, login.password, cookie: cookie, csrf: csrf)
            let session = String(try #require(reply.setCookies.first).split(separator: ";")[0])
            let page = try HTTPGet.request(port: portal.port, method: "GET", path: "/admin/outbox", headers: ["Cookie": session])
            #expect(page.status == expected, "\(role)")
        }
    }

    func signedIn(_ portal: Portal, _ role: String) throws -> (session: String, csrf: String) {
        let (cookie, csrf) = try portal.loginForm()
        let login = portal.login(role)
        let reply = try portal.signIn(login.email, login.password, cookie: cookie, csrf: csrf)
        let session = String(try #require(reply.setCookies.first).split(separator: ";")[0])
        let page = try HTTPGet.request(port: portal.port, method: "GET", path: "/", headers: ["Cookie": session])
        let home = try HTTPGet.request(port: portal.port, method: "GET", path: page.headers["location"] ?? "/", headers: ["Cookie": session])
        let token = try #require(home.body.range(of: #"name="csrf_token" value="([^"]+)""#, options: .regularExpression)
            .map { String(home.body[$0].split(separator: "\"")[3]) })
        return (session, token)
    }

    @Test func signOutEverywhereEndsEverySession() throws {
        let portal = try Portal()
        let laptop = try signedIn(portal, "admin")
        let phone = try signedIn(portal, "admin")
        let reply = try HTTPGet.request(port: portal.port, method: "POST", path: "/logout",
                                        headers: ["Cookie": laptop.session, "Content-Type": "application/x-www-form-urlencoded"],
                                        body: "csrf_token=\(laptop.csrf)&everywhere=1")
        #expect(reply.status == 303)
        #expect(try HTTPGet.request(port: portal.port, method: "GET", path: "/admin", headers: ["Cookie": phone.session]).status == 303)
    }

    @Test func invitationCreatesTheAccountWithItsRoleOnce() throws {
        let portal = try Portal()
        let now = Int64(Date().timeIntervalSince1970)
        let token = try portal.database.write { db in
            let partnerID: Int64 = try db.queryValue("SELECT id FROM partners LIMIT 1", as: Int64.self) ?? 0
            return try OneTimeTokens().issue(in: db, purpose: .invitation, email: "new.member@example.com", role: .partnerMember,
                                             programID: 1, partnerID: partnerID, lifetime: 3600, now: now)
        }
        let (cookie, csrf) = try portal.loginForm()
        let page = try HTTPGet.request(port: portal.port, method: "GET", path: "/password/\(token)", headers: ["Cookie": cookie])
        #expect(page.body.contains("Accept your invitation"))
        let noName = try HTTPGet.request(port: portal.port, method: "POST", path: "/password/\(token)",
                                         headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                                         body: FormParameters.encode([("csrf_token", csrf), ("password", "a long new password"), ("confirm", "a long new password")]))
        #expect(noName.status == 422)
        let accepted = try HTTPGet.request(port: portal.port, method: "POST", path: "/password/\(token)",
                                           headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                                           body: FormParameters.encode([("csrf_token", csrf), ("name", "Nia Member"),
                                                                        ("password", "a long new password"), ("confirm", "a long new password")]))
        #expect(accepted.status == 303)
        let session = String(try #require(accepted.setCookies.first).split(separator: ";")[0])
        #expect(try HTTPGet.request(port: portal.port, method: "GET", path: "/portal", headers: ["Cookie": session]).status == 200)
        let role = try portal.database.read { db in
            try db.queryValue("SELECT m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'new.member@example.com'", as: String.self)
        }
        #expect(role == "partner_member")
        #expect(try HTTPGet.request(port: portal.port, method: "GET", path: "/password/\(token)", headers: ["Cookie": cookie]).status == 410)
    }
}

/// Signing in as a browser would, for the tests above.
extension RunningPortal {
    func login(_ role: String) -> DemoSeeder.Login { logins.first { $0.role == role }! }

    /// GET /login: the anonymous session cookie and the form's CSRF token.
    func loginForm() throws -> (cookie: String, csrf: String) {
        let page = try HTTPGet.request(port: port, method: "GET", path: "/login")
        let cookie = try #require(page.setCookies.first { $0.hasPrefix("pp_session=") })
        let value = String(cookie.split(separator: ";")[0])
        let csrf = try #require(page.body.range(of: #"name="csrf_token" value="([^"]+)""#, options: .regularExpression)
            .map { String(page.body[$0].split(separator: "\"")[3]) })
        return (value, csrf)
    }

    func signIn(_ email: String, _ password: String, cookie: String, csrf: String) throws -> HTTPGet.Reply {
        try HTTPGet.request(port: port, method: "POST", path: "/login",
                            headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                            body: FormParameters.encode([("csrf_token", csrf), ("email", email), ("password", password)]))
    }
}
