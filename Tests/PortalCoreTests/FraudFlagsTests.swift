import Testing
@testable import PortalCore

@Suite struct EmailIdentityTests {
    static let pairs: [(String, String, Bool)] = [
        ("Ann@Example.com", "ann@example.com", true),
        ("ann+shop@example.com", "ann@example.com", true),
        (" ann@example.com ", "ANN@EXAMPLE.COM", true),
        ("a.n.n@gmail.com", "ann@gmail.com", true),
        ("A.nn+x@googlemail.com", "ann@gmail.com", true),
        ("a.nn@example.com", "ann@example.com", false), // dots matter outside Gmail
        ("ann@example.com", "ann@example.org", false),
        ("bob@example.com", "ann@example.com", false),
        ("not-an-address", "not-an-address", false),
        ("+tag@example.com", "@example.com", false),
    ]

    @Test(arguments: pairs)
    func sameMailbox(a: String, b: String, same: Bool) {
        #expect(EmailIdentity.sameMailbox(a, b) == same, "\(a) \(b)")
    }
}

@Suite struct FraudFlagsTests {
    static let now: Int64 = 1_764_000_000
    let rules = FraudFlags(floodDetector: ClickFloodDetector(threshold: 5, window: 60))

    @Test func cleanConversionHasNoFlags() {
        let signals = FraudSignals(partnerID: 1, occurredAt: Self.now, customerEmail: "buyer@example.com",
                                   partnerEmails: ["partner@example.com"], conversionAddressHash: [1, 2, 3],
                                   partnerSignInAddressHashes: [[4, 5, 6]], visitorClickTimes: [Self.now - 100],
                                   customerConversions: [(partnerID: 1, occurredAt: Self.now - 86_400)])
        #expect(rules.evaluate(signals).isEmpty)
        #expect(rules.evaluate(FraudSignals(partnerID: 1, occurredAt: Self.now)).isEmpty)
    }

    @Test func selfReferral() {
        let signals = FraudSignals(partnerID: 1, occurredAt: Self.now, customerEmail: "P.Artner+buy@gmail.com",
                                   partnerEmails: ["someone@example.com", "partner@gmail.com"])
        #expect(rules.evaluate(signals).map(\.kind) == [.selfReferral])
    }

    @Test func conversionFromPartnersAddress() {
        let signals = FraudSignals(partnerID: 1, occurredAt: Self.now, conversionAddressHash: [9, 9],
                                   partnerSignInAddressHashes: [[1], [9, 9]])
        #expect(rules.evaluate(signals).map(\.kind) == [.partnerAddress])
        let empty = FraudSignals(partnerID: 1, occurredAt: Self.now, conversionAddressHash: [],
                                 partnerSignInAddressHashes: [[]])
        #expect(rules.evaluate(empty).isEmpty)
    }

    @Test func clickFlood() {
        let burst = (0..<5).map { Self.now - 30 + Int64($0) }
        let flags = rules.evaluate(FraudSignals(partnerID: 1, occurredAt: Self.now, visitorClickTimes: burst))
        #expect(flags.map(\.kind) == [.clickFlood])
        #expect(flags[0].reason.contains("5"))
    }

    static let day: Int64 = 86_400
    /// Offset of the other partner's conversion, and whether it flags; the 30-day edge is inclusive.
    static let offsets: [(Int64, Bool)] = [
        (0, true), (29 * day, true), (30 * day, true), (30 * day + 1, false), (-30 * day, true), (-30 * day - 1, false),
    ]

    @Test(arguments: offsets)
    func sameCustomerThroughSeveralPartners(offset: Int64, flagged: Bool) {
        let signals = FraudSignals(partnerID: 1, occurredAt: Self.now,
                                   customerConversions: [(partnerID: 2, occurredAt: Self.now + offset),
                                                         (partnerID: 1, occurredAt: Self.now)])
        #expect(rules.evaluate(signals).map(\.kind) == (flagged ? [.multiplePartners] : []), "\(offset)")
    }

    @Test func reasonCountsOtherPartners() {
        let signals = FraudSignals(partnerID: 1, occurredAt: Self.now,
                                   customerConversions: [(2, Self.now - 10), (3, Self.now - 20), (2, Self.now - 30)])
        let flags = rules.evaluate(signals)
        #expect(flags.count == 1)
        #expect(flags[0].reason.contains("2 other partners"))
    }

    @Test func everyFlagAtOnceInKindOrder() {
        let signals = FraudSignals(partnerID: 1, occurredAt: Self.now, customerEmail: "p@example.com",
                                   partnerEmails: ["P@example.com"], conversionAddressHash: [7],
                                   partnerSignInAddressHashes: [[7]], visitorClickTimes: Array(repeating: Self.now, count: 5),
                                   customerConversions: [(partnerID: 2, occurredAt: Self.now)])
        #expect(rules.evaluate(signals).map(\.kind) == FraudFlag.Kind.allCases)
    }
}
