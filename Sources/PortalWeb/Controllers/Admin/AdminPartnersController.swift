import Foundation
import HTTPServer
import PortalCore
import Store

/// `/admin/partners`: the program's partners for its staff — a searchable, filterable, sortable list (50 a page)
/// with last-30-day clicks and earnings, one partner's page, and the status changes (approve, reject, suspend,
/// reinstate). Every query is scoped by `AdminContext.programID`; every change writes an audit entry in the same
/// transaction, and `PartnerStore.transition` validates it and e-mails the partner.
struct AdminPartnersController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let addressSecret: [UInt8]
    let vault: PayoutDetailsVault
    let taxForms: TaxFormStore

    static let pageSize = 50

    func register(on routes: RouterGroup) {
        let small = RouteOptions(maxBodySize: 16 * 1024)
        routes.get("/") { request, context in
            try list(request, context)
        }
        routes.get("/{id}") { request, context in
            try detail(request, context)
        }
        routes.post("/{id}/approve", options: small) { request, context in
            try change(request, context, action: "approve", to: .approved)
        }
        routes.post("/{id}/reject", options: small) { request, context in
            try change(request, context, action: "reject", to: .rejected)
        }
        routes.post("/{id}/suspend", options: small) { request, context in
            try change(request, context, action: "suspend", to: .suspended)
        }
        routes.post("/{id}/reinstate", options: small) { request, context in
            try change(request, context, action: "reinstate", to: .approved)
        }
        routes.post("/{id}/adjustments", options: small) { request, context in
            try adjust(request, context)
        }
    }

    // MARK: - Changes

    private func change(_ request: Request, _ context: RequestContext, action: String, to status: PartnerStatus) throws -> Response {
        let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
        try admin.require(.managePartners)
        let form = try FormBody.parse(request)
        guard let id = Int64(try context.parameters.require("id")) else { throw HTTPError(.notFound, "Not found") }
        let reason = form["reason"] ?? ""
        let now = Int64(Date().timeIntervalSince1970)
        let store = PartnerStore(vault: vault)
        do {
            try database.write { db in
                guard let current = try store.partner(in: db, programID: admin.programID, id: id) else { throw PartnerStore.Failure.notFound }
                // Reinstating is approving a suspended partner; approving is for applications (and rejected ones).
                if action == "reinstate" && current.status != .suspended {
                    throw PartnerStore.Failure.invalid(["status": ["only a suspended partner can be reinstated"]])
                }
                if action == "approve" && current.status == .suspended {
                    throw PartnerStore.Failure.invalid(["status": ["a suspended partner is reinstated, not approved"]])
                }
                let changed = try store.transition(in: db, programID: admin.programID, id: id, to: status, reason: reason, now: now)
                try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "partner." + action,
                                      subjectType: "partner", subjectID: id, details: changed.statusReason, now: now)
            }
        } catch PartnerStore.Failure.notFound {
            throw HTTPError(.notFound, "Not found")
        } catch PartnerStore.Failure.invalid(let errors) {
            let text = errors.sorted { $0.key < $1.key }.map { "\($0.key.capitalized) \($0.value.joined(separator: ", "))." }.joined(separator: " ")
            throw HTTPError(.unprocessableContent, text)
        }
        let back = Self.safeReturn(form["return"]) ?? "/admin/partners/\(id)?program=\(admin.programID)"
        return .redirect(to: back, status: .seeOther)
    }

    /// A local admin-partners path, or nil (no open redirects, no header injection).
    static func safeReturn(_ value: String?) -> String? {
        guard let value, value.hasPrefix("/admin/partners"), value.count <= 2000,
              !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" }) else { return nil }
        let rest = value.dropFirst("/admin/partners".count)
        guard rest.isEmpty || rest.hasPrefix("/") || rest.hasPrefix("?") else { return nil }
        return value
    }

    // MARK: - List

    struct Query {
        var search: String
        var status: PartnerStatus?
        var group: String
        var sort: String
        var descending: Bool
        var page: Int

        init(_ request: Request) {
            let parameters = request.queryParameters
            search = (parameters["q"] ?? "").trimmingCharacters(in: .whitespaces)
            status = PartnerStatus(rawValue: parameters["status"] ?? "")
            group = parameters["group"] ?? ""
            let sort = parameters["sort"] ?? "created"
            self.sort = ["name", "created", "earnings"].contains(sort) ? sort : "created"
            let direction = parameters["dir"] ?? (self.sort == "name" ? "asc" : "desc")
            descending = direction == "desc"
            page = max(1, min(Int(parameters["page"] ?? "") ?? 1, 100_000))
        }

        /// `LIKE` pattern matching `text` anywhere, its `%`, `_` and `\` taken literally (`ESCAPE '\'`).
        static func likePattern(_ text: String) -> String {
            var escaped = ""
            for character in text {
                if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
                escaped.append(character)
            }
            return "%" + escaped + "%"
        }

        func orderBy() -> String {
            let direction = descending ? "DESC" : "ASC"
            switch sort {
            case "name": return "p.name COLLATE NOCASE \(direction), p.id \(direction)"
            case "earnings": return "earnings \(direction), p.id \(direction)"
            default: return "p.created_at \(direction), p.id \(direction)"
            }
        }

        /// The list's URL with these settings, `changes` applied (nil removes a parameter).
        func url(programID: Int64, _ changes: [String: String?] = [:]) -> String {
            var values: [String: String] = ["program": String(programID), "sort": sort, "dir": descending ? "desc" : "asc"]
            if !search.isEmpty { values["q"] = search }
            if let status { values["status"] = status.rawValue }
            if !group.isEmpty { values["group"] = group }
            if page > 1 { values["page"] = String(page) }
            for (key, value) in changes { values[key] = value }
            let order = ["program", "q", "status", "group", "sort", "dir", "page"]
            let pairs: [(String, String)] = order.compactMap { key in values[key].map { (key, $0) } }
            return "/admin/partners?" + FormParameters.encode(pairs)
        }
    }

    struct ListRow {
        let id: Int64
        let name: String
        let company: String
        let email: String
        let status: PartnerStatus
        let group: String
        let createdAt: Int64
    }

    static func since(_ now: Int64) -> Int64 { DailyStats.day(of: now) - 29 }

    /// One page of the program's partners (and whether another follows).
    func partnersPage(programID: Int64, _ query: Query, now: Int64) throws -> (rows: [ListRow], more: Bool, stats: [Int64: (Int64, Int64)]) {
        let pattern: String? = query.search.isEmpty ? nil : Query.likePattern(query.search)
        let group: String? = query.group.isEmpty ? nil : query.group
        let offset = Int64((query.page - 1) * Self.pageSize)
        let since = Self.since(now)
        // The earnings sort ranks every matching partner by the 30-day totals of the per-partner rollups, in Swift.
        if query.sort == "earnings" {
            return try database.read { db in
                try earningsPage(in: db, programID: programID, query, pattern: pattern, group: group, since: since, today: DailyStats.day(of: now))
            }
        }
        // ?5 (`since`) is used by the page's stats below, not by this query (SQLite counts parameters by the highest index).
        let earnings = "0"
        let sql = """
            SELECT p.id, p.name, p.company, p.email, p.status, p.group_name, p.created_at, \(earnings) AS earnings
            FROM partners p
            WHERE p.program_id = ?1 AND (?2 IS NULL OR p.status = ?2) AND (?3 IS NULL OR p.group_name = ?3)
              AND (?4 IS NULL OR p.name LIKE ?4 ESCAPE '\\' OR p.email LIKE ?4 ESCAPE '\\' OR p.company LIKE ?4 ESCAPE '\\')
            ORDER BY \(query.orderBy()) LIMIT ?6 OFFSET ?7
            """
        let arguments: StatementArguments = [programID, query.status?.rawValue, group, pattern, since, Int64(Self.pageSize + 1), offset]
        return try database.read { db in
            let found = try db.query(sql, arguments).map { row -> ListRow in
                ListRow(id: try row["id"], name: try row["name"], company: try row["company"], email: try row["email"],
                        status: PartnerStatus(rawValue: try row["status"]) ?? .pending, group: try row["group_name"],
                        createdAt: try row["created_at"])
            }
            let rows = Array(found.prefix(Self.pageSize))
            var stats: [Int64: (Int64, Int64)] = [:]
            if !rows.isEmpty {
                // One grouped query for the page's partners.
                let marks = Array(repeating: "?", count: rows.count).joined(separator: ", ")
                var values: [(any DatabaseValueConvertible)?] = rows.map { $0.id }
                values.append(since)
                let statRows = try db.query("""
                    SELECT partner_id, sum(clicks) AS clicks, sum(commission) AS earnings FROM daily_stats
                    WHERE partner_id IN (\(marks)) AND day >= ? GROUP BY partner_id
                    """, StatementArguments(values))
                for row in statRows {
                    let partnerID: Int64 = try row["partner_id"]
                    let clicks: Int64 = try row["clicks"]
                    let earned: Int64 = try row["earnings"]
                    stats[partnerID] = (clicks, earned)
                }
            }
            return (rows, found.count > Self.pageSize, stats)
        }
    }

    /// The earnings sort: every partner's 30-day totals from the per-partner rollups (`ProgramAnalytics.partnerTotals`:
    /// a monthly row and a few daily ones per partner), the matching partners' ids from the partners table, ranked by
    /// earnings then id in Swift, then the page's rows. Joining a GROUP BY of `daily_stats` instead sorted every rollup
    /// row of 30 days (0.66 s with 10M clicks; BENCHMARKS.md, issue 6).
    private func earningsPage(in db: Database, programID: Int64, _ query: Query, pattern: String?, group: String?, since: Int64,
                              today: Int64) throws -> (rows: [ListRow], more: Bool, stats: [Int64: (Int64, Int64)]) {
        let totals = try ProgramAnalytics.partnerTotals(in: db, programID: programID, from: since, to: today)
        var ids: [Int64] = []
        let statement = try db.cachedStatement("""
            SELECT p.id FROM partners p WHERE p.program_id = ?1 AND (?2 IS NULL OR p.status = ?2) AND (?3 IS NULL OR p.group_name = ?3)
              AND (?4 IS NULL OR p.name LIKE ?4 ESCAPE '\\' OR p.email LIKE ?4 ESCAPE '\\' OR p.company LIKE ?4 ESCAPE '\\')
            """)
        defer { statement.reset() }
        try statement.bind([programID, query.status?.rawValue, group, pattern])
        while try statement.step() { ids.append(statement.int64(at: 0)) }
        let descending = query.descending
        var ranked = ids.map { (id: $0, earned: totals[$0]?.commission ?? 0) }
        ranked.sort { a, b in
            if a.earned != b.earned { return descending ? a.earned > b.earned : a.earned < b.earned }
            return descending ? a.id > b.id : a.id < b.id
        }
        ids = ranked.map(\.id)
        let offset = (query.page - 1) * Self.pageSize
        let slice = offset < ids.count ? Array(ids[offset..<min(ids.count, offset + Self.pageSize)]) : []
        var byID: [Int64: ListRow] = [:]
        if !slice.isEmpty {
            let marks = Array(repeating: "?", count: slice.count).joined(separator: ", ")
            let arguments: [(any DatabaseValueConvertible)?] = [programID] + slice.map { $0 }
            for row in try db.query("""
                SELECT id, name, company, email, status, group_name, created_at FROM partners WHERE +program_id = ? AND id IN (\(marks))
                """, StatementArguments(arguments)) {
                let item = ListRow(id: try row["id"], name: try row["name"], company: try row["company"], email: try row["email"],
                                   status: PartnerStatus(rawValue: try row["status"]) ?? .pending, group: try row["group_name"],
                                   createdAt: try row["created_at"])
                byID[item.id] = item
            }
        }
        var stats: [Int64: (Int64, Int64)] = [:]
        for id in slice { if let partner = totals[id] { stats[id] = (partner.clicks, partner.commission) } }
        return (slice.compactMap { byID[$0] }, ids.count > offset + Self.pageSize, stats)
    }

    private func list(_ request: Request, _ context: RequestContext) throws -> Response {
        let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
        try admin.require(.viewProgram)
        let query = Query(request)
        let now = Int64(Date().timeIntervalSince1970)
        let (rows, more, stats) = try partnersPage(programID: admin.programID, query, now: now)
        let groups = try database.read { db in
            try PartnerStore.groupNames(in: db, programID: admin.programID, limit: 200)
        }
        let canManage = admin.may(.managePartners)
        let here = query.url(programID: admin.programID)
        let items: [[String: Any]] = rows.map { row in
            let stat = stats[row.id] ?? (0, 0)
            var item: [String: Any] = [
                "id": row.id, "name": row.name, "email": row.email, "group": TemplateValue.section(row.group),
                "company": TemplateValue.section(row.company), "statusLabel": Self.statusLabel(row.status),
                "statusClass": Self.statusClass(row.status), "joined": CivilDate.format(days: DailyStats.day(of: row.createdAt)),
                "clicks": String(stat.0), "earnings": admin.money(stat.1),
            ]
            item["canDecide"] = canManage && row.status == .pending
            return item
        }
        let statusChoices: [[String: Any]] = [("", "All statuses")] .map { ["value": $0.0, "label": $0.1, "selected": query.status == nil] }
            + PartnerStatus.allCases.map { ["value": $0.rawValue, "label": Self.statusLabel($0), "selected": query.status == $0] }
        let groupChoices: [[String: Any]] = groups.map { ["value": $0, "selected": query.group == $0] }
        let sortChoices: [[String: Any]] = [("created", "Joined"), ("name", "Name"), ("earnings", "Earnings (30 days)")].map {
            ["value": $0.0, "label": $0.1, "selected": query.sort == $0.0]
        }
        var values: [String: Any] = [
            "programID": admin.programID, "programName": admin.programName, "partners": items, "hasPartners": !items.isEmpty,
            "canManage": canManage, "returnPath": here, "q": query.search, "statuses": statusChoices, "groups": groupChoices,
            "hasGroups": !groupChoices.isEmpty, "sorts": sortChoices, "descending": query.descending, "page": query.page,
            "noGroup": query.group.isEmpty,
        ]
        if query.page > 1 { values["previousURL"] = query.url(programID: admin.programID, ["page": String(query.page - 1)]) }
        if more { values["nextURL"] = query.url(programID: admin.programID, ["page": String(query.page + 1)]) }
        let current = query.status == .pending ? "/admin/partners?status=pending" : "/admin/partners"
        return try templates.page("admin/partners", PageChrome(context: context, currentPath: current).merged(with: values))
    }

    static func statusLabel(_ status: PartnerStatus) -> String {
        switch status {
        case .pending: "Application"
        case .approved: "Approved"
        case .rejected: "Rejected"
        case .suspended: "Suspended"
        }
    }

    static func statusClass(_ status: PartnerStatus) -> String {
        switch status {
        case .pending: "warn"
        case .approved: "ok"
        case .rejected, .suspended: "bad"
        }
    }
}

// MARK: - One partner

extension AdminPartnersController {
    /// What the adjustment form shows again after a refusal: the message and what was typed.
    struct AdjustmentForm {
        var error = ""
        var amount = ""
        var reason = ""
    }

    private func detail(_ request: Request, _ context: RequestContext, adjustment: AdjustmentForm = AdjustmentForm(),
                        status: HTTPStatus = .ok) throws -> Response {
        let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
        try admin.require(.viewProgram)
        guard let id = Int64(try context.parameters.require("id")) else { throw HTTPError(.notFound, "Not found") }
        let since = Self.since(Int64(Date().timeIntervalSince1970))
        var values = try database.read { db -> [String: Any]? in
            guard let row = try db.queryOne("""
                SELECT id, name, email, company, website, country, group_name, status, status_reason, application_answers, created_at
                FROM partners WHERE id = ? AND program_id = ?
                """, [id, admin.programID]) else { return nil }
            // The figures and the staff sections (notes, group, tree) in one read snapshot.
            return try partnerValues(db, row: row, admin: admin, since: since)
                .merging(AdminPartnerPageExtras.values(in: db, admin: admin, partnerID: id)) { page, _ in page }
        }
        guard values != nil else { throw HTTPError(.notFound, "Not found") }
        values?["programID"] = admin.programID
        values?["programName"] = admin.programName
        values?["returnPath"] = "/admin/partners/\(id)?program=\(admin.programID)"
        values?["listURL"] = "/admin/partners?program=\(admin.programID)"
        values?["adjustmentAction"] = "/admin/partners/\(id)/adjustments?program=\(admin.programID)"
        values?["canAdjust"] = admin.may(.manageCommissions)
        values?["adjustmentError"] = TemplateValue.section(adjustment.error)
        values?["adjustmentAmount"] = adjustment.amount
        values?["adjustmentReason"] = adjustment.reason
        if request.queryParameters["done"] == "adjusted" { values?["adjustmentNotice"] = "Adjustment recorded." }
        return try templates.page("admin/partner", PageChrome(context: context, currentPath: "/admin/partners").merged(with: values ?? [:]),
                                  status: status)
    }

    /// `"-12.50"` → -1250 in USD: an optional sign, then `Currency.minorUnits`; nil for anything else.
    static func signedMinorUnits(_ text: String, currency: String) -> Int64? {
        var text = text.trimmingCharacters(in: .whitespaces)
        var sign: Int64 = 1
        if let first = text.first, first == "-" || first == "+" || first == "\u{2212}" {
            sign = first == "+" ? 1 : -1
            text.removeFirst()
        }
        return Currency.minorUnits(from: text, currency: currency).map { $0 * sign }
    }

    /// A manual adjustment (negative) or bonus (positive) straight into the partner's available balance, with a
    /// reason, through the ledger (`LedgerStore.adjust`) and audited in the same transaction.
    private func adjust(_ request: Request, _ context: RequestContext) throws -> Response {
        let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
        try admin.require(.manageCommissions)
        let form = try FormBody.parse(request)
        guard let id = Int64(try context.parameters.require("id")) else { throw HTTPError(.notFound, "Not found") }
        let amountText = form["amount"] ?? ""
        let reason = (form["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let amount = Self.signedMinorUnits(amountText, currency: admin.currency)
        let exists = try database.read { db in try db.queryOne("SELECT 1 FROM partners WHERE id = ? AND program_id = ?", [id, admin.programID]) != nil }
        guard exists else { throw HTTPError(.notFound, "Not found") }
        var problems: [String] = []
        if amount == nil || amount == 0 || (amount ?? 0).magnitude > NewConversion.maximumAmount.magnitude {
            problems.append("Enter a non-zero amount such as 25.00, or -25.00 to take money back.")
        }
        if reason.isEmpty { problems.append("Give a reason (the partner sees it on their statement).") }
        if reason.count > 500 { problems.append("The reason must be at most 500 characters.") }
        guard problems.isEmpty, let amount else {
            return try detail(request, context, adjustment: AdjustmentForm(error: problems.joined(separator: " "), amount: amountText, reason: reason),
                              status: .unprocessableContent)
        }
        let now = Int64(Date().timeIntervalSince1970)
        try database.write { db in
            try LedgerStore().adjust(in: db, programID: admin.programID, partnerID: id, amount: amount, reason: reason, now: now)
            try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: amount > 0 ? "partner.bonus" : "partner.adjust",
                                  subjectType: "partner", subjectID: id, details: "\(admin.money(amount)): \(reason)", now: now)
        }
        return .redirect(to: "/admin/partners/\(id)?program=\(admin.programID)&done=adjusted", status: .seeOther)
    }

    private func partnerValues(_ db: Database, row: Row, admin: AdminContext, since: Int64) throws -> [String: Any] {
        let id: Int64 = try row["id"]
        let status = PartnerStatus(rawValue: try row["status"]) ?? .pending
        let canManage = admin.may(.managePartners)
        var values: [String: Any] = [
            "id": id, "name": try row["name"] as String, "email": try row["email"] as String,
            "company": TemplateValue.section(try row["company"]), "website": TemplateValue.section(try row["website"]),
            "country": TemplateValue.section(try row["country"]), "group": TemplateValue.section(try row["group_name"]),
            "statusLabel": Self.statusLabel(status), "statusClass": Self.statusClass(status),
            "statusReason": TemplateValue.section(try row["status_reason"]),
            "joined": CivilDate.format(days: DailyStats.day(of: try row["created_at"])),
            "canApprove": canManage && (status == .pending || status == .rejected),
            "canReject": canManage && status == .pending,
            "canSuspend": canManage && status == .approved,
            "canReinstate": canManage && status == .suspended,
        ]
        values["answers"] = Self.answers(try row["application_answers"])
        values["hasAnswers"] = !((values["answers"] as? [[String: String]]) ?? []).isEmpty

        let totals = try db.queryOne("""
            SELECT ifnull(sum(clicks), 0) AS clicks, ifnull(sum(sales), 0) AS sales, ifnull(sum(revenue), 0) AS revenue,
                   ifnull(sum(commission), 0) AS commission
            FROM daily_stats WHERE partner_id = ? AND day >= ?
            """, [id, since])
        let clicks: Int64 = try totals?["clicks"] ?? 0
        let sales: Int64 = try totals?["sales"] ?? 0
        let revenue: Int64 = try totals?["revenue"] ?? 0
        let commission: Int64 = try totals?["commission"] ?? 0
        values["clicks"] = String(clicks)
        values["sales"] = String(sales)
        values["revenue"] = admin.money(revenue)
        values["earnings"] = admin.money(commission)

        var linkClicks: [Int64: Int64] = [:]
        for stat in try db.query("SELECT link_id, sum(clicks) AS clicks FROM daily_stats WHERE partner_id = ? AND day >= ? GROUP BY link_id",
                                 [id, since]) {
            let linkID: Int64 = try stat["link_id"]
            let count: Int64 = try stat["clicks"]
            linkClicks[linkID] = count
        }
        let links = try db.query("""
            SELECT id, code, destination_url, archived_at FROM links WHERE partner_id = ? AND program_id = ? ORDER BY id DESC LIMIT 100
            """, [id, admin.programID]).map { link -> [String: Any] in
            let linkID: Int64 = try link["id"]
            let archived: Int64? = try link["archived_at"]
            return ["code": try link["code"] as String, "destination": try link["destination_url"] as String,
                    "clicks": String(linkClicks[linkID] ?? 0), "archived": archived != nil]
        }
        values["links"] = links
        values["hasLinks"] = !links.isEmpty

        let commissions = try db.query("""
            SELECT id, amount, currency, status, rule, created_at FROM commissions WHERE partner_id = ? AND program_id = ?
            ORDER BY id DESC LIMIT 20
            """, [id, admin.programID]).map { item -> [String: Any] in
            let amount: Int64 = try item["amount"]
            let currency: String = try item["currency"]
            return ["id": try item["id"] as Int64, "amount": MoneyText.format(amount, currency: currency),
                    "status": try item["status"] as String, "rule": try item["rule"] as String,
                    "date": CivilDate.format(days: DailyStats.day(of: try item["created_at"]))]
        }
        values["commissions"] = commissions
        values["hasCommissions"] = !commissions.isEmpty

        let payouts = try db.query("""
            SELECT id, amount, currency, status, method, created_at FROM payouts WHERE partner_id = ? AND program_id = ?
            ORDER BY id DESC LIMIT 10
            """, [id, admin.programID]).map { item -> [String: Any] in
            let amount: Int64 = try item["amount"]
            let currency: String = try item["currency"]
            return ["id": try item["id"] as Int64, "amount": MoneyText.format(amount, currency: currency),
                    "status": try item["status"] as String, "method": try item["method"] as String,
                    "date": CivilDate.format(days: DailyStats.day(of: try item["created_at"]))]
        }
        values["payouts"] = payouts
        values["hasPayouts"] = !payouts.isEmpty
        let balance = try LedgerStore().balance(in: db, partnerID: id)
        values["balancePending"] = admin.money(balance.pending)
        values["balanceAvailable"] = admin.money(balance.available)
        values["balancePaid"] = admin.money(balance.paid)

        // Tax: the kind, the masked id and the review status only — never the full id.
        if let form = try taxForms.current(in: db, partnerID: id) {
            values["tax"] = ["kind": form.kind.label, "maskedID": form.maskedTaxID, "status": form.status.label,
                             "reason": TemplateValue.section(form.statusReason)] as [String: Any]
        }

        let team = try db.query("""
            SELECT u.name, u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.partner_id = ? ORDER BY m.id
            """, [id]).map { member -> [String: Any] in
            let role = Role(rawValue: try member["role"]) ?? .partnerViewer
            return ["name": try member["name"] as String, "email": try member["email"] as String, "role": role.title]
        }
        values["team"] = team
        values["hasTeam"] = !team.isEmpty
        return values
    }

    /// The application's answers (a JSON object) as label/value pairs, in key order.
    static func answers(_ json: String) -> [[String: String]] {
        guard let data = json.data(using: .utf8),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return [] }
        return object.keys.sorted().map { key in
            let value = object[key]
            let text: String
            if let string = value as? String { text = string } else { text = value.map { "\($0)" } ?? "" }
            return ["label": key.replacingOccurrences(of: "_", with: " ").capitalized, "value": text]
        }
    }
}
