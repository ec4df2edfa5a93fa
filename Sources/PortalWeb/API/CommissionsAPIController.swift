import Foundation
import HTTPServer
import PortalCore
import Store

/// `GET /commissions?partner_id=&status=` (secret key) and `GET /me/commissions?status=` (partner key with
/// `reports:read`), newest first with cursor pages.
struct CommissionsAPIController {
    let database: DatabasePool

    func register(on api: RouterGroup) {
        api.get("/commissions") { request, context in
            let programID = try context.requireProgram()
            var partnerID: Int64?
            if let text = request.queryParameters["partner_id"] {
                guard let id = Int64(text) else { throw APIProblem(.badRequest, "`partner_id` must be a number.", errors: ["partner_id": ["must be a number"]]) }
                partnerID = id
            }
            return try list(request, programID: programID, partnerID: partnerID)
        }
        api.get("/me/commissions") { request, context in
            let caller = try context.requirePartner(scope: "reports:read")
            return try list(request, programID: caller.programID, partnerID: caller.partnerID)
        }
    }

    private func list(_ request: Request, programID: Int64, partnerID: Int64?) throws -> Response {
        let page = try APIPage(request)
        let status = request.queryParameters["status"]
        if let status, !CommissionStore.statuses.contains(status) {
            throw APIProblem(.badRequest, "`status` must be one of \(CommissionStore.statuses.sorted().joined(separator: ", ")).",
                             errors: ["status": ["is not a status"]])
        }
        let rows = try database.read { db in
            try CommissionStore().commissions(in: db, programID: programID, partnerID: partnerID, status: status, before: page.before,
                                              limit: page.fetchLimit)
        }
        return page.response(rows, id: \.commission.id, json: APIJSON.listedCommission)
    }
}
