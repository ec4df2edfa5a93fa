import Testing
@testable import PortalCore

/// A program's data as plain tables, turned into `AttributionLookups`.
private struct World {
    var window: Int64 = 30 * 86_400
    var model: AttributionModel = .lastClick
    var clicks: [TrackedClick] = []
    var coupons: [String: Int64] = [:]
    var customers: [String: Int64] = [:]
    var links: [String: Int64] = [:]
    var statuses: [Int64: PartnerStatus] = [1: .approved, 2: .approved, 3: .approved, 4: .approved,
                                            7: .suspended, 8: .rejected, 9: .pending]

    var lookups: AttributionLookups {
        let clicks = clicks, coupons = coupons, customers = customers, links = links, statuses = statuses
        return AttributionLookups(
            cookieWindow: window, model: model,
            click: { id in clicks.first { $0.id == id } },
            customerClicks: { customer in clicks.filter { $0.customerID == customer } },
            couponPartner: { coupons[$0] }, customerPartner: { customers[$0] },
            linkPartner: { links[$0] }, partnerStatus: { statuses[$0] })
    }

    func decide(_ conversion: ConversionReferences) -> Attribution {
        Attribution.decide(conversion, lookups: lookups)
    }
}

@Suite struct AttributionOrderTests {
    static let now: Int64 = 1_764_000_000

    /// Every reference present, each naming a different partner: the click wins.
    private var full: World {
        var world = World()
        world.clicks = [TrackedClick(id: "c1", partnerID: 1, time: Self.now - 60)]
        world.coupons = ["SAVE10": 2]
        world.customers = ["cust": 3]
        world.links = ["abc": 4]
        return world
    }

    private let all = ConversionReferences(clickID: "c1", coupon: "SAVE10", customerID: "cust", linkCode: "abc",
                                           partnerID: 1, occurredAt: now)

    @Test func clickComesFirst() {
        #expect(full.decide(all) == .partner(id: 1, source: .click))
    }

    @Test func eachStepInOrder() {
        var c = all
        c.clickID = nil
        #expect(full.decide(c) == .partner(id: 2, source: .coupon))
        c.coupon = nil
        #expect(full.decide(c) == .partner(id: 3, source: .customer))
        c.customerID = nil
        #expect(full.decide(c) == .partner(id: 4, source: .link))
        c.linkCode = nil
        #expect(full.decide(c) == .partner(id: 1, source: .partner))
        c.partnerID = nil
        #expect(full.decide(c) == .none)
    }

    @Test func unknownReferencesFallThrough() {
        let c = ConversionReferences(clickID: "nope", coupon: "NOPE", customerID: "new", linkCode: "zzz",
                                     partnerID: 2, occurredAt: Self.now)
        #expect(full.decide(c) == .partner(id: 2, source: .partner))
        #expect(full.decide(ConversionReferences(partnerID: 999, occurredAt: Self.now)) == .none)
    }

    @Test func blankReferencesAreAbsent() {
        let c = ConversionReferences(clickID: "  ", coupon: "", customerID: " ", linkCode: "", occurredAt: Self.now)
        #expect(full.decide(c) == .none)
        let padded = ConversionReferences(coupon: " SAVE10 ", occurredAt: Self.now)
        #expect(full.decide(padded) == .partner(id: 2, source: .coupon))
    }

    @Test func expiredClickFallsToCoupon() {
        var world = full
        world.clicks = [TrackedClick(id: "c1", partnerID: 1, time: Self.now - world.window - 1)]
        #expect(world.decide(all) == .partner(id: 2, source: .coupon))
    }

    @Test(arguments: [PartnerStatus.suspended, .rejected, .pending])
    func partnersWhoCannotEarnArePassedOver(status: PartnerStatus) {
        var world = full
        for id in [Int64(1), 2, 3, 4] { world.statuses[id] = status }
        #expect(world.decide(all) == .none)
        // Only the click's partner out: the coupon's approved partner gets it.
        world = full
        world.statuses[1] = status
        #expect(world.decide(all) == .partner(id: 2, source: .coupon))
        // Each later step is skipped the same way.
        world.statuses[2] = status
        #expect(world.decide(all) == .partner(id: 3, source: .customer))
        world.statuses[3] = status
        #expect(world.decide(all) == .partner(id: 4, source: .link))
        world.statuses[4] = status
        #expect(world.decide(all) == .none)
    }

    @Test func partnerUnknownToProgramIsNotCredited() {
        var world = full
        world.coupons["OTHER"] = 555
        #expect(world.decide(ConversionReferences(coupon: "OTHER", partnerID: 2, occurredAt: Self.now))
            == .partner(id: 2, source: .partner))
    }
}

@Suite struct CookieWindowTests {
    static let now: Int64 = 1_764_000_000
    static let window: Int64 = 7 * 86_400

    /// Seconds between the click and the conversion, and whether the click counts.
    static let ages: [(Int64, Bool)] = [
        (Int64(0), true),              // same second
        (1, true),
        (window - 1, true),
        (window, true),                // exactly at the boundary: inclusive
        (window + 1, false),
        (-1, false),                   // a click after occurred_at cannot have caused it
        (-86_400, false),
    ]

    @Test(arguments: ages)
    func boundary(age: Int64, valid: Bool) {
        var world = World()
        world.window = Self.window
        world.clicks = [TrackedClick(id: "c", partnerID: 1, time: Self.now - age)]
        let result = world.decide(ConversionReferences(clickID: "c", occurredAt: Self.now))
        #expect(result == (valid ? .partner(id: 1, source: .click) : .none), "age \(age)")
        #expect(Attribution.isValid(world.clicks[0], occurredAt: Self.now, window: Self.window) == valid)
    }

    @Test func zeroWindowOnlyAcceptsTheSameSecond() {
        var world = World()
        world.window = 0
        world.clicks = [TrackedClick(id: "a", partnerID: 1, time: Self.now), TrackedClick(id: "b", partnerID: 2, time: Self.now - 1)]
        #expect(world.decide(ConversionReferences(clickID: "a", occurredAt: Self.now)) == .partner(id: 1, source: .click))
        #expect(world.decide(ConversionReferences(clickID: "b", occurredAt: Self.now)) == .none)
    }
}

@Suite struct AttributionModelTests {
    static let now: Int64 = 1_764_000_000

    /// The customer clicked partner 1, then 2, then 3; the cookie holds the last click.
    private func world(_ model: AttributionModel) -> World {
        var world = World()
        world.model = model
        world.window = 30 * 86_400
        world.clicks = [
            TrackedClick(id: "old", partnerID: 4, time: Self.now - 31 * 86_400, customerID: "cust"), // expired
            TrackedClick(id: "c1", partnerID: 1, time: Self.now - 20 * 86_400, customerID: "cust"),
            TrackedClick(id: "c2", partnerID: 2, time: Self.now - 10 * 86_400, customerID: "cust"),
            TrackedClick(id: "c3", partnerID: 3, time: Self.now - 60, customerID: "cust"),
            TrackedClick(id: "late", partnerID: 4, time: Self.now + 60, customerID: "cust"), // after conversion
        ]
        return world
    }

    @Test func lastClickPicksTheLatestValidClick() {
        let c = ConversionReferences(clickID: "c3", customerID: "cust", occurredAt: Self.now)
        #expect(world(.lastClick).decide(c) == .partner(id: 3, source: .click))
        // Even when the cookie carried an older click, a later valid click of the customer wins.
        let older = ConversionReferences(clickID: "c1", customerID: "cust", occurredAt: Self.now)
        #expect(world(.lastClick).decide(older) == .partner(id: 3, source: .click))
    }

    @Test func firstClickPicksTheEarliestClickInsideTheWindow() {
        let c = ConversionReferences(clickID: "c3", customerID: "cust", occurredAt: Self.now)
        #expect(world(.firstClick).decide(c) == .partner(id: 1, source: .click))
    }

    @Test func customerFromTheClickWhenTheConversionHasNone() {
        let c = ConversionReferences(clickID: "c3", occurredAt: Self.now)
        #expect(world(.firstClick).decide(c) == .partner(id: 1, source: .click))
    }

    @Test func customerClicksAloneDoNotAttribute() {
        // No click_id: the contract's order goes to coupon, customer, link, partner; not to the click list.
        let c = ConversionReferences(customerID: "cust", occurredAt: Self.now)
        #expect(world(.lastClick).decide(c) == .none)
    }

    @Test func invalidClickIdDoesNotOpenTheCustomersClicks() {
        let c = ConversionReferences(clickID: "late", customerID: "cust", occurredAt: Self.now)
        #expect(world(.firstClick).decide(c) == .none)
    }

    @Test func firstClickSkipsPartnersWhoCannotEarn() {
        var w = world(.firstClick)
        w.statuses[1] = .suspended
        let c = ConversionReferences(clickID: "c3", customerID: "cust", occurredAt: Self.now)
        #expect(w.decide(c) == .partner(id: 2, source: .click))
    }

    @Test(arguments: AttributionModel.allCases)
    func tiesPreferTheConversionsOwnClick(model: AttributionModel) {
        var w = World()
        w.model = model
        w.clicks = [
            TrackedClick(id: "a", partnerID: 1, time: Self.now - 100, customerID: "cust"),
            TrackedClick(id: "b", partnerID: 2, time: Self.now - 100, customerID: "cust"),
        ]
        #expect(w.decide(ConversionReferences(clickID: "b", customerID: "cust", occurredAt: Self.now))
            == .partner(id: 2, source: .click))
        #expect(w.decide(ConversionReferences(clickID: "a", customerID: "cust", occurredAt: Self.now))
            == .partner(id: 1, source: .click))
    }

    @Test func modelRawValuesMatchTheContract() {
        #expect(AttributionModel(rawValue: "last_click") == .lastClick)
        #expect(AttributionModel(rawValue: "first_click") == .firstClick)
    }
}
