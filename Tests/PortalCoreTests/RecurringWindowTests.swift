import Foundation
import Testing
@testable import PortalCore

/// Whole months since a customer's first conversion, in UTC, at the month-end edges.
@Suite struct RecurringWindowTests {
    func utc(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text))
    }

    static let cases: [(String, String, Int)] = [
        ("2026-01-15T10:00:00Z", "2026-01-15T10:00:00Z", 0),
        ("2026-01-15T10:00:00Z", "2026-02-15T09:59:59Z", 0),
        ("2026-01-15T10:00:00Z", "2026-02-15T10:00:00Z", 1),
        ("2026-01-15T10:00:00Z", "2026-04-14T23:00:00Z", 2),
        ("2026-01-15T10:00:00Z", "2027-01-15T10:00:00Z", 12),
        ("2026-11-20T00:00:00Z", "2027-02-19T00:00:00Z", 2),
        ("2026-01-31T00:00:00Z", "2026-02-28T23:59:59Z", 0),
        ("2026-01-31T00:00:00Z", "2026-03-01T00:00:00Z", 1),
        ("2026-03-01T00:00:00Z", "2026-02-01T00:00:00Z", 0),  // before the first conversion
    ]

    @Test(arguments: cases)
    func monthsElapsed(first: String, date: String, expected: Int) throws {
        #expect(RecurringWindow.monthsElapsed(from: try utc(first), to: try utc(date)) == expected)
    }

    @Test func threeMonthRuleStopsAtTheThirdAnniversary() throws {
        let rule = CommissionRule(id: 1, event: .sale, scope: .programDefault, kind: .percentage(basisPoints: 1000),
                                  recurringMonths: 3)
        let first = try utc("2026-01-15T10:00:00Z")
        for (date, pays) in [("2026-04-15T09:59:59Z", true), ("2026-04-15T10:00:00Z", false)] {
            let facts = ConversionFacts(event: .sale, amount: 1000, partnerID: 1,
                                        monthsSinceFirstConversion: RecurringWindow.monthsElapsed(from: first, to: try utc(date)))
            #expect(try CommissionCalculator.commission(for: facts, rule: rule) == (pays ? 100 : nil))
        }
    }
}
