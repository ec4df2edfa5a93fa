import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// The public application form: program-branded, its own questions, validation without writing, one transaction
/// on success (partner, answers, owner account, password link by e-mail), duplicates answered by e-mail only, and
/// program terms accepted on the form and again in the portal when a new version is published.
@Suite struct ApplicationPageTests {
    /// A program with custom questions; returns its slug.
    static func program(_ portal: RunningPortal, autoApprove: Bool = false, terms: String? = nil) throws -> (slug: String, id: Int64) {
        let slug = "join\(Int.random(in: 1000...9999))"
        var program = NewProgram(name: "Acme Tools", slug: slug, currency: "USD")
        program.holdDays = 14
        program.cookieDays = 45
        program.minPayout = 2_500
        let id = try portal.database.write { db -> Int64 in
            let id = try ProgramStore().create(in: db, program, now: 0).id
            try db.execute("UPDATE programs SET commission_bps = 1250, auto_approve = ?, application_fields = ? WHERE id = ?", [autoApprove ? 1 : 0, """
                [{"name": "audience", "label": "Describe your audience", "type": "textarea", "required": true},
                 {"name": "channel", "label": "Main channel", "type": "select", "options": ["Blog", "YouTube"], "required": true},
                 {"name": "profile", "label": "Profile link", "type": "url"}]
                """, id])
            if let terms { try TermsStore().publish(in: db, programID: id, bodyMarkdown: terms, now: 0) }
            return id
        }
        return (slug, id)
    }

    /// The form page's anonymous session cookie and CSRF token.
    static func form(_ portal: RunningPortal, _ slug: String) throws -> (page: HTTPGet.Reply, cookie: String, csrf: String) {
        let page = try HTTPGet.request(port: portal.port, method: "GET", path: "/apply/\(slug)")
        let cookie = try #require(page.setCookies.first { $0.hasPrefix("pp_session=") })
        let csrf = try #require(page.body.range(of: #"name="csrf_token" value="([^"]+)""#, options: .regularExpression)
            .map { String(page.body[$0].split(separator: "\"")[3]) })
        return (page, String(cookie.split(separator: ";")[0]), csrf)
    }

    static func apply(_ portal: RunningPortal, _ slug: String, _ fields: [(String, String)], cookie: String, csrf: String?) throws -> HTTPGet.Reply {
        try HTTPGet.request(port: portal.port, method: "POST", path: "/apply/\(slug)",
                            headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                            body: FormParameters.encode((csrf.map { [("csrf_token", $0)] } ?? []) + fields))
    }

    static let valid: [(String, String)] = [("name", "Ada Lovelace"), ("email", "Ada@Example.com"), ("company", "Engines Ltd"),
                                            ("website", "https://ada.example.com"), ("q_audience", "Makers and tinkerers"),
                                            ("q_channel", "Blog"), ("q_profile", "")]

    static func count(_ portal: RunningPortal, _ sql: String, _ arguments: StatementArguments = []) throws -> Int64 {
        try portal.database.read { db in try db.queryValue(sql, arguments, as: Int64.self) ?? 0 }
    }

    @Test func formShowsTheProgramAndItsQuestions() throws {
        let portal = try RunningPortal(seedDemo: false)
        let (slug, _) = try Self.program(portal)
        let (page, _, _) = try Self.form(portal, slug)
        #expect(page.status == 200)
        #expect(page.body.contains("<h1>Join the Acme Tools partner program</h1>"))
        #expect(page.body.contains("You earn 12.5% commission"))
        #expect(page.body.contains("for 45 days after their click"))
        #expect(page.body.contains("14 days after the sale"))
        #expect(page.body.contains("Payouts start at $25.00."))
        #expect(page.body.contains(#"<textarea id="q-audience" name="q_audience""#))
        #expect(page.body.contains(#"<option value="YouTube">YouTube</option>"#))
        #expect(page.body.contains(#"name="q_profile" type="url""#))
        #expect(page.body.contains("Profile link (optional)"))
        #expect(!page.body.contains("accept_terms"))   // no terms, no checkbox
        #expect(try HTTPGet.request(port: portal.port, method: "GET", path: "/apply/no-such-program").status == 404)
        #expect(try HTTPGet.request(port: portal.port, method: "GET", path: "/apply/\(slug)/terms").status == 404)
    }

    @Test func invalidApplicationsAreRefusedBesideTheirFieldsAndWriteNothing() throws {
        let portal = try RunningPortal(seedDemo: false)
        let (slug, _) = try Self.program(portal)
        let (_, cookie, csrf) = try Self.form(portal, slug)
        let reply = try Self.apply(portal, slug, [("name", ""), ("email", "not-an-address"), ("website", "ftp://x"),
                                                  ("q_audience", " "), ("q_channel", "Radio"), ("q_profile", "nope")], cookie: cookie, csrf: csrf)
        #expect(reply.status == 422)
        #expect(reply.body.contains("Please enter your name."))
        #expect(reply.body.contains("Enter an e-mail address like name@example.com."))
        #expect(reply.body.contains("Please answer this question."))
        #expect(reply.body.contains("Choose one of the options."))
        #expect(reply.body.contains(#"id="q-audience" name="q_audience" rows="4" required aria-invalid="true" aria-describedby="q-audience-error""#))
        #expect(reply.body.contains(#"<div id="email-error"><p class="error">"#))
        #expect(reply.body.contains(#"value="not-an-address""#))   // what was typed stays
        #expect(try Self.count(portal, "SELECT count(*) FROM partners") == 0)
        #expect(try Self.count(portal, "SELECT count(*) FROM users") == 0)
        #expect(try Self.count(portal, "SELECT count(*) FROM outbox") == 0)

        let forged = try Self.apply(portal, slug, Self.valid, cookie: cookie, csrf: nil)
        #expect(forged.status == 403)
        #expect(try Self.apply(portal, "no-such-program", Self.valid, cookie: cookie, csrf: csrf).status == 404)
        #expect(try Self.count(portal, "SELECT count(*) FROM partners") == 0)
    }

    @Test func anApplicationCreatesAPendingPartnerWithItsOwnerAndAPasswordLink() throws {
        let portal = try RunningPortal(seedDemo: false)
        let (slug, programID) = try Self.program(portal)
        let (_, cookie, csrf) = try Self.form(portal, slug)
        let reply = try Self.apply(portal, slug, Self.valid, cookie: cookie, csrf: csrf)
        #expect(reply.status == 303)
        #expect(reply.headers["location"] == "/apply/\(slug)/submitted")

        let partner = try #require(try portal.database.read { db in
            try db.queryOne("SELECT id, status, email, company, application_answers FROM partners WHERE program_id = ?", [programID])
        })
        let partnerID: Int64 = try partner["id"]
        #expect(try partner["status"] as String == "pending")
        #expect(try partner["email"] as String == "ada@example.com")
        #expect(try partner["company"] as String == "Engines Ltd")
        #expect(try partner["application_answers"] as String == #"{"audience":"Makers and tinkerers","channel":"Blog"}"#)
        #expect(try Self.count(portal, """
            SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE u.email = 'ada@example.com' AND m.role = 'partner_owner' AND m.partner_id = ? AND m.program_id = ?
            """, [partnerID, programID]) == 1)
        let mail = try #require(try Outbox(database: portal.database).recent().first)
        #expect(mail.recipient == "ada@example.com")
        #expect(mail.body.contains("/password/"))
        #expect(mail.body.contains("review your application"))

        let submitted = try HTTPGet.request(port: portal.port, method: "GET", path: "/apply/\(slug)/submitted")
        #expect(submitted.status == 200)
        #expect(submitted.body.contains("We will review it and e-mail you"))

        // The link sets the password without asking the name again, and signs the applicant in.
        let token = try #require(mail.body.range(of: #"/password/[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(mail.body[$0].dropFirst(10)) })
        let linkPage = try HTTPGet.request(port: portal.port, method: "GET", path: "/password/\(token)")
        #expect(linkPage.status == 200)
        #expect(!linkPage.body.contains(#"name="name""#))
    }

    @Test func autoApprovalAndDuplicatesThatRevealNothing() throws {
        let portal = try RunningPortal(seedDemo: false)
        let (slug, programID) = try Self.program(portal, autoApprove: true)
        let (_, cookie, csrf) = try Self.form(portal, slug)
        #expect(try Self.apply(portal, slug, Self.valid, cookie: cookie, csrf: csrf).status == 303)
        #expect(try portal.database.read { db in
            try db.queryValue("SELECT status FROM partners WHERE program_id = ?", [programID], as: String.self)
        } == "approved")
        #expect(try HTTPGet.request(port: portal.port, method: "GET", path: "/apply/\(slug)/submitted").body
            .contains("Check your e-mail to set your password"))

        // The same address again (other case, other name): the same answer, one e-mail, no second partner.
        var again = Self.valid
        again[0] = ("name", "Someone Else")
        again[1] = ("email", "ADA@example.com")
        let duplicate = try Self.apply(portal, slug, again, cookie: cookie, csrf: csrf)
        #expect(duplicate.status == 303)
        #expect(duplicate.headers["location"] == "/apply/\(slug)/submitted")
        #expect(try Self.count(portal, "SELECT count(*) FROM partners") == 1)
        #expect(try Self.count(portal, "SELECT count(*) FROM users") == 1)
        let mails = try Outbox(database: portal.database).recent()
        #expect(mails.count == 2)
        #expect(mails[0].recipient == "ada@example.com")
        #expect(mails[0].subject.contains("already applied"))
        #expect(!mails[0].body.contains("/password/") || mails[0].body.contains("/password/forgot"))

        // A third is still answered; the fourth within the window waits, writing and sending nothing.
        #expect(try Self.apply(portal, slug, again, cookie: cookie, csrf: csrf).status == 303)
        let throttled = try Self.apply(portal, slug, again, cookie: cookie, csrf: csrf)
        #expect(throttled.status == 429)
        #expect(throttled.headers["retry-after"] != nil)
        #expect(throttled.body.contains("Too many applications were sent from here."))
        #expect(try Outbox(database: portal.database).recent().count == 3)
    }

    @Test func termsMustBeAcceptedOnTheFormAndAgainForANewVersion() throws {
        let portal = try RunningPortal(seedDemo: false)
        let (slug, programID) = try Self.program(portal, autoApprove: true, terms: "Rule one: be honest.\n\nRule two: <b>no spam</b>.")
        let (page, cookie, csrf) = try Self.form(portal, slug)
        #expect(page.body.contains(#"href="/apply/\#(slug)/terms""#))
        let termsPage = try HTTPGet.request(port: portal.port, method: "GET", path: "/apply/\(slug)/terms")
        #expect(termsPage.status == 200)
        #expect(termsPage.body.contains("&lt;b&gt;no spam&lt;/b&gt;"))
        let versionID = try portal.database.read { db in try TermsStore().current(in: db, programID: programID)!.id }

        let refused = try Self.apply(portal, slug, Self.valid + [("terms_version", String(versionID))], cookie: cookie, csrf: csrf)
        #expect(refused.status == 422)
        #expect(refused.body.contains("Please accept the program terms to apply."))
        #expect(try Self.count(portal, "SELECT count(*) FROM partners") == 0)

        let accepted = try Self.apply(portal, slug, Self.valid + [("terms_version", String(versionID)), ("accept_terms", "1")],
                                      cookie: cookie, csrf: csrf)
        #expect(accepted.status == 303)
        let (partnerID, userID) = try portal.database.read { db -> (Int64, Int64) in
            (try db.queryValue("SELECT id FROM partners WHERE program_id = ?", [programID], as: Int64.self)!,
             try db.queryValue("SELECT id FROM users WHERE email = 'ada@example.com'", as: Int64.self)!)
        }
        #expect(try Self.count(portal, "SELECT count(*) FROM terms_acceptances WHERE partner_id = ? AND terms_version_id = ? AND user_id IS NULL",
                               [partnerID, versionID]) == 1)

        // In the portal: nothing to accept yet; a new version asks again, and accepting records it for this partner only.
        let team = PortalTeam(portal: portal, programID: programID)
        let other = try team.partner("Bob")
        let ada = try team.session(userID)
        let before = try team.get("/portal", as: ada)
        #expect(before.status == 200)
        #expect(!before.body.contains("/portal/terms/accept"))
        #expect(before.body.contains("Accept the program terms"))   // on the checklist, done

        let second = try portal.database.write { db in try TermsStore().publish(in: db, programID: programID, bodyMarkdown: "Rule three.", now: 5) }
        let asking = try team.get("/portal", as: ada)
        #expect(asking.body.contains("/portal/terms/accept"))
        #expect(asking.body.contains(#"name="terms_version" value="\#(second.id)""#))
        #expect(try team.post("/portal/terms/accept?partner=\(partnerID)", [("terms_version", String(second.id))], as: ada, csrf: false).status == 403)
        let stale = try team.post("/portal/terms/accept?partner=\(partnerID)", [("terms_version", String(versionID))], as: ada)
        #expect(stale.status == 303)
        #expect(stale.headers["location"] == "/portal/terms?partner=\(partnerID)")
        let done = try team.post("/portal/terms/accept?partner=\(partnerID)", [("terms_version", String(second.id))], as: ada)
        #expect(done.status == 303)
        #expect(try Self.count(portal, "SELECT count(*) FROM terms_acceptances WHERE terms_version_id = ? AND partner_id = ? AND user_id = ?",
                               [second.id, partnerID, userID]) == 1)
        #expect(try Self.count(portal, "SELECT count(*) FROM terms_acceptances WHERE terms_version_id = ?", [second.id]) == 1)
        #expect(!(try team.get("/portal", as: ada).body.contains("/portal/terms/accept")))
        // Bob, another partner of the program, still has to accept.
        #expect(try team.get("/portal", as: try team.session(other.userID)).body.contains("/portal/terms/accept"))
        #expect(try team.get("/portal/terms?partner=\(partnerID)", as: ada).body.contains("Rule three."))
    }
}

extension PortalTeam {
    /// A team helper for a program made by the test itself.
    init(portal: RunningPortal, programID: Int64) {
        self.portal = portal
        self.programID = programID
        self.secretKey = ""
    }
}
