import Testing
@testable import PortalCore

/// The analytics date ranges: presets against a fixed today, and the validation of custom ranges.
@Suite struct DateRangeTests {
    static let today = CivilDate.parse("2026-11-25")!

    static func resolve(_ range: String?, _ from: String? = nil, _ to: String? = nil, today: Int64 = today) -> Result<DateRange, DateRange.Failure> {
        DateRange.resolve(range: range, from: from, to: to, today: today)
    }

    static func text(_ result: Result<DateRange, DateRange.Failure>) -> String {
        switch result {
        case .success(let range): "\(range.preset.rawValue) \(range.fromText)…\(range.toText)"
        case .failure(let failure): "\(failure.field.rawValue): \(failure.message)"
        }
    }

    @Test func presetsEndToday() {
        #expect(Self.text(Self.resolve(nil)) == "30d 2026-10-27…2026-11-25")
        #expect(Self.text(Self.resolve("")) == "30d 2026-10-27…2026-11-25")
        #expect(Self.text(Self.resolve("7d")) == "7d 2026-11-19…2026-11-25")
        #expect(Self.text(Self.resolve("30d")) == "30d 2026-10-27…2026-11-25")
        #expect(Self.text(Self.resolve("90d")) == "90d 2026-08-28…2026-11-25")
        #expect(Self.text(Self.resolve("12m")) == "12m 2025-12-01…2026-11-25")
        #expect(Self.text(Self.resolve("mtd")) == "mtd 2026-11-01…2026-11-25")
        #expect(Self.text(Self.resolve("ytd")) == "ytd 2026-01-01…2026-11-25")
        #expect((try? Self.resolve("7d").get().days) == 7)
        #expect((try? Self.resolve("90d").get().days) == 90)
    }

    @Test func presetsAtTheStartOfAYearOrMonth() {
        let newYear = CivilDate.parse("2026-01-01")!
        #expect(Self.text(Self.resolve("12m", today: newYear)) == "12m 2025-02-01…2026-01-01")
        #expect(Self.text(Self.resolve("mtd", today: newYear)) == "mtd 2026-01-01…2026-01-01")
        #expect(Self.text(Self.resolve("ytd", today: newYear)) == "ytd 2026-01-01…2026-01-01")
        #expect(Self.text(Self.resolve("12m", today: CivilDate.parse("2026-12-31")!)) == "12m 2026-01-01…2026-12-31")
    }

    @Test func presetsIgnoreDates() {
        #expect(Self.text(Self.resolve("7d", "not a date", "2020-01-01")) == "7d 2026-11-19…2026-11-25")
    }

    @Test func customRanges() {
        #expect(Self.text(Self.resolve("custom", "2024-02-01", "2024-02-29")) == "custom 2024-02-01…2024-02-29")
        #expect(Self.text(Self.resolve("custom", "2024-02-01", "2024-02-01")) == "custom 2024-02-01…2024-02-01")
        // Dates without a range are a custom range.
        #expect(Self.text(Self.resolve(nil, "2024-02-01", "2024-02-03")) == "custom 2024-02-01…2024-02-03")
    }

    @Test func invalidQueriesSayWhatIsWrongAndWhere() {
        #expect(Self.text(Self.resolve("2w")) == "range: Choose one of the ranges offered.")
        #expect(Self.text(Self.resolve("custom")) == "from: Enter a start date.")
        #expect(Self.text(Self.resolve("custom", "2024-01-01")) == "to: Enter an end date.")
        #expect(Self.text(Self.resolve("custom", "2023-02-29", "2024-01-01")) == "from: The start date must be a date as YYYY-MM-DD.")
        #expect(Self.text(Self.resolve("custom", "2024-01-01", "2024-1-5")) == "to: The end date must be a date as YYYY-MM-DD.")
        #expect(Self.text(Self.resolve("custom", "2024-03-02", "2024-03-01")) == "to: The end date must not be before the start date.")
    }

    @Test func atMost3660Days() {
        let from = CivilDate.parse("2010-01-01")!
        let longest = CivilDate.format(days: from + 3_659)
        let tooLong = CivilDate.format(days: from + 3_660)
        #expect((try? Self.resolve("custom", "2010-01-01", longest).get().days) == 3_660)
        #expect(Self.text(Self.resolve("custom", "2010-01-01", tooLong)) == "to: A range can cover at most 3660 days.")
    }

    @Test func granularity() throws {
        let week = try Self.resolve("7d").get()
        #expect(try week.granularity(nil).get() == .day)
        #expect(try week.granularity("month").get() == .month)
        #expect(try Self.resolve("12m").get().granularity("").get() == .week)
        #expect(try Self.resolve("custom", "2020-01-01", "2024-01-01").get().granularity(nil).get() == .month)
        #expect(Self.text(week.granularity("hour").map { _ in week }) == "granularity: Show the numbers by day, week or month.")
    }
}
