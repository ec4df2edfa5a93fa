import Foundation
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// Every status CONTRACTS.md § JSON API lists, on the engine's endpoints (partners, conversions, refunds,
/// commissions, payouts, reports): who is refused, how, and that refusals are problem+json naming the field.
@Suite struct EngineAPIStatusCodeTests {
    // MARK: 401

    /// One request per kind of endpoint, so each is seen to sit behind the key check.
    static let guarded: [(method: String, path: String)] = [
        ("POST", "/partners"), ("GET", "/partners"), ("GET", "/partners/1"), ("GET", "/partners/1/balance"),
        ("POST", "/conversions"), ("POST", "/conversions/o-1/refunds"), ("GET", "/commissions"), ("POST", "/payouts/batches"),
        ("GET", "/payouts"), ("GET", "/payouts/export.csv"), ("GET", "/me/reports"), ("GET", "/me/commissions"), ("GET", "/me/payouts"),
    ]

    @Test func requestsWithoutAKeyAre401ProblemJSON() throws {
        let h = try EngineAPIHarness()
        for (method, path) in Self.guarded {
            let reply = try h.send(method, path, bearer: nil, body: method == "POST" ? "{}" : "")
            #expect(reply.status == 401, "\(method) \(path)")
            #expect(reply.isProblem, "\(method) \(path)")
            #expect(reply.headers["www-authenticate"] == "Bearer", "\(method) \(path)")
            #expect(reply.object?.int("status") == 401)
        }
    }

    @Test func unknownKeysAre401() throws {
        let h = try EngineAPIHarness()
        for bearer in ["sk_not-a-real-key", "pk_not-a-real-key", "not-even-a-prefix", String(h.secret.dropLast()) + (h.secret.hasSuffix("x") ? "y" : "x")] {
            for (method, path) in Self.guarded {
                let reply = try h.send(method, path, bearer: bearer, body: method == "POST" ? "{}" : "")
                #expect(reply.status == 401, "\(method) \(path) with \(bearer)")
                #expect(reply.isProblem)
            }
        }
    }

    @Test func revokedSecretAndPartnerKeysAre401() throws {
        let h = try EngineAPIHarness()
        let partner = try h.createPartner("ada@example.com")
        let partnerKey = try h.partnerKey(partner, scopes: ["reports:read"])
        let spare = try h.portal.database.write { db in
            try ProgramStore().createKey(in: db, programID: h.programID, partnerID: nil, prefix: "sk_", scopes: [], now: 0)
        }
        #expect(try h.get("/commissions", key: spare).status == 200)
        #expect(try h.get("/me/commissions", key: partnerKey).status == 200)
        try h.portal.database.write { db in try db.execute("UPDATE api_keys SET revoked_at = 1 WHERE id <> 1") }
        #expect(try h.get("/commissions", key: spare).status == 401)
        #expect(try h.post("/conversions", ["external_id": "o-1", "type": "lead"], key: spare).status == 401)
        #expect(try h.get("/me/commissions", key: partnerKey).status == 401)
        #expect(try h.get("/me/reports", key: partnerKey).status == 401)
        // The program's first key (id 1) is untouched and still works.
        #expect(try h.get("/commissions").status == 200)
    }

    // MARK: 403

    @Test func partnerKeysAre403OnSecretKeyEndpoints() throws {
        let h = try EngineAPIHarness()
        let partner = try h.createPartner("ada@example.com")
        let key = try h.partnerKey(partner, scopes: ["reports:read", "links:write"])
        let requests: [(String, String)] = [
            ("POST", "/partners"), ("GET", "/partners"), ("GET", "/partners/\(partner)"), ("PATCH", "/partners/\(partner)"),
            ("POST", "/partners/\(partner)/approve"), ("POST", "/partners/\(partner)/coupons"), ("GET", "/partners/\(partner)/balance"),
            ("POST", "/partners/\(partner)/keys"), ("GET", "/partners/\(partner)/reports"), ("POST", "/partners/\(partner)/links"),
            ("POST", "/conversions"), ("POST", "/conversions/o-1/refunds"), ("GET", "/commissions"), ("POST", "/payouts/batches"),
            ("GET", "/payouts"), ("GET", "/payouts/1"), ("GET", "/payouts/export.csv"), ("POST", "/payouts/1/mark-paid"),
        ]
        for (method, path) in requests {
            let reply = try h.send(method, path, bearer: key, body: method == "GET" ? "" : "{}")
            #expect(reply.status == 403, "\(method) \(path): \(reply.body)")
            #expect(reply.isProblem, "\(method) \(path)")
        }
        // Nothing was created by the refused writes.
        #expect(try h.portal.database.read { db in try db.queryValue("SELECT count(*) FROM api_keys", as: Int64.self) } == 2)
    }

    @Test func partnerKeysWithoutReportsScopeAre403OnMeReportsCommissionsAndPayouts() throws {
        let h = try EngineAPIHarness()
        let partner = try h.createPartner("ada@example.com")
        let writer = try h.partnerKey(partner, scopes: ["links:write"])
        let bare = try h.partnerKey(partner, scopes: [])
        for key in [writer, bare] {
            for path in ["/me/reports", "/me/commissions", "/me/payouts"] {
                let reply = try h.get(path, key: key)
                #expect(reply.status == 403, "\(path)")
                #expect(reply.object?.string("detail") == "This key lacks the reports:read scope.")
            }
            // /me itself needs no scope.
            #expect(try h.get("/me", key: key).status == 200)
        }
    }

    @Test func secretKeysAre403OnMe() throws {
        let h = try EngineAPIHarness()
        for path in ["/me", "/me/reports", "/me/commissions", "/me/payouts", "/me/links"] {
            let reply = try h.get(path)
            #expect(reply.status == 403, "\(path)")
            #expect(reply.isProblem)
        }
    }

    // MARK: 404 across programs

    /// Program A with an approved partner who has a conversion, a payout and a coupon; program B's key.
    func twoPrograms() throws -> (h: EngineAPIHarness, partnerA: Int64, payoutA: Int64, otherSecret: String) {
        let h = try EngineAPIHarness(.init(holdDays: 0, minPayout: 100))
        let partner = try h.createPartner("ada@example.com")
        try h.sale("order-a", amount: 10_000, partner: partner)
        let batch = try h.batch()
        let payout = try #require((batch["payouts"] as? [[String: Any]])?.first?.int("id"))
        let other = try h.addProgram(.init(slug: "other", currency: "EUR"))
        return (h, partner, payout, other.secret)
    }

    @Test func anotherProgramsPartnerIsNotFound() throws {
        let (h, partner, _, other) = try twoPrograms()
        let requests: [(String, String, String)] = [
            ("GET", "/partners/\(partner)", ""),
            ("PATCH", "/partners/\(partner)", #"{"name": "Mallory"}"#),
            ("POST", "/partners/\(partner)/approve", "{}"),
            ("POST", "/partners/\(partner)/reject", #"{"reason": "no"}"#),
            ("POST", "/partners/\(partner)/suspend", #"{"reason": "no"}"#),
            ("POST", "/partners/\(partner)/coupons", #"{"code": "STOLEN10"}"#),
            ("GET", "/partners/\(partner)/balance", ""),
            ("POST", "/partners/\(partner)/keys", #"{"scopes": ["reports:read"]}"#),
            ("GET", "/partners/\(partner)/reports", ""),
            ("POST", "/partners/\(partner)/links", "{}"),
        ]
        for (method, path, body) in requests {
            let reply = try h.send(method, path, bearer: other, body: body)
            #expect(reply.status == 404, "\(method) \(path): \(reply.status) \(reply.body)")
            #expect(reply.object?.string("detail") == "No such partner.", "\(method) \(path)")
        }
        // Nothing changed in program A.
        let row = try #require(try h.portal.database.read { db in try db.queryOne("SELECT name, status FROM partners WHERE id = ?", [partner]) })
        #expect(try row["name"] as String == "ada")
        #expect(try row["status"] as String == "approved")
        let counts = try h.portal.database.read { db in
            (try db.queryValue("SELECT count(*) FROM coupons", as: Int64.self), try db.queryValue("SELECT count(*) FROM links", as: Int64.self),
             try db.queryValue("SELECT count(*) FROM api_keys WHERE partner_id IS NOT NULL", as: Int64.self))
        }
        #expect(counts.0 == 0 && counts.1 == 0 && counts.2 == 0)
    }

    @Test func anotherProgramsPayoutIsNotFound() throws {
        let (h, _, payout, other) = try twoPrograms()
        for (method, path, body) in [("GET", "/payouts/\(payout)", ""), ("POST", "/payouts/\(payout)/mark-paid", #"{"reference": "x"}"#),
                                     ("POST", "/payouts/\(payout)/mark-failed", #"{"reason": "x"}"#)] {
            let reply = try h.send(method, path, bearer: other, body: body)
            #expect(reply.status == 404, "\(method) \(path)")
            #expect(reply.object?.string("detail") == "No such payout.")
        }
        // Lists and the export of program B do not show it either.
        #expect(try h.get("/payouts", key: other).data.isEmpty)
        let export = try h.get("/payouts/export.csv", key: other)
        #expect(export.body == "payout_id,partner_id,partner_name,method,recipient,amount,currency,reference\r\n")
        #expect(try h.get("/payouts/\(payout)").object?.string("status") == "pending")
    }

    @Test func anotherProgramsConversionCannotBeRefundedAndItsExternalIDIsFreeThere() throws {
        let (h, partner, _, other) = try twoPrograms()
        let refund = try h.post("/conversions/order-a/refunds", key: other)
        #expect(refund.status == 404)
        #expect(refund.object?.string("detail") == "No conversion with this external_id.")
        #expect(try h.balance(partner).paid == 2000)
        #expect(try h.get("/commissions", key: other).data.isEmpty)
        #expect(try h.get("/commissions?partner_id=\(partner)", key: other).data.isEmpty)
        // Program B may use the same external_id for its own conversion; it credits nobody of program A.
        let own = try h.post("/conversions", ["external_id": "order-a", "type": "sale", "amount": 500, "partner_id": partner], key: other)
        #expect(own.status == 201)
        #expect(own.object?.isNull("partner_id") == true)
        #expect(own.object?.string("currency") == "EUR")
    }

    @Test func unknownIDsAre404() throws {
        let h = try EngineAPIHarness()
        for path in ["/partners/999", "/partners/abc", "/partners/0/balance", "/payouts/999", "/payouts/-1"] {
            let reply = try h.get(path)
            #expect(reply.status == 404, "\(path)")
            #expect(reply.isProblem)
        }
        #expect(try h.post("/conversions/nope/refunds").status == 404)
    }

    // MARK: 409

    @Test func sameExternalIDWithAnotherBodyIs409() throws {
        let h = try EngineAPIHarness()
        let partner = try h.createPartner("ada@example.com")
        try h.sale("order-1", amount: 1000, partner: partner)
        let conflict = try h.post("/conversions", ["external_id": "order-1", "type": "sale", "amount": 2000, "partner_id": partner])
        #expect(conflict.status == 409)
        #expect(conflict.isProblem)
        #expect(conflict.object?.int("status") == 409)
        // Leaving a field out is another body too.
        #expect(try h.post("/conversions", ["external_id": "order-1", "type": "sale", "amount": 1000]).status == 409)
        // Nothing more was recorded.
        #expect(try h.balance(partner).pending == 200)
        #expect(try h.get("/commissions").data.count == 1)
    }

    // MARK: 413

    static func oversized() -> String {
        #"{"external_id": "big", "type": "lead", "customer_id": ""# + String(repeating: "a", count: 17 * 1024) + #""}"#
    }

    @Test func bodiesOver16KiBAre413() throws {
        let h = try EngineAPIHarness()
        let partner = try h.createPartner("ada@example.com")
        #expect(try h.post("/conversions", raw: Self.oversized()).status == 413)
        #expect(try h.post("/partners/\(partner)/coupons", raw: Self.oversized()).status == 413)
        #expect(try h.post("/payouts/batches", raw: Self.oversized()).status == 413)
        #expect(try h.portal.database.read { db in try db.queryValue("SELECT count(*) FROM conversions", as: Int64.self) } == 0)
        // Just under the limit is read (and refused for its content, not its size).
        let padded = #"{"external_id": "big", "type": "lead", "junk": ""# + String(repeating: "a", count: 16 * 1024 - 60) + #""}"#
        #expect(padded.utf8.count < 16 * 1024)
        #expect(try h.post("/conversions", raw: padded).status == 422)
    }

    /// CONTRACTS.md: "Errors are application/problem+json", 413 included.
    @Test func bodiesOver16KiBAreRefusedAsProblemJSON() throws {
        let h = try EngineAPIHarness()
        let reply = try h.post("/conversions", raw: Self.oversized())
        #expect(reply.status == 413)
        #expect(reply.isProblem, "413 answered as \(reply.headers["content-type"] ?? "no content type"): \(reply.body)")
    }

    // MARK: 415

    @Test func bodiesThatAreNotJSONAre415() throws {
        let h = try EngineAPIHarness()
        let partner = try h.createPartner("ada@example.com")
        let conversion = #"{"external_id": "o-1", "type": "lead"}"#
        for type in ["text/plain", "application/x-www-form-urlencoded", "application/xml"] {
            let reply = try h.post("/conversions", raw: conversion, contentType: type)
            #expect(reply.status == 415, "\(type)")
            #expect(reply.isProblem)
        }
        #expect(try h.post("/partners", raw: #"{"email": "b@example.com", "name": "B"}"#, contentType: "text/plain").status == 415)
        #expect(try h.post("/partners/\(partner)/coupons", raw: #"{"code": "SAVE10"}"#, contentType: "text/plain").status == 415)
        #expect(try h.post("/payouts/batches", raw: "{}", contentType: "text/plain").status == 415)
        // A charset parameter is fine.
        #expect(try h.post("/conversions", raw: conversion, contentType: "application/json; charset=utf-8").status == 201)
    }

    // MARK: 422 — conversions

    func conversionErrors(_ h: EngineAPIHarness, _ body: [String: Any]) throws -> [String: [String]] {
        let reply = try h.post("/conversions", body)
        #expect(reply.status == 422, "\(body): \(reply.body)")
        #expect(reply.isProblem)
        #expect(reply.object?.string("title") == "Unprocessable Content")
        return reply.errors
    }

    @Test func conversionWithoutExternalIDIs422() throws {
        let h = try EngineAPIHarness()
        #expect(try conversionErrors(h, ["type": "lead"])["external_id"] == ["is required"])
        #expect(try conversionErrors(h, ["external_id": "  ", "type": "lead"])["external_id"] != nil)
        #expect(try conversionErrors(h, ["external_id": 42, "type": "lead"])["external_id"] == ["must be a string"])
    }

    @Test func conversionTypeMustBeSaleOrLead() throws {
        let h = try EngineAPIHarness()
        #expect(try conversionErrors(h, ["external_id": "o-1", "type": "refund"])["type"] == ["must be sale or lead"])
        #expect(try conversionErrors(h, ["external_id": "o-1"])["type"] == ["is required"])
    }

    @Test func saleWithoutAmountIs422() throws {
        let h = try EngineAPIHarness()
        #expect(try conversionErrors(h, ["external_id": "o-1", "type": "sale"])["amount"] == ["is required for a sale"])
        #expect(try conversionErrors(h, ["external_id": "o-1", "type": "sale", "amount": -5])["amount"] != nil)
    }

    @Test func fractionalAmountIs422() throws {
        let h = try EngineAPIHarness()
        let errors = try conversionErrors(h, ["external_id": "o-1", "type": "sale", "amount": 19.99])
        #expect(errors["amount"]?.first?.hasPrefix("must be an integer") == true)
        let raw = try h.post("/conversions", raw: #"{"external_id": "o-2", "type": "sale", "amount": "1999"}"#)
        #expect(raw.status == 422)
        #expect(raw.errors["amount"] != nil)
        #expect(try h.portal.database.read { db in try db.queryValue("SELECT count(*) FROM conversions", as: Int64.self) } == 0)
    }

    @Test func currencyOtherThanTheProgramsIs422() throws {
        let h = try EngineAPIHarness()
        #expect(try conversionErrors(h, ["external_id": "o-1", "type": "sale", "amount": 100, "currency": "EUR"])["currency"]
            == ["must be the program's currency, USD"])
        #expect(try conversionErrors(h, ["external_id": "o-1", "type": "sale", "amount": 100, "currency": "usd"])["currency"] != nil)
        #expect(try h.post("/conversions", ["external_id": "o-1", "type": "sale", "amount": 100, "currency": "USD"]).status == 201)
    }

    @Test func unknownFieldsAre422() throws {
        let h = try EngineAPIHarness()
        let errors = try conversionErrors(h, ["external_id": "o-1", "type": "lead", "colour": "blue"])
        #expect(errors == ["colour": ["is not a known field"]])
        let partner = try h.post("/partners", ["email": "a@example.com", "name": "A", "nickname": "x"])
        #expect(partner.status == 422)
        #expect(partner.errors["nickname"] == ["is not a known field"])
    }

    @Test func everyInvalidFieldIsNamedInOneAnswer() throws {
        let h = try EngineAPIHarness()
        let errors = try conversionErrors(h, ["type": "sale", "amount": 1.5, "currency": "EUR", "extra": true])
        #expect(Set(errors.keys).isSuperset(of: ["external_id", "amount", "extra"]))
    }

    // MARK: 422 — partners

    func partnerErrors(_ h: EngineAPIHarness, _ body: [String: Any]) throws -> [String: [String]] {
        let reply = try h.post("/partners", body)
        #expect(reply.status == 422, "\(body): \(reply.body)")
        #expect(reply.isProblem)
        return reply.errors
    }

    @Test func paypalPayoutWithoutEmailIs422() throws {
        let h = try EngineAPIHarness()
        let errors = try partnerErrors(h, ["email": "a@example.com", "name": "A", "payout": ["method": "paypal"]])
        #expect(errors["payout.paypal_email"] == ["is required for paypal payouts"])
        let bad = try partnerErrors(h, ["email": "a@example.com", "name": "A", "payout": ["method": "paypal", "paypal_email": "nope"]])
        #expect(bad["payout.paypal_email"] == ["must be an e-mail address"])
        let method = try partnerErrors(h, ["email": "a@example.com", "name": "A", "payout": ["method": "cheque"]])
        #expect(method["payout.method"] == ["must be paypal, bank, wise or manual"])
        #expect(try h.portal.database.read { db in try db.queryValue("SELECT count(*) FROM partners", as: Int64.self) } == 0)
    }

    @Test func bankPayoutWithABadIBANIs422() throws {
        let h = try EngineAPIHarness()
        let errors = try partnerErrors(h, ["email": "a@example.com", "name": "A",
                                           "payout": ["method": "bank", "account_holder": "A", "iban": "DE89370400440532013001"]])
        #expect(errors["payout.iban"] == ["is not a valid IBAN"])
        let good = try h.post("/partners", ["email": "a@example.com", "name": "A",
                                            "payout": ["method": "bank", "account_holder": "A", "iban": "DE89 3704 0044 0532 0130 00"]])
        #expect(good.status == 201)
        let payout = try #require(good.object?["payout"] as? [String: Any])
        #expect(payout.string("method") == "bank")
        #expect(payout.string("recipient") == "•••• 3000")
    }

    @Test func duplicatePartnerEmailIs422() throws {
        let h = try EngineAPIHarness()
        try h.createPartner("ada@example.com")
        #expect(try partnerErrors(h, ["email": "ada@example.com", "name": "Ada again"])["email"] == ["is already a partner of this program"])
        #expect(try partnerErrors(h, ["email": "ADA@Example.com", "name": "Ada again"])["email"] == ["is already a partner of this program"])
        let other = try h.createPartner("bob@example.com")
        let patch = try h.patch("/partners/\(other)", ["email": "ada@example.com"])
        #expect(patch.status == 422)
        #expect(patch.errors["email"] == ["is already a partner of this program"])
    }

    @Test func duplicateCouponCodeIs422() throws {
        let h = try EngineAPIHarness()
        let ada = try h.createPartner("ada@example.com")
        let bob = try h.createPartner("bob@example.com")
        let first = try h.post("/partners/\(ada)/coupons", ["code": "SAVE10"])
        #expect(first.status == 201)
        #expect(first.object?.string("code") == "SAVE10")
        #expect(first.object?.int("partner_id") == ada)
        for code in ["SAVE10", "save10"] {
            let again = try h.post("/partners/\(bob)/coupons", ["code": code])
            #expect(again.status == 422, "\(code)")
            #expect(again.errors["code"] == ["is already taken"])
        }
        #expect(try h.post("/partners/\(bob)/coupons", [:]).errors["code"] == ["is required"])
    }

    @Test func rejectWithoutReasonIs422() throws {
        let h = try EngineAPIHarness()
        let partner = try h.createPartner("ada@example.com", status: "pending")
        for body in ["{}", #"{"reason": "   "}"#] {
            let reply = try h.post("/partners/\(partner)/reject", raw: body)
            #expect(reply.status == 422)
            #expect(reply.errors["reason"] == ["is required"])
        }
        let rejected = try h.post("/partners/\(partner)/reject", ["reason": "Not a fit"])
        #expect(rejected.status == 200)
        #expect(rejected.object?.string("status") == "rejected")
        #expect(rejected.object?.string("status_reason") == "Not a fit")
    }

    @Test func suspendingAPendingPartnerIs422() throws {
        let h = try EngineAPIHarness()
        let partner = try h.createPartner("ada@example.com", status: "pending")
        let reply = try h.post("/partners/\(partner)/suspend", ["reason": "Spam"])
        #expect(reply.status == 422)
        #expect(reply.errors["status"] == ["only an approved partner can be suspended"])
        #expect(try h.get("/partners/\(partner)").object?.string("status") == "pending")
        // Approving then suspending works; approving an approved partner does not.
        #expect(try h.post("/partners/\(partner)/approve").object?.string("status") == "approved")
        #expect(try h.post("/partners/\(partner)/approve").status == 422)
        #expect(try h.post("/partners/\(partner)/suspend", ["reason": "Spam"]).object?.string("status") == "suspended")
    }

    @Test func partnerStatusOnCreateIsPendingOrApproved() throws {
        let h = try EngineAPIHarness()
        #expect(try partnerErrors(h, ["email": "a@example.com", "name": "A", "status": "suspended"])["status"] == ["must be pending or approved"])
        #expect(try partnerErrors(h, ["name": "A"])["email"] == ["is required"])
        let other = try h.addProgram(.init(slug: "other"))
        let foreign = try h.createPartner("x@example.com", key: other.secret)
        #expect(try partnerErrors(h, ["email": "a@example.com", "name": "A", "parent_partner_id": foreign])["parent_partner_id"]
            == ["is not a partner of this program"])
    }

    @Test func unknownKeyScopesAre422() throws {
        let h = try EngineAPIHarness()
        let partner = try h.createPartner("ada@example.com")
        let reply = try h.post("/partners/\(partner)/keys", ["scopes": ["admin"]])
        #expect(reply.status == 422)
        #expect(reply.errors["scopes"]?.first?.hasPrefix("admin is not a scope") == true)
        let made = try h.post("/partners/\(partner)/keys", ["scopes": ["reports:read", "links:write", "reports:read"]])
        #expect(made.status == 201)
        #expect(made.object?["scopes"] as? [String] == ["links:write", "reports:read"])
        #expect(made.object?.string("key")?.hasPrefix("pk_") == true)
    }

    // MARK: 400

    @Test func malformedJSONIs400() throws {
        let h = try EngineAPIHarness()
        for body in ["{not json", "[]", "\"text\"", "{\"external_id\": \"o-1\"} trailing", "{'external_id': 'o-1'}"] {
            let reply = try h.post("/conversions", raw: body)
            #expect(reply.status == 400, "\(body)")
            #expect(reply.isProblem)
        }
        #expect(try h.post("/partners", raw: "{").status == 400)
    }

    /// RFC 8259 has no trailing commas; a lenient parser must not let them through as if they were JSON.
    @Test func jsonWithATrailingCommaIs400() throws {
        let h = try EngineAPIHarness()
        let reply = try h.post("/conversions", raw: #"{"external_id": "o-1", "type": "lead",}"#)
        #expect(reply.status == 400, "\(reply.status) \(reply.body)")
        #expect(try h.portal.database.read { db in try db.queryValue("SELECT count(*) FROM conversions", as: Int64.self) } == 0)
    }

    @Test func badLimitsAndCursorsAre400() throws {
        let h = try EngineAPIHarness()
        for path in ["/partners", "/commissions", "/payouts"] {
            for query in ["limit=0", "limit=501", "limit=abc", "limit=-1", "limit=2.5"] {
                let reply = try h.get("\(path)?\(query)")
                #expect(reply.status == 400, "\(path)?\(query)")
                #expect(reply.errors["limit"] == ["must be 1 to 500"])
            }
            for cursor in ["zzz", "djE6YWJj", "djE6MA"] { // "v1:abc", "v1:0"
                let reply = try h.get("\(path)?cursor=\(cursor)")
                #expect(reply.status == 400, "\(path)?cursor=\(cursor)")
                #expect(reply.errors["cursor"] == ["is not valid"])
            }
            #expect(try h.get("\(path)?limit=500").status == 200)
        }
        #expect(try h.get("/partners?status=sleeping").status == 400)
        #expect(try h.get("/commissions?status=sleeping").status == 400)
        #expect(try h.get("/commissions?partner_id=x").status == 400)
        #expect(try h.get("/payouts?batch_id=x").status == 400)
    }

    @Test func badReportDatesAre400() throws {
        let h = try EngineAPIHarness()
        let partner = try h.createPartner("ada@example.com")
        let key = try h.partnerKey(partner, scopes: ["reports:read"])
        let cases: [(String, String)] = [
            ("from=2025-02-30&to=2025-03-01", "from"), ("from=2025-3-1&to=2025-03-02", "from"), ("from=yesterday", "from"),
            ("from=2025-03-01&to=2025-13-01", "to"), ("from=2025-03-10&to=2025-03-01", "to"), ("granularity=year", "granularity"),
            ("from=2000-01-01&to=2025-01-01", "to"),
        ]
        for (query, field) in cases {
            let reply = try h.get("/me/reports?\(query)", key: key)
            #expect(reply.status == 400, "\(query)")
            #expect(reply.isProblem)
            #expect(reply.errors[field] != nil, "\(query): \(reply.errors)")
        }
        #expect(try h.get("/me/reports?from=2025-03-10&to=2025-03-01", key: key).errors["to"] == ["must not be before from"])
        #expect(try h.get("/me/reports?from=2025-03-01&to=2025-03-01", key: key).status == 200)
        #expect(try h.get("/partners/\(partner)/reports?from=2025-03-10&to=2025-03-01").status == 400)
    }

    /// Found by schemathesis: a number past Int64 wrapped to Int64.min and `abs` trapped (the server died); a null
    /// scope list made a key. Both are 422 now, and the server is still up.
    @Test func outOfRangeIntegersAndNullListsAreInvalidNotFatal() throws {
        let h = try EngineAPIHarness()
        let partner = try h.createPartner("ada@example.com")
        for amount in ["9223372036854775808", "-9223372036854775808", "18446744073709551615"] {
            let reply = try h.post("/partners/\(partner)/adjustments", raw: #"{"amount": \#(amount), "reason": "x"}"#)
            #expect(reply.status == 422, "\(amount): \(reply.status) \(reply.body)")
            #expect(reply.errors["amount"] != nil)
        }
        let null = try h.post("/partners/\(partner)/keys", raw: #"{"scopes": null}"#)
        #expect(null.status == 422 && null.errors["scopes"] != nil)
        #expect(try h.post("/partners/\(partner)/keys", raw: "{}").status == 422)
        #expect(try h.get("/partners/\(partner)/keys").data.isEmpty)
        #expect(try h.get("/partners/\(partner)").status == 200)
    }
}
