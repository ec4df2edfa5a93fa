import Foundation
import Store
import Testing
@testable import PortalCore

/// `daily_program_stats` is kept equal to the sum of `daily_stats` by triggers, whoever writes the partner rows.
@Suite struct ProgramRollupTests {
    @Test func programTotalsFollowEveryPartnerRowWrite() throws {
        let f = try EngineFixture(holdDays: 0)
        let ada = try f.partner("Ada"), bob = try f.partner("Bob")
        let link = try f.link(partner: ada, code: "ada1")
        let click = try f.click(link: link, at: EngineFixture.t0 - 100)
        try f.pool.write { db in
            try DailyStats.add(in: db, programID: f.programID, partnerID: ada, at: EngineFixture.t0 - 100, linkID: link, campaign: "",
                               subID: "", clicks: 1, uniqueClicks: 1)
        }
        try f.convert(f.sale("o-1", amount: 10_000, clickID: click))
        try f.convert(f.sale("o-2", amount: 5_000, at: EngineFixture.t0 + 86_400, partner: bob))
        _ = try f.pool.write { db in try RefundRecorder().refund(in: db, programID: f.programID, externalID: "o-1", amount: 2_500, now: 1) }
        let (partnerRows, programRows) = try f.pool.read { db in
            (try db.query("""
                SELECT day, sum(clicks) AS c, sum(unique_clicks) AS u, sum(leads) AS l, sum(sales) AS s, sum(revenue) AS r, sum(commission) AS m
                FROM daily_stats WHERE program_id = ? GROUP BY day ORDER BY day
                """, [f.programID]).map { [try $0["day"] as Int64, try $0["c"], try $0["u"], try $0["l"], try $0["s"], try $0["r"], try $0["m"]] },
             try db.query("""
                SELECT day, clicks AS c, unique_clicks AS u, leads AS l, sales AS s, revenue AS r, commission AS m
                FROM daily_program_stats WHERE program_id = ? ORDER BY day
                """, [f.programID]).map { [try $0["day"] as Int64, try $0["c"], try $0["u"], try $0["l"], try $0["s"], try $0["r"], try $0["m"]] })
        }
        #expect(programRows == partnerRows)
        #expect(programRows.count == 2)
        // Day one: one click, a sale of 100.00 refunded by 25.00 (revenue 75.00, commission 20.00 − 5.00).
        #expect(programRows.first == [DailyStats.day(of: EngineFixture.t0), 1, 1, 0, 1, 7_500, 1_500])
    }
}
