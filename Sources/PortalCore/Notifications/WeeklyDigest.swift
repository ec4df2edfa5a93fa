import Foundation
import Store

/// The weekly performance summary (automated reporting): for every approved partner with a member who asked for
/// it (e-mail preference or a device's push choice), once per ISO week — the first job run of the week sends it,
/// and `digest_marks` remembers, so a restart or a second runner (cron and the server) does not send it twice.
/// Contents: the last 7 full days' clicks, conversions and earnings against the 7 days before, the available
/// balance, and the link with the most clicks.
public struct WeeklyDigest: Sendable {
    /// The public URL for links in the e-mail (`PORTAL_BASE_URL`); nil names the page only.
    public var baseURL: String?

    public init(baseURL: String? = nil) {
        self.baseURL = baseURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    /// `2026-W48`: the ISO 8601 week (Monday first, week 1 holds the year's first Thursday), UTC.
    public static func week(of now: Int64) -> String {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: Date(timeIntervalSince1970: TimeInterval(now)))
        let week = parts.weekOfYear ?? 0
        return "\(parts.yearForWeekOfYear ?? 0)-W\(week < 10 ? "0" : "")\(week)"
    }

    public struct Summary: Sendable, Equatable {
        public var clicks: Int64 = 0
        public var conversions: Int64 = 0
        public var earnings: Int64 = 0
    }

    /// Sends the digests due; returns how many partners got one.
    @discardableResult
    public func run(_ database: DatabasePool, now: Int64) throws -> Int {
        let week = Self.week(of: now)
        let roles = PartnerNotices.roles.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let due: [Int64] = try database.read { db in
            try db.query("""
                SELECT p.id FROM partners p
                WHERE p.status = 'approved' AND NOT EXISTS (SELECT 1 FROM digest_marks d WHERE d.partner_id = p.id AND d.week = ?1)
                  AND (EXISTS (SELECT 1 FROM notification_preferences np
                               JOIN memberships m ON m.user_id = np.user_id AND m.partner_id = np.partner_id
                               JOIN users u ON u.id = np.user_id
                               WHERE np.partner_id = p.id AND np.event = ?2 AND np.email = 1 AND u.disabled_at IS NULL AND m.role IN (\(roles)))
                       OR EXISTS (SELECT 1 FROM push_subscriptions s WHERE s.partner_id = p.id AND (' ' || s.events || ' ') LIKE ?3))
                ORDER BY p.id
                """, [week, NotificationEvent.weeklyDigest.rawValue, "% \(NotificationEvent.weeklyDigest.rawValue) %"]).map { try $0["id"] }
        }
        var sent = 0
        for partnerID in due {
            let didSend = try database.write { db -> Bool in
                // Claimed in this transaction: a concurrent runner finds the mark and skips.
                try db.execute("INSERT OR IGNORE INTO digest_marks (partner_id, week, sent_at) VALUES (?, ?, ?)", [partnerID, week, now])
                guard db.changes == 1 else { return false }
                try send(in: db, partnerID: partnerID, now: now)
                return true
            }
            if didSend { sent += 1 }
        }
        return sent
    }

    /// Sums `daily_stats` over the days [from, through].
    static func summary(in db: Database, partnerID: Int64, from: Int64, through: Int64) throws -> Summary {
        guard let row = try db.queryOne("""
            SELECT ifnull(sum(clicks), 0) AS clicks, ifnull(sum(leads + sales), 0) AS conversions, ifnull(sum(commission), 0) AS earnings
            FROM daily_stats WHERE partner_id = ? AND day BETWEEN ? AND ?
            """, [partnerID, from, through]) else { return Summary() }
        return Summary(clicks: try row["clicks"], conversions: try row["conversions"], earnings: try row["earnings"])
    }

    func send(in db: Database, partnerID: Int64, now: Int64) throws {
        guard let row = try db.queryOne("""
            SELECT pa.name AS partner_name, pr.name AS program_name, pr.currency FROM partners pa JOIN programs pr ON pr.id = pa.program_id
            WHERE pa.id = ?
            """, [partnerID]) else { return }
        let partnerName: String = try row["partner_name"]
        let programName: String = try row["program_name"]
        let currency: String = try row["currency"]
        let today = DailyStats.day(of: now)
        let current = try Self.summary(in: db, partnerID: partnerID, from: today - 7, through: today - 1)
        let previous = try Self.summary(in: db, partnerID: partnerID, from: today - 14, through: today - 8)
        let available = try LedgerStore().balance(in: db, partnerID: partnerID).available
        let top = try db.queryOne("""
            SELECT l.code, sum(d.clicks) AS clicks FROM daily_stats d JOIN links l ON l.id = d.link_id
            WHERE d.partner_id = ? AND d.day BETWEEN ? AND ? AND d.link_id > 0
            GROUP BY d.link_id HAVING sum(d.clicks) > 0 ORDER BY clicks DESC, d.link_id LIMIT 1
            """, [partnerID, today - 7, today - 1])
        let money = { (amount: Int64) in PartnerNotices.money(amount, currency) }
        var lines = [
            "Your week with \(programName) (\(CivilDate.format(days: today - 7)) to \(CivilDate.format(days: today - 1))):",
            "",
            "Clicks: \(current.clicks) \(Self.change(current.clicks, previous.clicks, previous: String(previous.clicks)))",
            "Conversions: \(current.conversions) \(Self.change(current.conversions, previous.conversions, previous: String(previous.conversions)))",
            "Earnings: \(money(current.earnings)) \(Self.change(current.earnings, previous.earnings, previous: money(previous.earnings)))",
            "Available balance: \(money(available))",
        ]
        if let top {
            lines.append("Top link: \(try top["code"] as String) (\(try top["clicks"] as Int64) clicks)")
        }
        let page = "/portal/analytics"
        lines += ["", "See the details: " + (baseURL.map { "\($0)\(page)?partner=\(partnerID)" } ?? "Analytics in your partner portal (\(page))")]
        let body = "Hello,\n\n" + lines.joined(separator: "\n") + PartnerNotices.footer
        try PartnerNotices.send(in: db, partnerID: partnerID, event: .weeklyDigest,
                                subject: "\(programName): your week for \(partnerName) — \(money(current.earnings)) earned",
                                body: body, pushTitle: "Your week with \(programName)",
                                pushBody: "\(current.clicks) clicks, \(current.conversions) conversions, \(money(current.earnings)) earned.",
                                path: "\(page)?partner=\(partnerID)", now: now)
    }

    /// `(up 25% from 8)`, `(down 10% from €10.00 EUR)`, `(same as the week before)`, `(new: 0 the week before)`.
    static func change(_ current: Int64, _ before: Int64, previous: String) -> String {
        if current == before { return "(same as the week before)" }
        guard before > 0 else { return "(\(previous) the week before)" }
        let percent = (current - before) * 100 / before
        return "(\(current > before ? "up" : "down") \(abs(percent))% from \(previous))"
    }
}
