import Foundation
import Testing
@testable import PortalWeb

/// What the API adds to CONTRACTS.md (docs/API.md): adjustments and bonuses, partner keys listed and revoked,
/// payout statements, the PayPal export.
@Suite struct EngineAPIAdditionsTests {
    @Test func adjustmentsGoStraightToAvailableWithAReason() throws {
        let h = try EngineAPIHarness()
        let partner = try h.createPartner("ada@example.com")
        let bonus = try h.post("/partners/\(partner)/adjustments", ["amount": 1500, "reason": "Launch bonus"])
        #expect(bonus.status == 201)
        #expect(try h.balance(partner) == .init(pending: 0, available: 1500, paid: 0))
        let correction = try h.post("/partners/\(partner)/adjustments", ["amount": -500, "currency": "USD", "reason": "Duplicate bonus"])
        #expect(correction.status == 201)
        #expect(try h.balance(partner).available == 1000)

        let invalid = try h.post("/partners/\(partner)/adjustments", ["amount": 0, "currency": "EUR", "reason": " "])
        #expect(invalid.status == 422)
        let errors = invalid.object?["errors"] as? [String: [String]] ?? [:]
        #expect(Set(errors.keys) == ["amount", "currency", "reason"])
        #expect(try h.post("/partners/99999/adjustments", ["amount": 5, "reason": "x"]).status == 404)
        let other = try h.addProgram(.init(slug: "other"))
        #expect(try h.post("/partners/\(partner)/adjustments", ["amount": 5, "reason": "x"], key: other.secret).status == 404)
        #expect(try h.balance(partner).available == 1000)
    }

    @Test func partnerKeysAreListedByPrefixAndRevokedKeysStopWorking() throws {
        let h = try EngineAPIHarness()
        let partner = try h.createPartner("ada@example.com")
        let key = try h.partnerKey(partner, scopes: ["reports:read"])
        #expect(try h.get("/me", key: key).status == 200)
        let list = try h.get("/partners/\(partner)/keys")
        #expect(list.status == 200)
        let listed = try #require(list.data.first)
        #expect(key.hasPrefix(try #require(listed.string("prefix"))))
        #expect(!list.body.contains(key))
        let keyID = try #require(listed.int("id"))
        let other = try h.addProgram(.init(slug: "other"))
        #expect(try h.send("DELETE", "/partners/\(partner)/keys/\(keyID)", bearer: other.secret).status == 404)
        #expect(try h.send("DELETE", "/partners/\(partner)/keys/\(keyID)", bearer: h.secret).status == 204)
        #expect(try h.get("/me", key: key).status == 401)
        #expect(try h.send("DELETE", "/partners/\(partner)/keys/\(keyID)", bearer: h.secret).status == 404)
    }

    @Test func aPayoutStatementAddsUpToThePayout() throws {
        let h = try EngineAPIHarness(.init(holdDays: 0, minPayout: 100))
        let partner = try h.createPartner("ada@example.com")
        _ = try h.sale("o-1", amount: 10_000, partner: partner)
        #expect(try h.post("/partners/\(partner)/adjustments", ["amount": 250, "reason": "Bonus, \"launch\""]).status == 201)
        let batch = try h.batch()
        let payout = try #require((batch["payouts"] as? [[String: Any]])?.first?.int("id"))
        let statement = try h.get("/payouts/\(payout)/statement.csv")
        #expect(statement.status == 200)
        #expect(statement.body == "date,description,conversion,commission_id,amount,currency\r\n"
                + "\(EngineAPIHarness.day()),Commission on o-1,o-1,1,20.00,USD\r\n"
                + "\(EngineAPIHarness.day()),\"Bonus, \"\"launch\"\"\",,,2.50,USD\r\n"
                + ",Total of payout \(payout),,,22.50,USD\r\n")
        let paypal = try h.get("/payouts/export.paypal.csv")
        #expect(paypal.status == 200)
        #expect(paypal.body == "payee@example.com,22.50,USD,payout-\(payout),Acme partner payout\r\n")
        let other = try h.addProgram(.init(slug: "other"))
        #expect(try h.get("/payouts/\(payout)/statement.csv", key: other.secret).status == 404)
    }
}
