import Store

/// What the portal's analytics page shows one partner, read from the rollups only (`daily_stats` and
/// `daily_click_dimensions`), never from clicks or conversions. Every query is scoped to the partner, except the
/// program average, which is one aggregate of the whole program and says nothing about any other partner.
public enum PartnerAnalytics {
    public struct Totals: Sendable, Equatable {
        public var clicks: Int64 = 0
        public var uniqueClicks: Int64 = 0
        public var leads: Int64 = 0
        public var sales: Int64 = 0
        public var revenue: Int64 = 0
        public var commission: Int64 = 0

        public init(clicks: Int64 = 0, uniqueClicks: Int64 = 0, leads: Int64 = 0, sales: Int64 = 0, revenue: Int64 = 0, commission: Int64 = 0) {
            self.clicks = clicks
            self.uniqueClicks = uniqueClicks
            self.leads = leads
            self.sales = sales
            self.revenue = revenue
            self.commission = commission
        }

        public init(_ rows: [PerformanceReport.Row]) {
            for row in rows {
                clicks += row.clicks
                uniqueClicks += row.uniqueClicks
                leads += row.leads
                sales += row.sales
                revenue += row.revenue
                commission += row.commission
            }
        }

        /// Conversions (leads and sales) per click, 0…; nil without clicks.
        public var conversionRate: Double? {
            clicks > 0 ? Double(leads + sales) / Double(clicks) : nil
        }

        /// Earnings per click in minor units; nil without clicks.
        public var earningsPerClick: Double? {
            clicks > 0 ? Double(commission) / Double(clicks) : nil
        }
    }

    /// One row of a breakdown: the group's key (a link code, campaign or sub id; '' for none) and its totals.
    public struct Group: Sendable, Equatable {
        public var key: String
        public var totals: Totals
    }

    public enum Breakdown: String, Sendable, CaseIterable {
        case link, campaign, subID = "sub_id"
    }

    /// The most rows one breakdown shows (the largest by clicks, then earnings).
    public static let breakdownLimit = 50

    /// The partner's totals per link, campaign or sub id over the days `from`…`to`.
    public static func breakdown(in db: Database, programID: Int64, partnerID: Int64, from: Int64, to: Int64, by: Breakdown,
                                 limit: Int = breakdownLimit) throws -> [Group] {
        let key: String
        let join: String
        switch by {
        case .link:
            key = "coalesce(l.code, '')"
            join = "LEFT JOIN links l ON l.id = s.link_id AND l.partner_id = s.partner_id"
        case .campaign:
            key = "s.campaign"
            join = ""
        case .subID:
            key = "s.sub_id"
            join = ""
        }
        let groupBy = by == .link ? "s.link_id" : key
        return try db.query("""
            SELECT \(key) AS k, sum(s.clicks) AS c, sum(s.unique_clicks) AS u, sum(s.leads) AS l, sum(s.sales) AS n,
                   sum(s.revenue) AS r, sum(s.commission) AS m
            FROM daily_stats s \(join)
            WHERE s.partner_id = ?1 AND +s.program_id = ?2 AND s.day BETWEEN ?3 AND ?4
            GROUP BY \(groupBy) ORDER BY c DESC, m DESC, k LIMIT ?5
            """, [partnerID, programID, from, to, Int64(limit)]).map { row in
            Group(key: try row["k"], totals: Totals(clicks: try row["c"], uniqueClicks: try row["u"], leads: try row["l"], sales: try row["n"],
                                                    revenue: try row["r"], commission: try row["m"]))
        }
    }

    public struct DimensionValue: Sendable, Equatable {
        public var value: String
        public var clicks: Int64
        public var uniqueClicks: Int64
    }

    /// The partner's clicks per country or device over the days `from`…`to`, most clicks first.
    public static func dimension(in db: Database, partnerID: Int64, from: Int64, to: Int64, _ dimension: ClickDimensions.Dimension,
                                 limit: Int = breakdownLimit) throws -> [DimensionValue] {
        try db.query("""
            SELECT value, sum(clicks) AS c, sum(unique_clicks) AS u FROM daily_click_dimensions
            WHERE partner_id = ?1 AND day BETWEEN ?2 AND ?3 AND dimension = ?4
            GROUP BY value ORDER BY c DESC, value LIMIT ?5
            """, [partnerID, from, to, dimension.rawValue, Int64(limit)]).map { row in
            DimensionValue(value: try row["value"], clicks: try row["c"], uniqueClicks: try row["u"])
        }
    }

    /// The whole program's conversion rate and earnings per click over a range: one aggregate of every partner.
    public struct ProgramAverage: Sendable, Equatable {
        /// Partners with clicks in the range.
        public var partners: Int64
        public var totals: Totals
    }

    /// The fewest partners with clicks for the program average to be shown: with fewer, a partner could work
    /// out another partner's own numbers from the average and its own.
    public static let minimumPartnersForAverage: Int64 = 3

    /// The program's aggregate over the days `from`…`to`, or nil when fewer than `minimumPartnersForAverage`
    /// partners had clicks in it.
    public static func programAverage(in db: Database, programID: Int64, from: Int64, to: Int64) throws -> ProgramAverage? {
        // Whether enough partners had clicks: stops at the threshold, one index probe per partner at most.
        let active = try db.queryValue("""
            SELECT count(*) FROM (SELECT 1 FROM partners p WHERE p.program_id = ?1 AND EXISTS (
                SELECT 1 FROM daily_stats s WHERE s.partner_id = p.id AND s.day BETWEEN ?2 AND ?3 AND s.clicks > 0) LIMIT ?4)
            """, [programID, from, to, minimumPartnersForAverage], as: Int64.self) ?? 0
        guard active >= minimumPartnersForAverage else { return nil }
        // Sums from the program's own daily rollup (one row per day), never every partner's rows.
        guard let row = try db.queryOne("""
            SELECT coalesce(sum(clicks), 0) AS c, coalesce(sum(unique_clicks), 0) AS u, coalesce(sum(leads), 0) AS l,
                   coalesce(sum(sales), 0) AS n, coalesce(sum(revenue), 0) AS r, coalesce(sum(commission), 0) AS m
            FROM daily_program_stats WHERE program_id = ? AND day BETWEEN ? AND ?
            """, [programID, from, to]) else { return nil }
        let partners = try db.queryValue("SELECT count(*) FROM partners WHERE program_id = ? AND status = 'approved'", [programID],
                                         as: Int64.self) ?? active
        return ProgramAverage(partners: partners, totals: Totals(clicks: try row["c"], uniqueClicks: try row["u"], leads: try row["l"],
                                                                 sales: try row["n"], revenue: try row["r"], commission: try row["m"]))
    }

    /// The CSV export of the period rows: `period,clicks,unique_clicks,leads,sales,revenue,commission`, money in
    /// major units of `currency`, lines ending in CRLF (RFC 4180).
    public static func csv(_ rows: [PerformanceReport.Row], currency: String) -> String {
        var text = "period,clicks,unique_clicks,leads,sales,revenue,commission\r\n"
        for row in rows {
            text += "\(row.period),\(row.clicks),\(row.uniqueClicks),\(row.leads),\(row.sales),"
                + "\(Currency.majorUnits(row.revenue, currency: currency)),\(Currency.majorUnits(row.commission, currency: currency))\r\n"
        }
        return text
    }
}
