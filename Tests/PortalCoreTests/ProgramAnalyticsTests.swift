import Foundation
import Store
import Testing
@testable import PortalCore

/// The admin analytics' pure parts (NPS, schedule, distribution, histogram, cohorts) on small fixtures, and the
/// per-partner rollups that the triggers keep equal to `daily_stats`.
@Suite struct ProgramAnalyticsTests {
    @Test func npsIsPromotersMinusDetractorsRoundedHalfAwayFromZero() {
        #expect(NetPromoterScore(scores: []).score == nil)
        // 3 promoters, 2 passives, 3 detractors of 8: 0.
        let even = NetPromoterScore(scores: [10, 9, 9, 8, 7, 6, 0, 3])
        #expect(even.promoters == 3 && even.passives == 2 && even.detractors == 3 && even.responses == 8)
        #expect(even.score == 0)
        // 1 promoter of 8, no detractor: 12.5 → 13; the mirror is −13.
        #expect(NetPromoterScore(scores: [9, 7, 7, 7, 8, 8, 8, 7]).score == 13)
        #expect(NetPromoterScore(scores: [6, 7, 7, 7, 8, 8, 8, 7]).score == -13)
        // 2 of 3 promoters, 1 detractor: 33.3 → 33; 2 of 3 promoters, 1 passive: 66.7 → 67.
        #expect(NetPromoterScore(scores: [10, 10, 0]).score == 33)
        #expect(NetPromoterScore(scores: [10, 10, 7]).score == 67)
        #expect(NetPromoterScore(scores: [10]).score == 100)
        #expect(NetPromoterScore(scores: [0, 6]).score == -100)
        // Out-of-range values are not answers.
        #expect(NetPromoterScore(scores: [11, -1, 10]).responses == 1)
    }

    @Test func theQuestionIsDueEveryNinetyDays() {
        let now: Int64 = 1_800_000_000
        #expect(NPSSchedule.isDue(lastAnswerOrDismissal: nil, now: now))
        #expect(!NPSSchedule.isDue(lastAnswerOrDismissal: now - 89 * 86_400, now: now))
        #expect(!NPSSchedule.isDue(lastAnswerOrDismissal: now - 90 * 86_400 + 1, now: now))
        #expect(NPSSchedule.isDue(lastAnswerOrDismissal: now - 90 * 86_400, now: now))
        #expect(NPSSchedule.isDue(lastAnswerOrDismissal: now - 400 * 86_400, now: now))
    }

    @Test func answersAreValidated() throws {
        #expect(try NPSSchedule.validate(score: "7", comment: "  good  ").get() == (7, "good"))
        #expect(try NPSSchedule.validate(score: "0", comment: nil).get().score == 0)
        #expect(try NPSSchedule.validate(score: "10", comment: "").get().score == 10)
        for bad in [nil, "", "11", "-1", "x", "7.5"] as [String?] {
            #expect(throws: NPSSchedule.Failure.score) { try NPSSchedule.validate(score: bad, comment: nil).get() }
        }
        #expect(throws: NPSSchedule.Failure.comment) {
            try NPSSchedule.validate(score: "5", comment: String(repeating: "a", count: 1001)).get()
        }
        #expect(try NPSSchedule.validate(score: "5", comment: String(repeating: "é", count: 1000)).get().comment.count == 1000)
    }

    @Test func topTenPercentShareAndTopEarners() {
        // 12 earners → the top 10 % is 2 partners (a tenth rounded up); zero and negative are not earners.
        var commissions: [Int64: Int64] = [:]
        for id in Int64(1)...12 { commissions[id] = id * 100 }
        commissions[13] = 0
        commissions[14] = -500
        let distribution = CommissionDistribution(commissions: commissions, edges: [1, 500, 1000])
        #expect(distribution.earners.count == 12)
        #expect(distribution.total == 7_800)
        #expect(distribution.topDecileCount == 2)
        #expect(distribution.topDecileCommission == 1_200 + 1_100)
        #expect(abs((distribution.topDecileShare ?? 0) - 2_300.0 / 7_800.0) < 1e-12)
        #expect(distribution.top(3).map(\.partnerID) == [12, 11, 10])
        // One earner is its own top 10 %; ties go by partner id.
        let one = CommissionDistribution(commissions: [5: 10, 6: 10], edges: [1])
        #expect(one.topDecileCount == 1 && one.top(2).map(\.partnerID) == [5, 6] && one.topDecileShare == 0.5)
        #expect(CommissionDistribution(commissions: [:], edges: [1]).topDecileShare == nil)
        // Histogram over [1, 500), [500, 1000), [1000, ∞): 100…400 | 500…900 | 1000…1200.
        #expect(distribution.buckets == [
            .init(lower: 1, upper: 500, partners: 4), .init(lower: 500, upper: 1000, partners: 5), .init(lower: 1000, upper: nil, partners: 3),
        ])
    }

    @Test func histogramBoundsAreLowerInclusive() {
        let buckets = CommissionDistribution.histogram([0, 1, 9, 10, 49, 50, 1_000_000], edges: [1, 10, 50])
        #expect(buckets.map(\.partners) == [2, 2, 2])
        #expect(CommissionDistribution.standardEdges(exponent: 2) == [1, 1_000, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000])
        #expect(CommissionDistribution.standardEdges(exponent: 0).prefix(3) == [1, 10, 50])
    }

    @Test func cohortsCountTheirActiveMembersInEachLaterMonth() {
        let jan = CivilDate.days(year: 2026, month: 1, day: 1)
        let feb = CivilDate.days(year: 2026, month: 2, day: 1)
        let mar = CivilDate.days(year: 2026, month: 3, day: 1)
        #expect(CohortRetention.months(endingAt: CivilDate.days(year: 2026, month: 3, day: 17), count: 3) == [jan, feb, mar])
        #expect(CohortRetention.months(endingAt: CivilDate.days(year: 2026, month: 1, day: 31), count: 2)
                == [CivilDate.days(year: 2025, month: 12, day: 1), jan])
        #expect(CohortRetention.nextMonth(CivilDate.days(year: 2025, month: 12, day: 1)) == jan)
        // January: partners 1, 2, 3, 4; February: 5, 6; March: none. Partner 9 was approved before the months shown.
        let approvals: [Int64: Int64] = [1: jan, 2: jan, 3: jan, 4: jan, 5: feb, 6: feb]
        let activity: [Int64: Set<Int64>] = [jan: [1, 2, 9], feb: [1, 5, 6, 9], mar: [2, 3, 5]]
        let retention = CohortRetention(months: [jan, feb, mar], approvals: approvals, activity: activity)
        #expect(retention.cohorts.map(\.size) == [4, 2, 0])
        #expect(retention.cohorts[0].active == [2, 1, 2])
        #expect(retention.cohorts[1].active == [2, 1])
        #expect(retention.cohorts[2].active == [0])
        #expect(retention.cohorts[0].rate(1) == 0.25)
        #expect(retention.cohorts[1].rate(2) == nil)
        #expect(retention.cohorts[2].rate(0) == nil)
    }

    @Test func perPartnerRollupsFollowDailyStatsAndCombineMonthsWithDays() throws {
        let f = try EngineFixture(holdDays: 0)
        let ada = try f.partner("Ada"), bob = try f.partner("Bob")
        let jan10 = CivilDate.days(year: 2026, month: 1, day: 10), feb3 = CivilDate.days(year: 2026, month: 2, day: 3)
        let mar20 = CivilDate.days(year: 2026, month: 3, day: 20)
        try f.pool.write { db in
            for (partner, day, clicks, commission) in [(ada, jan10, 3, 100), (ada, feb3, 5, 200), (bob, feb3, 7, 0), (ada, mar20, 11, 400),
                                                       (ada, jan10, 2, 50)] as [(Int64, Int64, Int64, Int64)] {
                // Two link ids a day: the partner rollups sum over links.
                for link in [Int64(0), 1] {
                    try DailyStats.add(in: db, programID: f.programID, partnerID: partner, at: day * 86_400 + 60, linkID: link, campaign: "",
                                       subID: "", clicks: clicks, commission: commission)
                }
            }
        }
        try f.pool.read { db in
            let monthly = try db.query("SELECT month, partner_id, clicks, commission FROM monthly_partner_stats WHERE program_id = ? ORDER BY month, partner_id",
                                       [f.programID]).map { [try $0["month"] as Int64, try $0["partner_id"], try $0["clicks"], try $0["commission"]] }
            #expect(monthly == [[CivilDate.days(year: 2026, month: 1, day: 1), ada, 10, 300], [CivilDate.days(year: 2026, month: 2, day: 1), ada, 10, 400],
                                [CivilDate.days(year: 2026, month: 2, day: 1), bob, 14, 0], [CivilDate.days(year: 2026, month: 3, day: 1), ada, 22, 800]])
            // Jan 15 … Mar 25: February whole (monthly), Jan 15–31 and Mar 1–25 from the daily rows.
            let totals = try ProgramAnalytics.partnerTotals(in: db, programID: f.programID, from: CivilDate.days(year: 2026, month: 1, day: 15),
                                                            to: CivilDate.days(year: 2026, month: 3, day: 25))
            #expect(totals[ada]?.clicks == 32 && totals[ada]?.commission == 1_200)
            #expect(totals[bob]?.clicks == 14)
            // Jan 1 … Mar 19: January and February whole; nothing of March.
            let early = try ProgramAnalytics.partnerTotals(in: db, programID: f.programID, from: CivilDate.days(year: 2026, month: 1, day: 1),
                                                           to: CivilDate.days(year: 2026, month: 3, day: 19))
            #expect(early[ada]?.clicks == 20 && early[ada]?.commission == 700)
            // Jan 10 … Mar 25: January is its monthly row minus its days 1–9 (none), March its row minus 26–31.
            let subtracted = try ProgramAnalytics.partnerTotals(in: db, programID: f.programID, from: jan10, to: CivilDate.days(year: 2026, month: 3, day: 25))
            #expect(subtracted[ada]?.clicks == 42 && subtracted[ada]?.commission == 1_500)
            // Jan 11 … Mar 19: January's row minus days 1–10 takes Ada's January out; March's row minus days 20–31 too.
            let minus = try ProgramAnalytics.partnerTotals(in: db, programID: f.programID, from: jan10 + 1, to: mar20 - 1)
            #expect(minus[ada]?.clicks == 10 && minus[ada]?.commission == 400 && minus[bob]?.clicks == 14)
            // Inside one month: daily rows only.
            let inside = try ProgramAnalytics.partnerTotals(in: db, programID: f.programID, from: feb3, to: feb3)
            #expect(inside[ada]?.clicks == 10 && inside[bob]?.clicks == 14)
            let months = CohortRetention.months(endingAt: mar20, count: 3)
            let activity = try ProgramAnalytics.monthlyActivity(in: db, programID: f.programID, months: months)
            #expect(activity[months[1]] == [ada, bob] && activity[months[2]] == [ada])
        }
    }
}
