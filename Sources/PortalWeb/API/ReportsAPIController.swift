import Foundation
import HTTPServer
import PortalCore
import Store

/// `GET /me/reports?from=YYYY-MM-DD&to=YYYY-MM-DD&granularity=day|week|month` (partner key with `reports:read`)
/// and the same for a secret key at `GET /partners/{id}/reports` (an addition): rows of
/// `{period, clicks, unique_clicks, leads, sales, revenue, commission}` from the daily rollups.
struct ReportsAPIController {
    let database: DatabasePool

    func register(on api: RouterGroup) {
        api.get("/me/reports") { request, context in
            let caller = try context.requirePartner(scope: "reports:read")
            return try report(request, programID: caller.programID, partnerID: caller.partnerID)
        }
        api.get("/partners/{id}/reports") { request, context in
            let programID = try context.requireProgram()
            let id = try context.pathID(what: "partner")
            guard try database.read({ db in try db.queryOne("SELECT 1 FROM partners WHERE id = ? AND program_id = ?", [id, programID]) }) != nil else {
                throw APIProblem(.notFound, "No such partner.")
            }
            return try report(request, programID: programID, partnerID: id)
        }
    }

    private func report(_ request: Request, programID: Int64, partnerID: Int64) throws -> Response {
        let query = request.queryParameters
        var errors: [String: [String]] = [:]
        let today = DailyStats.day(of: Int64(Date().timeIntervalSince1970))
        let from = query["from"].map(CivilDate.parse) ?? today - 29
        let to = query["to"].map(CivilDate.parse) ?? today
        if from == nil { errors["from", default: []].append("must be a date as YYYY-MM-DD") }
        if to == nil { errors["to", default: []].append("must be a date as YYYY-MM-DD") }
        let granularity = PerformanceReport.Granularity(rawValue: query["granularity"] ?? "day")
        if granularity == nil { errors["granularity", default: []].append("must be day, week or month") }
        if let from, let to {
            if from > to { errors["to", default: []].append("must not be before from") }
            if to - from >= PerformanceReport.maximumDays { errors["to", default: []].append("must be at most \(PerformanceReport.maximumDays) days after from") }
        }
        guard errors.isEmpty, let from, let to, let granularity else {
            throw APIProblem(.badRequest, "The report's query is not valid.", errors: errors)
        }
        let rows = try database.read { db in
            try PerformanceReport.rows(in: db, programID: programID, partnerID: partnerID, from: from, to: to, granularity: granularity)
        }
        return JSONBody.response([
            "from": CivilDate.format(days: from), "to": CivilDate.format(days: to), "granularity": granularity.rawValue,
            "data": rows.map { ["period": $0.period, "clicks": $0.clicks, "unique_clicks": $0.uniqueClicks, "leads": $0.leads,
                                "sales": $0.sales, "revenue": $0.revenue, "commission": $0.commission] },
        ])
    }
}
