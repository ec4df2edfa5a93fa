import Foundation
import HTTPServer
import PortalCore
import Store

/// Payouts (CONTRACTS.md): build a batch, list and read payouts, export the CSV (and PayPal's bulk format,
/// an addition), mark paid or failed — with a secret key; `GET /me/payouts` with a partner key.
struct PayoutsAPIController {
    let database: DatabasePool
    let store: PayoutStore

    static let statuses: Set<String> = ["pending", "paid", "failed"]

    func register(on api: RouterGroup) {
        let small = RouteOptions(maxBodySize: 16 * 1024)
        api.post("/payouts/batches", options: small) { request, context in
            let programID = try context.requireProgram()
            if !(try request.body.readAll()).isEmpty || request.headers["content-type"] != nil {
                let fields = JSONFields(try JSONBody.object(request), allowed: [])
                guard fields.errors.isEmpty else { throw APIProblem.invalid(fields.errors) }
            }
            let batch = try database.write { db in try store.createBatch(in: db, programID: programID, now: Int64(Date().timeIntervalSince1970)) }
            return JSONBody.response([
                "id": APIJSON.optional(batch.id), "payouts": batch.payouts.map(APIJSON.payout),
                "skipped": batch.skipped.map { ["partner_id": $0.partnerID, "reason": $0.reason] },
            ], status: .created)
        }
        api.get("/payouts") { request, context in
            try list(request, programID: try context.requireProgram(), partnerID: nil)
        }
        api.get("/me/payouts") { request, context in
            let caller = try context.requirePartner(scope: "reports:read")
            return try list(request, programID: caller.programID, partnerID: caller.partnerID)
        }
        api.get("/payouts/export.csv") { request, context in
            let programID = try context.requireProgram()
            return try export(request, programID: programID, fileName: "payouts", render: PayoutExport.csv)
        }
        api.get("/payouts/export.paypal.csv") { request, context in
            let programID = try context.requireProgram()
            let note = try database.read { db in try ProgramSettings.load(in: db, programID: programID)?.name } ?? "Partner program"
            return try export(request, programID: programID, fileName: "paypal-payouts") { PayoutExport.paypal($0, note: "\(note) partner payout") }
        }
        api.get("/payouts/{id}") { _, context in
            let programID = try context.requireProgram()
            let id = try context.pathID(what: "payout")
            let found = try database.read { db -> (PayoutStore.Payout, [CommissionStore.Listed])? in
                guard let payout = try store.payout(in: db, programID: programID, id: id) else { return nil }
                return (payout, try store.settledCommissions(in: db, programID: programID, payoutID: id))
            }
            guard let (payout, commissions) = found else { throw APIProblem(.notFound, "No such payout.") }
            var object = APIJSON.payout(payout)
            object["commissions"] = commissions.map(APIJSON.listedCommission)
            return JSONBody.response(object)
        }
        // An addition: the payout's statement, lines that add up to its amount.
        api.get("/payouts/{id}/statement.csv") { _, context in
            let programID = try context.requireProgram()
            let id = try context.pathID(what: "payout")
            guard let statement = try database.read({ db in try PayoutStatement.load(in: db, store: store, programID: programID, payoutID: id) }) else {
                throw APIProblem(.notFound, "No such payout.")
            }
            return Downloads.csv(statement.csv, fileName: "payout-\(id)-statement.csv")
        }
        api.post("/payouts/{id}/mark-paid", options: small) { request, context in
            let programID = try context.requireProgram()
            let id = try context.pathID(what: "payout")
            var fields = JSONFields(try JSONBody.object(request), allowed: ["reference"])
            let reference = fields.string("reference", required: true, maxLength: 200)
            guard fields.errors.isEmpty, let reference else { throw APIProblem.invalid(fields.errors) }
            return try settle {
                try database.write { db in try store.markPaid(in: db, programID: programID, id: id, reference: reference, now: Int64(Date().timeIntervalSince1970)) }
            }
        }
        api.post("/payouts/{id}/mark-failed", options: small) { request, context in
            let programID = try context.requireProgram()
            let id = try context.pathID(what: "payout")
            var fields = JSONFields(try JSONBody.object(request), allowed: ["reason"])
            let reason = fields.string("reason", required: true, maxLength: 1000)
            guard fields.errors.isEmpty, let reason else { throw APIProblem.invalid(fields.errors) }
            return try settle {
                try database.write { db in try store.markFailed(in: db, programID: programID, id: id, reason: reason, now: Int64(Date().timeIntervalSince1970)) }
            }
        }
    }

    private func settle(_ body: () throws -> PayoutStore.Payout) throws -> Response {
        do {
            return JSONBody.response(APIJSON.payout(try body()))
        } catch PayoutStore.Failure.notFound {
            throw APIProblem(.notFound, "No such payout.")
        } catch PayoutStore.Failure.invalid(let errors) {
            throw APIProblem.invalid(errors)
        }
    }

    private func filters(_ request: Request) throws -> (status: String?, batchID: Int64?) {
        let status = request.queryParameters["status"]
        if let status, !Self.statuses.contains(status) {
            throw APIProblem(.badRequest, "`status` must be pending, paid or failed.", errors: ["status": ["is not a status"]])
        }
        var batchID: Int64?
        if let text = request.queryParameters["batch_id"] {
            guard let id = Int64(text) else { throw APIProblem(.badRequest, "`batch_id` must be a number.", errors: ["batch_id": ["must be a number"]]) }
            batchID = id
        }
        return (status, batchID)
    }

    private func list(_ request: Request, programID: Int64, partnerID: Int64?) throws -> Response {
        let page = try APIPage(request)
        let (status, batchID) = try filters(request)
        let rows = try database.read { db in
            try store.payouts(in: db, programID: programID, partnerID: partnerID, status: status, batchID: batchID, before: page.before, limit: page.fetchLimit)
        }
        return page.response(rows, id: \.id, json: APIJSON.payout)
    }

    private func export(_ request: Request, programID: Int64, fileName: String, render: ([PayoutExport.Row]) -> String) throws -> Response {
        let (status, batchID) = try filters(request)
        let rows = try database.read { db in
            try store.payouts(in: db, programID: programID, partnerID: nil, status: status, batchID: batchID, before: nil, limit: 1_000_000)
                .reversed().map { payout in
                    PayoutExport.Row(payoutID: payout.id, partnerID: payout.partnerID, partnerName: payout.partnerName, method: payout.method,
                                     recipient: try store.recipient(in: db, payoutID: payout.id), amount: payout.amount,
                                     currency: payout.currency, reference: payout.reference)
                }
        }
        return Downloads.csv(render(rows), fileName: "\(fileName)\(batchID.map { "-batch-\($0)" } ?? "").csv")
    }
}
