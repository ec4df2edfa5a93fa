import Foundation
import HTTPServer
import PortalCore
import Store

/// `/admin/commissions`: the review queue. Tabs for pending, flagged (fraud signals waiting for a reviewer), approved
/// and rejected commissions, 50 a page (newest first, an id cursor); approve or reject one commission or a selection.
///
/// Every decision goes through `CommissionReview` (the engine): "approve" clears the commission, which approves it at
/// once when its hold is over and otherwise leaves it pending for `HoldRelease` at the end of the hold; "reject"
/// reverses what remains of it in the ledger, with the reason. A selection is all-or-nothing: one transaction, and
/// if any commission cannot take the decision (another admin decided it meanwhile, say) nothing changes and the page
/// says which ones and why. Every decided commission gets its own audit entry in that transaction.
struct AdminCommissionsController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let addressSecret: [UInt8]

    static let pageSize = 50
    /// A selection larger than a page is not something the page can send; refuse anything bigger.
    static let maximumSelection = 500

    enum Tab: String, CaseIterable {
        case pending, flagged, approved, rejected

        var label: String {
            switch self {
            case .pending: "Pending"
            case .flagged: "Flagged"
            case .approved: "Approved"
            case .rejected: "Rejected"
            }
        }

        var condition: String {
            switch self {
            case .pending: "c.status = 'pending' AND (c.review IS NULL OR c.review = 'cleared')"
            case .flagged: "c.status = 'pending' AND c.review = 'flagged'"
            case .approved: "c.status IN ('approved', 'paid')"
            case .rejected: "c.status = 'rejected'"
            }
        }

        var decidable: Bool { self == .pending || self == .flagged }
    }

    enum Decision: String {
        case approve, reject
    }

    /// Why a decision on one commission of a request was refused.
    struct ItemFailure: Error {
        let commissionID: Int64
        let messages: [String]
    }

    struct NotFound: Error {}

    func register(on routes: RouterGroup) {
        let small = RouteOptions(maxBodySize: 64 * 1024)
        routes.get("/") { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.viewProgram)
            return try page(request, context, admin: admin, error: nil, reason: "", selected: [], status: .ok)
        }
        routes.post("/bulk", options: small) { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.manageCommissions)
            let form = try FormBody.parse(request)
            let decision = Decision(rawValue: form["decision"] ?? "")
            let texts = form.values(for: "ids")
            let ids = texts.compactMap { Int64($0) }
            let reason = form["reason"] ?? ""
            var problem: String?
            if decision == nil { problem = "Choose approve or reject." }
            else if texts.isEmpty { problem = "Select at least one commission." }
            else if ids.count != texts.count { problem = "The selection could not be read." }
            else if ids.count > Self.maximumSelection { problem = "Select at most \(Self.maximumSelection) commissions at once." }
            else if decision == .reject && reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                problem = "Give a reason for rejecting (the partner sees it)."
            }
            if let problem {
                return try page(request, context, admin: admin, error: problem, reason: reason, selected: Set(ids), status: .unprocessableContent)
            }
            var seen = Set<Int64>()
            let unique = ids.filter { seen.insert($0).inserted }
            return try decide(request, context, admin: admin, ids: unique, decision: decision ?? .approve, reason: reason)
        }
        routes.post("/{id}/approve", options: small) { request, context in
            try single(request, context, decision: .approve)
        }
        routes.post("/{id}/reject", options: small) { request, context in
            try single(request, context, decision: .reject)
        }
    }

    private func single(_ request: Request, _ context: RequestContext, decision: Decision) throws -> Response {
        let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
        try admin.require(.manageCommissions)
        let form = try FormBody.parse(request)
        guard let id = Int64(try context.parameters.require("id")) else { throw HTTPError(.notFound, "Not found") }
        let reason = form["reason"] ?? ""
        if decision == .reject && reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return try page(request, context, admin: admin, error: "Give a reason for rejecting commission #\(id) (the partner sees it).",
                            reason: reason, selected: [id], status: .unprocessableContent)
        }
        return try decide(request, context, admin: admin, ids: [id], decision: decision, reason: reason)
    }

    /// Decides every commission in `ids` in one transaction, or none of them.
    private func decide(_ request: Request, _ context: RequestContext, admin: AdminContext, ids: [Int64], decision: Decision,
                        reason: String) throws -> Response {
        let now = Int64(Date().timeIntervalSince1970)
        let review = CommissionReview()
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        let note = ids.count > 1 ? " (one of \(ids.count) decided together)" : ""
        let outcome: (done: Int, waiting: Int)
        do {
            outcome = try database.write { db -> (Int, Int) in
                var done = 0, waiting = 0
                for id in ids {
                    do {
                        switch decision {
                        case .approve:
                            try review.clear(in: db, programID: admin.programID, commissionID: id, now: now)
                            let status = try db.queryValue("SELECT status FROM commissions WHERE id = ?", [id], as: String.self)
                            let approvedNow = status == "approved"
                            if !approvedNow { waiting += 1 }
                            try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "commission.approve",
                                                  subjectType: "commission", subjectID: id,
                                                  details: (approvedNow ? "Approved" : "Cleared; approved when its hold ends") + note, now: now)
                        case .reject:
                            try review.reject(in: db, programID: admin.programID, commissionID: id, reason: reason, now: now)
                            try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "commission.reject",
                                                  subjectType: "commission", subjectID: id, details: reason + note, now: now)
                        }
                        done += 1
                    } catch CommissionReview.Failure.notFound {
                        throw NotFound()
                    } catch CommissionReview.Failure.invalid(let errors) {
                        throw ItemFailure(commissionID: id, messages: errors.sorted { $0.key < $1.key }.flatMap(\.value))
                    } catch let error as LedgerError {
                        throw ItemFailure(commissionID: id, messages: ["the ledger refused it (\(error))"])
                    }
                }
                return (done, waiting)
            }
        } catch is NotFound {
            throw HTTPError(.notFound, "Not found")
        } catch let failure as ItemFailure {
            let verb = decision == .approve ? "approved" : "rejected"
            let message = "Commission #\(failure.commissionID) cannot be \(verb): \(failure.messages.joined(separator: ", ")). "
                + (ids.count > 1 ? "Nothing was changed: a selection is decided all together or not at all." : "Nothing was changed.")
            return try page(request, context, admin: admin, error: message, reason: reason, selected: Set(ids), status: .unprocessableContent)
        }
        var query = Query(request)
        query.before = nil
        let done = decision == .approve ? "approved" : "rejected"
        let back = query.url(programID: admin.programID, extra: [("done", done), ("count", String(outcome.done)), ("waiting", String(outcome.waiting))])
        return .redirect(to: back, status: .seeOther)
    }

    // MARK: - The list

    struct Query {
        var tab: Tab
        var before: Int64?

        init(_ request: Request) {
            tab = Tab(rawValue: request.queryParameters["tab"] ?? "") ?? .pending
            before = request.queryParameters["before"].flatMap { Int64($0) }.flatMap { $0 > 0 ? $0 : nil }
        }

        func url(programID: Int64, tab: Tab? = nil, before: Int64? = nil, extra: [(String, String)] = []) -> String {
            var pairs: [(String, String)] = [("program", String(programID)), ("tab", (tab ?? self.tab).rawValue)]
            if let before { pairs.append(("before", String(before))) }
            return "/admin/commissions?" + FormParameters.encode(pairs + extra)
        }
    }

    struct Item {
        let id: Int64
        let partnerID: Int64
        let partnerName: String
        let amount: Int64
        let currency: String
        let status: String
        let level: Int64
        let externalID: String
        let saleAmount: Int64?
        let holdUntil: Int64
        let createdAt: Int64
    }

    func items(programID: Int64, tab: Tab, before: Int64?) throws -> (items: [Item], flags: [Int64: [String]], more: Bool, counts: [Tab: Int64]) {
        try database.read { db in
            let found = try db.query("""
                SELECT c.id, c.partner_id, p.name AS partner_name, c.amount, c.currency, c.status, c.level, c.hold_until, c.created_at,
                       v.external_id, v.amount AS sale_amount
                FROM commissions c JOIN partners p ON p.id = c.partner_id JOIN conversions v ON v.id = c.conversion_id
                WHERE c.program_id = ? AND \(tab.condition) AND c.id < ?
                ORDER BY c.id DESC LIMIT ?
                """, [programID, before ?? Int64.max, Int64(Self.pageSize + 1)]).map { row in
                Item(id: try row["id"], partnerID: try row["partner_id"], partnerName: try row["partner_name"], amount: try row["amount"],
                     currency: try row["currency"], status: try row["status"], level: try row["level"], externalID: try row["external_id"],
                     saleAmount: try row["sale_amount"], holdUntil: try row["hold_until"], createdAt: try row["created_at"])
            }
            let shown = Array(found.prefix(Self.pageSize))
            var flags: [Int64: [String]] = [:]
            if !shown.isEmpty {
                let marks = Array(repeating: "?", count: shown.count).joined(separator: ", ")
                let values: [(any DatabaseValueConvertible)?] = shown.map { $0.id }
                for row in try db.query("SELECT commission_id, kind, reason FROM commission_flags WHERE commission_id IN (\(marks)) ORDER BY id",
                                        StatementArguments(values)) {
                    let id: Int64 = try row["commission_id"]
                    let kind: String = try row["kind"]
                    let reason: String = try row["reason"]
                    flags[id, default: []].append(kind == "rejected" ? "Rejected: \(reason)" : "\(kind.replacingOccurrences(of: "_", with: " ")): \(reason)")
                }
            }
            var counts: [Tab: Int64] = [:]
            for tab in [Tab.pending, .flagged] {
                counts[tab] = try db.queryValue("SELECT count(*) FROM commissions c WHERE c.program_id = ? AND \(tab.condition)",
                                                [programID], as: Int64.self) ?? 0
            }
            return (shown, flags, found.count > Self.pageSize, counts)
        }
    }

    static func age(_ createdAt: Int64, now: Int64) -> String {
        let days = max(0, (now - createdAt) / 86_400)
        return days == 0 ? "today" : days == 1 ? "1 day" : "\(days) days"
    }

    private func page(_ request: Request, _ context: RequestContext, admin: AdminContext, error: String?, reason: String,
                      selected: Set<Int64>, status: HTTPStatus) throws -> Response {
        let query = Query(request)
        let now = Int64(Date().timeIntervalSince1970)
        let (rows, flags, more, counts) = try items(programID: admin.programID, tab: query.tab, before: query.before)
        let canManage = admin.may(.manageCommissions) && query.tab.decidable
        let items: [[String: Any]] = rows.map { item in
            let itemFlags = flags[item.id] ?? []
            var values: [String: Any] = [
                "id": item.id, "partnerID": item.partnerID, "partnerName": item.partnerName,
                "amount": MoneyText.format(item.amount, currency: item.currency), "conversion": item.externalID,
                "sale": TemplateValue.section(item.saleAmount.map { MoneyText.format($0, currency: item.currency) } ?? ""),
                "override": item.level > 0, "status": item.status, "age": Self.age(item.createdAt, now: now),
                "held": item.status == "pending" && item.holdUntil > now,
                "holdUntil": CivilDate.format(days: DailyStats.day(of: item.holdUntil)),
                "flags": itemFlags.map { ["text": $0] }, "hasFlags": !itemFlags.isEmpty,
                "checked": selected.contains(item.id),
            ]
            values["canDecide"] = canManage && item.status == "pending"
            return values
        }
        let tabs: [[String: Any]] = Tab.allCases.map { tab in
            var label = tab.label
            if let count = counts[tab] { label += " (\(count))" }
            return ["label": label, "url": query.url(programID: admin.programID, tab: tab), "current": tab == query.tab]
        }
        var values: [String: Any] = [
            "programID": admin.programID, "programName": admin.programName, "items": items, "hasItems": !items.isEmpty,
            "tabs": tabs, "tab": query.tab.rawValue, "tabLabel": query.tab.label, "canManage": canManage && !items.isEmpty,
            "reason": reason, "returnTab": query.tab.rawValue, "isFirstPage": query.before == nil,
        ]
        if let error { values["error"] = error }
        if error == nil, let done = request.queryParameters["done"], ["approved", "rejected"].contains(done),
           let count = Int(request.queryParameters["count"] ?? "") {
            let waiting = Int(request.queryParameters["waiting"] ?? "") ?? 0
            var text = count == 1 ? "1 commission \(done)." : "\(count) commissions \(done)."
            if waiting > 0 { text += " \(waiting) still in their hold: cleared now, approved when the hold ends." }
            values["notice"] = text
        }
        if more, let last = rows.last { values["nextURL"] = query.url(programID: admin.programID, before: last.id) }
        if query.before != nil { values["firstURL"] = query.url(programID: admin.programID) }
        let bulkAction = "/admin/commissions/bulk?" + FormParameters.encode([("program", String(admin.programID)), ("tab", query.tab.rawValue)])
        values["bulkAction"] = bulkAction
        return try templates.page("admin/commissions", PageChrome(context: context, currentPath: "/admin/commissions").merged(with: values),
                                  status: status)
    }
}
