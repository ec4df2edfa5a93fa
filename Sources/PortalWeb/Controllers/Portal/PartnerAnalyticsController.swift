import Foundation
import HTTPServer
import PortalCore
import Store

/// `/portal/analytics`: the partner's performance over a chosen range (`range=7d|30d|90d|12m|mtd|ytd|custom`,
/// `from`/`to` for custom, `g=day|week|month`): totals, a chart with its table, the funnel, breakdowns and the
/// program average; `/portal/analytics.csv` exports the same period rows. Everything comes from the rollups and
/// is scoped by `PartnerContext` (the only partner id used); the program average is one aggregate of all partners.
struct PartnerAnalyticsController {
    let database: DatabasePool
    let templates: TemplateRenderer
    /// Today as days since 1970-01-01 (UTC); tests may fix it.
    var today: @Sendable () -> Int64 = { DailyStats.day(of: Int64(Date().timeIntervalSince1970)) }

    /// A query resolved: the range and granularity, or what is wrong with it.
    struct Query {
        var range: DateRange?
        var granularity: PerformanceReport.Granularity = .day
        var failure: DateRange.Failure?
        /// The query's own values, to show back in the form.
        var rangeText: String
        var fromText: String
        var toText: String
        var granularityText: String
    }

    func register(on routes: RouterGroup) {
        routes.get("/analytics") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            try partner.require(.viewPartnerDashboard)
            let query = parse(request)
            var model = form(query, request: request)
            model["partnerName"] = partner.partnerName
            model["programName"] = partner.programName
            let chrome = PageChrome(context: context, currentPath: "/portal/analytics")
            guard let range = query.range else {
                return try templates.page("portal/analytics", chrome.merged(with: model), status: .badRequest)
            }
            let clock = ContinuousClock()
            var timing = ReportTiming()
            for (key, value) in try report(partner: partner, range: range, granularity: query.granularity, timing: &timing) { model[key] = value }
            let modelled = clock.now
            var response = try templates.page("portal/analytics", chrome.merged(with: model))
            // Where the time went (`Server-Timing`, shown by browsers' developer tools): what BENCHMARKS.md reads to
            // split queries, the view model and rendering. Durations only, nothing about the data.
            response.headers.append("Server-Timing", "query;dur=\(Self.milliseconds(timing.query)), model;dur=\(Self.milliseconds(modelled - timing.queried)), render;dur=\(Self.milliseconds(clock.now - modelled))")
            return response
        }
        routes.get("/analytics.csv") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            try partner.require(.viewPartnerDashboard)
            let query = parse(request)
            guard let range = query.range else { throw HTTPError(.badRequest, query.failure?.message ?? "The range is not valid.") }
            let rows = try database.read { db in
                try PerformanceReport.rows(in: db, programID: partner.programID, partnerID: partner.partnerID, from: range.from, to: range.to,
                                           granularity: query.granularity)
            }
            return Downloads.csv(PartnerAnalytics.csv(rows, currency: partner.currency),
                                 fileName: "analytics-\(range.fromText)-to-\(range.toText)-by-\(query.granularity.rawValue).csv")
        }
    }

    func parse(_ request: Request) -> Query {
        let parameters = request.queryParameters
        var query = Query(rangeText: parameters["range"] ?? "", fromText: parameters["from"] ?? "", toText: parameters["to"] ?? "",
                          granularityText: parameters["g"] ?? "")
        switch DateRange.resolve(range: parameters["range"], from: parameters["from"], to: parameters["to"], today: today()) {
        case .failure(let failure):
            query.failure = failure
        case .success(let range):
            switch range.granularity(parameters["g"]) {
            case .failure(let failure): query.failure = failure
            case .success(let granularity):
                query.range = range
                query.granularity = granularity
            }
        }
        return query
    }

    // MARK: - The form

    /// The range form's values: the presets with the chosen one selected, the dates shown back (the resolved range's
    /// when valid, else what was typed), the error beside its field, and the query for the CSV link.
    func form(_ query: Query, request: Request) -> [String: Any] {
        let chosenPreset = query.range?.preset.rawValue ?? (query.rangeText.isEmpty ? (query.fromText.isEmpty && query.toText.isEmpty
            ? DateRange.defaultPreset.rawValue : DateRange.Preset.custom.rawValue) : query.rangeText)
        let chosenGranularity = query.range == nil ? query.granularityText : query.granularity.rawValue
        var model: [String: Any] = [
            "presets": DateRange.Preset.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": $0.rawValue == chosenPreset] },
            "granularities": PerformanceReport.Granularity.allCases.map {
                ["value": $0.rawValue, "label": "By \($0.rawValue)", "selected": $0.rawValue == chosenGranularity]
            },
            "from": query.range?.fromText ?? query.fromText,
            "to": query.range?.toText ?? query.toText,
        ]
        if let partner = request.queryParameters["partner"] { model["partnerParameter"] = partner }
        if let failure = query.failure {
            model["error"] = failure.message
            switch failure.field {
            case .from: model["fromInvalid"] = true
            case .to: model["toInvalid"] = true
            case .range: model["rangeInvalid"] = true
            case .granularity: model["granularityInvalid"] = true
            }
        }
        if let range = query.range {
            var pairs: [(String, String)] = [("range", range.preset.rawValue)]
            if range.preset == .custom { pairs += [("from", range.fromText), ("to", range.toText)] }
            pairs.append(("g", query.granularity.rawValue))
            if let partner = request.queryParameters["partner"] { pairs.append(("partner", partner)) }
            model["csvPath"] = "/portal/analytics.csv?" + FormParameters.encode(pairs)
            model["rangeText"] = "\(Self.longDate(range.from)) – \(Self.longDate(range.to))"
        }
        return model
    }

    // MARK: - The report

    /// When the report's reading ended and how long it took.
    struct ReportTiming {
        var query: Duration = .zero
        var queried = ContinuousClock().now
    }

    func report(partner: PartnerContext, range: DateRange, granularity: PerformanceReport.Granularity,
                timing: inout ReportTiming) throws -> [String: Any] {
        let started = ContinuousClock().now
        typealias Read = ([PerformanceReport.Row], [PartnerAnalytics.Breakdown: [PartnerAnalytics.Group]],
                          [ClickDimensions.Dimension: [PartnerAnalytics.DimensionValue]], PartnerAnalytics.ProgramAverage?)
        let (rows, groups, dimensions, average) = try database.read { db -> Read in
            let summary = try PartnerAnalytics.summary(in: db, programID: partner.programID, partnerID: partner.partnerID, from: range.from,
                                                       to: range.to, granularity: granularity)
            let dimensions = try PartnerAnalytics.dimensions(in: db, partnerID: partner.partnerID, from: range.from, to: range.to)
            let average = try PartnerAnalytics.programAverage(in: db, programID: partner.programID, from: range.from, to: range.to)
            return (summary.rows, summary.groups, dimensions, average)
        }
        timing.queried = ContinuousClock().now
        timing.query = timing.queried - started
        let totals = PartnerAnalytics.Totals(rows)
        let money = { (amount: Int64) in partner.money(amount) }
        let exponent = Currency.exponent(of: partner.currency)
        let minorPerMajor = pow(10, Double(exponent))

        let periods = rows.map(\.period)
        let axisLabels = rows.map { Self.axisLabel($0.period, granularity) }
        let chart = SVGChart.line(
            id: "analytics-chart", title: "Clicks and earnings by \(granularity.rawValue)", periods: periods, axisLabels: axisLabels,
            periodName: granularity.rawValue,
            series: [
                SVGChart.Series(name: "Clicks", values: rows.map { Double($0.clicks) }, color: "--brand"),
                SVGChart.Series(name: "Earnings", values: rows.map { Double($0.commission) / minorPerMajor }, color: "--ok", integral: false) {
                    partner.money(Int64(($0 * minorPerMajor).rounded()))
                },
            ])

        let funnelSteps: [(String, Int64)] = [("Clicks", totals.clicks), ("Unique clicks", totals.uniqueClicks), ("Leads", totals.leads),
                                               ("Sales", totals.sales)]
        let funnel = funnelSteps.enumerated().map { index, step -> [String: Any] in
            var values: [String: Any] = [
                "label": step.0, "value": Self.count(step.1),
                "ofClicks": Self.percent(totals.clicks > 0 ? Double(step.1) / Double(totals.clicks) : nil),
                "width": totals.clicks > 0 ? max(0, min(100, Int((Double(step.1) * 100 / Double(totals.clicks)).rounded()))) : 0,
            ]
            if index > 0 {
                let previous = funnelSteps[index - 1].1
                values["ofPrevious"] = Self.percent(previous > 0 ? Double(step.1) / Double(previous) : nil)
            }
            return values
        }

        func groupRows(_ breakdown: PartnerAnalytics.Breakdown, none: String) -> [TableRows.Row] {
            (groups[breakdown] ?? []).map { group in
                TableRows.Row(heading: group.key.isEmpty ? none : group.key, muted: group.key.isEmpty, numbers: Self.numbers(group.totals, money: money))
            }
        }
        func dimensionRows(_ dimension: ClickDimensions.Dimension, none: String) -> [TableRows.Row] {
            let values = dimensions[dimension] ?? []
            let all = values.reduce(0) { $0 + $1.clicks }
            return values.map { value in
                let share: String = Self.percent(all > 0 ? Double(value.clicks) / Double(all) : nil)
                let numbers: [String] = [Self.count(value.clicks), Self.count(value.uniqueClicks), share]
                return TableRows.Row(heading: value.value.isEmpty ? none : value.value, muted: value.value.isEmpty, numbers: numbers)
            }
        }

        var model: [String: Any] = [
            "report": true,
            "granularity": granularity.rawValue,
            "cards": [
                ["label": "Clicks", "value": Self.count(totals.clicks)],
                ["label": "Unique clicks", "value": Self.count(totals.uniqueClicks)],
                ["label": "Leads", "value": Self.count(totals.leads)],
                ["label": "Sales", "value": Self.count(totals.sales)],
                ["label": "Revenue", "value": money(totals.revenue)],
                ["label": "Earnings", "value": money(totals.commission)],
                ["label": "Conversion rate", "value": Self.percent(totals.conversionRate), "hint": "Leads and sales per click"],
                ["label": "Earnings per click", "value": Self.epc(totals.earningsPerClick, money: money), "hint": "EPC"],
            ],
            "chart": chart,
            // The chart's table, one row per period (up to 366), written here rather than by the template: a Mustache
            // lookup costs microseconds (dynamic casts up the context stack), and this table is most of the page's
            // lookups. Every cell is escaped.
            "periodRows": TableRows.html(rows.map { row in
                let totals = PartnerAnalytics.Totals([row])
                return TableRows.Row(heading: row.period, numbers: Self.numbers(totals, money: money))
            }),
            "totals": Self.cells(totals, money: money),
            "funnel": funnel,
            "breakdowns": [
                Self.table("links", "By link", "Link", groupRows(.link, none: "(no link)"), dimension: false),
                Self.table("campaigns", "By campaign", "Campaign", groupRows(.campaign, none: "(no campaign)"), dimension: false),
                Self.table("sub-ids", "By sub id", "Sub id", groupRows(.subID, none: "(no sub id)"), dimension: false),
                Self.table("countries", "By country", "Country", dimensionRows(.country, none: "Unknown"), dimension: true),
                Self.table("devices", "By device", "Device", dimensionRows(.device, none: "Unknown"), dimension: true),
            ],
            "breakdownLimit": PartnerAnalytics.breakdownLimit,
            "minimumPartners": PartnerAnalytics.minimumPartnersForAverage,
        ]
        if let average {
            model["average"] = [
                "partners": Self.count(average.partners),
                "conversionRate": Self.percent(average.totals.conversionRate),
                "earningsPerClick": Self.epc(average.totals.earningsPerClick, money: money),
                "yourConversionRate": Self.percent(totals.conversionRate),
                "yourEarningsPerClick": Self.epc(totals.earningsPerClick, money: money),
                "conversionComparison": Self.comparison(totals.conversionRate, average.totals.conversionRate),
                "epcComparison": Self.comparison(totals.earningsPerClick, average.totals.earningsPerClick),
            ]
        }
        return model
    }

    // MARK: - Text

    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let micro = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        return "\(micro / 1000).\(String(micro % 1000).leftPadded(to: 3))"
    }

    static func cells(_ totals: PartnerAnalytics.Totals, money: (Int64) -> String) -> [String: Any] {
        ["clicks": count(totals.clicks), "uniqueClicks": count(totals.uniqueClicks), "leads": count(totals.leads), "sales": count(totals.sales),
         "revenue": money(totals.revenue), "commission": money(totals.commission), "conversionRate": percent(totals.conversionRate),
         "earningsPerClick": epc(totals.earningsPerClick, money: money)]
    }

    static func table(_ id: String, _ title: String, _ column: String, _ rows: [TableRows.Row], dimension: Bool) -> [String: Any] {
        ["id": id, "title": title, "column": column, "rows": TableRows.html(rows), "hasRows": !rows.isEmpty, "dimension": dimension]
    }

    /// A row's six numbers in the order of the tables' columns: clicks, unique, leads, sales, revenue, earnings.
    static func numbers(_ totals: PartnerAnalytics.Totals, money: (Int64) -> String) -> [String] {
        let counts: [String] = [count(totals.clicks), count(totals.uniqueClicks), count(totals.leads), count(totals.sales)]
        return counts + [money(totals.revenue), money(totals.commission)]
    }

    static func count(_ value: Int64) -> String { SVGChart.integer(Double(value)) }

    /// `0.1234` → `12.34%`; nil (nothing to divide by) → `–`.
    static func percent(_ ratio: Double?) -> String {
        guard let ratio, ratio.isFinite else { return "–" }
        let hundredths = Int64((ratio * 10_000).rounded())
        let fraction = hundredths % 100
        return "\(count(hundredths / 100)).\(fraction < 10 ? "0" : "")\(fraction)%"
    }

    /// Earnings per click (minor units) as money rounded to the minor unit; `–` without clicks.
    static func epc(_ minor: Double?, money: (Int64) -> String) -> String {
        guard let minor, minor.isFinite else { return "–" }
        return money(Int64(minor.rounded()))
    }

    static func comparison(_ mine: Double?, _ average: Double?) -> String {
        guard let mine, let average, average > 0 else { return "" }
        let difference = (mine - average) / average
        if abs(difference) < 0.005 { return "about the same as the program average" }
        return "\(percent(abs(difference))) \(difference > 0 ? "above" : "below") the program average"
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The short text under the chart's x axis: `Nov 3` for days and weeks, `Nov 2026` for months.
    static func axisLabel(_ period: String, _ granularity: PerformanceReport.Granularity) -> String {
        guard let days = CivilDate.parse(period) else { return period }
        let (year, month, day) = CivilDate.ymd(days: days)
        return granularity == .month ? "\(months[Int(month) - 1]) \(year)" : "\(months[Int(month) - 1]) \(day)"
    }

    /// `3 Nov 2026`.
    static func longDate(_ days: Int64) -> String {
        let (year, month, day) = CivilDate.ymd(days: days)
        return "\(day) \(months[Int(month) - 1]) \(year)"
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
