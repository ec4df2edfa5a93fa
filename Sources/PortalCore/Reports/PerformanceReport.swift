import Store

/// Clicks, conversions and money per day, week or month, read from `daily_stats` (never from raw clicks),
/// for `GET /me/reports` and the portal's analytics.
public enum PerformanceReport {
    public enum Granularity: String, Sendable, CaseIterable {
        case day, week, month
    }

    public struct Row: Sendable, Equatable {
        /// The period's first day, `YYYY-MM-DD` (weeks start on Monday, ISO 8601).
        public var period: String
        public var clicks: Int64 = 0
        public var uniqueClicks: Int64 = 0
        public var leads: Int64 = 0
        public var sales: Int64 = 0
        public var revenue: Int64 = 0
        public var commission: Int64 = 0
    }

    /// The longest range one report covers (about ten years), so a request cannot ask for millions of rows.
    public static let maximumDays: Int64 = 3_660

    /// The first day of the period holding `day` (days since 1970-01-01).
    public static func periodStart(of day: Int64, _ granularity: Granularity) -> Int64 {
        switch granularity {
        case .day: return day
        case .week: return day - CivilDate.weekday(days: day)
        case .month:
            let (y, m, _) = CivilDate.ymd(days: day)
            return CivilDate.days(year: y, month: m, day: 1)
        }
    }

    /// One row per period from `from` to `to` (inclusive days), zeros included, oldest first. `partnerID` nil
    /// reports the whole program.
    public static func rows(in db: Database, programID: Int64, partnerID: Int64?, from: Int64, to: Int64, granularity: Granularity) throws -> [Row] {
        var buckets = emptyRows(from: from, to: to, granularity: granularity)
        let sql = partnerID == nil
            ? "SELECT day, sum(clicks) AS c, sum(unique_clicks) AS u, sum(leads) AS l, sum(sales) AS s, sum(revenue) AS r, sum(commission) AS m FROM daily_stats WHERE program_id = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY day"
            : "SELECT day, sum(clicks) AS c, sum(unique_clicks) AS u, sum(leads) AS l, sum(sales) AS s, sum(revenue) AS r, sum(commission) AS m FROM daily_stats WHERE partner_id = ?4 AND +program_id = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY day"
        // `+program_id` keeps the planner on the primary key (partner, day, …) for one partner; the program index
        // would scan every partner's rows of those days.
        let arguments: StatementArguments = partnerID == nil ? [programID, from, to] : [programID, from, to, partnerID]
        for row in try db.query(sql, arguments) {
            buckets.add(PartnerAnalytics.Totals(clicks: try row["c"], uniqueClicks: try row["u"], leads: try row["l"], sales: try row["s"],
                                                revenue: try row["r"], commission: try row["m"]), day: try row["day"])
        }
        return buckets.rows
    }

    /// One zero row per period from `from` to `to`, to add days into.
    public static func emptyRows(from: Int64, to: Int64, granularity: Granularity) -> PeriodBuckets {
        PeriodBuckets(from: from, to: to, granularity: granularity)
    }

    /// Rows per period of a range, filled a day at a time; days outside the range are ignored.
    public struct PeriodBuckets: Sendable {
        public private(set) var rows: [Row] = []
        private var positions: [Int64: Int] = [:]
        private let granularity: Granularity

        init(from: Int64, to: Int64, granularity: Granularity) {
            self.granularity = granularity
            var day = from
            while day <= to {
                let start = PerformanceReport.periodStart(of: day, granularity)
                if positions[start] == nil {
                    positions[start] = rows.count
                    rows.append(Row(period: CivilDate.format(days: start)))
                }
                day += 1
            }
        }

        public mutating func add(_ totals: PartnerAnalytics.Totals, day: Int64) {
            guard let position = positions[PerformanceReport.periodStart(of: day, granularity)] else { return }
            rows[position].clicks += totals.clicks
            rows[position].uniqueClicks += totals.uniqueClicks
            rows[position].leads += totals.leads
            rows[position].sales += totals.sales
            rows[position].revenue += totals.revenue
            rows[position].commission += totals.commission
        }
    }
}
