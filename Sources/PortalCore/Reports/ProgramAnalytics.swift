import Store

/// The admin analytics of one program (`/admin/analytics`), read from rollups and indexed ranges only: program
/// totals from `daily_program_stats`, per-partner totals from `monthly_partner_stats` (whole months) and
/// `daily_partner_stats` (the days of partial months), applications and cohorts along partner indexes, NPS answers
/// by `(program_id, created_at)`. Every query is scoped by `programID`.
public enum ProgramAnalytics {
    public typealias Totals = PartnerAnalytics.Totals

    // MARK: - Program totals

    /// The program's totals per period (day or month) of `from`…`to`, zeros included.
    public static func periodRows(in db: Database, programID: Int64, from: Int64, to: Int64,
                                  granularity: PerformanceReport.Granularity) throws -> [PerformanceReport.Row] {
        var buckets = PerformanceReport.emptyRows(from: from, to: to, granularity: granularity)
        let statement = try db.cachedStatement("""
            SELECT day, clicks, unique_clicks, leads, sales, revenue, commission FROM daily_program_stats
            WHERE program_id = ?1 AND day BETWEEN ?2 AND ?3
            """)
        defer { statement.reset() }
        try statement.bind([programID, from, to])
        while try statement.step() {
            buckets.add(Totals(clicks: statement.int64(at: 1), uniqueClicks: statement.int64(at: 2), leads: statement.int64(at: 3),
                               sales: statement.int64(at: 4), revenue: statement.int64(at: 5), commission: statement.int64(at: 6)),
                        day: statement.int64(at: 0))
        }
        return buckets.rows
    }

    /// Payouts marked paid with a settlement time in the days `from`…`to`.
    public static func paidOut(in db: Database, programID: Int64, from: Int64, to: Int64) throws -> Int64 {
        try db.queryValue("""
            SELECT coalesce(sum(amount), 0) FROM payouts WHERE program_id = ? AND status = 'paid' AND settled_at BETWEEN ? AND ?
            """, [programID, from * 86_400, to * 86_400 + 86_399], as: Int64.self) ?? 0
    }

    // MARK: - Per partner

    /// Each partner's totals over the days `from`…`to` (partners with no row are absent; a partner may be present with
    /// zeros). Exact, and reads few rows: a month wholly inside the range is its monthly rollup row per partner; a
    /// month partly inside is either the daily rows of its days inside, or — when fewer days are outside (the current
    /// month, whose days after today are empty) — its monthly row minus the daily rows of the days outside.
    public static func partnerTotals(in db: Database, programID: Int64, from: Int64, to: Int64) throws -> [Int64: Totals] {
        var result: [Int64: Totals] = [:]
        guard from <= to else { return result }
        let daily = try db.cachedStatement("""
            SELECT partner_id, clicks, leads, sales, revenue, commission FROM daily_partner_stats
            WHERE program_id = ?1 AND day BETWEEN ?2 AND ?3
            """)
        let monthly = try db.cachedStatement("""
            SELECT partner_id, clicks, leads, sales, revenue, commission FROM monthly_partner_stats
            WHERE program_id = ?1 AND month BETWEEN ?2 AND ?3
            """)
        defer {
            daily.reset()
            monthly.reset()
        }
        func add(_ statement: Statement, _ first: Int64, _ last: Int64, sign: Int64 = 1) throws {
            guard first <= last else { return }
            statement.reset()
            try statement.bind([programID, first, last])
            while try statement.step() {
                result[statement.int64(at: 0), default: Totals()].add(
                    Totals(clicks: sign * statement.int64(at: 1), leads: sign * statement.int64(at: 2), sales: sign * statement.int64(at: 3),
                           revenue: sign * statement.int64(at: 4), commission: sign * statement.int64(at: 5)))
            }
        }
        var wholeFirst: Int64?, wholeLast: Int64?
        var month = CohortRetention.month(of: from)
        while month <= to {
            let monthEnd = CohortRetention.nextMonth(month) - 1
            let first = max(month, from), last = min(monthEnd, to)
            if first == month && last == monthEnd {
                if wholeFirst == nil { wholeFirst = month }
                wholeLast = month
            } else if last - first + 1 <= (monthEnd - month + 1) / 2 {
                try add(daily, first, last)
            } else {
                try add(monthly, month, month)
                try add(daily, month, first - 1, sign: -1)
                try add(daily, last + 1, monthEnd, sign: -1)
            }
            month = monthEnd + 1
        }
        if let wholeFirst, let wholeLast { try add(monthly, wholeFirst, wholeLast) }
        return result
    }

    /// Per month (its 1st) of `months`, the partners active in it: a click or a conversion.
    public static func monthlyActivity(in db: Database, programID: Int64, months: [Int64]) throws -> [Int64: Set<Int64>] {
        var result: [Int64: Set<Int64>] = [:]
        guard let first = months.first, let last = months.last else { return result }
        let statement = try db.cachedStatement("""
            SELECT month, partner_id FROM monthly_partner_stats
            WHERE program_id = ?1 AND month BETWEEN ?2 AND ?3 AND (clicks > 0 OR leads > 0 OR sales > 0)
            """)
        defer { statement.reset() }
        try statement.bind([programID, first, last])
        while try statement.step() { result[statement.int64(at: 0), default: []].insert(statement.int64(at: 1)) }
        return result
    }

    /// Partners of the program a user of whose team signed in during `from`…`to`, and per month of `months`.
    public static func signIns(in db: Database, programID: Int64, from: Int64, to: Int64,
                               months: [Int64]) throws -> (period: Int, perMonth: [Int64: Int]) {
        var period = Set<Int64>()
        var perMonth: [Int64: Set<Int64>] = [:]
        let start = min(from, months.first ?? from)
        let statement = try db.cachedStatement("SELECT day, partner_id FROM partner_sign_ins WHERE program_id = ?1 AND day BETWEEN ?2 AND ?3")
        defer { statement.reset() }
        try statement.bind([programID, start, to])
        while try statement.step() {
            let day = statement.int64(at: 0), partner = statement.int64(at: 1)
            if day >= from { period.insert(partner) }
            perMonth[CohortRetention.month(of: day), default: []].insert(partner)
        }
        return (period.count, perMonth.mapValues(\.count))
    }

    /// Names of the given partners of the program.
    public static func partnerNames(in db: Database, programID: Int64, ids: [Int64]) throws -> [Int64: String] {
        var names: [Int64: String] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let arguments: [(any DatabaseValueConvertible)?] = [programID] + chunk.map { $0 }
            // `+program_id`: look the ids up by primary key, not along the program index (10,000 rows).
            for row in try db.query("SELECT id, name FROM partners WHERE +program_id = ? AND id IN (\(marks))", StatementArguments(arguments)) {
                names[try row["id"]] = try row["name"]
            }
        }
        return names
    }

    // MARK: - Resources

    public struct ResourceUsage: Sendable, Equatable {
        public var resourceID: Int64
        public var title: String
        public var kind: String
        public var downloads: Int64
        public var reads: Int64
    }

    /// Downloads and first reads of each of the program's resources in the days `from`…`to`, most used first.
    public static func resourceUsage(in db: Database, programID: Int64, from: Int64, to: Int64) throws -> [ResourceUsage] {
        let start = from * 86_400, end = to * 86_400 + 86_399
        let rows = try db.query("""
            SELECT r.id, r.title, r.kind,
                   (SELECT count(*) FROM resource_downloads d WHERE d.resource_id = r.id AND d.downloaded_at BETWEEN ?2 AND ?3) AS downloads,
                   (SELECT count(*) FROM resource_reads x WHERE x.resource_id = r.id AND x.first_read_at BETWEEN ?2 AND ?3) AS reads
            FROM resources r WHERE r.program_id = ?1
            """, [programID, start, end])
        return try rows.map { row in
            ResourceUsage(resourceID: try row["id"], title: try row["title"], kind: try row["kind"], downloads: try row["downloads"],
                          reads: try row["reads"])
        }.sorted {
            ($0.downloads + $0.reads, $1.resourceID) > ($1.downloads + $1.reads, $0.resourceID)
        }
    }

    // MARK: - Recruitment

    public struct Applications: Sendable, Equatable {
        /// Per month of the months asked: applications (partners created) in it.
        public var perMonth: [Int64: Int]
        /// Of the applications in the period: how many are approved (or were, and are now suspended), rejected, pending.
        public var approved = 0
        public var rejected = 0
        public var pending = 0
        public var total: Int { approved + rejected + pending }
        /// Approved of those decided (approved or rejected), 0…1; nil when none is decided.
        public var approvalRate: Double? { approved + rejected > 0 ? Double(approved) / Double(approved + rejected) : nil }
    }

    public static func applications(in db: Database, programID: Int64, from: Int64, to: Int64, months: [Int64]) throws -> Applications {
        var result = Applications(perMonth: [:])
        let start = min(from, months.first ?? from) * 86_400
        let statement = try db.cachedStatement("""
            SELECT created_at, status FROM partners WHERE program_id = ?1 AND created_at BETWEEN ?2 AND ?3
            """)
        defer { statement.reset() }
        try statement.bind([programID, start, to * 86_400 + 86_399])
        while try statement.step() {
            let day = DailyStats.day(of: statement.int64(at: 0))
            result.perMonth[CohortRetention.month(of: day), default: 0] += 1
            guard day >= from else { continue }
            switch statement.text(at: 1) {
            case "approved", "suspended": result.approved += 1
            case "rejected": result.rejected += 1
            default: result.pending += 1
            }
        }
        return result
    }

    /// Partner → month (its 1st) of first approval, for approvals in `months`.
    public static func approvals(in db: Database, programID: Int64, months: [Int64]) throws -> [Int64: Int64] {
        guard let first = months.first, let last = months.last else { return [:] }
        var result: [Int64: Int64] = [:]
        let statement = try db.cachedStatement("""
            SELECT id, approved_at FROM partners WHERE program_id = ?1 AND approved_at BETWEEN ?2 AND ?3
            """)
        defer { statement.reset() }
        try statement.bind([programID, first * 86_400, CohortRetention.nextMonth(last) * 86_400 - 1])
        while try statement.step() { result[statement.int64(at: 0)] = CohortRetention.month(of: DailyStats.day(of: statement.int64(at: 1))) }
        return result
    }

    // MARK: - NPS

    public struct NPSSummary: Sendable, Equatable {
        public var period = NetPromoterScore()
        public var perMonth: [Int64: NetPromoterScore] = [:]
        /// The latest comments of the period (newest first).
        public var comments: [(score: Int, comment: String, at: Int64)] = []

        public static func == (a: NPSSummary, b: NPSSummary) -> Bool {
            a.period == b.period && a.perMonth == b.perMonth && a.comments.map(\.comment) == b.comments.map(\.comment)
        }
    }

    public static func nps(in db: Database, programID: Int64, from: Int64, to: Int64, months: [Int64], commentLimit: Int = 20) throws -> NPSSummary {
        var summary = NPSSummary()
        let start = min(from, months.first ?? from) * 86_400
        let statement = try db.cachedStatement("""
            SELECT created_at, score, comment FROM nps_responses WHERE program_id = ?1 AND created_at BETWEEN ?2 AND ?3
            ORDER BY created_at DESC
            """)
        defer { statement.reset() }
        try statement.bind([programID, start, to * 86_400 + 86_399])
        while try statement.step() {
            let at = statement.int64(at: 0), score = Int(statement.int64(at: 1))
            let day = DailyStats.day(of: at)
            summary.perMonth[CohortRetention.month(of: day), default: NetPromoterScore()].add(score)
            guard day >= from else { continue }
            summary.period.add(score)
            let comment = statement.text(at: 2)
            if !comment.isEmpty && summary.comments.count < commentLimit { summary.comments.append((score, comment, at)) }
        }
        return summary
    }

    // MARK: - CSV

    /// One CSV line: each field through `PayoutExport.field` (quoted as needed, formula-injection guard), CRLF.
    public static func csvLine(_ fields: [String]) -> String {
        fields.map(PayoutExport.field).joined(separator: ",") + "\r\n"
    }
}
