import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// `/portal/links` over real sockets: scoping to the signed-in partner, the create form (validation, CSRF, roles)
/// and the QR code SVG.
@Suite(.serialized) struct PartnerLinksPageTests {
    typealias Portal = RunningPortal

    /// A second partner (with its own owner and link) and a viewer of the demo partner, written directly.
    struct Setup {
        let otherLinkID: Int64
        let otherEmail: String
        let viewerEmail: String
        let password = "a long test password"
    }

    func setUp(_ portal: Portal) throws -> Setup {
        let now = Int64(Date().timeIntervalSince1970)
        let hash = try TestEnvironment.hasher.hash("a long test password")
        let accounts = AccountStore(database: portal.database)
        return try portal.database.write { db in
            try db.execute("UPDATE programs SET allowed_domains = 'example.com', default_url = 'https://example.com/'")
            let programID = try #require(try db.queryValue("SELECT id FROM programs LIMIT 1", as: Int64.self))
            let demoPartnerID = try #require(try db.queryValue("SELECT partner_id FROM links WHERE code = 'demo'", as: Int64.self))
            try db.execute("INSERT INTO partners (program_id, name, email, status, created_at) VALUES (?, 'Bea Blogs', 'bea@example.com', 'approved', ?)",
                           [programID, now])
            let otherPartnerID = db.lastInsertRowID
            let link = try LinkStore().create(in: db, programID: programID, partnerID: otherPartnerID,
                                              NewLink(destinationURL: "https://example.com/bea", campaign: "bea-secret-campaign", code: "bea-secret"),
                                              now: now)
            _ = try CouponStore().create(in: db, programID: programID, partnerID: otherPartnerID, code: "BEA10", now: now)
            _ = try CouponStore().create(in: db, programID: programID, partnerID: demoPartnerID, code: "ADA20", now: now)
            let other = try accounts.createUser(in: db, email: "bea@example.com", name: "Bea", passwordHash: hash, now: now)
            try accounts.addMembership(in: db, userID: other.id, Membership(role: .partnerOwner, programID: programID, partnerID: otherPartnerID), now: now)
            let viewer = try accounts.createUser(in: db, email: "viewer@example.com", name: "Vic Viewer", passwordHash: hash, now: now)
            try accounts.addMembership(in: db, userID: viewer.id, Membership(role: .partnerViewer, programID: programID, partnerID: demoPartnerID), now: now)
            return Setup(otherLinkID: link.id, otherEmail: "bea@example.com", viewerEmail: "viewer@example.com")
        }
    }

    /// Signs in and opens the links page: the session cookie, the page's CSRF token and the page.
    func signIn(_ portal: Portal, _ email: String, _ password: String) throws -> (session: String, csrf: String, page: HTTPGet.Reply) {
        let (cookie, csrf) = try portal.loginForm()
        let reply = try portal.signIn(email, password, cookie: cookie, csrf: csrf)
        #expect(reply.status == 303)
        let session = String(try #require(reply.setCookies.first).split(separator: ";")[0])
        let page = try HTTPGet.request(port: portal.port, method: "GET", path: "/portal/links", headers: ["Cookie": session])
        let token = try #require(page.body.range(of: #"name="csrf_token" value="([^"]+)""#, options: .regularExpression)
            .map { String(page.body[$0].split(separator: "\"")[3]) })
        return (session, token, page)
    }

    func post(_ portal: Portal, session: String, _ fields: [(String, String)]) throws -> HTTPGet.Reply {
        try HTTPGet.request(port: portal.port, method: "POST", path: "/portal/links",
                            headers: ["Cookie": session, "Content-Type": "application/x-www-form-urlencoded"],
                            body: FormParameters.encode(fields))
    }

    func linkCount(_ portal: Portal) throws -> Int64 {
        try portal.database.read { db in try db.queryValue("SELECT count(*) FROM links", as: Int64.self) ?? 0 }
    }

    @Test func listShowsOnlyTheSignedInPartnersLinks() throws {
        let portal = try Portal()
        let setup = try setUp(portal)
        // Clicks of the last 30 days come from daily_stats: 5 today count, 7 from 40 days ago do not.
        try portal.database.write { db in
            let link = try #require(try db.queryOne("SELECT id, program_id, partner_id FROM links WHERE code = 'demo'"))
            let now = Int64(Date().timeIntervalSince1970)
            for (at, clicks) in [(now, Int64(5)), (now - 40 * 86_400, Int64(7))] {
                try DailyStats.add(in: db, programID: try link["program_id"], partnerID: try link["partner_id"], at: at,
                                   linkID: try link["id"], campaign: "launch", subID: "", clicks: clicks)
            }
        }
        let owner = portal.login("partner")
        let ada = try signIn(portal, owner.email, owner.password)
        #expect(ada.page.status == 200)
        #expect(ada.page.body.contains(#"<td data-label="Clicks (30 days)" class="number">5</td>"#))
        #expect(ada.page.body.contains("http://127.0.0.1:8080/r/demo"))
        #expect(ada.page.body.contains("https://example.com/landing"))
        #expect(ada.page.body.contains("ADA20"))
        #expect(ada.page.body.contains(#"data-copy="http://127.0.0.1:8080/r/demo""#))
        #expect(!ada.page.body.contains("bea-secret"))
        #expect(!ada.page.body.contains("BEA10"))
        #expect(ada.page.body.contains(#"aria-current="page">Links"#))
        // B's QR code is not found for A; A's own is there.
        let foreign = try HTTPGet.request(port: portal.port, method: "GET", path: "/portal/links/\(setup.otherLinkID)/qr.svg",
                                          headers: ["Cookie": ada.session])
        #expect(foreign.status == 404)
        #expect(!foreign.body.contains("bea-secret"))
        // And B sees B's link, not A's.
        let bea = try signIn(portal, setup.otherEmail, setup.password)
        #expect(bea.page.body.contains("/r/bea-secret"))
        #expect(!bea.page.body.contains("/r/demo"))
        #expect(try HTTPGet.request(port: portal.port, method: "GET", path: "/portal/links/\(setup.otherLinkID)/qr.svg",
                                    headers: ["Cookie": bea.session]).status == 200)
    }

    @Test func creatingALinkRedirectsWithANoticeAndListsIt() throws {
        let portal = try Portal()
        _ = try setUp(portal)
        let owner = portal.login("partner")
        let ada = try signIn(portal, owner.email, owner.password)
        #expect(ada.page.body.contains("Must be on example.com."))
        let reply = try post(portal, session: ada.session, [("csrf_token", ada.csrf), ("destination_url", "https://shop.example.com/pricing"),
                                                            ("campaign", "spring"), ("code", "ada-spring")])
        #expect(reply.status == 303)
        #expect(reply.headers["location"] == "/portal/links?created=ada-spring")
        let page = try HTTPGet.request(port: portal.port, method: "GET", path: reply.headers["location"] ?? "", headers: ["Cookie": ada.session])
        #expect(page.body.contains("Link created: http://127.0.0.1:8080/r/ada-spring"))
        #expect(page.body.contains("https://shop.example.com/pricing"))
        let stored = try portal.database.read { db in
            try db.queryOne("SELECT l.campaign, p.email FROM links l JOIN partners p ON p.id = l.partner_id WHERE l.code = 'ada-spring'")
        }
        let row = try #require(stored)
        #expect(try row["campaign"] as String == "spring")
        #expect(try row["email"] as String == "partner@demo.partnerportal.test")
    }

    @Test func validationErrorsAre422BesideTheirFieldsAndWriteNothing() throws {
        let portal = try Portal()
        _ = try setUp(portal)
        let owner = portal.login("partner")
        let ada = try signIn(portal, owner.email, owner.password)
        let before = try linkCount(portal)

        let outside = try post(portal, session: ada.session, [("csrf_token", ada.csrf), ("destination_url", "https://evil.test/phish")])
        #expect(outside.status == 422)
        #expect(outside.body.contains(#"id="destination_url-error""#))
        #expect(outside.body.contains("must point to one of the program"))
        #expect(outside.body.contains(#"aria-describedby="destination_url-help destination_url-error" aria-invalid="true""#))
        #expect(outside.body.contains(#"value="https://evil.test/phish""#))  // what was typed is kept

        let taken = try post(portal, session: ada.session, [("csrf_token", ada.csrf), ("destination_url", "https://example.com/a"), ("code", "bea-secret")])
        #expect(taken.status == 422)
        #expect(taken.body.contains(#"id="code-error""#))
        #expect(taken.body.contains("is already taken"))
        #expect(!taken.body.contains(#"id="destination_url-error""#))
        #expect(try linkCount(portal) == before)
    }

    @Test func postingWithoutTheCSRFTokenIs403() throws {
        let portal = try Portal()
        _ = try setUp(portal)
        let owner = portal.login("partner")
        let ada = try signIn(portal, owner.email, owner.password)
        let before = try linkCount(portal)
        let reply = try post(portal, session: ada.session, [("destination_url", "https://example.com/x"), ("code", "no-csrf")])
        #expect(reply.status == 403)
        #expect(try linkCount(portal) == before)
    }

    @Test func aViewerSeesTheListButMayNotCreate() throws {
        let portal = try Portal()
        let setup = try setUp(portal)
        let viewer = try signIn(portal, setup.viewerEmail, setup.password)
        #expect(viewer.page.status == 200)
        #expect(viewer.page.body.contains("/r/demo"))
        #expect(!viewer.page.body.contains(#"action="/portal/links""#))
        #expect(!viewer.page.body.contains(#"name="destination_url""#))
        let before = try linkCount(portal)
        let reply = try post(portal, session: viewer.session, [("csrf_token", viewer.csrf), ("destination_url", "https://example.com/v"), ("code", "viewer-link")])
        #expect(reply.status == 403)
        #expect(try linkCount(portal) == before)
    }

    @Test func qrCodeIsAnSVGOfTheTrackingURL() throws {
        let portal = try Portal()
        _ = try setUp(portal)
        let owner = portal.login("partner")
        let ada = try signIn(portal, owner.email, owner.password)
        let path = try #require(ada.page.body.range(of: #"/portal/links/[0-9]+/qr\.svg"#, options: .regularExpression).map { String(ada.page.body[$0]) })
        #expect(ada.page.body.contains(#"loading="lazy""#))
        #expect(ada.page.body.contains(#"alt="QR code for http://127.0.0.1:8080/r/demo""#))
        #expect(ada.page.body.contains("download="))
        let svg = try HTTPGet.request(port: portal.port, method: "GET", path: path, headers: ["Cookie": ada.session])
        #expect(svg.status == 200)
        #expect(svg.headers["content-type"] == "image/svg+xml")
        #expect(svg.body.contains("<path "))
        #expect(svg.body.contains("<title>http://127.0.0.1:8080/r/demo</title>"))
        #expect(svg.body == (try QRCode("http://127.0.0.1:8080/r/demo").svg(moduleSize: 8, quietZone: 4)))
        // Signed out: sent to sign in, not shown.
        #expect(try HTTPGet.request(port: portal.port, method: "GET", path: path).status == 303)
        #expect(try HTTPGet.request(port: portal.port, method: "GET", path: "/portal/links/abc/qr.svg", headers: ["Cookie": ada.session]).status == 404)
    }
}
