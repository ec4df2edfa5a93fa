import Foundation
import Testing
@testable import PortalWeb

/// `GET /me/reports` with a partner key made through `POST /partners/{id}/keys`: one row per period with clicks
/// from real redirects and sales, revenue and commission from conversions; never another partner's numbers.
@Suite struct EngineAPIReportsTests {
    struct Row: Equatable, CustomStringConvertible {
        var period: String
        var clicks: Int64 = 0
        var uniqueClicks: Int64 = 0
        var leads: Int64 = 0
        var sales: Int64 = 0
        var revenue: Int64 = 0
        var commission: Int64 = 0
        var description: String {
            "\(period): clicks \(clicks)/\(uniqueClicks) leads \(leads) sales \(sales) revenue \(revenue) commission \(commission)"
        }
    }

    func rows(_ h: EngineAPIHarness, _ query: String, key: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [Row] {
        let reply = try h.get("/me/reports?\(query)", key: key)
        try #require(reply.status == 200, "\(query): \(reply.status) \(reply.body)", sourceLocation: sourceLocation)
        return reply.data.map { r in
            Row(period: r.string("period") ?? "?", clicks: r.int("clicks") ?? -1, uniqueClicks: r.int("unique_clicks") ?? -1,
                leads: r.int("leads") ?? -1, sales: r.int("sales") ?? -1, revenue: r.int("revenue") ?? -1, commission: r.int("commission") ?? -1)
        }
    }

    /// A program with one approved partner and a reports key for them.
    func partnerWithKey(_ h: EngineAPIHarness, _ email: String = "ada@example.com") throws -> (id: Int64, key: String) {
        let id = try h.createPartner(email)
        return (id, try h.partnerKey(id, scopes: ["reports:read"]))
    }

    @Test func dailyReportHasARowForEveryDayInRange() throws {
        let h = try EngineAPIHarness()
        let ada = try partnerWithKey(h)
        let reply = try h.get("/me/reports?from=\(EngineAPIHarness.day(-2))&to=\(EngineAPIHarness.day())&granularity=day", key: ada.key)
        #expect(reply.status == 200)
        #expect(reply.object?.string("from") == EngineAPIHarness.day(-2))
        #expect(reply.object?.string("to") == EngineAPIHarness.day())
        #expect(reply.object?.string("granularity") == "day")
        #expect(try rows(h, "from=\(EngineAPIHarness.day(-2))&to=\(EngineAPIHarness.day())", key: ada.key)
            == [Row(period: EngineAPIHarness.day(-2)), Row(period: EngineAPIHarness.day(-1)), Row(period: EngineAPIHarness.day())])
        // Without a range: the last 30 days, today included.
        let recent = try rows(h, "", key: ada.key)
        #expect(recent.count == 30)
        #expect(recent.last?.period == EngineAPIHarness.day())
    }

    @Test func clicksThroughTheRedirectAreCounted() throws {
        let h = try EngineAPIHarness()
        let ada = try partnerWithKey(h)
        let code = try h.createLink(for: ada.id)
        _ = try h.click(code)
        _ = try h.click(code) // the same visitor again: a click, not a unique one
        let today = try rows(h, "from=\(EngineAPIHarness.day())&to=\(EngineAPIHarness.day())", key: ada.key)
        #expect(today == [Row(period: EngineAPIHarness.day(), clicks: 2, uniqueClicks: 1)])
    }

    @Test func conversionsAddSalesRevenueAndCommission() throws {
        let h = try EngineAPIHarness()
        let ada = try partnerWithKey(h)
        let code = try h.createLink(for: ada.id)
        let click = try h.click(code)
        try h.convert(["external_id": "order-1", "type": "sale", "amount": 12_345, "click_id": click])
        try h.convert(["external_id": "lead-1", "type": "lead", "partner_id": ada.id])
        try h.sale("order-0", amount: 1000, partner: ada.id, occurredAt: EngineAPIHarness.rfc3339(daysAgo: 1))
        let report = try rows(h, "from=\(EngineAPIHarness.day(-1))&to=\(EngineAPIHarness.day())", key: ada.key)
        #expect(report.count == 2)
        #expect(report.first.map { [$0.sales, $0.revenue, $0.commission] } == [1, 1000, 200])
        let today = try #require(report.last)
        #expect(today.period == EngineAPIHarness.day())
        #expect(today.sales == 1)
        #expect(today.leads == 1)
        #expect(today.revenue == 12_345)
        #expect(today.commission == 2469)
    }

    @Test func refundsTakeRevenueAndCommissionBackOutOfTheReport() throws {
        let h = try EngineAPIHarness()
        let ada = try partnerWithKey(h)
        try h.sale("order-1", amount: 10_000, partner: ada.id)
        #expect(try h.post("/conversions/order-1/refunds", ["amount": 2500]).status == 201)
        let today = try rows(h, "from=\(EngineAPIHarness.day())&to=\(EngineAPIHarness.day())", key: ada.key)
        #expect(today.first.map { [$0.sales, $0.revenue, $0.commission] } == [1, 7500, 1500])
    }

    @Test func dailyRowsIncludeDaysWithoutActivity() throws {
        let h = try EngineAPIHarness()
        let ada = try partnerWithKey(h)
        try h.sale("o-1", amount: 10_000, partner: ada.id, occurredAt: "2025-03-04T08:00:00Z")
        try h.sale("o-2", amount: 5000, partner: ada.id, occurredAt: "2025-03-05T23:59:59Z")
        #expect(try rows(h, "from=2025-03-03&to=2025-03-06&granularity=day", key: ada.key) == [
            Row(period: "2025-03-03"),
            Row(period: "2025-03-04", sales: 1, revenue: 10_000, commission: 2000),
            Row(period: "2025-03-05", sales: 1, revenue: 5000, commission: 1000),
            Row(period: "2025-03-06"),
        ])
    }

    @Test func weeklyRowsStartOnMondayAndOnlyCountDaysInRange() throws {
        let h = try EngineAPIHarness()
        let ada = try partnerWithKey(h)
        try h.sale("o-tue", amount: 10_000, partner: ada.id, occurredAt: "2025-03-04T12:00:00Z") // before `from`
        try h.sale("o-wed", amount: 10_000, partner: ada.id, occurredAt: "2025-03-05T12:00:00Z")
        try h.sale("o-sun", amount: 5000, partner: ada.id, occurredAt: "2025-03-09T23:00:00Z")
        try h.sale("o-mon", amount: 2000, partner: ada.id, occurredAt: "2025-03-10T00:00:00Z")
        #expect(try rows(h, "from=2025-03-05&to=2025-03-18&granularity=week", key: ada.key) == [
            Row(period: "2025-03-03", sales: 2, revenue: 15_000, commission: 3000),
            Row(period: "2025-03-10", sales: 1, revenue: 2000, commission: 400),
            Row(period: "2025-03-17"),
        ])
    }

    @Test func monthlyRowsStartOnTheFirst() throws {
        let h = try EngineAPIHarness()
        let ada = try partnerWithKey(h)
        try h.sale("o-1", amount: 9000, partner: ada.id, occurredAt: "2025-01-10T12:00:00Z") // before `from`
        try h.sale("o-2", amount: 1000, partner: ada.id, occurredAt: "2025-01-20T12:00:00Z")
        try h.sale("o-3", amount: 2000, partner: ada.id, occurredAt: "2025-02-28T23:59:59Z")
        try h.sale("o-4", amount: 3000, partner: ada.id, occurredAt: "2025-03-10T23:59:59Z")
        try h.sale("o-5", amount: 9000, partner: ada.id, occurredAt: "2025-03-11T00:00:00Z") // after `to`
        #expect(try rows(h, "from=2025-01-15&to=2025-03-10&granularity=month", key: ada.key) == [
            Row(period: "2025-01-01", sales: 1, revenue: 1000, commission: 200),
            Row(period: "2025-02-01", sales: 1, revenue: 2000, commission: 400),
            Row(period: "2025-03-01", sales: 1, revenue: 3000, commission: 600),
        ])
    }

    @Test func aPartnerKeyNeverSeesAnotherPartnersData() throws {
        let h = try EngineAPIHarness(.init(holdDays: 0, minPayout: 100))
        let ada = try partnerWithKey(h, "ada@example.com")
        let bob = try partnerWithKey(h, "bob@example.com")
        try h.sale("o-ada", amount: 1000, partner: ada.id)
        try h.sale("o-bob", amount: 50_000, partner: bob.id)
        _ = try h.click(try h.createLink(for: bob.id))
        _ = try h.batch()

        let range = "from=\(EngineAPIHarness.day())&to=\(EngineAPIHarness.day())"
        #expect(try rows(h, range, key: ada.key).first.map { [$0.sales, $0.revenue, $0.commission, $0.clicks] } == [1, 1000, 200, 0])
        #expect(try rows(h, range, key: bob.key).first.map { [$0.sales, $0.revenue, $0.commission] } == [1, 50_000, 10_000])

        let commissions = try h.get("/me/commissions", key: ada.key)
        #expect(commissions.status == 200)
        #expect(commissions.data.map { $0.int("partner_id") } == [ada.id])
        #expect(commissions.data.map { $0.string("external_id") } == ["o-ada"])
        let payouts = try h.get("/me/payouts", key: ada.key)
        #expect(payouts.data.map { $0.int("partner_id") } == [ada.id])
        #expect(payouts.data.first?.int("amount") == 200)
        #expect(try h.get("/me", key: ada.key).object?.int("id") == ada.id)
        // Query parameters cannot widen a partner key's view.
        #expect(try h.get("/me/commissions?partner_id=\(bob.id)", key: ada.key).data.map { $0.int("partner_id") } == [ada.id])
        // Program-wide views of another partner are closed to a partner key.
        #expect(try h.get("/partners/\(bob.id)/reports?\(range)", key: ada.key).status == 403)
        #expect(try h.get("/partners/\(bob.id)", key: ada.key).status == 403)
        #expect(try h.get("/commissions?partner_id=\(bob.id)", key: ada.key).status == 403)
    }

    @Test func theSecretKeyReadsTheSameReportForAPartner() throws {
        let h = try EngineAPIHarness()
        let ada = try partnerWithKey(h)
        try h.sale("o-1", amount: 10_000, partner: ada.id, occurredAt: "2025-03-04T08:00:00Z")
        let query = "from=2025-03-01&to=2025-03-31&granularity=week"
        let mine = try h.get("/me/reports?\(query)", key: ada.key)
        let theirs = try h.get("/partners/\(ada.id)/reports?\(query)")
        #expect(theirs.status == 200)
        #expect(mine.body == theirs.body)
    }
}
