import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// `/admin/analytics`: exact numbers on a small seeded program, the CSV per section (formula guard), the program
/// scope (another program's data never shows), who may read it; and the partner NPS question on the dashboard.
@Suite struct AdminAnalyticsPageTests {
    struct Seeded {
        let portal: RunningPortal
        let team: PortalTeam
        let ada: (partnerID: Int64, userID: Int64)
        let bob: (partnerID: Int64, userID: Int64)
        let cy: (partnerID: Int64, userID: Int64)
        let viewer: (cookie: String, csrf: String)
    }

    /// Ada: 100 clicks, 4 sales, $400.00 revenue, $80.00 commission; Bob: 50 clicks, 1 lead, $20.00; a partner named
    /// like a formula: 10 clicks; one payout of $12.34 paid; three NPS answers (10, 9, 6); another program with big numbers.
    func seed() throws -> Seeded {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let ada = try team.partner("Ada"), bob = try team.partner("Bob"), cy = try team.partner("=HYPERLINK(\"x\")")
        let viewer = try team.session(try team.staff("Vic", role: .programViewer))
        let now = Int64(Date().timeIntervalSince1970)
        let at = now - 86_400
        let other = try portal.database.write { db in
            try ProgramStore().create(in: db, NewProgram(name: "Other", slug: "other\(Int.random(in: 1000...9999))", currency: "USD"), now: 0)
        }
        try portal.database.write { db in
            for (partner, link, clicks, leads, sales, revenue, commission) in [
                (ada.partnerID, Int64(0), Int64(60), Int64(0), Int64(1), Int64(10_000), Int64(2_000)),
                (ada.partnerID, 7, 40, 0, 3, 30_000, 6_000),
                (bob.partnerID, 0, 50, 1, 0, 0, 2_000),
                (cy.partnerID, 0, 10, 0, 0, 0, 0),
            ] as [(Int64, Int64, Int64, Int64, Int64, Int64, Int64)] {
                try DailyStats.add(in: db, programID: team.programID, partnerID: partner, at: at, linkID: link, campaign: "", subID: "",
                                   clicks: clicks, uniqueClicks: clicks, leads: leads, sales: sales, revenue: revenue, commission: commission)
            }
            try db.execute("INSERT INTO partners (program_id, name, email, status, created_at) VALUES (?, 'Zed Other', 'zed@example.com', 'approved', ?)",
                           [other.id, now])
            let zed = db.lastInsertRowID
            try DailyStats.add(in: db, programID: other.id, partnerID: zed, at: at, linkID: 0, campaign: "", subID: "", clicks: 9_999,
                               sales: 99, revenue: 8_888_800, commission: 777_700)
            try db.execute("INSERT INTO nps_responses (program_id, partner_id, user_id, score, comment, created_at) VALUES (?, ?, NULL, 0, 'other program', ?)",
                           [other.id, zed, now])
            try db.execute("INSERT INTO payout_batches (program_id, created_at) VALUES (?, ?)", [team.programID, now])
            try db.execute("""
                INSERT INTO payouts (program_id, batch_id, partner_id, amount, currency, method, recipient_sealed, status, created_at, settled_at)
                VALUES (?, ?, ?, 1234, 'USD', 'manual', '', 'paid', ?, ?)
                """, [team.programID, db.lastInsertRowID, ada.partnerID, now, now])
            for (partner, user, score, comment) in [(ada.partnerID, ada.userID, 10, "Great program"), (bob.partnerID, bob.userID, 9, ""),
                                                    (cy.partnerID, cy.userID, 6, "Slow payouts")] as [(Int64, Int64, Int64, String)] {
                try NPSResponses.answer(in: db, programID: team.programID, partnerID: partner, userID: user, score: Int(score), comment: comment, now: now)
            }
            try db.execute("INSERT INTO partner_sign_ins (program_id, day, partner_id) VALUES (?, ?, ?)",
                           [team.programID, DailyStats.day(of: now), ada.partnerID])
            // Ada, Bob and the third joined and were approved today (the team's partners are made at 0).
            try db.execute("UPDATE partners SET created_at = ?, approved_at = ? WHERE program_id = ?", [now, now, team.programID])
            // Dee applied today and waits; Eve was rejected.
            try db.execute("INSERT INTO partners (program_id, name, email, status, created_at) VALUES (?, 'Dee', 'dee@example.com', 'pending', ?)",
                           [team.programID, now])
            try db.execute("INSERT INTO partners (program_id, name, email, status, created_at) VALUES (?, 'Eve', 'eve@example.com', 'rejected', ?)",
                           [team.programID, now])
        }
        return Seeded(portal: portal, team: team, ada: ada, bob: bob, cy: cy, viewer: viewer)
    }

    static func card(_ label: String, _ value: String) -> String {
        "<div class=\"label\">\(label)</div><div class=\"value\">\(value)</div>"
    }

    @Test func theNumbersOfASmallProgramAreExact() throws {
        let s = try seed()
        let page = try s.team.get("/admin/analytics", as: s.viewer)
        #expect(page.status == 200)
        #expect(page.headers["server-timing"]?.contains("query;dur=") == true)
        let body = page.body
        #expect(body.contains(Self.card("Clicks", "160")))
        #expect(body.contains(Self.card("Conversions", "5")))
        #expect(body.contains(Self.card("Revenue", "$400.00")))
        #expect(body.contains(Self.card("Commissions", "$100.00")))
        #expect(body.contains(Self.card("Paid out", "$12.34")))
        // $100.00 / 160 clicks = 62.5 cents → 63; 5 / 160 = 3.125 % → 3.13 %.
        #expect(body.contains(Self.card("EPC", "$0.63")))
        #expect(body.contains(Self.card("Conversion rate", "3.13%")))
        #expect(body.contains(Self.card("Active partners", "3")))
        #expect(body.contains(Self.card("Partners who signed in", "1")))
        // Two earners: the top 10 % is Ada alone, $80.00 of $100.00.
        #expect(body.contains("<strong id=\"top-decile-share\">80.00%</strong>"))
        #expect(body.contains("<tr><th scope=\"row\">Ada</th><td class=\"number\">$80.00</td><td class=\"number\">80.00%</td></tr>"))
        // Applications in the period: the five partners (made today); approved 3 of the 4 decided.
        #expect(body.contains(Self.card("Applications", "5")))
        #expect(body.contains(Self.card("Approval rate", "75.00%")))
        #expect(body.contains(Self.card("Waiting for review", "1")))
        // NPS: 2 promoters, 1 detractor of 3 → 33.
        #expect(body.contains("<div class=\"value\" id=\"nps-score\">33</div>"))
        #expect(body.contains("Great program") && body.contains("Slow payouts"))
        // The formula-like name is escaped text on the page.
        #expect(body.contains("=HYPERLINK(&quot;x&quot;)"))
        #expect(body.contains("<svg class=\"chart\""))
        // Another program's numbers never show.
        #expect(!body.contains("Zed Other") && !body.contains(">9,999<") && !body.contains("other program"))
        #expect(!body.contains("$7,777.00"))
        // The 12-month view sums the same rows.
        let year = try s.team.get("/admin/analytics?period=12m", as: s.viewer).body
        #expect(year.contains(Self.card("Clicks", "160")) && year.contains(Self.card("Commissions", "$100.00")))
        #expect(year.contains(Self.card("Active partners", "3")))
    }

    @Test func eachSectionExportsCSVWithTheFormulaGuard() throws {
        let s = try seed()
        let activity = try s.team.get("/admin/analytics/activity.csv?period=90d", as: s.viewer)
        #expect(activity.status == 200)
        #expect(activity.headers["content-type"]?.hasPrefix("text/csv") == true)
        #expect(activity.body.hasPrefix("partner_id,partner,clicks,leads,sales,revenue,commission\r\n\(s.ada.partnerID),Ada,100,0,4,400.00,80.00\r\n"))
        #expect(activity.body.contains("\(s.cy.partnerID),\"'=HYPERLINK(\"\"x\"\")\",10,0,0,0.00,0.00\r\n"))
        #expect(!activity.body.contains("Zed"))
        let commissions = try s.team.get("/admin/analytics/commissions.csv", as: s.viewer).body
        #expect(commissions == "rank,partner_id,partner,commission\r\n1,\(s.ada.partnerID),Ada,80.00\r\n2,\(s.bob.partnerID),Bob,20.00\r\n")
        let totals = try s.team.get("/admin/analytics/totals.csv?period=30d", as: s.viewer).body
        #expect(totals.hasPrefix("period,clicks,unique_clicks,leads,sales,revenue,commission\r\n"))
        #expect(totals.split(separator: "\r\n").count == 1 + 30 + 1)
        #expect(totals.hasSuffix("paid_out,,,,,,12.34\r\n"))
        let nps = try s.team.get("/admin/analytics/nps.csv", as: s.viewer).body
        #expect(nps.hasPrefix("month,responses,promoters,passives,detractors,nps\r\n"))
        #expect(nps.hasSuffix(",3,2,0,1,33\r\n"))
        let recruitment = try s.team.get("/admin/analytics/recruitment.csv", as: s.viewer).body
        // This month: 5 applications; the 3 approved partners of this month's cohort, all 3 active.
        #expect(recruitment.hasSuffix(",5,3,3" + String(repeating: ",", count: 11) + "\r\n"))
        #expect(try s.team.get("/admin/analytics/resources.csv", as: s.viewer).body == "resource_id,title,kind,downloads,reads\r\n")
        #expect(try s.team.get("/admin/analytics/secrets.csv", as: s.viewer).status == 404)
        #expect(try s.team.get("/admin/analytics/totals.txt", as: s.viewer).status == 404)
    }

    @Test func onlyTheProgramsStaffMayReadIt() throws {
        let s = try seed()
        let manager = try s.team.session(try s.team.staff("Max"))
        #expect(try s.team.get("/admin/analytics?period=90d", as: manager).status == 200)
        #expect(try s.team.get("/admin/analytics?period=7y", as: manager).status == 400)
        // A partner has no admin console; another program's staff cannot name this program.
        #expect(try s.team.get("/admin/analytics", as: try s.team.session(s.ada.userID)).status == 403)
        #expect(try s.team.get("/admin/analytics/totals.csv", as: try s.team.session(s.ada.userID)).status == 403)
        let other = try s.portal.database.write { db in
            try ProgramStore().create(in: db, NewProgram(name: "Third", slug: "third\(Int.random(in: 1000...9999))", currency: "EUR"), now: 0)
        }
        let outsider = try s.team.session(try s.team.staff("Oz", programID: other.id))
        #expect(try s.team.get("/admin/analytics?program=\(s.team.programID)", as: outsider).status == 404)
        #expect(try s.team.get("/admin/analytics/totals.csv?program=\(s.team.programID)", as: outsider).status == 404)
        let theirs = try s.team.get("/admin/analytics", as: outsider)
        #expect(theirs.status == 200 && !theirs.body.contains("Ada") && theirs.body.contains(Self.card("Clicks", "0")))
        // The navigation offers it.
        #expect(try s.team.get("/admin", as: s.viewer).body.contains("href=\"/admin/analytics\""))
    }

    @Test func aPartnerUsersSignInIsCountedOncePerDay() throws {
        let portal = try RunningPortal()
        let partner = portal.login("partner")
        for _ in 0..<2 {
            let (cookie, csrf) = try portal.loginForm()
            #expect(try portal.signIn(partner.email, partner.password, cookie: cookie, csrf: csrf).status == 303)
        }
        let admin = portal.login("admin")
        let (cookie, csrf) = try portal.loginForm()
        #expect(try portal.signIn(admin.email, admin.password, cookie: cookie, csrf: csrf).status == 303)
        let rows = try portal.database.read { db in
            try db.query("""
                SELECT s.day, s.partner_id FROM partner_sign_ins s JOIN memberships m ON m.partner_id = s.partner_id
                JOIN users u ON u.id = m.user_id WHERE u.email = ?
                """, [partner.email]).map { [try $0["day"] as Int64, try $0["partner_id"] as Int64] }
        }
        #expect(rows.count == 1)
        #expect(rows.first?.first == DailyStats.day(of: Int64(Date().timeIntervalSince1970)))
        // Staff sign-ins are not partner sign-ins.
        #expect(try portal.database.read { db in try db.queryValue("SELECT count(*) FROM partner_sign_ins", as: Int64.self) } == 1)
    }

    @Test func axisNumbersAreCompact() {
        #expect(AdminAnalyticsController.compact(2_000_000) == "2M")
        #expect(AdminAnalyticsController.compact(1_540_000) == "1.5M")
        #expect(AdminAnalyticsController.compact(250_000) == "250k")
        #expect(AdminAnalyticsController.compact(9_999) == "9,999")
        #expect(AdminAnalyticsController.compact(0) == "0")
    }

    // MARK: - NPS in the portal

    @Test func theQuestionIsAskedAnsweredAndNotAskedAgainFor90Days() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let ada = try team.partner("Ada")
        let session = try team.session(ada.userID)
        let dashboard = try team.get("/portal", as: session).body
        #expect(dashboard.contains("How likely are you to recommend Acme to a friend?"))
        #expect(dashboard.contains("action=\"/portal/nps?partner=\(ada.partnerID)\""))
        // Validation: no score, out of range, a comment too long; and CSRF.
        #expect(try team.post("/portal/nps", [("comment", "hi")], as: session).status == 422)
        #expect(try team.post("/portal/nps", [("score", "11")], as: session).status == 422)
        #expect(try team.post("/portal/nps", [("score", "5"), ("comment", String(repeating: "a", count: 1001))], as: session).status == 422)
        #expect(try team.post("/portal/nps", [("score", "5")], as: session, csrf: false).status == 403)
        func answers() throws -> [[String]] {
            try portal.database.read { db in
                try db.query("SELECT program_id, partner_id, user_id, score, comment FROM nps_responses ORDER BY id").map {
                    [String(try $0["program_id"] as Int64), String(try $0["partner_id"] as Int64), String(try $0["user_id"] as Int64),
                     String(try $0["score"] as Int64), try $0["comment"] as String]
                }
            }
        }
        #expect(try answers().isEmpty)
        let answered = try team.post("/portal/nps", [("score", "9"), ("comment", "  Good  ")], as: session)
        #expect(answered.status == 303)
        #expect(try team.get(answered.headers["location"] ?? "/portal", as: session).body.contains("Thank you for your answer."))
        #expect(try answers() == [[String(team.programID), String(ada.partnerID), String(ada.userID), "9", "Good"]])
        #expect(!(try team.get("/portal", as: session).body.contains("How likely are you")))
        // A second post within 90 days is not counted again.
        #expect(try team.post("/portal/nps", [("score", "0")], as: session).status == 303)
        #expect(try answers().count == 1)
        // 90 days later it is due again.
        try portal.database.write { db in try db.execute("UPDATE nps_responses SET created_at = created_at - 90 * 86400") }
        #expect(try team.get("/portal", as: session).body.contains("How likely are you"))
    }

    @Test func dismissingPutsItOffAndViewersMayAnswer() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let ada = try team.partner("Ada")
        let viewerID = try team.member(of: ada.partnerID, name: "Val", role: .partnerViewer)
        let viewer = try team.session(viewerID)
        #expect(try team.get("/portal", as: viewer).body.contains("How likely are you"))
        #expect(try team.post("/portal/nps", [("score", "7")], as: viewer).status == 303)
        // The owner's question is their own.
        let owner = try team.session(ada.userID)
        #expect(try team.get("/portal", as: owner).body.contains("How likely are you"))
        #expect(try team.post("/portal/nps/dismiss", [], as: owner).status == 303)
        #expect(!(try team.get("/portal", as: owner).body.contains("How likely are you")))
        let counts = try portal.database.read { db in
            [try db.queryValue("SELECT count(*) FROM nps_responses", as: Int64.self), try db.queryValue("SELECT count(*) FROM nps_dismissals", as: Int64.self)]
        }
        #expect(counts == [1, 1])
        // A pending applicant is not asked.
        let pam = try team.partner("Pam")
        try portal.database.write { db in try db.execute("UPDATE partners SET status = 'pending' WHERE id = ?", [pam.partnerID]) }
        #expect(!(try team.get("/portal", as: try team.session(pam.userID)).body.contains("How likely are you")))
    }

    @Test func staffViewingAsThePartnerAreNotAskedAndCannotAnswer() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let ada = try team.partner("Ada")
        let staff = try team.session(try team.staff("Max"))
        let started = try team.post("/admin/partners/\(ada.partnerID)/view-as?program=\(team.programID)", [], as: staff)
        #expect(started.status == 303)
        let view = try #require(started.setCookies.first { $0.hasPrefix("pp_view_as=") })
        let viewing = (staff.cookie + "; " + String(view.split(separator: ";")[0]), staff.csrf)
        let page = try team.get("/portal", as: viewing)
        #expect(page.status == 200)
        #expect(!page.body.contains("How likely are you"))
        #expect(try team.post("/portal/nps", [("score", "10")], as: viewing).status == 403)
        #expect(try team.post("/portal/nps/dismiss", [], as: viewing).status == 403)
        #expect(try portal.database.read { db in try db.queryValue("SELECT count(*) FROM nps_responses", as: Int64.self) } == 0)
    }
}
