import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// `/admin/branding`: owners customise the portal and the portal obeys — colours, font, order of the dashboard,
/// labels, switched-off features (404 and hidden), the partner API level — and logos are checked from their bytes.
@Suite struct AdminBrandingPageTests {
    static func settings(_ overrides: [String: String] = [:]) -> [(String, String)] {
        var fields: [String: String] = [
            "brand_color": "#0f766e", "brand_ink": "#ffffff", "font": "serif", "api_access": "read",
            "show_welcome": "1", "position_welcome": "1", "show_earnings": "1", "position_earnings": "2",
            "show_checklist": "1", "position_checklist": "3", "nav__portal_links": "My links",
            "welcome_markdown": "Welcome to **Acme**! <script>alert(1)</script>", "onboarding_markdown": "Read the *brief* first.",
            "show_commission_rates": "", "reporting_enabled": "", "resources_enabled": "1", "messaging_enabled": "",
        ]
        for (key, value) in overrides { fields[key] = value }
        return fields.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// A `multipart/form-data` request with text fields and one file; every byte here is ASCII.
    static func upload(_ team: PortalTeam, _ path: String, file: String, fileName: String, as session: (cookie: String, csrf: String),
                       csrf: Bool = true) throws -> HTTPGet.Reply {
        let boundary = "----pp-test-boundary"
        var body = ""
        if csrf { body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n\(session.csrf)\r\n" }
        body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"\(fileName)\"\r\nContent-Type: image/png\r\n\r\n\(file)\r\n"
        body += "--\(boundary)--\r\n"
        return try HTTPGet.request(port: team.portal.port, method: "POST", path: path,
                                   headers: ["Cookie": session.cookie, "Content-Type": "multipart/form-data; boundary=\(boundary)"], body: body)
    }

    @Test func thePortalFollowsTheProgramsCustomisation() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let owner = try team.session(try team.staff("Olga", role: .programOwner))
        let ada = try team.partner("Ada")
        let partner = try team.session(ada.userID)
        try team.sale("order-1", amount: 10_000, partnerID: ada.partnerID)
        // Before: the standard look, every feature.
        let before = try team.get("/portal", as: partner).body
        #expect(!before.contains("--brand: #0f766e") && before.contains("/portal/analytics") && before.contains("/portal/messages"))

        #expect(try team.post("/admin/branding?program=\(team.programID)", Self.settings(), as: owner).status == 303)
        let dashboard = try team.get("/portal", as: partner)
        #expect(dashboard.status == 200)
        #expect(dashboard.body.contains("--brand: #0f766e; --brand-ink: #ffffff;") && dashboard.body.contains("Charter"))
        #expect(dashboard.body.contains(">My links<"))
        #expect(!dashboard.body.contains("href=\"/portal/analytics\"") && !dashboard.body.contains("href=\"/portal/messages\""))
        // Welcome (sanitised Markdown) before earnings, earnings before the checklist; messages and best links gone.
        let body = dashboard.body
        let welcome = try #require(body.range(of: "Welcome to <strong>Acme</strong>!"))
        let earnings = try #require(body.range(of: "section-title\">Earnings"))
        let checklist = try #require(body.range(of: "id=\"checklist-title\""))
        #expect(welcome.lowerBound < earnings.lowerBound && earnings.lowerBound < checklist.lowerBound)
        #expect(!body.contains("<script>alert(1)</script>") && body.contains("Read the <em>brief</em> first."))
        #expect(!body.contains("id=\"messages-title\"") && !body.contains("id=\"best-title\""))
        // The public application form wears the program's colours too.
        let slug = try #require(try portal.database.read { db in
            try db.queryValue("SELECT slug FROM programs WHERE id = ?", [team.programID], as: String.self)
        })
        #expect(try HTTPGet.request(port: portal.port, method: "GET", path: "/apply/\(slug)").body.contains("--brand: #0f766e"))
        // Switched-off features answer 404, not only lose their links.
        #expect(try team.get("/portal/analytics", as: partner).status == 404)
        #expect(try team.get("/portal/messages", as: partner).status == 404)
        #expect(try team.get("/portal/resources", as: partner).status == 200)
        // Commission rates hidden.
        let commissions = try team.get("/portal/commissions", as: partner).body
        #expect(!commissions.contains(">Rule</th>"))
        // Partner API at "read": a key can read but not create links; "none" refuses partner keys.
        let key = try portal.database.write { db in
            try ProgramStore().createKey(in: db, programID: team.programID, partnerID: ada.partnerID, prefix: "pk_",
                                         scopes: ["reports:read", "links:write"], now: 0)
        }
        let auth = ["Authorization": "Bearer \(key)", "Content-Type": "application/json"]
        #expect(try HTTPGet.request(port: portal.port, method: "GET", path: "/api/v1/me/commissions", headers: auth).status == 200)
        #expect(try HTTPGet.request(port: portal.port, method: "POST", path: "/api/v1/me/links", headers: auth,
                                    body: #"{"destination_url":"https://shop.example/"}"#).status == 403)
        #expect(try team.post("/admin/branding?program=\(team.programID)", Self.settings(["api_access": "none"]), as: owner).status == 303)
        let refused = try HTTPGet.request(port: portal.port, method: "GET", path: "/api/v1/me/commissions", headers: auth)
        #expect(refused.status == 403 && refused.body.contains("turned off partner API access"))
        #expect(try team.get("/portal/api", as: partner).status == 404)

        let audit = try portal.database.read { db in try AuditLog().entries(in: db, programID: team.programID) }
        #expect(audit.map(\.action) == ["branding.update", "branding.update"])
        #expect(audit.last?.details.contains("brand colour: #4f46e5 → #0f766e") == true)
        #expect(audit.first?.details == "partner API: read → none")
    }

    @Test func lowContrastAndBadInputChangeNothing() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let owner = try team.session(try team.staff("Olga", role: .programOwner))
        let refused = try team.post("/admin/branding?program=\(team.programID)", Self.settings(["brand_color": "#ffdd00"]), as: owner)
        #expect(refused.status == 422)
        #expect(refused.body.contains("WCAG AA needs 4.5:1"))
        #expect(refused.body.contains("value=\"#ffdd00\""))
        #expect(try portal.database.read { db in try PortalBranding.load(in: db, programID: team.programID) } == .standard)
        #expect(try portal.database.read { db in try AuditLog().entries(in: db, programID: team.programID) }.isEmpty)
        // Managers and viewers read the page but cannot change it.
        let manager = try team.session(try team.staff("Max"))
        #expect(try team.get("/admin/branding", as: manager).status == 200)
        #expect(try team.post("/admin/branding?program=\(team.programID)", Self.settings(), as: manager).status == 403)
        #expect(try Self.upload(team, "/admin/branding/logo?program=\(team.programID)", file: "GIF89ad\0(\0", fileName: "l.gif", as: manager).status == 403)
    }

    @Test func logosAreCheckedFromTheirBytesAndServed() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let owner = try team.session(try team.staff("Olga", role: .programOwner))
        let path = "/admin/branding/logo?program=\(team.programID)"
        // A GIF header of 100×40 named .png with a PNG content type: the bytes decide.
        let gif = "GIF89ad\u{0}(\u{0}" + String(repeating: "x", count: 64)
        #expect(try Self.upload(team, path, file: gif, fileName: "logo.png", as: owner).status == 303)
        let served = try HTTPGet.request(port: portal.port, method: "GET", path: "/brand/\(team.programID)/logo")
        #expect(served.status == 200 && served.headers["content-type"] == "image/gif" && served.headers["x-content-type-options"] == "nosniff")
        #expect(served.body.hasPrefix("GIF89a"))
        let ada = try team.partner("Ada")
        #expect(try team.get("/portal", as: try team.session(ada.userID)).body.contains("src=\"/brand/\(team.programID)/logo?v="))

        let svg = try Self.upload(team, path, file: "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>", fileName: "logo.svg", as: owner)
        #expect(svg.status == 422 && svg.body.contains("SVG logos are not accepted"))
        let text = try Self.upload(team, path, file: "hello", fileName: "logo.gif", as: owner)
        #expect(text.status == 422 && text.body.contains("not a PNG, JPEG, GIF or WebP image"))
        // Without the CSRF field the upload is refused before anything is read.
        #expect(try Self.upload(team, path, file: gif, fileName: "logo.gif", as: owner, csrf: false).status == 403)
        // Still the first logo.
        #expect(try HTTPGet.request(port: portal.port, method: "GET", path: "/brand/\(team.programID)/logo").body.hasPrefix("GIF89a"))
        #expect(try team.post("/admin/branding/logo/remove?program=\(team.programID)", [], as: owner).status == 303)
        #expect(try HTTPGet.request(port: portal.port, method: "GET", path: "/brand/\(team.programID)/logo").status == 404)
        let actions = try portal.database.read { db in try AuditLog().entries(in: db, programID: team.programID).map(\.action) }
        #expect(actions == ["branding.logo_remove", "branding.logo"])
    }
}
