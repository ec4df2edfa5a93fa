import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// `/portal/links/{id}`: the link page and its edit form. The destination and campaign change under the creation
/// rules, the code never does, the redirect follows at once, and nothing of another partner's link is reachable.
@Suite struct PartnerLinkEditTests {
    static let browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"

    func setUp() throws -> (portal: RunningPortal, team: PortalTeam, a: (partnerID: Int64, userID: Int64), linkID: Int64) {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada")
        let linkID = try portal.database.write { db in
            try db.execute("UPDATE programs SET allowed_domains = 'example.com', default_url = 'https://example.com/' WHERE id = ?", [team.programID])
            return try LinkStore().create(in: db, programID: team.programID, partnerID: a.partnerID,
                                          NewLink(destinationURL: "https://example.com/old", campaign: "spring", code: "ada-link"), now: 0).id
        }
        return (portal, team, a, linkID)
    }

    func redirect(_ portal: RunningPortal, _ code: String) throws -> HTTPGet.Reply {
        try HTTPGet.request(port: portal.port, method: "GET", path: "/r/\(code)", headers: ["User-Agent": Self.browser])
    }

    func destination(_ portal: RunningPortal, _ id: Int64) throws -> (String?, String?, String?) {
        let row = try portal.database.read { db in try db.queryOne("SELECT destination_url, campaign, code FROM links WHERE id = ?", [id]) }
        return (try row?["destination_url"], try row?["campaign"], try row?["code"])
    }

    @Test func editingChangesTheDestinationAndTheRedirectFollowsAtOnce() throws {
        let (portal, team, a, linkID) = try setUp()
        let owner = try team.session(a.userID)
        // The redirect caches the old destination first.
        let before = try redirect(portal, "ada-link")
        #expect(before.status == 302)
        #expect(before.headers["location"]?.hasPrefix("https://example.com/old") == true)

        let page = try team.get("/portal/links/\(linkID)", as: owner)
        #expect(page.status == 200)
        #expect(page.body.contains("/r/ada-link"))
        #expect(page.body.contains("/portal/links/\(linkID)/qr.svg"))
        #expect(page.body.contains("cannot be changed"))
        #expect(page.body.contains(#"action="/portal/links/\#(linkID)""#))
        #expect(try team.get("/portal/links", as: owner).body.contains(#"href="/portal/links/\#(linkID)""#))

        let saved = try team.post("/portal/links/\(linkID)", [("destination_url", "https://shop.example.com/new"), ("campaign", "autumn"),
                                                              ("code", "hijack")], as: owner)
        #expect(saved.status == 303)
        #expect(saved.headers["location"] == "/portal/links/\(linkID)?saved=1")
        let (url, campaign, code) = try destination(portal, linkID)
        #expect(url == "https://shop.example.com/new")
        #expect(campaign == "autumn")
        #expect(code == "ada-link")
        let after = try redirect(portal, "ada-link")
        #expect(after.status == 302)
        #expect(after.headers["location"]?.hasPrefix("https://shop.example.com/new") == true)
        #expect(try redirect(portal, "hijack").headers["location"]?.hasPrefix("https://shop.example.com/new") != true)
        #expect(try team.get("/portal/links/\(linkID)?saved=1", as: owner).body.contains("Link saved."))
    }

    @Test func aDisallowedDomainIs422WithTheMessageBesideTheFieldAndChangesNothing() throws {
        let (portal, team, a, linkID) = try setUp()
        let owner = try team.session(a.userID)
        let refused = try team.post("/portal/links/\(linkID)", [("destination_url", "https://evil.test/phish"), ("campaign", "typed")], as: owner)
        #expect(refused.status == 422)
        #expect(refused.body.contains("must point to one of the program&#39;s domains") || refused.body.contains("must point to one of the program"))
        #expect(refused.body.contains(#"aria-invalid="true""#))
        #expect(refused.body.contains("destination_url-error"))
        #expect(refused.body.contains(#"value="https://evil.test/phish""#))
        #expect(refused.body.contains(#"value="typed""#))
        let (url, campaign, _) = try destination(portal, linkID)
        #expect(url == "https://example.com/old")
        #expect(campaign == "spring")
        #expect(try redirect(portal, "ada-link").headers["location"]?.hasPrefix("https://example.com/old") == true)
    }

    @Test func membersMayEditViewersMayNot() throws {
        let (portal, team, a, linkID) = try setUp()
        let member = try team.session(try team.member(of: a.partnerID, name: "Mia", role: .partnerMember))
        #expect(try team.post("/portal/links/\(linkID)", [("destination_url", "https://example.com/mia"), ("campaign", "")], as: member).status == 303)
        #expect(try destination(portal, linkID).0 == "https://example.com/mia")
        #expect(try destination(portal, linkID).1 == "")

        let viewer = try team.session(try team.member(of: a.partnerID, name: "Vic", role: .partnerViewer))
        let page = try team.get("/portal/links/\(linkID)", as: viewer)
        #expect(page.status == 200)
        #expect(!page.body.contains(#"action="/portal/links/\#(linkID)""#))
        #expect(try team.post("/portal/links/\(linkID)", [("destination_url", "https://example.com/vic")], as: viewer).status == 403)
        #expect(try destination(portal, linkID).0 == "https://example.com/mia")
        // Without the CSRF token nothing changes either.
        #expect(try team.post("/portal/links/\(linkID)", [("destination_url", "https://example.com/x")], as: member, csrf: false).status == 403)
    }

    @Test func anotherPartnersLinkIsNotFound() throws {
        let (portal, team, _, linkID) = try setUp()
        let b = try team.partner("Bob")
        let bob = try team.session(b.userID)
        let page = try team.get("/portal/links/\(linkID)", as: bob)
        #expect(page.status == 404)
        #expect(!page.body.contains("ada-link"))
        #expect(try team.post("/portal/links/\(linkID)", [("destination_url", "https://example.com/bob"), ("campaign", "bob")], as: bob).status == 404)
        #expect(try team.get("/portal/links/\(linkID)/qr.svg", as: bob).status == 404)
        #expect(try team.get("/portal/links/nope", as: bob).status == 404)
        let (url, campaign, _) = try destination(portal, linkID)
        #expect(url == "https://example.com/old")
        #expect(campaign == "spring")
    }
}
