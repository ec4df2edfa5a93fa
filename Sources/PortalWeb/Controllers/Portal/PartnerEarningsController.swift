import Foundation
import HTTPServer
import PortalCore
import Store

/// `/portal/commissions` (every commission with its conversion, rule, status and the date or reason behind the
/// status; filter by status; monthly statements as CSV) and `/portal/payouts` (history, each payout with what it
/// settled, its statement). All scoped to the signed-in partner through `PartnerContext`.
struct PartnerEarningsController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let payouts: PayoutStore

    static let pageSize = 50

    func register(on routes: RouterGroup) {
        routes.get("/commissions") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            let status = request.queryParameters["status"].flatMap { $0.isEmpty ? nil : $0 }
            if let status, !CommissionStore.statuses.contains(status) { throw HTTPError(.badRequest, "Unknown status filter.") }
            let before = request.queryParameters["before"].flatMap(Int64.init)
            let (rows, holdDays) = try database.read { db in
                (try CommissionStore().commissions(in: db, programID: partner.programID, partnerID: partner.partnerID, status: status,
                                                   before: before, limit: Self.pageSize + 1),
                 try ProgramSettings.load(in: db, programID: partner.programID)?.holdDays ?? 0)
            }
            let page = rows.prefix(Self.pageSize)
            let items = page.map { listed -> [String: Any] in
                let c = listed.commission
                return ["id": c.id, "path": "/portal/commissions/\(c.id)", "externalID": listed.externalID, "amount": partner.money(c.amount), "status": c.status,
                        "tone": Self.tone(c.status), "rule": Self.ruleText(c.rule, level: c.level),
                        "date": CivilDate.format(days: DailyStats.day(of: listed.createdAt)),
                        "explanation": Self.explanation(listed, holdDays: holdDays)]
            }
            let months = (0..<12).map { offset -> [String: String] in
                let (y, m, _) = CivilDate.ymd(days: DailyStats.day(of: Int64(Date().timeIntervalSince1970)))
                var month = m - Int64(offset), year = y
                while month < 1 { month += 12; year -= 1 }
                let text = "\(year)-\(month < 10 ? "0" : "")\(month)"
                return ["value": text]
            }
            return try templates.page("portal/commissions", PageChrome(context: context, currentPath: "/portal/commissions").merged(with: [
                "programName": partner.programName, "commissions": items, "hasCommissions": !items.isEmpty,
                "filters": ([""] + CommissionStore.statuses.sorted()).map { ["value": $0, "label": $0.isEmpty ? "All" : $0.capitalized, "selected": $0 == (status ?? "")] },
                "nextPage": TemplateValue.section(rows.count > Self.pageSize ? "/portal/commissions?status=\(status ?? "")&before=\(page.last?.commission.id ?? 0)" : ""),
                "months": months, "filtered": status != nil,
            ]))
        }
        routes.get("/commissions/statement.csv") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            guard let month = request.queryParameters["month"], let start = CivilDate.parse(month + "-01") else {
                throw HTTPError(.badRequest, "Choose a month as YYYY-MM.")
            }
            let (y, m, _) = CivilDate.ymd(days: start)
            let end = m == 12 ? CivilDate.days(year: y + 1, month: 1, day: 1) : CivilDate.days(year: y, month: m + 1, day: 1)
            let rows = try database.read { db in
                try db.query("""
                    SELECT c.id, c.created_at, c.amount, c.status, c.level, c.rule, v.external_id, v.type, v.amount AS sale
                    FROM commissions c JOIN conversions v ON v.id = c.conversion_id
                    WHERE c.partner_id = ? AND c.program_id = ? AND c.created_at >= ? AND c.created_at < ? ORDER BY c.id
                    """, [partner.partnerID, partner.programID, start * 86_400, end * 86_400])
            }
            var csv = "date,commission_id,conversion,type,sale_amount,commission,currency,status,rule\r\n"
            var total: Int64 = 0
            for row in rows {
                let amount: Int64 = try row["amount"]
                total += amount
                let sale: Int64? = try row["sale"]
                csv += [CivilDate.format(days: DailyStats.day(of: try row["created_at"])), String(try row["id"] as Int64),
                        PayoutExport.field(try row["external_id"]), try row["type"] as String,
                        sale.map { Currency.majorUnits($0, currency: partner.currency) } ?? "",
                        Currency.majorUnits(amount, currency: partner.currency), partner.currency, try row["status"] as String,
                        Self.ruleText(try row["rule"], level: Int(try row["level"] as Int64))].joined(separator: ",") + "\r\n"
            }
            csv += ",Total for \(month),,,,\(Currency.majorUnits(total, currency: partner.currency)),\(partner.currency),,\r\n"
            return Downloads.csv(csv, fileName: "earnings-\(month).csv")
        }
        routes.get("/commissions/{id}") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            guard let id = Int64(try context.parameters.require("id")),
                  let values = try database.read({ db in try commissionDetail(db, partner: partner, commissionID: id) }) else {
                throw HTTPError(.notFound, "Not found")
            }
            return try templates.page("portal/commission", PageChrome(context: context, currentPath: "/portal/commissions").merged(with: values))
        }
        routes.get("/payouts") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            let list = try database.read { db in
                try payouts.payouts(in: db, programID: partner.programID, partnerID: partner.partnerID, status: nil, batchID: nil,
                                    before: nil, limit: 200)
            }
            let items = list.map { p -> [String: Any] in
                ["id": p.id, "amount": partner.money(p.amount), "status": p.status, "tone": p.status == "paid" ? "ok" : p.status == "failed" ? "bad" : "warn",
                 "method": p.method, "date": CivilDate.format(days: DailyStats.day(of: p.createdAt)), "reference": TemplateValue.section(p.reference),
                 "failure": TemplateValue.section(p.failureReason)]
            }
            return try templates.page("portal/payouts", PageChrome(context: context, currentPath: "/portal/payouts").merged(with: [
                "programName": partner.programName, "payouts": items, "hasPayouts": !items.isEmpty,
                "canManagePayouts": partner.may(.managePayoutSettings),
            ]))
        }
        routes.get("/payouts/{id}") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            guard let id = Int64(try context.parameters.require("id")) else { throw HTTPError(.notFound, "Not found") }
            guard let statement = try database.read({ db in try ownStatement(db, partner: partner, payoutID: id) }) else {
                throw HTTPError(.notFound, "Not found")
            }
            let lines = statement.lines.map { line -> [String: Any] in
                ["date": CivilDate.format(days: DailyStats.day(of: line.at)), "description": line.description,
                 "amount": partner.money(line.amount), "negative": line.amount < 0]
            }
            let p = statement.payout
            return try templates.page("portal/payout", PageChrome(context: context, currentPath: "/portal/payouts").merged(with: [
                "id": p.id, "amount": partner.money(p.amount), "status": p.status, "method": p.method, "reference": TemplateValue.section(p.reference),
                "failure": TemplateValue.section(p.failureReason), "date": CivilDate.format(days: DailyStats.day(of: p.createdAt)), "lines": lines,
                "total": partner.money(statement.total),
            ]))
        }
        routes.get("/payouts/{id}/statement.csv") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            guard let id = Int64(try context.parameters.require("id")),
                  let statement = try database.read({ db in try ownStatement(db, partner: partner, payoutID: id) }) else {
                throw HTTPError(.notFound, "Not found")
            }
            return Downloads.csv(statement.csv, fileName: "payout-\(id)-statement.csv")
        }
    }

    /// What `/portal/commissions/{id}` shows, or nil when the commission is not this partner's. Only what the partner
    /// earned and why: the conversion's type, amount, date, SKU, and (for its own direct commissions) the link code
    /// and sub id; never the customer (id, e-mail, IP) nor which fraud check held it, nor for an override the
    /// sub-affiliate's link.
    private func commissionDetail(_ db: Database, partner: PartnerContext, commissionID: Int64) throws -> [String: Any]? {
        guard let c = try db.queryOne("""
            SELECT c.id, c.amount, c.status, c.level, c.rule, c.rule_id, c.review, c.hold_until, c.created_at, c.approved_at,
                   v.id AS conversion_id, v.type, v.amount AS sale, v.occurred_at, v.product_sku, v.link_id, v.sub_id
            FROM commissions c JOIN conversions v ON v.id = c.conversion_id
            WHERE c.id = ? AND c.partner_id = ? AND c.program_id = ?
            """, [commissionID, partner.partnerID, partner.programID]) else { return nil }
        func date(_ seconds: Int64?) -> Any { seconds.map { CivilDate.format(days: DailyStats.day(of: $0)) } ?? false }
        let level = Int(try c["level"] as Int64)
        let status: String = try c["status"]
        let review: String? = try c["review"]
        // The rule: its name and rate when it still exists in this program; the stored reference otherwise.
        var ruleRate: Any = false
        var ruleName = Self.ruleText(try c["rule"], level: level)
        if let ruleID: Int64 = try c["rule_id"],
           let rule = try db.queryOne("SELECT name, kind, rate_bps, flat_amount FROM commission_rules WHERE id = ? AND program_id = ?",
                                      [ruleID, partner.programID]) {
            let name: String = try rule["name"]
            if !name.isEmpty { ruleName = name }
            let kind: String = try rule["kind"]
            ruleRate = kind == "flat" ? "\(partner.money(try rule["flat_amount"])) per conversion"
                : Self.percent(try rule["rate_bps"]) + " of the sale"
        } else if (try c["rule"] as String) == "program_default",
                  let bps = try db.queryValue("SELECT commission_bps FROM programs WHERE id = ?", [partner.programID], as: Int64.self) {
            ruleRate = Self.percent(bps) + " of the sale (the program's rate)"
        }
        // The link and sub id only for the partner's own (level 0) commission: an override's conversion came
        // through the sub-affiliate's link, which is theirs to know.
        var linkCode: Any = false
        var subID: Any = false
        if level == 0 {
            if let linkID: Int64 = try c["link_id"] {
                linkCode = TemplateValue.section(try db.queryValue("SELECT code FROM links WHERE id = ? AND partner_id = ? AND program_id = ?",
                                                                   [linkID, partner.partnerID, partner.programID], as: String.self) ?? "")
            }
            subID = TemplateValue.section(try c["sub_id"] as String)
        }
        let sale: Int64? = try c["sale"]
        let refunds = try db.query("SELECT amount, created_at FROM refunds WHERE conversion_id = ? ORDER BY id",
                                   [try c["conversion_id"] as Int64]).map { row -> [String: Any] in
            ["date": date(try row["created_at"]), "amount": partner.money(try row["amount"])]
        }
        // Money taken back from (or added to) this commission; the ledger's free-text reasons stay with the program team.
        let reversals = try db.query("""
            SELECT kind, amount, created_at FROM ledger_entries
            WHERE commission_id = ? AND partner_id = ? AND kind IN ('reversed', 'adjusted') ORDER BY id
            """, [commissionID, partner.partnerID]).map { row -> [String: Any] in
            let amount: Int64 = try row["amount"]
            return ["date": date(try row["created_at"]), "amount": partner.money(amount), "negative": amount < 0,
                    "what": (try row["kind"] as String) == "reversed" ? "Reversed" : "Adjusted"]
        }
        let payout = try db.queryOne("""
            SELECT p.id, p.status, p.created_at, p.settled_at FROM payout_commissions pc JOIN payouts p ON p.id = pc.payout_id
            WHERE pc.commission_id = ? AND p.partner_id = ? AND p.program_id = ?
            ORDER BY p.status = 'paid' DESC, p.id DESC LIMIT 1
            """, [commissionID, partner.partnerID, partner.programID])
        var payoutValues: Any = false
        var paidDate: Any = false
        if let payout {
            let payoutStatus: String = try payout["status"]
            let created: Int64 = try payout["created_at"]
            payoutValues = ["id": try payout["id"] as Int64, "status": payoutStatus, "date": date(created)] as [String: Any]
            if payoutStatus == "paid" { paidDate = date((try payout["settled_at"] as Int64?) ?? created) }
        }
        return [
            "id": commissionID, "amount": partner.money(try c["amount"]), "status": status, "tone": Self.tone(status),
            "levelText": level == 0 ? "Direct commission" : "Sub-affiliate override, level \(level)",
            "rule": ruleName, "ruleRate": ruleRate,
            "created": date(try c["created_at"]),
            "holdUntil": status == "pending" ? date(try c["hold_until"]) : false,
            "approved": date(try c["approved_at"]),
            "paid": paidDate,
            "underReview": status == "pending" && review == "flagged",
            "conversionType": (try c["type"] as String) == "sale" ? "Sale" : "Lead",
            "saleAmount": sale.map { partner.money($0) } ?? false,
            "conversionDate": date(try c["occurred_at"]),
            "sku": TemplateValue.section(try c["product_sku"] as String? ?? ""),
            "linkCode": linkCode, "subID": subID,
            "refunds": refunds, "hasRefunds": !refunds.isEmpty,
            "reversals": reversals, "hasReversals": !reversals.isEmpty,
            "payout": payoutValues,
        ]
    }

    /// `2050` basis points → `20.5%`.
    static func percent(_ bps: Int64) -> String {
        let whole = bps / 100, rest = bps % 100
        if rest == 0 { return "\(whole)%" }
        let fraction = rest % 10 == 0 ? String(rest / 10) : (rest < 10 ? "0" : "") + String(rest)
        return "\(whole).\(fraction)%"
    }

    /// The statement of a payout only when it is this partner's: another partner's payout id is "not found".
    private func ownStatement(_ db: Database, partner: PartnerContext, payoutID: Int64) throws -> PayoutStatement? {
        guard let statement = try PayoutStatement.load(in: db, store: payouts, programID: partner.programID, payoutID: payoutID),
              statement.payout.partnerID == partner.partnerID else { return nil }
        return statement
    }

    static func tone(_ status: String) -> String {
        switch status {
        case "approved", "paid": "ok"
        case "pending": "warn"
        default: "bad"
        }
    }

    static func ruleText(_ rule: String, level: Int) -> String {
        if rule == "sub_affiliate_override" { return "Sub-affiliate override (level \(level))" }
        if rule == "program_default" { return "Program rate" }
        return rule.replacingOccurrences(of: "rule_", with: "Rule #")
    }

    /// One line naming the date or reason behind a status (UX pattern 1).
    static func explanation(_ listed: CommissionStore.Listed, holdDays: Int64) -> String {
        switch listed.commission.status {
        case "pending" where listed.review == "flagged": "Held for review by the program's managers."
        case "pending": "Becomes available on \(CivilDate.format(days: DailyStats.day(of: listed.holdUntil))) after the \(holdDays)-day hold."
        case "approved": "Available: included in the next payout once you reach the minimum."
        case "paid": "Paid out."
        case "reversed": "Reversed after a refund."
        case "rejected": "Rejected by the program's managers."
        default: ""
        }
    }
}
