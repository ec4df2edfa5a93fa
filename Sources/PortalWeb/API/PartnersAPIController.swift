import Foundation
import HTTPServer
import PortalCore
import Store

/// Partners through the API (CONTRACTS.md): create, list, read, change, approve / reject / suspend, coupons,
/// balance and partner keys with a secret key; `GET /me` with a partner key. A key never reaches another
/// program's or partner's data: such a lookup answers `404`.
struct PartnersAPIController {
    let database: DatabasePool
    let store: PartnerStore

    static let payoutFields: Set<String> = Set(["method"]).union(["paypal_email", "account_holder", "iban", "bic", "account_number",
                                                              "routing_number", "bank_name", "country", "wise_email", "note"])
    static let scopes: Set<String> = ["reports:read", "links:write", "webhooks:write", "messages:write"]

    func register(on api: RouterGroup) {
        let small = RouteOptions(maxBodySize: 16 * 1024)
        api.get("/me") { _, context in
            let caller = try context.requirePartner()
            return JSONBody.response(try read(caller.programID, caller.partnerID))
        }
        api.post("/partners", options: small) { request, context in
            let programID = try context.requireProgram()
            var fields = JSONFields(try JSONBody.object(request), allowed: ["email", "name", "company", "website", "parent_partner_id", "group",
                                                                             "status", "payout", "payout_threshold"])
            let changes = changes(&fields, creating: true)
            let statusText = fields.string("status") ?? "pending"
            let status = PartnerStatus(rawValue: statusText)
            if status != .pending && status != .approved { fields.fail("status", "must be pending or approved") }
            guard fields.errors.isEmpty, let status else { throw APIProblem.invalid(fields.errors) }
            let partner = try mapFailures {
                try database.write { db in try store.create(in: db, programID: programID, changes, status: status, now: Self.now()) }
            }
            return JSONBody.response(try read(programID, partner.id), status: .created)
        }
        api.get("/partners") { request, context in
            let programID = try context.requireProgram()
            let page = try APIPage(request)
            var status: PartnerStatus?
            if let text = request.queryParameters["status"] {
                guard let value = PartnerStatus(rawValue: text) else {
                    throw APIProblem(.badRequest, "`status` must be pending, approved, rejected or suspended.", errors: ["status": ["is not a status"]])
                }
                status = value
            }
            let rows = try database.read { db in
                try store.partners(in: db, programID: programID, status: status, before: page.before, limit: page.fetchLimit).map { partner in
                    (partner, try? store.payoutDetails(in: db, partnerID: partner.id))
                }
            }
            return page.response(rows, id: { $0.0.id }) { APIJSON.partner($0.0, details: $0.1 ?? nil) }
        }
        api.get("/partners/{id}") { _, context in
            let programID = try context.requireProgram()
            return JSONBody.response(try read(programID, try context.pathID(what: "partner")))
        }
        api.patch("/partners/{id}", options: small) { request, context in
            let programID = try context.requireProgram()
            let id = try context.pathID(what: "partner")
            var fields = JSONFields(try JSONBody.object(request), allowed: ["email", "name", "company", "website", "parent_partner_id", "group",
                                                                             "payout", "payout_threshold"])
            let changes = changes(&fields, creating: false)
            guard fields.errors.isEmpty else { throw APIProblem.invalid(fields.errors) }
            _ = try mapFailures { try database.write { db in try store.update(in: db, programID: programID, id: id, changes) } }
            return JSONBody.response(try read(programID, id))
        }
        for (action, status) in [("approve", PartnerStatus.approved), ("reject", .rejected), ("suspend", .suspended)] {
            api.post("/partners/{id}/\(action)", options: small) { request, context in
                let programID = try context.requireProgram()
                let id = try context.pathID(what: "partner")
                var reason = ""
                if !(try request.body.readAll()).isEmpty || request.headers["content-type"] != nil {
                    var fields = JSONFields(try JSONBody.object(request), allowed: ["reason"])
                    reason = fields.string("reason", maxLength: 1000) ?? ""
                    guard fields.errors.isEmpty else { throw APIProblem.invalid(fields.errors) }
                }
                _ = try mapFailures {
                    try database.write { db in try store.transition(in: db, programID: programID, id: id, to: status, reason: reason, now: Self.now()) }
                }
                return JSONBody.response(try read(programID, id))
            }
        }
        api.post("/partners/{id}/coupons", options: small) { request, context in
            let programID = try context.requireProgram()
            let id = try context.pathID(what: "partner")
            var fields = JSONFields(try JSONBody.object(request), allowed: ["code"])
            let code = fields.string("code", required: true, maxLength: 64)
            guard fields.errors.isEmpty else { throw APIProblem.invalid(fields.errors) }
            do {
                let coupon = try database.write { db in try CouponStore().create(in: db, programID: programID, partnerID: id, code: code, now: Self.now()) }
                return JSONBody.response(["id": coupon.id, "code": coupon.code, "partner_id": coupon.partnerID], status: .created)
            } catch CouponStore.Failure.partnerNotFound {
                throw APIProblem(.notFound, "No such partner.")
            } catch CouponStore.Failure.invalid(let errors) {
                throw APIProblem.invalid(errors)
            }
        }
        api.get("/partners/{id}/balance") { _, context in
            let programID = try context.requireProgram()
            let id = try context.pathID(what: "partner")
            let found = try database.read { db -> (Balance, String)? in
                guard try store.partner(in: db, programID: programID, id: id) != nil,
                      let program = try ProgramSettings.load(in: db, programID: programID) else { return nil }
                return (try LedgerStore().balance(in: db, partnerID: id), program.currency)
            }
            guard let (balance, currency) = found else { throw APIProblem(.notFound, "No such partner.") }
            return JSONBody.response(APIJSON.balance(balance, currency: currency))
        }
        api.post("/partners/{id}/keys", options: small) { request, context in
            let programID = try context.requireProgram()
            let id = try context.pathID(what: "partner")
            var fields = JSONFields(try JSONBody.object(request), allowed: ["scopes"])
            // Required (an empty list is a key for /me and /me/links only): a null or missing list is a mistake.
            let scopes = fields.stringArray("scopes", required: true) ?? []
            for scope in scopes where !Self.scopes.contains(scope) {
                fields.fail("scopes", "\(scope) is not a scope (known: \(Self.scopes.sorted().joined(separator: ", ")))")
            }
            guard fields.errors.isEmpty else { throw APIProblem.invalid(fields.errors) }
            let created = try database.write { db -> (Int64, String)? in
                guard try store.partner(in: db, programID: programID, id: id) != nil else { return nil }
                let key = try ProgramStore().createKey(in: db, programID: programID, partnerID: id, prefix: "pk_",
                                                       scopes: Array(Set(scopes)).sorted(), now: Self.now())
                return (db.lastInsertRowID, key)
            }
            guard let (keyID, key) = created else { throw APIProblem(.notFound, "No such partner.") }
            return JSONBody.response(["id": keyID, "key": key, "scopes": Array(Set(scopes)).sorted()], status: .created)
        }
        // An addition: a manual adjustment or bonus (negative to correct), straight into available, with a reason.
        api.post("/partners/{id}/adjustments", options: small) { request, context in
            let programID = try context.requireProgram()
            let id = try context.pathID(what: "partner")
            var fields = JSONFields(try JSONBody.object(request), allowed: ["amount", "currency", "reason"])
            let amount = fields.integer("amount", required: true)
            let currency = fields.string("currency", maxLength: 3)
            let reason = fields.string("reason", required: true, maxLength: 500)
            if let amount, amount == 0 || amount.magnitude > NewConversion.maximumAmount.magnitude { fields.fail("amount", "must be a non-zero count of minor units") }
            if let reason, reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { fields.fail("reason", "is required") }
            let found = try database.write { db -> (Balance, String)? in
                guard try store.partner(in: db, programID: programID, id: id) != nil,
                      let program = try ProgramSettings.load(in: db, programID: programID) else { return nil }
                if let currency, currency != program.currency { fields.fail("currency", "must be the program's currency, \(program.currency)") }
                guard fields.errors.isEmpty, let amount, let reason else { return nil }
                try LedgerStore().adjust(in: db, programID: programID, partnerID: id, amount: amount, reason: reason, now: Self.now())
                return (try LedgerStore().balance(in: db, partnerID: id), program.currency)
            }
            guard fields.errors.isEmpty else { throw APIProblem.invalid(fields.errors) }
            guard let (balance, currency) = found else { throw APIProblem(.notFound, "No such partner.") }
            return JSONBody.response(["amount": amount ?? 0, "currency": currency, "reason": reason ?? "",
                                      "balance": APIJSON.balance(balance, currency: currency)], status: .created)
        }
        // Additions: the partner's keys (prefixes only) and revoking one.
        api.get("/partners/{id}/keys") { _, context in
            let programID = try context.requireProgram()
            let id = try context.pathID(what: "partner")
            let keys = try database.read { db -> [APIKeyStore.Key]? in
                guard try store.partner(in: db, programID: programID, id: id) != nil else { return nil }
                return try APIKeyStore().keys(in: db, programID: programID, partnerID: id)
            }
            guard let keys else { throw APIProblem(.notFound, "No such partner.") }
            return JSONBody.response(["data": keys.map { key in
                ["id": key.id, "prefix": key.prefix, "scopes": key.scopes, "created_at": RFC3339.format(key.createdAt),
                 "last_used_at": APIJSON.optional(key.lastUsedAt.map(RFC3339.format)),
                 "revoked_at": APIJSON.optional(key.revokedAt.map(RFC3339.format))] as [String: Any]
            }, "next_cursor": NSNull()])
        }
        api.delete("/partners/{id}/keys/{key_id}") { _, context in
            let programID = try context.requireProgram()
            let id = try context.pathID(what: "partner")
            let keyID = try context.pathID("key_id", what: "key")
            let revoked = try database.write { db in
                try APIKeyStore().revoke(in: db, programID: programID, keyID: keyID, partnerID: id, now: Self.now())
            }
            guard revoked else { throw APIProblem(.notFound, "No such live key of this partner.") }
            return Response(status: .noContent)
        }
    }

    /// The request's partner fields; problems go into `fields.errors`.
    private func changes(_ fields: inout JSONFields, creating: Bool) -> PartnerChanges {
        var changes = PartnerChanges()
        changes.email = fields.string("email", required: creating, maxLength: 254)
        changes.name = fields.string("name", required: creating, maxLength: 120)
        changes.company = fields.string("company", maxLength: 120)
        changes.website = fields.string("website", maxLength: 2000)
        changes.group = fields.string("group", maxLength: 60)
        if fields.has("parent_partner_id") { changes.parentPartnerID = .some(fields.integer("parent_partner_id")) }
        changes.payoutThreshold = fields.integer("payout_threshold")
        if let payout = fields.objectValue("payout") {
            var details = JSONFields(payout, allowed: Self.payoutFields)
            let method = details.string("method", required: true)
            var values: [String: String] = [:]
            for name in Self.payoutFields where name != "method" {
                if let value = details.string(name, maxLength: 200) { values[name] = value }
            }
            if let method, PayoutMethod(rawValue: method) == nil { details.fail("method", "must be paypal, bank, wise or manual") }
            for (name, messages) in details.errors { for message in messages { fields.fail("payout.\(name)", message) } }
            if let method = method.flatMap(PayoutMethod.init) { changes.payout = PayoutDetails(method: method, fields: values) }
        }
        return changes
    }

    private func read(_ programID: Int64, _ id: Int64) throws -> [String: Any] {
        let found = try database.read { db -> (Partner, PayoutDetails?)? in
            guard let partner = try store.partner(in: db, programID: programID, id: id) else { return nil }
            return (partner, try? store.payoutDetails(in: db, partnerID: id))
        }
        guard let (partner, details) = found else { throw APIProblem(.notFound, "No such partner.") }
        return APIJSON.partner(partner, details: details)
    }

    private func mapFailures<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch PartnerStore.Failure.notFound {
            throw APIProblem(.notFound, "No such partner.")
        } catch PartnerStore.Failure.invalid(let errors) {
            throw APIProblem.invalid(errors)
        }
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}

/// Times in the API: RFC 3339 in UTC, whole seconds (`2026-11-25T17:00:00Z`).
enum RFC3339 {
    static func format(_ seconds: Int64) -> String {
        let (y, m, d) = CivilDate.ymd(days: DailyStats.day(of: seconds))
        let second = seconds - DailyStats.day(of: seconds) * 86_400
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(y)-\(two(m))-\(two(d))T\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60))Z"
    }

    /// `2026-11-25T17:00:00Z`, with fractions and offsets (`+01:00`) accepted; nil when not RFC 3339.
    static func parse(_ text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970.rounded(.down)) }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text).map { Int64($0.timeIntervalSince1970.rounded(.down)) }
    }
}
