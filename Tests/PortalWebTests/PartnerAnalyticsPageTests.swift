import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// `/portal/analytics` and its CSV over a running portal: a partner sees only its own numbers, the program
/// average is the program's aggregate, bad ranges are a 400 with the message beside the fields.
@Suite(.serialized) struct PartnerAnalyticsPageTests {
    /// The demo partner (A), two more partners of its program (B, C) and a partner of another program (D), with
    /// daily_stats rows on 2020-01-01…2020-01-03 (long before the demo's own data) and country rows for A and B.
    struct World {
        let portal: RunningPortal
        let session: String
        let partnerA: Int64
    }

    static let day1 = CivilDate.parse("2020-01-01")!

    static func world() throws -> World {
        let portal = try RunningPortal()
        let (partnerA, programID) = try portal.database.read { db -> (Int64, Int64) in
            let row = try #require(try db.queryOne("SELECT id, program_id FROM partners WHERE email = 'partner@demo.partnerportal.test'"))
            return (try row["id"], try row["program_id"])
        }
        try portal.database.write { db in
            try db.execute("INSERT INTO partners (program_id, name, email, status, created_at) VALUES (?, 'Bea Secret', 'b@example.com', 'approved', 0)",
                           [programID])
            let partnerB = db.lastInsertRowID
            try db.execute("INSERT INTO partners (program_id, name, email, status, created_at) VALUES (?, 'Cy Other', 'c@example.com', 'approved', 0)",
                           [programID])
            let partnerC = db.lastInsertRowID
            try db.execute("INSERT INTO programs (slug, name, currency, created_at) VALUES ('elsewhere', 'Elsewhere', 'USD', 0)")
            let otherProgram = db.lastInsertRowID
            try db.execute("INSERT INTO partners (program_id, name, email, status, created_at) VALUES (?, 'Dee Far', 'd@example.com', 'approved', 0)",
                           [otherProgram])
            let partnerD = db.lastInsertRowID
            func stats(_ program: Int64, _ partner: Int64, _ day: Int64, campaign: String = "", sub: String = "",
                       _ clicks: Int64, _ unique: Int64, _ leads: Int64, _ sales: Int64, _ revenue: Int64, _ commission: Int64) throws {
                try DailyStats.add(in: db, programID: program, partnerID: partner, at: (day1 + day) * 86_400 + 3_600, linkID: 0, campaign: campaign,
                                   subID: sub, clicks: clicks, uniqueClicks: unique, leads: leads, sales: sales, revenue: revenue,
                                   commission: commission)
            }
            try stats(programID, partnerA, 0, campaign: "spring", sub: "yt", 10, 8, 1, 1, 5_000, 1_000)
            try stats(programID, partnerA, 2, campaign: "spring", 5, 5, 0, 1, 2_550, 510)
            try stats(programID, partnerB, 1, campaign: "bea-campaign", sub: "bea-sub", 1_000, 900, 20, 10, 99_900, 77_700)
            try stats(programID, partnerC, 1, 85, 80, 4, 3, 10_000, 2_790)
            try stats(otherProgram, partnerD, 1, 500, 500, 100, 100, 500_000, 50_000)
            try ClickDimensions.add(in: db, partnerID: partnerA, day: day1, .country, value: "DE", clicks: 15, uniqueClicks: 13)
            try ClickDimensions.add(in: db, partnerID: partnerA, day: day1, .device, value: "phone", clicks: 15, uniqueClicks: 13)
            try ClickDimensions.add(in: db, partnerID: partnerB, day: day1, .country, value: "FR", clicks: 1_000, uniqueClicks: 900)
            try ClickDimensions.add(in: db, partnerID: partnerB, day: day1, .device, value: "smart-tv", clicks: 1_000, uniqueClicks: 900)
        }
        let (cookie, csrf) = try portal.loginForm()
        let partner = portal.login("partner")
        let reply = try portal.signIn(partner.email, partner.password, cookie: cookie, csrf: csrf)
        try #require(reply.status == 303)
        let session = String(try #require(reply.setCookies.first).split(separator: ";")[0])
        return World(portal: portal, session: session, partnerA: partnerA)
    }

    static func get(_ world: World, _ path: String) throws -> HTTPGet.Reply {
        try HTTPGet.request(port: world.portal.port, method: "GET", path: path, headers: ["Cookie": world.session])
    }

    static let range = "range=custom&from=2020-01-01&to=2020-01-03"

    @Test func thePartnerSeesItsOwnNumbersOnly() throws {
        let world = try Self.world()
        let page = try Self.get(world, "/portal/analytics?\(Self.range)&g=day")
        #expect(page.status == 200)
        #expect(page.headers["cache-control"] == "no-store")
        let body = page.body
        // A's totals: 15 clicks, 13 unique, 1 lead, 2 sales, $75.50 revenue, $15.10 earnings; 3 of 15 convert.
        for card in [("Clicks", "15"), ("Unique clicks", "13"), ("Leads", "1"), ("Sales", "2"), ("Revenue", "$75.50"), ("Earnings", "$15.10"),
                     ("Conversion rate", "20.00%"), ("Earnings per click", "$1.01")] {
            let pattern = NSRegularExpression.escapedPattern(for: "<div class=\"label\">\(card.0)</div>") + "\\s*" + NSRegularExpression.escapedPattern(for: "<div class=\"value\">\(card.1)</div>")
            #expect(body.range(of: pattern, options: .regularExpression) != nil, "card \(card.0)")
        }
        #expect(body.contains("<th scope=\"row\">2020-01-03</th><td class=\"number\">5</td>"))
        #expect(body.contains("role=\"img\""))
        #expect(body.contains("Clicks: 15 in total over 3 days, highest 10 on 2020-01-01."))
        #expect(body.contains(">spring</th>"))
        #expect(body.contains(">yt</th>"))
        #expect(body.contains(">DE</th>"))
        #expect(body.contains("100.00% of clicks</div>"))
        #expect(body.contains("86.67% of clicks · 86.67% of the step before"))
        #expect(body.contains(">phone</th>"))
        // Nothing of B's (nor D's in another program): no name, no numbers, no campaign, sub id, country or device.
        for secret in ["Bea Secret", "Cy Other", "Dee Far", "bea-campaign", "bea-sub", ">FR<", "smart-tv", "1,000", "$777.00", "$999.00", "$500"] {
            #expect(!body.contains(secret), "page shows \(secret)")
        }
        // The navigation marks the page.
        #expect(body.contains("<a href=\"/portal/analytics\" aria-current=\"page\">Analytics</a>"))

        let csv = try Self.get(world, "/portal/analytics.csv?\(Self.range)&g=month")
        #expect(csv.status == 200)
        #expect(csv.body == "period,clicks,unique_clicks,leads,sales,revenue,commission\r\n2020-01-01,15,13,1,2,75.50,15.10\r\n")
    }

    @Test func theProgramAverageIsTheProgramsAggregate() throws {
        let world = try Self.world()
        let body = try Self.get(world, "/portal/analytics?\(Self.range)").body
        // A, B and C together (not D, another program): 40 conversions over 1,100 clicks, $820.00 over 1,100 clicks.
        #expect(body.contains("data-average=\"conversion-rate\">3.64%</td>"))
        #expect(body.contains("data-average=\"epc\">$0.75</td>"))
        #expect(body.contains("(3 partners with clicks)"))
        #expect(body.contains("Your conversion rate is 450.00% above the program average."))
        // One day with only A's clicks: no average, which would be A's own numbers or give another partner's away.
        let alone = try Self.get(world, "/portal/analytics?range=custom&from=2020-01-01&to=2020-01-01").body
        #expect(!alone.contains("data-average"))
        #expect(alone.contains("at least 3 partners"))
        // With only A and B in a range the average would give B's numbers away too.
        try world.portal.database.write { db in try db.execute("DELETE FROM daily_stats WHERE clicks = 85") }
        #expect(!(try Self.get(world, "/portal/analytics?\(Self.range)").body.contains("data-average")))
    }

    @Test func badRangesAreA400WithTheMessageBesideTheDates() throws {
        let world = try Self.world()
        let backwards = try Self.get(world, "/portal/analytics?range=custom&from=2020-02-01&to=2020-01-01")
        #expect(backwards.status == 400)
        #expect(backwards.body.contains("<p class=\"error analytics-error\" id=\"range-error\" role=\"alert\">The end date must not be before the start date.</p>"))
        #expect(backwards.body.contains("name=\"to\" value=\"2020-01-01\" placeholder=\"YYYY-MM-DD\" aria-invalid=\"true\" aria-describedby=\"range-error\""))
        #expect(!backwards.body.contains("role=\"img\""))
        let impossible = try Self.get(world, "/portal/analytics?range=custom&from=2020-02-30&to=2020-03-01")
        #expect(impossible.status == 400)
        #expect(impossible.body.contains("The start date must be a date as YYYY-MM-DD."))
        // Typed text comes back escaped.
        let typed = try Self.get(world, "/portal/analytics?range=custom&from=%3Cscript%3E&to=2020-03-01")
        #expect(typed.status == 400)
        #expect(!typed.body.contains("<script>"))
        let tooLong = try Self.get(world, "/portal/analytics?range=custom&from=2000-01-01&to=2020-01-01")
        #expect(tooLong.status == 400)
        #expect(tooLong.body.contains("A range can cover at most 3660 days."))
        #expect(try Self.get(world, "/portal/analytics?range=2w").status == 400)
        #expect(try Self.get(world, "/portal/analytics?\(Self.range)&g=hour").status == 400)
        #expect(try Self.get(world, "/portal/analytics.csv?range=custom&from=2020-02-01&to=2020-01-01").status == 400)
        // The default range works.
        #expect(try Self.get(world, "/portal/analytics").status == 200)
        for preset in DateRange.Preset.allCases where preset != .custom {
            #expect(try Self.get(world, "/portal/analytics?range=\(preset.rawValue)").status == 200, "range \(preset.rawValue)")
        }
    }

    @Test func theCSVHasThePeriodRowsInMajorUnits() throws {
        let world = try Self.world()
        let csv = try Self.get(world, "/portal/analytics.csv?\(Self.range)&g=day")
        #expect(csv.status == 200)
        #expect(csv.headers["content-type"] == "text/csv; charset=utf-8")
        #expect(csv.headers["content-disposition"] == "attachment; filename=\"analytics-2020-01-01-to-2020-01-03-by-day.csv\"")
        #expect(csv.body == """
            period,clicks,unique_clicks,leads,sales,revenue,commission\r
            2020-01-01,10,8,1,1,50.00,10.00\r
            2020-01-02,0,0,0,0,0.00,0.00\r
            2020-01-03,5,5,0,1,25.50,5.10\r

            """)
        // The page links to the same export.
        let page = try Self.get(world, "/portal/analytics?\(Self.range)&g=day")
        #expect(page.body.contains("href=\"/portal/analytics.csv?range=custom&amp;from=2020-01-01&amp;to=2020-01-03&amp;g=day\""))
    }

    @Test func signedOutVisitorsAreSentToSignIn() throws {
        let portal = try RunningPortal()
        let reply = try HTTPGet.request(port: portal.port, method: "GET", path: "/portal/analytics.csv")
        #expect(reply.status == 303)
    }
}
