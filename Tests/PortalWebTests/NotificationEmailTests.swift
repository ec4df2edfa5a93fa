import Foundation
import HTTPServer
import PortalCore
import PortalSecurity
import Store
import Testing
@testable import PortalWeb

/// Commission approvals, payouts paid and failed, and the weekly digest reach the outbox only for the team
/// members who want them (owners, admins and members; never viewers or disabled users), queued in the
/// transaction of the change.
@Suite struct NotificationEmailTests {
    static func outbox(_ portal: RunningPortal) throws -> [(recipient: String, subject: String, body: String)] {
        try portal.database.read { db in
            try db.query("SELECT recipient, subject, body_text FROM outbox ORDER BY id").map {
                (try $0["recipient"], try $0["subject"], try $0["body_text"])
            }
        }
    }

    static func choose(_ portal: RunningPortal, userID: Int64, partnerID: Int64, _ events: Set<NotificationEvent>) throws {
        try portal.database.write { db in
            try NotificationPreferences().save(in: db, userID: userID, partnerID: partnerID, enabled: events, now: 0)
        }
    }

    @Test func holdReleaseSendsOneApprovalNoticePerPartnerToMembersWhoOptedIn() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal, holdDays: 30)
        let ada = try team.partner("Ada"), bob = try team.partner("Bob")
        let member = try team.member(of: ada.partnerID, name: "Mia", role: .partnerMember)
        let viewer = try team.member(of: ada.partnerID, name: "Vic", role: .partnerViewer)
        // Approvals are off by default: Ada's owner and Vic (a viewer) opt in, Mia does not; Bob's owner does.
        try Self.choose(portal, userID: ada.userID, partnerID: ada.partnerID, [.commissionApproved])
        try Self.choose(portal, userID: viewer, partnerID: ada.partnerID, [.commissionApproved])
        try Self.choose(portal, userID: bob.userID, partnerID: bob.partnerID, [.commissionApproved])
        _ = member
        try team.sale("a-1", amount: 10_000, partnerID: ada.partnerID)
        try team.sale("a-2", amount: 5_000, partnerID: ada.partnerID)
        try team.sale("b-1", amount: 10_000, partnerID: bob.partnerID)
        let before = try Self.outbox(portal).count
        let approved = try HoldRelease().run(portal.database, now: Int64(Date().timeIntervalSince1970) + 31 * 86_400)
        #expect(approved == 3)
        let mails = try Self.outbox(portal).dropFirst(before).filter { $0.subject.contains("approved") }
        #expect(mails.map(\.recipient).sorted() == ["ada-user@example.com", "bob-user@example.com"])
        let adaMail = try #require(mails.first { $0.recipient == "ada-user@example.com" })
        let total = try portal.database.read { db in
            try db.queryValue("SELECT sum(amount) FROM commissions WHERE partner_id = ?", [ada.partnerID], as: Int64.self)
        } ?? 0
        let amount = "\(Currency.majorUnits(total, currency: "USD")) USD"
        #expect(adaMail.subject == "Acme: 2 commissions approved (\(amount))")
        #expect(adaMail.body.contains("2 commissions totalling \(amount) were approved for Ada"))
        #expect(adaMail.body.contains("/portal/earnings"))
    }

    @Test func payoutPaidAndFailedAreMailedToMembersWhoKeepThemOn() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let ada = try team.partner("Ada")
        let member = try team.member(of: ada.partnerID, name: "Mia", role: .partnerMember)
        _ = try team.member(of: ada.partnerID, name: "Vic", role: .partnerViewer)
        let disabled = try team.member(of: ada.partnerID, name: "Dan", role: .partnerAdmin)
        try portal.database.write { db in try db.execute("UPDATE users SET disabled_at = 1 WHERE id = ?", [disabled]) }
        // Mia switched payout e-mails off; the owner keeps the defaults (on).
        try Self.choose(portal, userID: member, partnerID: ada.partnerID, [.newMessage])
        try team.sale("a-1", amount: 10_000, partnerID: ada.partnerID)
        let vault = try PayoutDetailsVault(key: portal.environment.secretKey)
        let store = PayoutStore(vault: vault)
        let payoutID = try portal.database.write { db -> Int64 in
            try PartnerStore(vault: vault).setPayout(in: db, partnerID: ada.partnerID,
                                                     PayoutDetails(method: .paypal, fields: ["paypal_email": "ada@example.com"]))
            return try store.createBatch(in: db, programID: team.programID, now: 1).payouts[0].id
        }
        let before = try Self.outbox(portal).count
        let failed = try portal.database.write { db in
            try store.markFailed(in: db, programID: team.programID, id: payoutID, reason: "Account closed", now: 2)
        }
        var mails = Array(try Self.outbox(portal).dropFirst(before))
        #expect(mails.map(\.recipient) == ["ada-user@example.com"])
        let amount = "\(Currency.majorUnits(failed.amount, currency: "USD")) USD"
        #expect(mails.first?.subject == "Acme: payout of \(amount) failed")
        #expect(mails.first?.body.contains("failed: Account closed") == true)
        #expect(mails.first?.body.contains("back in your available balance") == true)

        // Paid: a new batch pays the money again.
        let secondID = try portal.database.write { db in try store.createBatch(in: db, programID: team.programID, now: 3).payouts[0].id }
        let middle = try Self.outbox(portal).count
        _ = try portal.database.write { db in
            try store.markPaid(in: db, programID: team.programID, id: secondID, reference: "PP-123", now: 4)
        }
        mails = Array(try Self.outbox(portal).dropFirst(middle))
        #expect(mails.map(\.recipient) == ["ada-user@example.com"])
        #expect(mails.first?.subject == "Acme: payout of \(amount) sent")
        #expect(mails.first?.body.contains("by paypal (reference PP-123)") == true)
    }

    @Test func weeklyDigestGoesOncePerWeekToMembersWhoAskedWithTheWeeksFigures() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let ada = try team.partner("Ada"), bob = try team.partner("Bob")
        try Self.choose(portal, userID: ada.userID, partnerID: ada.partnerID, [.weeklyDigest])
        // Bob never asked: no digest for Bob's team.
        let now: Int64 = 1_795_000_000  // a Wednesday (2026-11-18)
        let today = DailyStats.day(of: now)
        try portal.database.write { db in
            try db.execute("INSERT INTO links (program_id, partner_id, code, destination_url, created_at) VALUES (?, ?, 'ada-top', 'https://x.example', 0)",
                           [team.programID, ada.partnerID])
            let link = db.lastInsertRowID
            // This week: 30 clicks on the link, 2 sales, 12.00 earned; the week before: 20 clicks, 8.00 earned.
            try db.execute("""
                INSERT INTO daily_stats (program_id, partner_id, day, link_id, campaign, sub_id, clicks, sales, commission)
                VALUES (?1, ?2, ?3, ?4, '', '', 30, 2, 1200), (?1, ?2, ?5, 0, '', '', 20, 0, 800), (?1, ?2, ?6, 0, '', '', 99, 9, 9999)
                """, [team.programID, ada.partnerID, today - 2, link, today - 9, today])
            try LedgerStore().adjust(in: db, programID: team.programID, partnerID: ada.partnerID, amount: 2500, reason: "bonus", now: now)
        }
        let digest = WeeklyDigest(baseURL: "https://portal.example/")
        #expect(try digest.run(portal.database, now: now) == 1)
        let mails = try Self.outbox(portal).filter { $0.subject.contains("your week") }
        #expect(mails.map(\.recipient) == ["ada-user@example.com"])
        let body = try #require(mails.first?.body)
        #expect(mails.first?.subject == "Acme: your week for Ada — 12.00 USD earned")
        #expect(body.contains("Clicks: 30 (up 50% from 20)"))
        #expect(body.contains("Conversions: 2 (0 the week before)"))
        #expect(body.contains("Earnings: 12.00 USD (up 50% from 8.00 USD)"))
        #expect(body.contains("Available balance: 25.00 USD"))
        #expect(body.contains("Top link: ada-top (30 clicks)"))
        #expect(body.contains("https://portal.example/portal/analytics?partner=\(ada.partnerID)"))
        // Not twice in one week, even after a restart (the mark is in the database) …
        #expect(try WeeklyDigest().run(portal.database, now: now + 3 * 86_400) == 0)
        // … and again the next ISO week.
        #expect(try digest.run(portal.database, now: now + 7 * 86_400) == 1)
        #expect(try portal.database.read { db in try db.queryValue("SELECT count(*) FROM digest_marks WHERE partner_id = ?", [bob.partnerID], as: Int64.self) } == 0)
        #expect(WeeklyDigest.week(of: now) == "2026-W47")
        #expect(WeeklyDigest.week(of: 1_767_225_600) == "2026-W01")  // 2026-01-01, a Thursday
    }
}
