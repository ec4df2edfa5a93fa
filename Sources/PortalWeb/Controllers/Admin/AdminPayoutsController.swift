import Foundation
import HTTPServer
import PortalCore
import Store

/// `/admin/payouts`: what is due (each partner's available balance against the program minimum and their own
/// threshold, their payout method and tax form), building a batch, a batch's page with its payouts and totals, the
/// bank CSV and PayPal Payouts exports, marking a batch or one payout paid or failed, each payout's statement, and the
/// yearly 1099-NEC style summary of US partners (`/admin/payouts/tax-year/{year}`).
///
/// The money goes through the engine: `PayoutPlanner` says who is due (the same plan `PayoutStore.createBatch`
/// makes), `PayoutStore` builds batches and settles payouts (a failed payout returns its amount to available through
/// the ledger), `PayoutExport` and `PayoutStatement` write the files. Every change writes audit entries in its own
/// transaction. Viewing needs `viewProgram`; changes and the exports (full payout recipients, partners' addresses)
/// need `managePayouts`.
struct AdminPayoutsController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let addressSecret: [UInt8]
    let store: PayoutStore
    let taxForms: TaxFormStore

    static let pageSize = 50

    func register(on routes: RouterGroup) {
        let small = RouteOptions(maxBodySize: 16 * 1024)
        routes.get("/") { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.viewProgram)
            return try overview(request, context, admin: admin, error: nil, status: .ok)
        }
        routes.post("/batches", options: small) { request, context in
            try buildBatch(request, context)
        }
        routes.get("/{id}") { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.viewProgram)
            return try batchPage(request, context, admin: admin, batchID: try Self.id(context), error: nil, status: .ok)
        }
        routes.get("/{id}/export.csv") { request, context in
            try export(request, context, paypal: false)
        }
        routes.get("/{id}/export.paypal.csv") { request, context in
            try export(request, context, paypal: true)
        }
        routes.post("/{id}/mark-paid", options: small) { request, context in
            try settleBatch(request, context, paid: true)
        }
        routes.post("/{id}/mark-failed", options: small) { request, context in
            try settleBatch(request, context, paid: false)
        }
        routes.post("/items/{id}/mark-paid", options: small) { request, context in
            try settleItem(request, context, paid: true)
        }
        routes.post("/items/{id}/mark-failed", options: small) { request, context in
            try settleItem(request, context, paid: false)
        }
        routes.get("/items/{id}/statement.csv") { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.viewProgram)
            let id = try Self.id(context)
            guard let statement = try database.read({ db in try PayoutStatement.load(in: db, store: store, programID: admin.programID, payoutID: id) })
            else { throw HTTPError(.notFound, "Not found") }
            return Downloads.csv(statement.csv, fileName: "payout-\(id)-statement.csv")
        }
        routes.get("/tax-year/{year}") { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.viewProgram)
            return try taxYear(request, context, admin: admin)
        }
        routes.get("/tax-year/{year}/export.csv") { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.managePayouts)
            guard let year = YearlyEarningsStatement.year(from: try context.parameters.require("year")) else { throw HTTPError(.notFound, "Not found") }
            let totals = try database.read { db in try NECYearTotals.load(in: db, programID: admin.programID, year: year, currency: admin.currency) }
            return Downloads.csv(totals.csv, fileName: "1099-nec-\(year)-program-\(admin.programID).csv")
        }
    }

    static func id(_ context: RequestContext) throws -> Int64 {
        guard let id = Int64(try context.parameters.require("id")), id > 0 else { throw HTTPError(.notFound, "Not found") }
        return id
    }

    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    static func statusClass(_ status: String) -> String {
        switch status {
        case "paid": "ok"
        case "failed": "bad"
        default: "warn"
        }
    }

    static func errorText(_ errors: [String: [String]]) -> String {
        errors.sorted { $0.key < $1.key }.map { "\($0.key.capitalized) \($0.value.joined(separator: ", "))." }.joined(separator: " ")
    }

    // MARK: - What is due, and the batches

    struct DueLine {
        let partnerID: Int64
        let name: String
        let available: Int64
        let method: String
        let tax: String
        let skipReason: String?
    }

    /// Everyone with a non-zero available balance, with the planner's verdict: due, or why not.
    func due(_ db: Database, programID: Int64) throws -> [DueLine] {
        guard let program = try ProgramSettings.load(in: db, programID: programID) else { return [] }
        var candidates: [PayoutPlanner.Candidate] = []
        var names: [Int64: (String, String)] = [:]
        for (partnerID, balance) in try LedgerStore().balances(in: db, programID: programID) where balance.available != 0 {
            guard let row = try db.queryOne("SELECT name, status, payout_threshold, payout_method FROM partners WHERE id = ? AND program_id = ?",
                                            [partnerID, programID]) else { continue }
            let method: String? = try row["payout_method"]
            candidates.append(.init(partnerID: partnerID, status: PartnerStatus(rawValue: try row["status"]) ?? .pending, available: balance.available,
                                    threshold: try row["payout_threshold"], method: method.flatMap(PayoutMethod.init)))
            names[partnerID] = (try row["name"], method ?? "")
        }
        let plan = PayoutPlanner.plan(candidates, programMinimum: program.minPayout, currency: program.currency)
        let reasons = Dictionary(plan.skipped.map { ($0.partnerID, $0.reason) }, uniquingKeysWith: { first, _ in first })
        return try candidates.filter { $0.available != 0 }.sorted { $0.available > $1.available }.map { candidate in
            let form = try taxForms.current(in: db, partnerID: candidate.partnerID)
            let tax = form.map { "\($0.kind.label): \($0.status.label)" } ?? "No tax form"
            let (name, method) = names[candidate.partnerID] ?? ("", "")
            return DueLine(partnerID: candidate.partnerID, name: name, available: candidate.available, method: method, tax: tax,
                           skipReason: reasons[candidate.partnerID])
        }
    }

    struct BatchSummary {
        let id: Int64
        let createdAt: Int64
        let count: Int64
        let total: Int64
        let pending: Int64
        let paid: Int64
        let failed: Int64
    }

    func batches(_ db: Database, programID: Int64, before: Int64?, limit: Int) throws -> [BatchSummary] {
        try db.query("""
            SELECT b.id, b.created_at, count(p.id) AS n, ifnull(sum(p.amount), 0) AS total,
                   ifnull(sum(p.status = 'pending'), 0) AS pending, ifnull(sum(p.status = 'paid'), 0) AS paid,
                   ifnull(sum(p.status = 'failed'), 0) AS failed
            FROM payout_batches b LEFT JOIN payouts p ON p.batch_id = b.id
            WHERE b.program_id = ? AND b.id < ?
            GROUP BY b.id ORDER BY b.id DESC LIMIT ?
            """, [programID, before ?? Int64.max, Int64(limit)]).map { row in
            BatchSummary(id: try row["id"], createdAt: try row["created_at"], count: try row["n"], total: try row["total"],
                         pending: try row["pending"], paid: try row["paid"], failed: try row["failed"])
        }
    }

    private func overview(_ request: Request, _ context: RequestContext, admin: AdminContext, error: String?, status: HTTPStatus) throws -> Response {
        let before = request.queryParameters["before"].flatMap { Int64($0) }
        let (lines, found, minimum) = try database.read { db -> ([DueLine], [BatchSummary], Int64) in
            let minimum = try ProgramSettings.load(in: db, programID: admin.programID)?.minPayout ?? 0
            return (try due(db, programID: admin.programID), try batches(db, programID: admin.programID, before: before, limit: Self.pageSize + 1),
                    minimum)
        }
        let shown = Array(found.prefix(Self.pageSize))
        let dueLines = lines.filter { $0.skipReason == nil }
        let program = "program=\(admin.programID)"
        let dueItems: [[String: Any]] = lines.map { line in
            ["partnerID": line.partnerID, "name": line.name, "available": admin.money(line.available),
             "method": line.method.isEmpty ? "—" : line.method, "tax": line.tax, "isDue": line.skipReason == nil,
             "reason": TemplateValue.section(line.skipReason ?? "")]
        }
        let batchItems: [[String: Any]] = shown.map { batch in
            ["id": batch.id, "url": "/admin/payouts/\(batch.id)?\(program)", "created": MessageTime.format(batch.createdAt),
             "count": String(batch.count), "total": admin.money(batch.total), "pending": String(batch.pending), "paid": String(batch.paid),
             "failed": String(batch.failed)]
        }
        let year = Int(CivilDate.ymd(days: DailyStats.day(of: Self.now)).year)
        let years: [[String: Any]] = [year - 1, year].map { ["year": String($0), "url": "/admin/payouts/tax-year/\($0)?\(program)"] }
        var values: [String: Any] = [
            "programID": admin.programID, "programName": admin.programName, "due": dueItems, "hasDue": !dueItems.isEmpty,
            "dueCount": String(dueLines.count), "dueTotal": admin.money(dueLines.reduce(0) { $0 + $1.available }),
            "minimum": admin.money(minimum), "batches": batchItems, "hasBatches": !batchItems.isEmpty,
            "canManage": admin.may(.managePayouts), "canBuild": admin.may(.managePayouts) && !dueLines.isEmpty,
            "buildAction": "/admin/payouts/batches?\(program)", "taxYears": years,
        ]
        if let error { values["error"] = error }
        if error == nil, request.queryParameters["done"] == "none" { values["notice"] = "Nobody is due a payout: no batch was made." }
        if found.count > Self.pageSize, let last = shown.last { values["olderURL"] = "/admin/payouts?\(program)&before=\(last.id)" }
        return try templates.page("admin/payouts", PageChrome(context: context, currentPath: "/admin/payouts").merged(with: values), status: status)
    }

    private func buildBatch(_ request: Request, _ context: RequestContext) throws -> Response {
        let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
        try admin.require(.managePayouts)
        _ = try FormBody.parse(request)
        let now = Self.now
        let batch: PayoutStore.Batch
        do {
            batch = try database.write { db -> PayoutStore.Batch in
                let batch = try store.createBatch(in: db, programID: admin.programID, now: now)
                if let id = batch.id {
                    let total = batch.payouts.reduce(0) { $0 + $1.amount }
                    try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "payout.batch_create",
                                          subjectType: "payout_batch", subjectID: id,
                                          details: "\(batch.payouts.count) payouts, \(admin.money(total)); \(batch.skipped.count) partners skipped", now: now)
                }
                return batch
            }
        } catch PayoutStore.Failure.notFound {
            throw HTTPError(.notFound, "Not found")
        }
        guard let id = batch.id else {
            return .redirect(to: "/admin/payouts?program=\(admin.programID)&done=none", status: .seeOther)
        }
        return .redirect(to: "/admin/payouts/\(id)?program=\(admin.programID)&done=created", status: .seeOther)
    }

    // MARK: - One batch

    /// The batch's payouts, oldest first, or nil when the program has no such batch.
    func batchPayouts(_ db: Database, programID: Int64, batchID: Int64) throws -> (createdAt: Int64, payouts: [PayoutStore.Payout])? {
        guard let created = try db.queryValue("SELECT created_at FROM payout_batches WHERE id = ? AND program_id = ?", [batchID, programID],
                                               as: Int64.self) else { return nil }
        let payouts = try store.payouts(in: db, programID: programID, partnerID: nil, status: nil, batchID: batchID, before: nil, limit: 100_000)
        return (created, payouts.reversed())
    }

    private func batchPage(_ request: Request, _ context: RequestContext, admin: AdminContext, batchID: Int64, error: String?,
                           status: HTTPStatus) throws -> Response {
        guard let (createdAt, payouts) = try database.read({ db in try batchPayouts(db, programID: admin.programID, batchID: batchID) }) else {
            throw HTTPError(.notFound, "Not found")
        }
        let canManage = admin.may(.managePayouts)
        let program = "program=\(admin.programID)"
        let items: [[String: Any]] = payouts.map { payout in
            var item: [String: Any] = [
                "id": payout.id, "partnerID": payout.partnerID, "partnerName": payout.partnerName,
                "amount": MoneyText.format(payout.amount, currency: payout.currency), "method": payout.method, "status": payout.status,
                "statusClass": Self.statusClass(payout.status), "reference": TemplateValue.section(payout.reference),
                "failureReason": TemplateValue.section(payout.failureReason),
                "statementURL": "/admin/payouts/items/\(payout.id)/statement.csv?\(program)",
                "paidAction": "/admin/payouts/items/\(payout.id)/mark-paid?\(program)",
                "failedAction": "/admin/payouts/items/\(payout.id)/mark-failed?\(program)",
            ]
            item["canMarkPaid"] = canManage && payout.status == "pending"
            item["canMarkFailed"] = canManage && payout.status != "failed"
            return item
        }
        func total(_ status: String?) -> Int64 { payouts.filter { status == nil || $0.status == status }.reduce(0) { $0 + $1.amount } }
        func count(_ status: String) -> Int { payouts.filter { $0.status == status }.count }
        let pending = count("pending")
        var values: [String: Any] = [
            "programID": admin.programID, "programName": admin.programName, "batchID": batchID, "created": MessageTime.format(createdAt),
            "items": items, "hasItems": !items.isEmpty, "count": String(payouts.count), "total": admin.money(total(nil)),
            "pendingTotal": admin.money(total("pending")), "paidTotal": admin.money(total("paid")), "failedTotal": admin.money(total("failed")),
            "pendingCount": String(pending), "paidCount": String(count("paid")), "failedCount": String(count("failed")),
            "canManage": canManage, "canSettleBatch": canManage && pending > 0,
            "listURL": "/admin/payouts?\(program)",
            "csvURL": "/admin/payouts/\(batchID)/export.csv?\(program)", "paypalURL": "/admin/payouts/\(batchID)/export.paypal.csv?\(program)",
            "batchPaidAction": "/admin/payouts/\(batchID)/mark-paid?\(program)",
            "batchFailedAction": "/admin/payouts/\(batchID)/mark-failed?\(program)",
        ]
        if let error { values["error"] = error }
        if error == nil {
            switch request.queryParameters["done"] {
            case "created": values["notice"] = "Batch created. Export it, pay it, then mark it paid."
            case "paid": values["notice"] = "Marked paid."
            case "failed": values["notice"] = "Marked failed: the amount is back in the partner's available balance."
            default: break
            }
        }
        return try templates.page("admin/payout-batch", PageChrome(context: context, currentPath: "/admin/payouts").merged(with: values), status: status)
    }

    private func export(_ request: Request, _ context: RequestContext, paypal: Bool) throws -> Response {
        let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
        try admin.require(.managePayouts)
        let batchID = try Self.id(context)
        let found = try database.read { db -> ([PayoutExport.Row], String)? in
            guard let (_, payouts) = try batchPayouts(db, programID: admin.programID, batchID: batchID) else { return nil }
            let rows = try payouts.filter { $0.status != "failed" }.map { payout in
                PayoutExport.Row(payoutID: payout.id, partnerID: payout.partnerID, partnerName: payout.partnerName, method: payout.method,
                                 recipient: try store.recipient(in: db, payoutID: payout.id), amount: payout.amount, currency: payout.currency,
                                 reference: payout.reference)
            }
            return (rows, try ProgramSettings.load(in: db, programID: admin.programID)?.name ?? admin.programName)
        }
        guard let (rows, name) = found else { throw HTTPError(.notFound, "Not found") }
        if paypal {
            return Downloads.csv(PayoutExport.paypal(rows, note: "\(name) partner payout"), fileName: "paypal-payouts-batch-\(batchID).csv")
        }
        return Downloads.csv(PayoutExport.csv(rows), fileName: "payouts-batch-\(batchID).csv")
    }

    // MARK: - Paid and failed

    /// Every pending payout of the batch paid (with one reference) or failed (with one reason), in one transaction.
    private func settleBatch(_ request: Request, _ context: RequestContext, paid: Bool) throws -> Response {
        let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
        try admin.require(.managePayouts)
        let form = try FormBody.parse(request)
        let batchID = try Self.id(context)
        let text = (paid ? form["reference"] : form["reason"]) ?? ""
        let now = Self.now
        do {
            try database.write { db in
                guard let (_, payouts) = try batchPayouts(db, programID: admin.programID, batchID: batchID) else { throw PayoutStore.Failure.notFound }
                let pending = payouts.filter { $0.status == "pending" }
                guard !pending.isEmpty else { throw PayoutStore.Failure.invalid(["batch": ["has no pending payouts"]]) }
                for payout in pending { try settle(db, admin: admin, payoutID: payout.id, paid: paid, text: text, batchNote: true, now: now) }
                try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor,
                                      action: paid ? "payout.batch_mark_paid" : "payout.batch_mark_failed", subjectType: "payout_batch",
                                      subjectID: batchID, details: "\(pending.count) payouts" + (text.isEmpty ? "" : ": \(text)"), now: now)
            }
        } catch PayoutStore.Failure.notFound {
            throw HTTPError(.notFound, "Not found")
        } catch PayoutStore.Failure.invalid(let errors) {
            return try batchPage(request, context, admin: admin, batchID: batchID, error: Self.errorText(errors) + " Nothing was changed.",
                                 status: .unprocessableContent)
        }
        return .redirect(to: "/admin/payouts/\(batchID)?program=\(admin.programID)&done=\(paid ? "paid" : "failed")", status: .seeOther)
    }

    private func settleItem(_ request: Request, _ context: RequestContext, paid: Bool) throws -> Response {
        let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
        try admin.require(.managePayouts)
        let form = try FormBody.parse(request)
        let payoutID = try Self.id(context)
        let text = (paid ? form["reference"] : form["reason"]) ?? ""
        let now = Self.now
        guard let payout = try database.read({ db in try store.payout(in: db, programID: admin.programID, id: payoutID) }) else {
            throw HTTPError(.notFound, "Not found")
        }
        do {
            try database.write { db in try settle(db, admin: admin, payoutID: payoutID, paid: paid, text: text, batchNote: false, now: now) }
        } catch PayoutStore.Failure.notFound {
            throw HTTPError(.notFound, "Not found")
        } catch PayoutStore.Failure.invalid(let errors) {
            return try batchPage(request, context, admin: admin, batchID: payout.batchID,
                                 error: "Payout #\(payoutID): " + Self.errorText(errors), status: .unprocessableContent)
        }
        return .redirect(to: "/admin/payouts/\(payout.batchID)?program=\(admin.programID)&done=\(paid ? "paid" : "failed")", status: .seeOther)
    }

    /// One payout through `PayoutStore` (failing it returns the money through the ledger), with its audit entry.
    private func settle(_ db: Database, admin: AdminContext, payoutID: Int64, paid: Bool, text: String, batchNote: Bool, now: Int64) throws {
        let payout: PayoutStore.Payout
        if paid {
            payout = try store.markPaid(in: db, programID: admin.programID, id: payoutID, reference: text, now: now)
        } else {
            payout = try store.markFailed(in: db, programID: admin.programID, id: payoutID, reason: text, now: now)
        }
        let amount = MoneyText.format(payout.amount, currency: payout.currency)
        let note = text.trimmingCharacters(in: .whitespacesAndNewlines)
        try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: paid ? "payout.mark_paid" : "payout.mark_failed",
                              subjectType: "payout", subjectID: payoutID,
                              details: "\(amount) to \(payout.partnerName)" + (note.isEmpty ? "" : "; \(note)") + (batchNote ? " (whole batch)" : ""),
                              now: now)
    }

    // MARK: - 1099-NEC

    private func taxYear(_ request: Request, _ context: RequestContext, admin: AdminContext) throws -> Response {
        guard let year = YearlyEarningsStatement.year(from: try context.parameters.require("year")) else { throw HTTPError(.notFound, "Not found") }
        let totals = try database.read { db in try NECYearTotals.load(in: db, programID: admin.programID, year: year, currency: admin.currency) }
        let program = "program=\(admin.programID)"
        let rows: [[String: Any]] = totals.lines.map { line in
            ["partnerID": line.payee.partnerID, "partnerName": line.payee.partnerName, "legalName": line.payee.legalName,
             "business": TemplateValue.section(line.payee.businessName), "tin": TaxID.masked(kind: line.payee.taxIDType, last4: line.payee.taxIDLast4),
             "address": line.payee.address.isEmpty ? "—" : line.payee.address, "country": line.payee.country,
             "formStatus": line.payee.formStatus, "payouts": String(line.payouts), "total": admin.money(line.totalPaid),
             "reportable": line.reportable]
        }
        let values: [String: Any] = [
            "programID": admin.programID, "programName": admin.programName, "year": String(year), "rows": rows, "hasRows": !rows.isEmpty,
            "reportableCount": String(totals.reportableCount), "thresholdApplies": totals.thresholdApplies, "currency": admin.currency,
            "csvURL": "/admin/payouts/tax-year/\(year)/export.csv?\(program)", "canExport": admin.may(.managePayouts),
            "previousURL": "/admin/payouts/tax-year/\(year - 1)?\(program)", "nextURL": "/admin/payouts/tax-year/\(year + 1)?\(program)",
            "previousYear": String(year - 1), "nextYear": String(year + 1), "listURL": "/admin/payouts?\(program)",
        ]
        return try templates.page("admin/payouts-tax-year", PageChrome(context: context, currentPath: "/admin/payouts").merged(with: values))
    }
}
