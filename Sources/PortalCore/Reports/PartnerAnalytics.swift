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

        public mutating func add(_ other: Totals) {
            clicks += other.clicks
            uniqueClicks += other.uniqueClicks
            leads += other.leads
            sales += other.sales
            revenue += other.revenue
            commission += other.commission
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

    /// What the page shows of the partner's own rows: the period rows and the three breakdowns.
    public struct Summary: Sendable, Equatable {
        public var rows: [PerformanceReport.Row]
        public var groups: [Breakdown: [Group]]
    }

    /// The period rows (as `PerformanceReport.rows`) and the breakdowns by link, campaign and sub id over the days
    /// `from`…`to`, from ONE pass over the partner's rollup rows: four GROUP BY queries over the same rows cost four
    /// times the reading and sorting (BENCHMARKS.md). Each breakdown keeps its `limit` largest groups by clicks,
    /// then earnings, then key.
    public static func summary(in db: Database, programID: Int64, partnerID: Int64, from: Int64, to: Int64,
                               granularity: PerformanceReport.Granularity, limit: Int = breakdownLimit) throws -> Summary {
        var periods = PerformanceReport.emptyRows(from: from, to: to, granularity: granularity)
        var byLink: [Int64: Totals] = [:]
        var byCampaign: [String: Totals] = [:]
        var bySubID: [String: Totals] = [:]
        // `+program_id` keeps the planner on the primary key (partner, day, …), as in PerformanceReport.
        let statement = try db.cachedStatement("""
            SELECT day, link_id, campaign, sub_id, clicks, unique_clicks, leads, sales, revenue, commission
            FROM daily_stats WHERE partner_id = ?1 AND +program_id = ?2 AND day BETWEEN ?3 AND ?4
            """)
        defer { statement.reset() }
        try statement.bind([partnerID, programID, from, to])
        // Every column is NOT NULL in the schema: read directly, without the generic conversion per value.
        while try statement.step() {
            let totals = Totals(clicks: statement.int64(at: 4), uniqueClicks: statement.int64(at: 5), leads: statement.int64(at: 6),
                                sales: statement.int64(at: 7), revenue: statement.int64(at: 8), commission: statement.int64(at: 9))
            periods.add(totals, day: statement.int64(at: 0))
            byLink[statement.int64(at: 1), default: Totals()].add(totals)
            byCampaign[statement.text(at: 2), default: Totals()].add(totals)
            bySubID[statement.text(at: 3), default: Totals()].add(totals)
        }
        // Link ids become codes ('' for clicks without a link, or a link that is not the partner's).
        var codes: [Int64: String] = [:]
        let linkIDs = Array(byLink.keys.filter { $0 != 0 })
        for chunk in stride(from: 0, to: linkIDs.count, by: 500).map({ Array(linkIDs[$0..<min($0 + 500, linkIDs.count)]) }) {
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let arguments: [(any DatabaseValueConvertible)?] = [partnerID] + chunk.map { $0 }
            for row in try db.query("SELECT id, code FROM links WHERE partner_id = ? AND id IN (\(placeholders))", StatementArguments(arguments)) {
                codes[try row[0]] = try row[1]
            }
        }
        func largest(_ groups: [Group]) -> [Group] {
            Array(groups.sorted { a, b in
                if a.totals.clicks != b.totals.clicks { return a.totals.clicks > b.totals.clicks }
                if a.totals.commission != b.totals.commission { return a.totals.commission > b.totals.commission }
                return a.key < b.key
            }.prefix(limit))
        }
        // Two unknown link ids both read as '': merged, as the SQL grouping by code would show them.
        var linkGroups: [String: Totals] = [:]
        for (id, totals) in byLink { linkGroups[codes[id] ?? "", default: Totals()].add(totals) }
        return Summary(rows: periods.rows, groups: [
            .link: largest(linkGroups.map { Group(key: $0.key, totals: $0.value) }),
            .campaign: largest(byCampaign.map { Group(key: $0.key, totals: $0.value) }),
            .subID: largest(bySubID.map { Group(key: $0.key, totals: $0.value) }),
        ])
    }

    public struct DimensionValue: Sendable, Equatable {
        public var value: String
        public var clicks: Int64
        public var uniqueClicks: Int64
    }

    /// The partner's clicks per country or device over the days `from`…`to`, most clicks first.
    public static func dimension(in db: Database, partnerID: Int64, from: Int64, to: Int64, _ dimension: ClickDimensions.Dimension,
                                 limit: Int = breakdownLimit) throws -> [DimensionValue] {
        try dimensions(in: db, partnerID: partnerID, from: from, to: to, limit: limit)[dimension] ?? []
    }

    /// Every dimension's values at once (one query over the partner's rows of the range), each most clicks first.
    public static func dimensions(in db: Database, partnerID: Int64, from: Int64, to: Int64,
                                  limit: Int = breakdownLimit) throws -> [ClickDimensions.Dimension: [DimensionValue]] {
        // Summed here rather than by GROUP BY: the rows come in key order (partner, day, dimension, value), so
        // SQLite would sort them all into a temporary b-tree first — most of the query's time.
        var sums: [ClickDimensions.Dimension: [String: (clicks: Int64, unique: Int64)]] = [:]
        let statement = try db.cachedStatement("""
            SELECT dimension, value, clicks, unique_clicks FROM daily_click_dimensions WHERE partner_id = ?1 AND day BETWEEN ?2 AND ?3
            """)
        defer { statement.reset() }
        try statement.bind([partnerID, from, to])
        while try statement.step() {
            guard let dimension = ClickDimensions.Dimension(rawValue: statement.text(at: 0)) else { continue }
            let value = statement.text(at: 1)
            let current = sums[dimension]?[value] ?? (0, 0)
            sums[dimension, default: [:]][value] = (current.clicks + statement.int64(at: 2), current.unique + statement.int64(at: 3))
        }
        let result = sums.mapValues { values in
            values.map { DimensionValue(value: $0.key, clicks: $0.value.clicks, uniqueClicks: $0.value.unique) }
        }
        return result.mapValues { values in
            Array(values.sorted { $0.clicks != $1.clicks ? $0.clicks > $1.clicks : $0.value < $1.value }.prefix(limit))
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
