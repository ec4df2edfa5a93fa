/// The days a report covers, chosen by a preset (`7d`, `30d`, …) or as a custom `from`/`to`, resolved against
/// "today" (days since 1970-01-01, UTC) so it is a pure function: the portal's analytics parse the query string
/// with `resolve` and show `Failure.message` beside the date fields.
public struct DateRange: Sendable, Equatable {
    public enum Preset: String, Sendable, CaseIterable {
        case last7Days = "7d", last30Days = "30d", last90Days = "90d", last12Months = "12m"
        case monthToDate = "mtd", yearToDate = "ytd", custom

        /// What a range select shows.
        public var label: String {
            switch self {
            case .last7Days: "Last 7 days"
            case .last30Days: "Last 30 days"
            case .last90Days: "Last 90 days"
            case .last12Months: "Last 12 months"
            case .monthToDate: "Month to date"
            case .yearToDate: "Year to date"
            case .custom: "Custom"
            }
        }
    }

    /// Why a query does not name a range; `field` is the form field the message belongs beside.
    public struct Failure: Error, Sendable, Equatable {
        public enum Field: String, Sendable { case range, from, to, granularity }
        public let field: Field
        public let message: String
    }

    public let preset: Preset
    /// First and last day, inclusive (days since 1970-01-01).
    public let from: Int64
    public let to: Int64

    public static let defaultPreset = Preset.last30Days
    /// The longest range (about ten years), as for the reports API.
    public static let maximumDays = PerformanceReport.maximumDays

    public var days: Int64 { to - from + 1 }
    public var fromText: String { CivilDate.format(days: from) }
    public var toText: String { CivilDate.format(days: to) }

    public init(preset: Preset, from: Int64, to: Int64) {
        self.preset = preset
        self.from = from
        self.to = to
    }

    /// The days of a preset ending today. `12m` is the current calendar month and the eleven before it (so a
    /// monthly view has twelve whole rows but the last); `mtd` and `ytd` start on the 1st of the month or year.
    /// `custom` has no days of its own: it is the last 30 days here.
    public static func preset(_ preset: Preset, today: Int64) -> DateRange {
        let (year, month, _) = CivilDate.ymd(days: today)
        switch preset {
        case .last7Days: return DateRange(preset: preset, from: today - 6, to: today)
        case .last30Days, .custom: return DateRange(preset: preset, from: today - 29, to: today)
        case .last90Days: return DateRange(preset: preset, from: today - 89, to: today)
        case .last12Months:
            let months = year * 12 + (month - 1) - 11
            return DateRange(preset: preset, from: CivilDate.days(year: months / 12, month: months % 12 + 1, day: 1), to: today)
        case .monthToDate: return DateRange(preset: preset, from: CivilDate.days(year: year, month: month, day: 1), to: today)
        case .yearToDate: return DateRange(preset: preset, from: CivilDate.days(year: year, month: 1, day: 1), to: today)
        }
    }

    /// The range a query asks for: `range` (default `30d`) and, for `custom`, `from` and `to` as `YYYY-MM-DD`.
    /// A `from` or `to` given with no `range` means `custom`. Fails on an unknown preset, a missing or impossible
    /// date, `from` after `to`, or more than `maximumDays` days.
    public static func resolve(range: String?, from: String?, to: String?, today: Int64) -> Result<DateRange, Failure> {
        let given = { (text: String?) -> String? in
            guard let text, !text.isEmpty else { return nil }
            return text
        }
        let range = given(range), from = given(from), to = given(to)
        let preset: Preset
        if let range {
            guard let known = Preset(rawValue: range) else {
                return .failure(Failure(field: .range, message: "Choose one of the ranges offered."))
            }
            preset = known
        } else {
            preset = from != nil || to != nil ? .custom : defaultPreset
        }
        guard preset == .custom else { return .success(Self.preset(preset, today: today)) }
        guard let fromText = from else { return .failure(Failure(field: .from, message: "Enter a start date.")) }
        guard let toText = to else { return .failure(Failure(field: .to, message: "Enter an end date.")) }
        guard let start = CivilDate.parse(fromText) else {
            return .failure(Failure(field: .from, message: "The start date must be a date as YYYY-MM-DD."))
        }
        guard let end = CivilDate.parse(toText) else {
            return .failure(Failure(field: .to, message: "The end date must be a date as YYYY-MM-DD."))
        }
        guard start <= end else { return .failure(Failure(field: .to, message: "The end date must not be before the start date.")) }
        guard end - start + 1 <= maximumDays else {
            return .failure(Failure(field: .to, message: "A range can cover at most \(maximumDays) days."))
        }
        return .success(DateRange(preset: .custom, from: start, to: end))
    }

    /// `g=` of the query: `day`, `week` or `month`; when missing, days up to 92 days, weeks up to 366, else months.
    public func granularity(_ text: String?) -> Result<PerformanceReport.Granularity, Failure> {
        guard let text, !text.isEmpty else { return .success(defaultGranularity) }
        guard let granularity = PerformanceReport.Granularity(rawValue: text) else {
            return .failure(Failure(field: .granularity, message: "Show the numbers by day, week or month."))
        }
        return .success(granularity)
    }

    public var defaultGranularity: PerformanceReport.Granularity {
        days <= 92 ? .day : days <= 366 ? .week : .month
    }
}
