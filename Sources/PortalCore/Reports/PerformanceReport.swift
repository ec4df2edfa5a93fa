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
        var byPeriod: [Int64: Row] = [:]
        var order: [Int64] = []
        var day = from
        while day <= to {
            let start = periodStart(of: day, granularity)
            if byPeriod[start] == nil {
                byPeriod[start] = Row(period: CivilDate.format(days: start))
                order.append(start)
            }
            day += 1
        }
        let sql = partnerID == nil
            ? "SELECT day, sum(clicks) AS c, sum(unique_clicks) AS u, sum(leads) AS l, sum(sales) AS s, sum(revenue) AS r, sum(commission) AS m FROM daily_stats WHERE program_id = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY day"
            : "SELECT day, sum(clicks) AS c, sum(unique_clicks) AS u, sum(leads) AS l, sum(sales) AS s, sum(revenue) AS r, sum(commission) AS m FROM daily_stats WHERE partner_id = ?4 AND +program_id = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY day"
        // `+program_id` keeps the planner on the primary key (partner, day, …) for one partner; the program index
        // would scan every partner's rows of those days.
        let arguments: StatementArguments = partnerID == nil ? [programID, from, to] : [programID, from, to, partnerID]
        for row in try db.query(sql, arguments) {
            let start = periodStart(of: try row["day"], granularity)
            guard var bucket = byPeriod[start] else { continue }
            bucket.clicks += try row["c"]
            bucket.uniqueClicks += try row["u"]
            bucket.leads += try row["l"]
            bucket.sales += try row["s"]
            bucket.revenue += try row["r"]
            bucket.commission += try row["m"]
            byPeriod[start] = bucket
        }
        return order.compactMap { byPeriod[$0] }
    }
}
