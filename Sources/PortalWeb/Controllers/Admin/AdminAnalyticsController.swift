import Foundation
import HTTPServer
import PortalCore
import Store

/// `/admin/analytics?period=30d|90d|12m`: the program's analytics for its staff (`viewProgram`): program totals,
/// partner activity, resource usage, commission distribution, recruitment and retention, and partner satisfaction
/// (NPS), each with a server-rendered SVG chart or table and a CSV export (`/admin/analytics/{section}.csv`).
/// Everything is read from rollups and indexed ranges (`ProgramAnalytics`) and scoped by `AdminContext.programID`.
/// Month-based views (active partners, applications, cohorts, NPS trend) always cover the last 12 months.
struct AdminAnalyticsController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let addressSecret: [UInt8]
    /// Today as days since 1970-01-01 (UTC); tests may fix it.
    var today: @Sendable () -> Int64 = { DailyStats.day(of: Int64(Date().timeIntervalSince1970)) }

    static let periods: [(value: String, label: String, preset: DateRange.Preset)] = [
        ("30d", "Last 30 days", .last30Days), ("90d", "Last 90 days", .last90Days), ("12m", "Last 12 months", .last12Months),
    ]
    static let sections = ["totals", "activity", "resources", "commissions", "recruitment", "nps"]
    /// How many partners the top lists show.
    static let topCount = 10
    static let monthsShown = 12

    func register(on routes: RouterGroup) {
        routes.get("/analytics") { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.viewProgram)
            let period = try periodToday(request)
            let clock = ContinuousClock()
            let started = clock.now
            let report = try load(admin: admin, period: period)
            let queried = clock.now
            let model = page(report, admin: admin, period: period, request: request)
            let modelled = clock.now
            var response = try templates.page("admin/analytics",
                                              PageChrome(context: context, currentPath: "/admin/analytics").merged(with: model))
            response.headers.append("Server-Timing", "query;dur=\(PartnerAnalyticsController.milliseconds(queried - started)), "
                + "model;dur=\(PartnerAnalyticsController.milliseconds(modelled - queried)), "
                + "render;dur=\(PartnerAnalyticsController.milliseconds(clock.now - modelled))")
            return response
        }
        routes.get("/analytics/{section}") { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.viewProgram)
            let name = try context.parameters.require("section")
            guard name.hasSuffix(".csv"), Self.sections.contains(String(name.dropLast(4))) else { throw HTTPError(.notFound, "Not found") }
            let section = String(name.dropLast(4))
            let period = try periodToday(request)
            let report = try load(admin: admin, period: period)
            return Downloads.csv(csv(section, report, admin: admin),
                                 fileName: "analytics-\(section)-\(period.range.fromText)-to-\(period.range.toText).csv")
        }
    }

    struct Period {
        var value: String
        var range: DateRange
        var granularity: PerformanceReport.Granularity
    }

    func periodToday(_ request: Request) throws -> Period { try Self.period(request.queryParameters["period"], today: today()) }

    static func period(_ text: String?, today day: Int64) throws -> Period {
        let value = (text?.isEmpty ?? true) ? "30d" : text!
        guard let known = periods.first(where: { $0.value == value }) else {
            throw HTTPError(.badRequest, "Choose a period of 30 days, 90 days or 12 months.")
        }
        let range = DateRange.preset(known.preset, today: day)
        return Period(value: value, range: range, granularity: known.preset == .last12Months ? .month : .day)
    }

    // MARK: - Reading

    struct Report {
        var rows: [PerformanceReport.Row]
        var totals: PartnerAnalytics.Totals
        var paidOut: Int64
        var partners: [Int64: PartnerAnalytics.Totals]
        var approvedPartners: Int64
        var months: [Int64]
        var activity: [Int64: Set<Int64>]
        var signedIn: Int
        var signInsPerMonth: [Int64: Int]
        var resources: [ProgramAnalytics.ResourceUsage]
        var distribution: CommissionDistribution
        var applications: ProgramAnalytics.Applications
        var cohorts: CohortRetention
        var nps: ProgramAnalytics.NPSSummary
        var names: [Int64: String]

        /// Partners with a click or a conversion in the period.
        var activePartners: Int { partners.values.filter { $0.clicks > 0 || $0.leads > 0 || $0.sales > 0 }.count }
        var topByClicks: [(Int64, PartnerAnalytics.Totals)] {
            Array(partners.filter { $0.value.clicks > 0 }.sorted { ($0.value.clicks, $1.key) > ($1.value.clicks, $0.key) }
                .prefix(AdminAnalyticsController.topCount)).map { ($0.key, $0.value) }
        }
    }

    func load(admin: AdminContext, period: Period) throws -> Report {
        let range = period.range
        let months = CohortRetention.months(endingAt: range.to, count: Self.monthsShown)
        let programID = admin.programID
        let edges = CommissionDistribution.standardEdges(exponent: Currency.exponent(of: admin.currency))
        return try database.read { db -> Report in
            let rows = try ProgramAnalytics.periodRows(in: db, programID: programID, from: range.from, to: range.to,
                                                       granularity: period.granularity)
            let partners = try ProgramAnalytics.partnerTotals(in: db, programID: programID, from: range.from, to: range.to)
            let activity = try ProgramAnalytics.monthlyActivity(in: db, programID: programID, months: months)
            let signIns = try ProgramAnalytics.signIns(in: db, programID: programID, from: range.from, to: range.to, months: months)
            let distribution = CommissionDistribution(commissions: partners.mapValues(\.commission), edges: edges)
            let approvals = try ProgramAnalytics.approvals(in: db, programID: programID, months: months)
            var report = Report(
                rows: rows, totals: PartnerAnalytics.Totals(rows),
                paidOut: try ProgramAnalytics.paidOut(in: db, programID: programID, from: range.from, to: range.to),
                partners: partners,
                approvedPartners: try db.queryValue("SELECT count(*) FROM partners WHERE program_id = ? AND status = 'approved'",
                                                    [programID], as: Int64.self) ?? 0,
                months: months, activity: activity, signedIn: signIns.period, signInsPerMonth: signIns.perMonth,
                resources: try ProgramAnalytics.resourceUsage(in: db, programID: programID, from: range.from, to: range.to),
                distribution: distribution,
                applications: try ProgramAnalytics.applications(in: db, programID: programID, from: range.from, to: range.to, months: months),
                cohorts: CohortRetention(months: months, approvals: approvals, activity: activity),
                nps: try ProgramAnalytics.nps(in: db, programID: programID, from: range.from, to: range.to, months: months),
                names: [:])
            let wanted = Set(report.topByClicks.map(\.0) + distribution.top(Self.topCount).map(\.partnerID))
            report.names = try ProgramAnalytics.partnerNames(in: db, programID: programID, ids: Array(wanted))
            return report
        }
    }

    // MARK: - The page

    func page(_ report: Report, admin: AdminContext, period: Period, request: Request) -> [String: Any] {
        let range = period.range
        let money = { (amount: Int64) in admin.money(amount) }
        let exponent = Currency.exponent(of: admin.currency)
        let minorPerMajor = pow(10, Double(exponent))
        let count = PartnerAnalyticsController.count
        let percent = PartnerAnalyticsController.percent
        let totals = report.totals
        let programQuery = request.queryParameters["program"].map { "&program=\(FormParameters.encode([("p", $0)]).dropFirst(2))" } ?? ""
        func csvPath(_ section: String) -> String { "/admin/analytics/\(section).csv?period=\(period.value)\(programQuery)" }

        var model: [String: Any] = ["programName": admin.programName]
        model["periods"] = Self.periods.map { ["value": $0.value, "label": $0.label, "selected": $0.value == period.value] as [String: Any] }
        model["programParameter"] = TemplateValue.section(request.queryParameters["program"] ?? "")
        model["rangeText"] = "\(PartnerAnalyticsController.longDate(range.from)) – \(PartnerAnalyticsController.longDate(range.to))"
        for section in Self.sections { model["csv_\(section)"] = csvPath(section) }

        // Program totals.
        let cards: [[String: Any]] = [
            ["label": "Clicks", "value": count(totals.clicks)],
            ["label": "Conversions", "value": count(totals.leads + totals.sales), "hint": "\(count(totals.leads)) leads, \(count(totals.sales)) sales"],
            ["label": "Revenue", "value": money(totals.revenue)],
            ["label": "Commissions", "value": money(totals.commission)],
            ["label": "Paid out", "value": money(report.paidOut)],
            ["label": "EPC", "value": PartnerAnalyticsController.epc(totals.earningsPerClick, money: money), "hint": "Commission per click"],
            ["label": "Conversion rate", "value": percent(totals.conversionRate), "hint": "Conversions per click"],
        ]
        model["totalCards"] = cards
        let periodName = period.granularity.rawValue
        model["totalsChart"] = SVGChart.line(
            id: "totals-chart", title: "Clicks and commissions by \(periodName)", periods: report.rows.map(\.period),
            axisLabels: report.rows.map { PartnerAnalyticsController.axisLabel($0.period, period.granularity) }, periodName: periodName,
            series: [
                SVGChart.Series(name: "Clicks", values: report.rows.map { Double($0.clicks) }, color: "--brand", format: Self.compact),
                SVGChart.Series(name: "Commissions", values: report.rows.map { Double($0.commission) / minorPerMajor }, color: "--ok",
                                integral: false) { value in
                    // A whole program's money overflows the axis's 64 units as `$2,000,000.00`: large values are compact.
                    abs(value) >= 10_000 ? Self.compact(value) + " " + admin.currency : admin.money(Int64((value * minorPerMajor).rounded()))
                },
            ])
        model["totalsRows"] = TableRows.html(report.rows.map { row in
            let numbers: [String] = [count(row.clicks), count(row.leads + row.sales), money(row.revenue), money(row.commission)]
            return TableRows.Row(heading: row.period, numbers: numbers)
        })
        model["granularity"] = periodName

        // Partner activity.
        let monthLabels = report.months.map { PartnerAnalyticsController.axisLabel(CivilDate.format(days: $0), .month) }
        let monthPeriods = report.months.map { CivilDate.format(days: $0) }
        model["activeCards"] = [
            ["label": "Active partners", "value": count(Int64(report.activePartners)), "hint": "A click or a conversion in the period"],
            ["label": "Approved partners", "value": count(report.approvedPartners)],
            ["label": "Partners who signed in", "value": count(Int64(report.signedIn)), "hint": "Any user of the partner's team"],
        ] as [[String: Any]]
        model["activityChart"] = SVGChart.bar(
            id: "activity-chart", title: "Active partners per month", periods: monthPeriods, axisLabels: monthLabels, periodName: "month",
            series: SVGChart.Series(name: "Active partners", values: report.months.map { Double(report.activity[$0]?.count ?? 0) }))
        model["activityMonthRows"] = TableRows.html(report.months.map { month in
            TableRows.Row(heading: CivilDate.format(days: month).prefix(7).description,
                          numbers: [count(Int64(report.activity[month]?.count ?? 0)), count(Int64(report.signInsPerMonth[month] ?? 0))])
        })
        let topClicks = report.topByClicks
        model["topClicksRows"] = TableRows.html(topClicks.map { id, partner in
            TableRows.Row(heading: report.names[id] ?? "Partner \(id)",
                          numbers: [count(partner.clicks), count(partner.leads + partner.sales), money(partner.commission)])
        })
        model["hasTopClicks"] = !topClicks.isEmpty

        // Resources.
        let topResources = Array(report.resources.prefix(Self.topCount))
        model["resourceRows"] = TableRows.html(topResources.map { usage in
            TableRows.Row(heading: usage.title, numbers: [usage.kind, count(usage.downloads), count(usage.reads)])
        })
        model["hasResources"] = !topResources.isEmpty
        model["resourceDownloads"] = count(report.resources.reduce(0) { $0 + $1.downloads })
        model["resourceReads"] = count(report.resources.reduce(0) { $0 + $1.reads })
        model["resourceCount"] = count(Int64(report.resources.count))

        // Commission distribution.
        let distribution = report.distribution
        model["earners"] = count(Int64(distribution.earners.count))
        model["topDecileCount"] = count(Int64(distribution.topDecileCount))
        model["topDecileShare"] = percent(distribution.topDecileShare)
        model["topEarnerRows"] = TableRows.html(distribution.top(Self.topCount).map { earner in
            let share = percent(distribution.total > 0 ? Double(earner.commission) / Double(distribution.total) : nil)
            return TableRows.Row(heading: report.names[earner.partnerID] ?? "Partner \(earner.partnerID)", numbers: [money(earner.commission), share])
        })
        model["hasEarners"] = !distribution.earners.isEmpty
        let bucketLabels = distribution.buckets.map { Self.bucketLabel($0, money: money) }
        model["histogramChart"] = SVGChart.bar(
            id: "histogram-chart", title: "Partners by commission earned in the period", periods: bucketLabels, periodName: "bucket",
            series: SVGChart.Series(name: "Partners", values: distribution.buckets.map { Double($0.partners) }, color: "--ok"))
        model["histogramRows"] = TableRows.html(zip(bucketLabels, distribution.buckets).map { label, bucket in
            TableRows.Row(heading: label, numbers: [count(Int64(bucket.partners))])
        })

        // Recruitment and retention.
        let applications = report.applications
        model["applicationCards"] = [
            ["label": "Applications", "value": count(Int64(applications.total)), "hint": "Partners who joined or applied in the period"],
            ["label": "Approval rate", "value": percent(applications.approvalRate), "hint": "Approved of those decided"],
            ["label": "Waiting for review", "value": count(Int64(applications.pending))],
        ] as [[String: Any]]
        model["applicationsChart"] = SVGChart.bar(
            id: "applications-chart", title: "Applications per month", periods: monthPeriods, axisLabels: monthLabels, periodName: "month",
            series: SVGChart.Series(name: "Applications", values: report.months.map { Double(applications.perMonth[$0] ?? 0) }))
        model["cohortHead"] = Self.cohortHead(report.months.count)
        model["cohortRows"] = Self.cohortRows(report.cohorts)

        // NPS.
        let nps = report.nps
        model["npsScore"] = nps.period.score.map { String($0) } ?? "–"
        model["npsResponses"] = count(Int64(nps.period.responses))
        model["npsPromoters"] = count(Int64(nps.period.promoters))
        model["npsPassives"] = count(Int64(nps.period.passives))
        model["npsDetractors"] = count(Int64(nps.period.detractors))
        model["npsChart"] = SVGChart.bar(
            id: "nps-chart", title: "Responses per month", periods: monthPeriods, axisLabels: monthLabels, periodName: "month",
            series: SVGChart.Series(name: "Responses", values: report.months.map { Double(nps.perMonth[$0]?.responses ?? 0) }))
        model["npsMonthRows"] = TableRows.html(report.months.map { month in
            let score = nps.perMonth[month] ?? NetPromoterScore()
            return TableRows.Row(heading: CivilDate.format(days: month).prefix(7).description,
                                 numbers: [count(Int64(score.responses)), score.score.map { String($0) } ?? "–"])
        })
        model["npsComments"] = nps.comments.map { ["score": $0.score, "comment": $0.comment, "when": CivilDate.format(days: DailyStats.day(of: $0.at))] as [String: Any] }
        model["hasNPSComments"] = !nps.comments.isEmpty
        return model
    }

    /// `1.5M`, `250k`, `9,999`: axis numbers that fit the chart's margin (the table beside has the exact values).
    static func compact(_ value: Double) -> String {
        func one(_ x: Double, _ suffix: String) -> String {
            let tenths = Int64((x * 10).rounded())
            return (tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(abs(tenths % 10))") + suffix
        }
        if abs(value) >= 1_000_000 { return one(value / 1_000_000, "M") }
        if abs(value) >= 10_000 { return one(value / 1_000, "k") }
        return SVGChart.integer(value)
    }

    static func bucketLabel(_ bucket: CommissionDistribution.Bucket, money: (Int64) -> String) -> String {
        guard let upper = bucket.upper else { return "\(money(bucket.lower)) or more" }
        return "\(money(bucket.lower)) – \(money(upper - 1))"
    }

    static func cohortHead(_ months: Int) -> String {
        var html = "<tr><th scope=\"col\">Approved in</th><th scope=\"col\" class=\"number\">Partners</th>"
        for offset in 0..<months { html += "<th scope=\"col\" class=\"number\">M\(offset)</th>" }
        return html + "</tr>"
    }

    /// The cohort table's rows: each cell a share of the cohort active that many months after approval, shaded by
    /// the share (five steps, a class per step; the number is always written too).
    static func cohortRows(_ retention: CohortRetention) -> String {
        var html = ""
        for cohort in retention.cohorts {
            html += "<tr><th scope=\"row\">\(CivilDate.format(days: cohort.month).prefix(7))</th><td class=\"number\">\(cohort.size)</td>"
            for offset in 0..<retention.months.count {
                guard let rate = cohort.rate(offset) else {
                    html += "<td class=\"number cohort-none\"></td>"
                    continue
                }
                let step = min(4, Int(rate * 5))
                html += "<td class=\"number cohort-\(step)\" title=\"\(cohort.active[offset]) of \(cohort.size)\">"
                    + "\(MarkupEscaping.escape(PartnerAnalyticsController.percent(rate)))</td>"
            }
            html += "</tr>\n"
        }
        return html
    }

    // MARK: - CSV

    func csv(_ section: String, _ report: Report, admin: AdminContext) -> String {
        let major = { (amount: Int64) in Currency.majorUnits(amount, currency: admin.currency) }
        let line = ProgramAnalytics.csvLine
        var text = ""
        switch section {
        case "totals":
            text += line(["period", "clicks", "unique_clicks", "leads", "sales", "revenue", "commission"])
            for row in report.rows {
                text += line([row.period, String(row.clicks), String(row.uniqueClicks), String(row.leads), String(row.sales),
                              major(row.revenue), major(row.commission)])
            }
            text += line(["paid_out", "", "", "", "", "", major(report.paidOut)])
        case "activity":
            text += line(["partner_id", "partner", "clicks", "leads", "sales", "revenue", "commission"])
            let active = report.partners.filter { $0.value.clicks > 0 || $0.value.leads > 0 || $0.value.sales > 0 }
                .sorted { ($0.value.clicks, $1.key) > ($1.value.clicks, $0.key) }
            let names = (try? database.read { db in
                try ProgramAnalytics.partnerNames(in: db, programID: admin.programID, ids: active.map(\.key))
            }) ?? [:]
            for (id, totals) in active {
                text += line([String(id), names[id] ?? "", String(totals.clicks), String(totals.leads), String(totals.sales),
                              major(totals.revenue), major(totals.commission)])
            }
        case "resources":
            text += line(["resource_id", "title", "kind", "downloads", "reads"])
            for usage in report.resources {
                text += line([String(usage.resourceID), usage.title, usage.kind, String(usage.downloads), String(usage.reads)])
            }
        case "commissions":
            text += line(["rank", "partner_id", "partner", "commission"])
            let earners = report.distribution.earners
            let names = (try? database.read { db in
                try ProgramAnalytics.partnerNames(in: db, programID: admin.programID, ids: earners.map(\.partnerID))
            }) ?? [:]
            for (index, earner) in earners.enumerated() {
                text += line([String(index + 1), String(earner.partnerID), names[earner.partnerID] ?? "", major(earner.commission)])
            }
        case "recruitment":
            var header = ["month", "applications", "approved_partners"]
            header += (0..<report.months.count).map { "active_m\($0)" }
            text += line(header)
            for cohort in report.cohorts.cohorts {
                var fields = [String(CivilDate.format(days: cohort.month).prefix(7)), String(report.applications.perMonth[cohort.month] ?? 0),
                              String(cohort.size)]
                fields += (0..<report.months.count).map { $0 < cohort.active.count ? String(cohort.active[$0]) : "" }
                text += line(fields)
            }
        default:
            text += line(["month", "responses", "promoters", "passives", "detractors", "nps"])
            for month in report.months {
                let score = report.nps.perMonth[month] ?? NetPromoterScore()
                text += line([String(CivilDate.format(days: month).prefix(7)), String(score.responses), String(score.promoters),
                              String(score.passives), String(score.detractors), score.score.map { String($0) } ?? ""])
            }
        }
        return text
    }
}
