import Dispatch
import Foundation
import HTTPServer
import Store
import Synchronization
import Testing
@testable import PortalWeb

/// `GET /r/{code}` against CONTRACTS.md, with the clicks it records read back from the database.
@Suite struct TrackingRedirectTests {
    static let browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"

    func click(_ portal: RunningPortal, _ path: String, userAgent: String = TrackingRedirectTests.browser) throws -> HTTPGet.Reply {
        try HTTPGet.request(port: portal.port, method: "GET", path: path, headers: ["User-Agent": userAgent])
    }

    @Test func redirectRecordsTheClickBeforeAnswering() throws {
        let portal = try RunningPortal()
        let reply = try click(portal, "/r/demo?sub=spring&sub2=email")
        #expect(reply.status == 302)
        #expect(reply.headers["cache-control"] == "no-store")
        let location = try #require(reply.headers["location"])
        #expect(location.hasPrefix("https://example.com/landing?pp_click="))
        let id = try #require(Int64(location.split(separator: "=").last ?? ""))
        #expect(reply.setCookies.first == "pp_click=\(id); Path=/; Max-Age=\(60 * 86_400); HttpOnly; SameSite=Lax")
        let row = try #require(try portal.database.read { db in
            try db.queryOne("SELECT link_id, is_unique, device, sub1, sub2, length(visitor) AS hash FROM clicks WHERE id = ?", [id])
        })
        #expect(try row["is_unique"] as Int64 == 1)
        #expect(try row["device"] as String == "desktop")
        #expect(try row["sub1"] as String == "spring")
        #expect(try row["sub2"] as String == "email")
        #expect(try row["hash"] as Int64 == 32)
        // The same visitor on the same link within a day is counted, but not as unique.
        let again = try click(portal, "/r/demo")
        let secondID = try #require(Int64(again.headers["location"]?.split(separator: "=").last ?? ""))
        #expect(try portal.database.read { db in try db.queryValue("SELECT is_unique FROM clicks WHERE id = ?", [secondID], as: Int64.self) } == 0)
        // Both are in the day's totals, under the link's campaign and the click's sub1.
        let totals = try portal.database.read { db in
            try db.query("""
                SELECT d.sub_id, d.clicks, d.unique_clicks, d.campaign = l.campaign AS same_campaign, d.day = c.at / 86400 AS same_day
                FROM daily_stats d JOIN links l ON l.id = d.link_id JOIN clicks c ON c.id = ? ORDER BY d.sub_id
                """, [id]).map { row in
                "\(try row["sub_id"] as String):\(try row["clicks"] as Int64)/\(try row["unique_clicks"] as Int64)"
                    + " \(try row["same_campaign"] as Int64)\(try row["same_day"] as Int64)"
            }
        }
        #expect(totals == [":1/0 11", "spring:1/1 11"])
    }

    @Test func botsAreRedirectedButNotCounted() throws {
        let portal = try RunningPortal()
        let reply = try click(portal, "/r/demo", userAgent: "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)")
        #expect(reply.status == 302)
        #expect(reply.headers["location"] == "https://example.com/landing")
        #expect(reply.setCookies.isEmpty)
        #expect(try portal.database.read { db in try db.queryValue("SELECT count(*) FROM clicks", as: Int64.self) } == 0)
    }

    @Test func unknownCodesAreAnHTML404() throws {
        let portal = try RunningPortal()
        let reply = try click(portal, "/r/nope")
        #expect(reply.status == 404)
        #expect(reply.headers["content-type"] == "text/html; charset=utf-8")
        #expect(reply.body.contains("Link not found"))
    }

    @Test func suspendedPartnersLinksGoToTheFallbackWithoutAClick() throws {
        let portal = try RunningPortal()
        try portal.database.write { db in
            try db.execute("UPDATE partners SET status = 'suspended'")
            try db.execute("UPDATE programs SET fallback_url = 'https://example.com/'")
        }
        // A fresh code, so the link cache has not seen it approved.
        try portal.database.write { db in
            try db.execute("INSERT INTO links (program_id, partner_id, code, destination_url, created_at) VALUES (1, 1, 'other', 'https://example.com/x', 0)")
        }
        let reply = try click(portal, "/r/other")
        #expect(reply.status == 302)
        #expect(reply.headers["location"] == "https://example.com/")
        #expect(try portal.database.read { db in try db.queryValue("SELECT count(*) FROM clicks", as: Int64.self) } == 0)
    }

    @Test func everyAnsweredClickIsInTheDatabase() throws {
        let portal = try RunningPortal()
        let answered = Mutex<[Int64]>([])
        let port = portal.port
        DispatchQueue.concurrentPerform(iterations: 60) { _ in
            if let reply = try? HTTPGet.request(port: port, method: "GET", path: "/r/demo", headers: ["User-Agent": Self.browser]),
               reply.status == 302,
               let id = Int64(reply.headers["location"]?.split(separator: "=").last ?? "") {
                answered.withLock { $0.append(id) }
            }
        }
        let ids = answered.withLock { $0 }
        #expect(ids.count == 60)
        #expect(Set(ids).count == 60)
        let stored = try portal.database.read { db in try db.queryValue("SELECT count(*) FROM clicks", as: Int64.self) }
        #expect(stored == 60)
    }
}
