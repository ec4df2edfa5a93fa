import Foundation
import HTTPServer
import PortalCore
import PortalSecurity
import Store
import Testing
@testable import PortalWeb

/// A portal with a partner team ("Globex", domain globex.test) connected to a test OpenID provider, and the browser
/// side of a sign-in: `/sso/start` → provider's authorize → `/sso/callback`.
final class SSOHarness {
    let provider: TestOpenIDProvider
    let portal: RunningPortal
    let team: PortalTeam
    let partnerID: Int64
    let ownerID: Int64

    init(algorithm: JWSAlgorithm = .rs256, mandatory: Bool = false) throws {
        provider = try TestOpenIDProvider(algorithm: algorithm)
        portal = try RunningPortal(seedDemo: false, options: { $0.ssoAllowPrivate = true })
        team = try PortalTeam(portal: portal)
        (partnerID, ownerID) = try team.partner("Globex")
        try connect(partnerID: partnerID, domains: "globex.test", role: .partnerMember, mandatory: mandatory)
    }

    var store: SSOStore { get throws { try SSOStore(key: portal.environment.secretKey) } }

    @discardableResult
    func connect(partnerID: Int64?, domains: String, role: Role, mandatory: Bool = false, clientID: String = TestOpenIDProvider.clientID,
                 issuer: String? = nil) throws -> SSOConnection {
        let store = try self.store
        return try portal.database.write { db in
            try store.save(in: db, programID: team.programID, partnerID: partnerID,
                           draft: SSOStore.Draft(issuer: issuer ?? provider.issuer, clientID: clientID, clientSecret: TestOpenIDProvider.clientSecret,
                                                 domains: domains, defaultRole: role.rawValue, mandatory: mandatory),
                           allowHTTPIssuer: true, now: 0)
        }
    }

    struct Attempt {
        /// The callback's answer (a redirect home with a session, or an error page).
        let reply: HTTPGet.Reply
        /// The callback path with its query, and the browser's state cookie, to replay.
        let callbackPath: String
        let stateCookie: String
        var session: String? {
            reply.setCookies.first { $0.hasPrefix("pp_session=") && !$0.hasPrefix("pp_session=;") }.map { String($0.split(separator: ";")[0]) }
        }
    }

    /// The whole browser round trip for `email`.
    func signIn(_ email: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Attempt {
        let start = try HTTPGet.request(port: portal.port, method: "GET", path: "/sso/start?email=" + OpenIDClient.formEncode(email))
        try #require(start.status == 303, "start: \(start.status) \(start.body)", sourceLocation: sourceLocation)
        let authorize = try #require(start.headers["location"].flatMap(URLComponents.init(string:)), sourceLocation: sourceLocation)
        #expect(authorize.queryItems?.first { $0.name == "code_challenge_method" }?.value == "S256", sourceLocation: sourceLocation)
        #expect(authorize.queryItems?.first { $0.name == "scope" }?.value == "openid email profile", sourceLocation: sourceLocation)
        let stateCookie = try #require(start.setCookies.first { $0.hasPrefix(SSOController.stateCookie + "=") }.map { String($0.split(separator: ";")[0]) },
                                       sourceLocation: sourceLocation)
        let providerPort = try #require(authorize.port, sourceLocation: sourceLocation)
        let granted = try HTTPGet.request(port: providerPort, method: "GET", path: authorize.path + "?" + (authorize.percentEncodedQuery ?? ""))
        try #require(granted.status == 302, "authorize: \(granted.status) \(granted.body)", sourceLocation: sourceLocation)
        let back = try #require(granted.headers["location"].flatMap(URLComponents.init(string:)), sourceLocation: sourceLocation)
        #expect(back.path == "/sso/callback", sourceLocation: sourceLocation)
        let callbackPath = "/sso/callback?" + (back.percentEncodedQuery ?? "")
        let reply = try HTTPGet.request(port: portal.port, method: "GET", path: callbackPath, headers: ["Cookie": stateCookie])
        return Attempt(reply: reply, callbackPath: callbackPath, stateCookie: stateCookie)
    }

    func userCount(_ email: String) throws -> Int64 {
        try portal.database.read { db in try db.queryValue("SELECT count(*) FROM users WHERE email = ?", [email], as: Int64.self) ?? 0 }
    }

    /// A refusal: the status, a clear page naming the problem, no session, and (by default) no account made.
    func expectRefused(_ attempt: Attempt, status: Int, saying text: String, email: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(attempt.reply.status == status, "\(attempt.reply.status) \(attempt.reply.body)", sourceLocation: sourceLocation)
        #expect(attempt.reply.body.contains("Single sign-on failed"), sourceLocation: sourceLocation)
        #expect(attempt.reply.body.contains(text), "page: \(attempt.reply.body)", sourceLocation: sourceLocation)
        #expect(attempt.reply.headers["content-type"]?.hasPrefix("text/html") == true, sourceLocation: sourceLocation)
        #expect(attempt.session == nil, sourceLocation: sourceLocation)
        if let email { #expect(try userCount(email) == 0, sourceLocation: sourceLocation) }
    }
}

@Suite struct SSOTests {
    @Test func happyPathCreatesAMemberWithTheDefaultRole() throws {
        let sso = try SSOHarness()
        let attempt = try sso.signIn("New.Person@globex.test")
        #expect(attempt.reply.status == 303, "\(attempt.reply.body)")
        #expect(attempt.reply.headers["location"] == "/portal")
        let session = try #require(attempt.session)
        let dashboard = try HTTPGet.request(port: sso.portal.port, method: "GET", path: "/portal", headers: ["Cookie": session])
        #expect(dashboard.status == 200)
        #expect(dashboard.body.contains("Globex"))
        // Just in time: a user without a password, a member (the connection's default role) of this team only.
        let (hash, memberships) = try sso.portal.database.read { db -> (String?, [Row]) in
            let user = try #require(try db.queryOne("SELECT id, password_hash FROM users WHERE email = 'new.person@globex.test'"))
            return (try user["password_hash"], try db.query("SELECT role, partner_id FROM memberships WHERE user_id = ?", [try user["id"] as Int64]))
        }
        #expect(hash == nil)
        #expect(memberships.count == 1)
        #expect(try memberships.first?["role"] as String? == "partner_member")
        #expect(try memberships.first?["partner_id"] as Int64? == sso.partnerID)
        #expect(sso.provider.lastTokenAuth == "basic")
        // The second sign-in finds the account instead of making another.
        let again = try sso.signIn("new.person@globex.test")
        #expect(again.reply.status == 303)
        #expect(try sso.userCount("new.person@globex.test") == 1)
    }

    @Test func anAccountStaysWithTheProviderSubjectItFirstSignedInWith() throws {
        let sso = try SSOHarness()
        #expect(try sso.signIn("new.person@globex.test").reply.status == 303)
        // The provider gave the address to someone else (another `sub`): refused.
        sso.provider.configure { $0.subject = "someone-new" }
        try sso.expectRefused(try sso.signIn("new.person@globex.test"), status: 403, saying: "signed in before by another person")
        // And that subject cannot take a second account either once it is linked.
        sso.provider.configure {
            $0.subject = "sub-new.person@globex.test"
            $0.email = "renamed@globex.test"
        }
        try sso.expectRefused(try sso.signIn("renamed@globex.test"), status: 403, saying: "signed in before by another person")
        #expect(try sso.userCount("renamed@globex.test") == 0)
        // Moving the connection to another provider forgets the old provider's subjects; saving it unchanged does not.
        let links = { try sso.portal.database.read { db in try db.queryValue("SELECT count(*) FROM sso_identities", as: Int64.self) ?? 0 } }
        try sso.connect(partnerID: sso.partnerID, domains: "globex.test", role: .partnerMember)
        #expect(try links() == 1)
        try sso.connect(partnerID: sso.partnerID, domains: "globex.test", role: .partnerMember, issuer: "https://login.globex.test")
        #expect(try links() == 0)
    }

    @Test func staffConnectionSignsInProgramStaff() throws {
        let sso = try SSOHarness(algorithm: .es256)
        try sso.connect(partnerID: nil, domains: "acme.test", role: .programViewer)
        sso.provider.configure { $0.email = "analyst@acme.test" }
        let attempt = try sso.signIn("analyst@acme.test")
        #expect(attempt.reply.status == 303, "\(attempt.reply.body)")
        #expect(attempt.reply.headers["location"] == "/admin")
        let console = try HTTPGet.request(port: sso.portal.port, method: "GET", path: "/admin", headers: ["Cookie": try #require(attempt.session)])
        #expect(console.status == 200)
        let role = try sso.portal.database.read { db in
            try db.queryValue("SELECT m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'analyst@acme.test'", as: String.self)
        }
        #expect(role == "program_viewer")
    }

    @Test func wrongAudienceIsRefused() throws {
        let sso = try SSOHarness()
        sso.provider.configure { $0.audience = "some-other-client" }
        try sso.expectRefused(try sso.signIn("new.person@globex.test"), status: 401, saying: "wrong audience", email: "new.person@globex.test")
    }

    @Test func expiredTokenIsRefused() throws {
        let sso = try SSOHarness()
        sso.provider.configure { $0.expiresIn = -3600 }
        try sso.expectRefused(try sso.signIn("new.person@globex.test"), status: 401, saying: "the token has expired", email: "new.person@globex.test")
    }

    @Test(arguments: [JWSAlgorithm.rs256, .es256])
    func badSignatureIsRefused(_ algorithm: JWSAlgorithm) throws {
        let sso = try SSOHarness(algorithm: algorithm)
        sso.provider.configure { $0.signWithStranger = true }
        try sso.expectRefused(try sso.signIn("new.person@globex.test"), status: 401, saying: "the signature does not verify", email: "new.person@globex.test")
    }

    @Test func wrongIssuerIsRefused() throws {
        let sso = try SSOHarness()
        sso.provider.configure { $0.issuer = "https://evil.example" }
        try sso.expectRefused(try sso.signIn("new.person@globex.test"), status: 401, saying: "wrong issuer", email: "new.person@globex.test")
    }

    @Test func replayedStateIsRefused() throws {
        let sso = try SSOHarness()
        let first = try sso.signIn("new.person@globex.test")
        #expect(first.reply.status == 303)
        let replay = try HTTPGet.request(port: sso.portal.port, method: "GET", path: first.callbackPath, headers: ["Cookie": first.stateCookie])
        try sso.expectRefused(SSOHarness.Attempt(reply: replay, callbackPath: first.callbackPath, stateCookie: first.stateCookie),
                              status: 400, saying: "already used")
        // The provider was asked for a token once: the replay stopped before the code was spent again.
        #expect(sso.provider.tokenRequests == 1)
    }

    @Test func callbackInAnotherBrowserOrAfterTenMinutesIsRefused() throws {
        let sso = try SSOHarness()
        let start = try HTTPGet.request(port: sso.portal.port, method: "GET", path: "/sso/start?email=x%40globex.test")
        let location = try #require(start.headers["location"])
        let state = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "state" }?.value)
        // Without the browser's cookie (a link sent to someone else): refused, and the state is not spent.
        let elsewhere = try HTTPGet.request(port: sso.portal.port, method: "GET", path: "/sso/callback?code=abc&state=\(state)")
        try sso.expectRefused(SSOHarness.Attempt(reply: elsewhere, callbackPath: "", stateCookie: ""), status: 400, saying: "not started in this browser")
        // Too late: the state is older than ten minutes.
        try sso.portal.database.write { db in try db.execute("UPDATE sso_login_states SET created_at = created_at - 601") }
        let late = try HTTPGet.request(port: sso.portal.port, method: "GET", path: "/sso/callback?code=abc&state=\(state)",
                                       headers: ["Cookie": "\(SSOController.stateCookie)=\(state)"])
        try sso.expectRefused(SSOHarness.Attempt(reply: late, callbackPath: "", stateCookie: ""), status: 400, saying: "expired")
        // The provider saying no is a page too.
        let again = try HTTPGet.request(port: sso.portal.port, method: "GET", path: "/sso/start?email=x%40globex.test")
        let location2 = try #require(again.headers["location"])
        let state2 = try #require(URLComponents(string: location2)?.queryItems?.first { $0.name == "state" }?.value)
        let denied = try HTTPGet.request(port: sso.portal.port, method: "GET", path: "/sso/callback?error=access_denied&state=\(state2)",
                                         headers: ["Cookie": "\(SSOController.stateCookie)=\(state2)"])
        try sso.expectRefused(SSOHarness.Attempt(reply: denied, callbackPath: "", stateCookie: ""), status: 401, saying: "access_denied")
    }

    @Test func wrongNonceIsRefused() throws {
        let sso = try SSOHarness()
        sso.provider.configure { $0.nonce = "a-nonce-from-another-sign-in" }
        try sso.expectRefused(try sso.signIn("new.person@globex.test"), status: 401, saying: "wrong nonce", email: "new.person@globex.test")
    }

    @Test func emailOfAnotherDomainOrUnverifiedIsRefused() throws {
        let sso = try SSOHarness()
        sso.provider.configure { $0.email = "someone@initech.test" }
        try sso.expectRefused(try sso.signIn("new.person@globex.test"), status: 401, saying: "is not an address of the domains", email: "someone@initech.test")
        sso.provider.configure {
            $0.email = "new.person@globex.test"
            $0.emailVerified = false
        }
        try sso.expectRefused(try sso.signIn("new.person@globex.test"), status: 401, saying: "is not verified", email: "new.person@globex.test")
    }

    @Test func unknownDomainHasNoSingleSignOn() throws {
        let sso = try SSOHarness()
        let reply = try HTTPGet.request(port: sso.portal.port, method: "GET", path: "/sso/start?email=someone%40initech.test")
        #expect(reply.status == 400)
        #expect(reply.body.contains("Single sign-on is not set up for initech.test"))
        // A provider that cannot be reached is a clear page too (502), not a server error.
        try sso.connect(partnerID: nil, domains: "down.test", role: .programViewer, issuer: "http://127.0.0.1:1")
        let down = try HTTPGet.request(port: sso.portal.port, method: "GET", path: "/sso/start?email=someone%40down.test")
        #expect(down.status == 502)
        #expect(down.body.contains("could not be reached"))
    }

    @Test func existingUserOfAnotherTeamIsRefused() throws {
        let sso = try SSOHarness()
        // Someone with a globex.test address who belongs to another partner's team, and a staff member with one.
        let accounts = AccountStore(database: sso.portal.database)
        let other = try sso.team.partner("Initech").partnerID
        try sso.portal.database.write { db in
            let outsider = try accounts.createUser(in: db, email: "mole@globex.test", name: "Mole", passwordHash: nil, now: 0)
            try accounts.addMembership(in: db, userID: outsider.id, Membership(role: .partnerOwner, programID: sso.team.programID, partnerID: other), now: 0)
            let staff = try accounts.createUser(in: db, email: "boss@globex.test", name: "Boss", passwordHash: nil, now: 0)
            try accounts.addMembership(in: db, userID: staff.id, Membership(role: .programOwner, programID: sso.team.programID), now: 0)
            // A member of this team who is also in another team: this team's provider does not vouch for the other.
            let both = try accounts.createUser(in: db, email: "both@globex.test", name: "Both", passwordHash: nil, now: 0)
            try accounts.addMembership(in: db, userID: both.id, Membership(role: .partnerMember, programID: sso.team.programID, partnerID: sso.partnerID), now: 0)
            try accounts.addMembership(in: db, userID: both.id, Membership(role: .partnerMember, programID: sso.team.programID, partnerID: other), now: 0)
            let member = try accounts.createUser(in: db, email: "member@globex.test", name: "Member", passwordHash: nil, now: 0)
            try accounts.addMembership(in: db, userID: member.id, Membership(role: .partnerAdmin, programID: sso.team.programID, partnerID: sso.partnerID), now: 0)
        }
        for email in ["mole@globex.test", "boss@globex.test", "both@globex.test"] {
            sso.provider.configure { $0.email = email }
            try sso.expectRefused(try sso.signIn(email), status: 403, saying: "belongs to another team or program")
        }
        // A member of this team only is signed in with their existing account and role.
        sso.provider.configure { $0.email = "member@globex.test" }
        let member = try sso.signIn("member@globex.test")
        #expect(member.reply.status == 303)
        let roles = try sso.portal.database.read { db in
            try db.query("SELECT m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'member@globex.test'").map { try $0["role"] as String }
        }
        #expect(roles == ["partner_admin"])
    }

    @Test func mandatorySSORefusesPasswordLogin() throws {
        let sso = try SSOHarness(mandatory: true)
        let hash = try TestEnvironment.hasher.hash("correct horse battery")
        let accounts = AccountStore(database: sso.portal.database)
        let other = try sso.team.partner("Initech").partnerID
        try sso.portal.database.write { db in
            let member = try accounts.createUser(in: db, email: "member@globex.test", name: "Member", passwordHash: hash, now: 0)
            try accounts.addMembership(in: db, userID: member.id, Membership(role: .partnerMember, programID: sso.team.programID, partnerID: sso.partnerID), now: 0)
            // Not in the team: the connection cannot sign them in, so it cannot take their password away either.
            let outsider = try accounts.createUser(in: db, email: "outsider@globex.test", name: "Outsider", passwordHash: hash, now: 0)
            try accounts.addMembership(in: db, userID: outsider.id, Membership(role: .partnerOwner, programID: sso.team.programID, partnerID: other), now: 0)
        }
        let form = try HTTPGet.request(port: sso.portal.port, method: "GET", path: "/login")
        #expect(form.body.contains("Continue with single sign-on"))
        let cookie = String(try #require(form.setCookies.first { $0.hasPrefix("pp_session=") }).split(separator: ";")[0])
        let csrf = try #require(form.body.range(of: #"name="csrf_token" value="([^"]+)""#, options: .regularExpression)
            .map { String(form.body[$0].split(separator: "\"")[3]) })
        func password(_ email: String) throws -> HTTPGet.Reply {
            try HTTPGet.request(port: sso.portal.port, method: "POST", path: "/login",
                                headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                                body: FormParameters.encode([("csrf_token", csrf), ("email", email), ("password", "correct horse battery")]))
        }
        // The sign-in form with an SSO e-mail and no password goes to single sign-on (discovery by domain).
        let discovered = try HTTPGet.request(port: sso.portal.port, method: "POST", path: "/login",
                                             headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                                             body: FormParameters.encode([("csrf_token", csrf), ("email", "Someone@Globex.test"), ("password", ""),
                                                                          ("next", "/portal/links")]))
        #expect(discovered.status == 303)
        #expect(discovered.headers["location"] == "/sso/start?email=someone%40globex.test&next=%2Fportal%2Flinks")
        let refused = try password("member@globex.test")
        #expect(refused.status == 403)
        #expect(refused.body.contains("globex.test requires single sign-on"))
        #expect(refused.body.contains(#"action="/sso/start""#))
        #expect(!refused.setCookies.contains { $0.hasPrefix("pp_session=") })
        let outsider = try password("outsider@globex.test")
        #expect(outsider.status == 303)
        // A password-reset link does not sign the member in either: it sends them through single sign-on.
        let token = try sso.portal.database.write { db in
            try OneTimeTokens().issue(in: db, purpose: .passwordReset, email: "member@globex.test",
                                      userID: try accounts.user(in: db, email: "member@globex.test")?.id, lifetime: 3600, now: AuthController.now())
        }
        // (The outsider's sign-in ended the anonymous session: a fresh one for this form.)
        let fresh = try HTTPGet.request(port: sso.portal.port, method: "GET", path: "/login")
        let freshCookie = String(try #require(fresh.setCookies.first { $0.hasPrefix("pp_session=") }).split(separator: ";")[0])
        let freshCSRF = try #require(fresh.body.range(of: #"name="csrf_token" value="([^"]+)""#, options: .regularExpression)
            .map { String(fresh.body[$0].split(separator: "\"")[3]) })
        let reset = try HTTPGet.request(port: sso.portal.port, method: "POST", path: "/password/\(token)",
                                        headers: ["Cookie": freshCookie, "Content-Type": "application/x-www-form-urlencoded"],
                                        body: FormParameters.encode([("csrf_token", freshCSRF), ("password", "another long password 1"),
                                                                     ("confirm", "another long password 1")]))
        #expect(reset.status == 303, "\(reset.body)")
        #expect(reset.headers["location"] == "/sso/start?email=member%40globex.test")
        #expect(!reset.setCookies.contains { $0.hasPrefix("pp_session=") && !$0.hasPrefix("pp_session=;") })
        // Through single sign-on the member gets in.
        sso.provider.configure { $0.email = "member@globex.test" }
        #expect(try sso.signIn("member@globex.test").reply.status == 303)
    }

    @Test func keyRotationRefetchesTheKeySet() throws {
        let sso = try SSOHarness(algorithm: .rs256)
        #expect(try sso.signIn("new.person@globex.test").reply.status == 303)
        #expect(sso.provider.jwksRequests == 1)
        // Cached: a second sign-in with the same key does not fetch again.
        #expect(try sso.signIn("new.person@globex.test").reply.status == 303)
        #expect(sso.provider.jwksRequests == 1)
        // The provider rotates to a new key (new kid, and another algorithm): one refetch, and sign-in works.
        try sso.provider.rotate(to: .es256, keyID: "key-2")
        let rotated = try sso.signIn("new.person@globex.test")
        #expect(rotated.reply.status == 303, "\(rotated.reply.body)")
        #expect(sso.provider.jwksRequests == 2)
        // A key the provider never publishes: one refetch, refused; the same unknown kid again is refused without
        // fetching the key set again (not on every sign-in).
        try sso.provider.rotate(to: .es256, keyID: "key-3", publish: false)
        try sso.expectRefused(try sso.signIn("new.person@globex.test"), status: 401, saying: "unknown key")
        #expect(sso.provider.jwksRequests == 3)
        try sso.expectRefused(try sso.signIn("new.person@globex.test"), status: 401, saying: "unknown key")
        #expect(sso.provider.jwksRequests == 3)
    }
}

/// `/admin/sso` and `/portal/team/sso`: who may configure, validation, the write-only secret, audit entries and CSRF.
@Suite struct SSOSettingsPageTests {
    static func fields(issuer: String, domains: String, role: String, secret: String = "top-secret-value", mandatory: Bool = false) -> [(String, String)] {
        var fields = [("issuer", issuer), ("client_id", "portal"), ("client_secret", secret), ("domains", domains), ("default_role", role)]
        if mandatory { fields.append(("mandatory", "1")) }
        return fields
    }

    @Test func programOwnerConfiguresTheStaffConnection() throws {
        let sso = try SSOHarness()
        let team = sso.team
        let owner = try team.session(try team.staff("Olivia", role: .programOwner))
        let manager = try team.session(try team.staff("Manny", role: .programManager))
        let viewer = try team.session(try team.staff("Vera", role: .programViewer))

        let saved = try team.post("/admin/sso", Self.fields(issuer: "https://login.acme.test", domains: "acme.test, ACME.example", role: "program_viewer"), as: owner)
        #expect(saved.status == 303, "\(saved.body)")
        let page = try team.get("/admin/sso", as: owner)
        #expect(page.status == 200)
        #expect(page.body.contains("acme.example, acme.test"))
        #expect(page.body.contains("https://login.acme.test"))
        #expect(page.body.contains("/sso/callback"))
        // Write-only: the secret is never shown, and is sealed at rest.
        #expect(!page.body.contains("top-secret-value"))
        let sealed = try sso.portal.database.read { db in
            try db.queryValue("SELECT client_secret_sealed FROM sso_connections WHERE partner_id IS NULL", as: String.self)
        }
        #expect(sealed != nil && sealed != "top-secret-value")
        let connection = try #require(try sso.portal.database.read { db in try sso.store.connection(in: db, programID: team.programID, partnerID: nil) })
        #expect(try sso.portal.database.read { db in try sso.store.clientSecret(in: db, connection: connection) } == "top-secret-value")
        // Saving again with an empty secret keeps it.
        #expect(try team.post("/admin/sso", Self.fields(issuer: "https://login.acme.test", domains: "acme.test", role: "program_manager", secret: ""),
                              as: owner).status == 303)
        #expect(try sso.portal.database.read { db in try sso.store.clientSecret(in: db, connection: connection) } == "top-secret-value")
        let audit = try sso.portal.database.read { db in
            try db.query("SELECT action FROM audit_log WHERE program_id = ? ORDER BY id", [team.programID]).map { try $0["action"] as String }
        }
        #expect(audit == ["sso.save", "sso.save"])

        // Managers and viewers: read only, 403 on change.
        #expect(try team.post("/admin/sso", Self.fields(issuer: "https://x.test", domains: "x.test", role: "program_viewer"), as: manager).status == 403)
        let viewerPage = try team.get("/admin/sso", as: viewer)
        #expect(viewerPage.status == 200)
        #expect(!viewerPage.body.contains("Save single sign-on"))
        #expect(try team.post("/admin/sso/delete", [], as: viewer).status == 403)
        // CSRF.
        #expect(try team.post("/admin/sso", Self.fields(issuer: "https://x.test", domains: "x.test", role: "program_viewer"), as: owner, csrf: false).status == 403)
        // Another program's console is not found.
        let otherProgram = try sso.portal.database.write { db in
            try ProgramStore().create(in: db, NewProgram(name: "Other", slug: "other\(Int.random(in: 1000...9999))", currency: "USD"), now: 0).id
        }
        #expect(try team.get("/admin/sso?program=\(otherProgram)", as: owner).status == 404)

        // Turning it off is audited too.
        #expect(try team.post("/admin/sso/delete?program=\(team.programID)", [], as: owner).status == 303)
        #expect(try sso.portal.database.read { db in try sso.store.connection(in: db, programID: team.programID, partnerID: nil) } == nil)
        let last = try sso.portal.database.read { db in try db.queryValue("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1", as: String.self) }
        #expect(last == "sso.delete")

        // The partner teams' connections are listed; owners may remove one (a domain claimed by mistake), managers not.
        let listed = try team.get("/admin/sso", as: owner)
        #expect(listed.body.contains("Globex"))
        #expect(listed.body.contains("globex.test"))
        let partnerConnection = try #require(try sso.portal.database.read { db in
            try sso.store.connection(in: db, programID: team.programID, partnerID: sso.partnerID)
        })
        #expect(try team.post("/admin/sso/partners/\(partnerConnection.id)/delete", [], as: manager).status == 403)
        #expect(try team.post("/admin/sso/partners/\(partnerConnection.id)/delete?program=\(otherProgram)", [], as: owner).status == 404)
        #expect(try team.post("/admin/sso/partners/\(partnerConnection.id)/delete", [], as: owner).status == 303)
        #expect(try sso.portal.database.read { db in try sso.store.connection(in: db, id: partnerConnection.id) } == nil)
        let removed = try sso.portal.database.read { db in try db.queryValue("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1", as: String.self) }
        #expect(removed == "sso.partner_remove")
    }

    @Test func validationErrorsAreShownOnTheForm() throws {
        let sso = try SSOHarness()
        let owner = try sso.team.session(try sso.team.staff("Olivia", role: .programOwner))
        // globex.test belongs to the partner's connection already; owner is not a role JIT may give; http issuers are
        // only for tests (allowed here), so use a broken one.
        let reply = try sso.team.post("/admin/sso", Self.fields(issuer: "not a url", domains: "globex.test", role: "program_owner", secret: ""), as: owner)
        #expect(reply.status == 422)
        #expect(reply.body.contains("Enter the issuer URL"))
        #expect(reply.body.contains("globex.test is already used by another single sign-on connection"))
        #expect(reply.body.contains("Choose the role new members get"))
        #expect(reply.body.contains("Enter the client secret"))
        #expect(try sso.portal.database.read { db in try db.queryValue("SELECT count(*) FROM audit_log", as: Int64.self) } == 0)
    }

    @Test func onlyThePartnerTeamsOwnersConfigureTheirConnection() throws {
        let sso = try SSOHarness()
        let owner = try sso.team.session(sso.ownerID)
        let admin = try sso.team.session(try sso.team.member(of: sso.partnerID, name: "Ada", role: .partnerAdmin))
        #expect(try sso.team.get("/portal/team", as: owner).body.contains(#"href="/portal/team/sso""#))
        #expect(!(try sso.team.get("/portal/team", as: admin).body.contains(#"href="/portal/team/sso""#)))
        #expect(try sso.team.get("/portal/team/sso", as: admin).status == 403)
        #expect(try sso.team.post("/portal/team/sso", Self.fields(issuer: "https://id.globex.test", domains: "globex.test", role: "partner_viewer"),
                                  as: admin).status == 403)
        let page = try sso.team.get("/portal/team/sso", as: owner)
        #expect(page.status == 200)
        #expect(page.body.contains("globex.test"))
        #expect(!page.body.contains(TestOpenIDProvider.clientSecret))
        // Owner is never a role given by single sign-on.
        let owners = try sso.team.post("/portal/team/sso", Self.fields(issuer: "https://id.globex.test", domains: "globex.test", role: "partner_owner"), as: owner)
        #expect(owners.status == 422)
        let saved = try sso.team.post("/portal/team/sso", Self.fields(issuer: "https://id.globex.test", domains: "globex.test, globex.example",
                                                                      role: "partner_viewer", mandatory: true), as: owner)
        #expect(saved.status == 303)
        let connection = try #require(try sso.portal.database.read { db in
            try sso.store.connection(in: db, programID: sso.team.programID, partnerID: sso.partnerID)
        })
        #expect(connection.domains == ["globex.example", "globex.test"])
        #expect(connection.defaultRole == .partnerViewer)
        #expect(connection.mandatory)
        let audit = try sso.portal.database.read { db in try db.queryValue("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1", as: String.self) }
        #expect(audit == "sso.partner_save")
    }
}
