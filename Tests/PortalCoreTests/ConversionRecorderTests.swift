import Foundation
import PortalSecurity
import Store
import Testing
@testable import PortalCore

/// Conversions through the recorder against a real database: attribution wiring, rules, overrides, holds,
/// flags, idempotency and rollups.
@Suite struct ConversionRecorderTests {
    let day: Int64 = 86_400

    @Test func aClickInsideTheCookieWindowCreditsItsPartnerAtTheProgramRate() throws {
        let f = try EngineFixture(cookieDays: 30)
        let ada = try f.partner("Ada")
        let link = try f.link(partner: ada, code: "ada1", campaign: "spring")
        let click = try f.click(link: link, at: EngineFixture.t0 - 30 * day, sub: "yt")  // exactly at the window's edge
        let stored = try f.convert(f.sale("o-1", amount: 10_000, clickID: click))
        #expect(stored.partnerID == ada)
        #expect(stored.commissions.map(\.amount) == [2_000])
        #expect(stored.commissions.first?.status == "pending")
        #expect(stored.commissions.first?.rule == "program_default")
        #expect(try f.balance(ada) == Balance(pending: 2_000, available: 0, paid: 0))
        // The rollup files the sale under the click's link, campaign and sub id.
        let row = try f.pool.read { db in
            try db.queryOne("SELECT link_id, campaign, sub_id, sales, revenue, commission FROM daily_stats WHERE partner_id = ?", [ada])
        }
        #expect(try row?["link_id"] as Int64? == link)
        #expect(try row?["campaign"] as String? == "spring")
        #expect(try row?["sub_id"] as String? == "yt")
        #expect(try row?["revenue"] as Int64? == 10_000)
        #expect(try row?["commission"] as Int64? == 2_000)
    }

    @Test func aClickOneSecondOutsideTheWindowFallsThroughToTheCoupon() throws {
        let f = try EngineFixture(cookieDays: 30)
        let ada = try f.partner("Ada"), bob = try f.partner("Bob")
        let click = try f.click(link: try f.link(partner: ada, code: "ada1"), at: EngineFixture.t0 - 30 * day - 1)
        try f.coupon("BOB10", partner: bob)
        let stored = try f.convert(f.sale("o-1", amount: 5_000, clickID: click, coupon: "bob10"))
        #expect(stored.partnerID == bob)
        #expect(try f.count("SELECT count(*) FROM conversions WHERE source = 'coupon'") == 1)
    }

    @Test func firstAndLastClickChooseAmongTheCustomersClicks() throws {
        for model in [AttributionModel.lastClick, .firstClick] {
            let f = try EngineFixture(model: model)
            let ada = try f.partner("Ada"), bob = try f.partner("Bob")
            let adaClick = try f.click(link: try f.link(partner: ada, code: "a1"), at: EngineFixture.t0 - 10 * day)
            // A first (lead) conversion ties Ada's click to customer c-1.
            try f.convert(NewConversion(externalID: "lead-1", type: .lead, clickID: adaClick, customerID: "c-1", occurredAt: EngineFixture.t0 - 9 * day))
            let bobClick = try f.click(link: try f.link(partner: bob, code: "b1"), at: EngineFixture.t0 - day)
            let stored = try f.convert(f.sale("o-1", amount: 1_000, clickID: bobClick, customer: "c-1"))
            #expect(stored.partnerID == (model == .lastClick ? bob : ada), "\(model)")
        }
    }

    @Test func renewalsCreditTheCustomersPartnerAndRecurringRulesStop() throws {
        let f = try EngineFixture()
        let ada = try f.partner("Ada")
        try f.rule(CommissionRule(id: 0, event: .sale, scope: .programDefault, kind: .percentage(basisPoints: 3_000), recurringMonths: 2))
        let first = try f.convert(f.sale("m-1", amount: 1_000, at: EngineFixture.t0, customer: "cust", partner: ada))
        #expect(first.commissions.map(\.amount) == [300])
        // One month later the renewal names only the customer: still Ada's, still paid.
        let second = try f.convert(f.sale("m-2", amount: 1_000, at: EngineFixture.t0 + 31 * day, customer: "cust"))
        #expect(second.partnerID == ada)
        #expect(second.commissions.map(\.amount) == [300])
        // Two whole months after the first conversion the rule stops paying.
        let third = try f.convert(f.sale("m-3", amount: 1_000, at: EngineFixture.t0 + 62 * day, customer: "cust"))
        #expect(third.partnerID == ada)
        #expect(third.commissions.isEmpty)
    }

    @Test func tiersCountTheMonthsVolumeIncludingTheSale() throws {
        let f = try EngineFixture()
        let ada = try f.partner("Ada")
        try f.rule(CommissionRule(id: 0, event: .sale, scope: .programDefault, kind: .percentage(basisPoints: 1_000),
                                  tiers: [CommissionTier(minimumVolume: 100_000, basisPoints: 2_000)]))
        let a = try f.convert(f.sale("t-1", amount: 60_000, partner: ada))
        let b = try f.convert(f.sale("t-2", amount: 40_000, partner: ada))  // reaches 100,000: the higher rate
        // Next month starts again from zero.
        let c = try f.convert(f.sale("t-3", amount: 40_000, at: EngineFixture.t0 + 25 * day, partner: ada))
        #expect(a.commissions.map(\.amount) == [6_000])
        #expect(b.commissions.map(\.amount) == [8_000])
        #expect(c.commissions.map(\.amount) == [4_000])
    }

    @Test func theMostSpecificRuleWins() throws {
        let f = try EngineFixture()
        let gold = try f.partner("Gold", group: "gold"), plain = try f.partner("Plain")
        try f.rule(CommissionRule(id: 0, event: .sale, scope: .partnerGroup("gold"), kind: .percentage(basisPoints: 3_000)))
        try f.rule(CommissionRule(id: 0, event: .sale, scope: .productSKU("pro"), kind: .flat(amount: 777)))
        try f.rule(CommissionRule(id: 0, event: .lead, scope: .programDefault, kind: .flat(amount: 150)))
        #expect(try f.convert(f.sale("g", amount: 1_000, partner: gold)).commissions.map(\.amount) == [300])
        #expect(try f.convert(f.sale("p", amount: 1_000, partner: plain)).commissions.map(\.amount) == [200])
        #expect(try f.convert(f.sale("s", amount: 1_000, partner: gold, sku: "pro")).commissions.map(\.amount) == [777])
        let lead = try f.convert(NewConversion(externalID: "l", type: .lead, partnerID: plain, occurredAt: EngineFixture.t0))
        #expect(lead.commissions.map(\.amount) == [150])
    }

    @Test func parentsEarnOverridesUpToTheDepthLimit() throws {
        let f = try EngineFixture(overrideBasisPoints: 1_000, overrideDepth: 2)
        let top = try f.partner("Top")
        let middle = try f.partner("Middle", parent: top)
        let child = try f.partner("Child", parent: middle)
        let grandchild = try f.partner("Grandchild", parent: child)
        let stored = try f.convert(f.sale("o", amount: 100_000, partner: grandchild))
        #expect(stored.commissions.map(\.partnerID) == [grandchild, child, middle])
        #expect(stored.commissions.map(\.level) == [0, 1, 2])
        #expect(stored.commissions.map(\.amount) == [20_000, 2_000, 200])
        #expect(try f.balance(top) == .zero)
        #expect(try f.balance(middle).pending == 200)
    }

    @Test func holdDaysZeroApprovesAtOnceAndHoldsReleaseLater() throws {
        let instant = try EngineFixture(holdDays: 0)
        let ada = try instant.partner("Ada")
        let stored = try instant.convert(instant.sale("o", amount: 1_000, partner: ada))
        #expect(stored.commissions.first?.status == "approved")
        #expect(try instant.balance(ada) == Balance(pending: 0, available: 200, paid: 0))

        let held = try EngineFixture(holdDays: 30)
        let bob = try held.partner("Bob")
        try held.convert(held.sale("o", amount: 1_000, partner: bob))
        #expect(try HoldRelease().run(held.pool, now: EngineFixture.t0 + 30 * day - 1) == 0)
        #expect(try HoldRelease().run(held.pool, now: EngineFixture.t0 + 30 * day) == 1)
        #expect(try held.balance(bob) == Balance(pending: 0, available: 200, paid: 0))
        #expect(try HoldRelease().run(held.pool, now: EngineFixture.t0 + 90 * day) == 0)
    }

    @Test func selfReferralIsFlaggedAndWaitsForReview() throws {
        let f = try EngineFixture(holdDays: 0)
        let ada = try f.partner("Ada")
        let stored = try f.convert(f.sale("o", amount: 1_000, partner: ada, email: "Ada+shop@Example.com"))
        #expect(stored.commissions.first?.status == "pending")
        #expect(try f.count("SELECT count(*) FROM commission_flags WHERE kind = 'self_referral'") == 1)
        #expect(try HoldRelease().run(f.pool, now: EngineFixture.t0 + 400 * day) == 0)
        let id = try #require(stored.commissions.first?.id)
        try f.pool.write { db in try CommissionReview().clear(in: db, programID: f.programID, commissionID: id, now: EngineFixture.t0 + day) }
        #expect(try f.balance(ada).available == 200)
    }

    @Test func aClickFloodIsFlagged() throws {
        let f = try EngineFixture()
        let ada = try f.partner("Ada")
        let link = try f.link(partner: ada, code: "aa")
        var last = ""
        for i in 0..<25 { last = try f.click(link: link, at: EngineFixture.t0 - 100 + Int64(i), visitor: [9, 9]) }
        let stored = try f.convert(f.sale("o", amount: 1_000, clickID: last))
        #expect(stored.partnerID == ada)
        #expect(try f.count("SELECT count(*) FROM commissions WHERE review = 'flagged'") == 1)
        #expect(try f.count("SELECT count(*) FROM commission_flags WHERE kind = 'click_flood'") == 1)
    }

    @Test func replaysAnswerTheSameObjectAndAnotherBodyConflicts() throws {
        let f = try EngineFixture()
        let ada = try f.partner("Ada")
        var sale = f.sale("o", amount: 1_000, partner: ada)
        sale.requestHash = SHA256.hash("body-1")
        let first = try f.pool.write { db in try f.recorder.record(in: db, programID: f.programID, sale, now: EngineFixture.t0) }
        let again = try f.pool.write { db in try f.recorder.record(in: db, programID: f.programID, sale, now: EngineFixture.t0 + 5) }
        guard case .created(let a) = first, case .replayed(let b) = again else { Issue.record("expected created then replayed"); return }
        #expect(a == b)
        sale.requestHash = SHA256.hash("body-2")
        #expect(throws: ConversionRecorder.Failure.conflict) {
            try f.pool.write { db in try f.recorder.record(in: db, programID: f.programID, sale, now: EngineFixture.t0) }
        }
        #expect(try f.count("SELECT count(*) FROM conversions") == 1)
        #expect(try f.count("SELECT count(*) FROM ledger_entries") == 1)
    }

    @Test func anotherCurrencyIsRefusedAndNothingIsWritten() throws {
        let f = try EngineFixture()
        var sale = f.sale("o", amount: 1_000)
        sale.currency = "EUR"
        #expect(throws: ConversionRecorder.Failure.invalid(["currency": ["must be the program's currency, USD"]])) { try f.convert(sale) }
        #expect(try f.count("SELECT count(*) FROM conversions") == 0)
    }

    @Test func noPartnerFoundStoresTheConversionWithoutCommissions() throws {
        let f = try EngineFixture()
        let pending = try f.partner("Pending", status: .pending)
        let stored = try f.convert(f.sale("o", amount: 1_000, coupon: "NOPE", partner: pending))
        #expect(stored.partnerID == nil)
        #expect(stored.status == "unattributed")
        #expect(stored.commissions.isEmpty)
        #expect(try f.count("SELECT count(*) FROM ledger_entries") == 0)
    }

    @Test func clicksOfAnotherProgramAreInvisible() throws {
        let f = try EngineFixture()
        let other = try f.pool.write { db in try ProgramStore().create(in: db, NewProgram(name: "Other", slug: "other", currency: "USD"), now: 0).id }
        let ada = try f.partner("Ada")
        let click = try f.click(link: try f.link(partner: ada, code: "aa"), at: EngineFixture.t0 - 10)
        let outcome = try f.pool.write { db in
            try f.recorder.record(in: db, programID: other, f.sale("x", amount: 1_000, clickID: click, partner: ada), now: EngineFixture.t0)
        }
        guard case .created(let stored) = outcome else { Issue.record("not created"); return }
        #expect(stored.partnerID == nil)
    }
}
