import Foundation
import Store
import Testing
@testable import PortalCore

/// The analytics page's one-pass summary must say exactly what separate GROUP BY queries over the same rollup rows
/// say: period rows, and each breakdown's largest groups in the same order, for random activity.
@Suite struct PartnerAnalyticsSummaryTests {
    @Test(arguments: [PerformanceReport.Granularity.day, .week, .month])
    func onePassEqualsGroupingInSQL(granularity: PerformanceReport.Granularity) throws {
        let f = try EngineFixture(holdDays: 0)
        let ada = try f.partner("Ada"), bob = try f.partner("Bob")
        let links = try (0..<6).map { try f.link(partner: ada, code: "ada\($0)") }
        let bobLink = try f.link(partner: bob, code: "bob0")
        var random = SplitMix(seed: UInt64(granularity.rawValue.count))
        let firstDay = DailyStats.day(of: EngineFixture.t0) - 100
        try f.pool.write { db in
            for _ in 0..<600 {
                let day = firstDay + Int64.random(in: 0..<100, using: &random)
                let link = Bool.random(using: &random) ? links.randomElement(using: &random)! : 0
                try DailyStats.add(in: db, programID: f.programID, partnerID: ada, at: day * 86_400 + 3_600, linkID: link,
                                   campaign: ["", "spring", "summer", "autumn"].randomElement(using: &random)!,
                                   subID: ["", "a", "b", "c", "d", "e"].randomElement(using: &random)!,
                                   clicks: Int64.random(in: 0...9, using: &random), uniqueClicks: Int64.random(in: 0...5, using: &random))
            }
            // Bob's rows must never show in Ada's summary.
            try DailyStats.add(in: db, programID: f.programID, partnerID: bob, at: (firstDay + 5) * 86_400, linkID: bobLink, campaign: "spring",
                               subID: "a", clicks: 1_000, uniqueClicks: 900)
        }
        // Some sales, so that earnings order ties.
        for index in 0..<8 {
            try f.convert(f.sale("o-\(index)", amount: Int64(1_000 * (index + 1)), at: (firstDay + Int64(index * 9)) * 86_400 + 7_200, partner: ada))
        }
        let from = firstDay + 10, to = firstDay + 90
        let limit = 3
        let summary = try f.pool.read { db in
            try PartnerAnalytics.summary(in: db, programID: f.programID, partnerID: ada, from: from, to: to, granularity: granularity, limit: limit)
        }
        let expectedRows = try f.pool.read { db in
            try PerformanceReport.rows(in: db, programID: f.programID, partnerID: ada, from: from, to: to, granularity: granularity)
        }
        #expect(summary.rows == expectedRows)
        #expect(summary.rows.reduce(0) { $0 + $1.clicks } > 0)

        for (breakdown, key) in [(PartnerAnalytics.Breakdown.link, "coalesce(l.code, '')"), (.campaign, "s.campaign"), (.subID, "s.sub_id")] {
            let expected = try f.pool.read { db in
                try db.query("""
                    SELECT \(key) AS k, sum(s.clicks) AS c, sum(s.unique_clicks) AS u, sum(s.leads) AS l, sum(s.sales) AS n,
                           sum(s.revenue) AS r, sum(s.commission) AS m
                    FROM daily_stats s LEFT JOIN links l ON l.id = s.link_id AND l.partner_id = s.partner_id
                    WHERE s.partner_id = ? AND s.day BETWEEN ? AND ?
                    GROUP BY k ORDER BY c DESC, m DESC, k LIMIT ?
                    """, [ada, from, to, Int64(limit)]).map { row in
                    PartnerAnalytics.Group(key: try row["k"], totals: PartnerAnalytics.Totals(
                        clicks: try row["c"], uniqueClicks: try row["u"], leads: try row["l"], sales: try row["n"], revenue: try row["r"],
                        commission: try row["m"]))
                }
            }
            #expect(summary.groups[breakdown] == expected, "\(breakdown)")
            #expect(expected.count == limit)
        }
    }
}
