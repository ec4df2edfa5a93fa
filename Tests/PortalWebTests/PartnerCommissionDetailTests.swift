import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// `/portal/commissions/{id}`: why a commission exists and where its money went, without any personal data of
/// the customer or the fraud rule that held it, and only for the partner it belongs to.
@Suite struct PartnerCommissionDetailTests {
    func conversion(_ team: PortalTeam, _ json: String) throws {
        let reply = try HTTPGet.request(port: team.portal.port, method: "POST", path: "/api/v1/conversions",
                                        headers: ["Authorization": "Bearer \(team.secretKey)", "Content-Type": "application/json"], body: json)
        #expect(reply.status == 201, "\(reply.body)")
    }

    func commissionID(_ portal: RunningPortal, _ externalID: String) throws -> Int64 {
        try #require(try portal.database.read { db in
            try db.queryValue("SELECT c.id FROM commissions c JOIN conversions v ON v.id = c.conversion_id WHERE v.external_id = ?",
                              [externalID], as: Int64.self)
        })
    }

    @Test func detailShowsRuleConversionRefundsAndPayoutButNoCustomerData() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada"), b = try team.partner("Bob")
        try portal.database.write { db in
            try db.execute("UPDATE programs SET allowed_domains = 'example.com', default_url = 'https://example.com/' WHERE id = ?", [team.programID])
            _ = try LinkStore().create(in: db, programID: team.programID, partnerID: a.partnerID,
                                       NewLink(destinationURL: "https://example.com/", campaign: "", code: "ada-link"), now: 0)
            try db.execute("""
                INSERT INTO commission_rules (program_id, name, event, scope, kind, rate_bps, created_at)
                VALUES (?, 'Launch rate', 'sale', 'program', 'percentage', 2500, 0)
                """, [team.programID])
        }
        try conversion(team, #"{"external_id":"ada-order-1","type":"sale","amount":10000,"link_code":"ada-link","customer_id":"cust-42","customer_email":"secret.customer@shopper.test","customer_ip":"203.0.113.9","product_sku":"SKU-RED"}"#)
        let first = try commissionID(portal, "ada-order-1")
        let payoutID = try portal.database.write { db -> Int64 in
            try PartnerStore(vault: try PayoutDetailsVault(key: portal.environment.secretKey)).setPayout(
                in: db, partnerID: a.partnerID, PayoutDetails(method: .paypal, fields: ["paypal_email": "ada.pay@example.com"]))
            return try PayoutStore(vault: try PayoutDetailsVault(key: portal.environment.secretKey))
                .createBatch(in: db, programID: team.programID, now: 1).payouts[0].id
        }
        let ada = try team.session(a.userID)
        let detail = try team.get("/portal/commissions/\(first)", as: ada)
        #expect(detail.status == 200)
        #expect(detail.body.contains("$25.00"))
        #expect(detail.body.contains("Launch rate"))
        #expect(detail.body.contains("25% of the sale"))
        #expect(detail.body.contains("Direct commission"))
        #expect(detail.body.contains("Sale"))
        #expect(detail.body.contains("$100.00"))
        #expect(detail.body.contains("SKU-RED"))
        #expect(detail.body.contains("ada-link"))
        #expect(detail.body.contains(#"href="/portal/payouts/\#(payoutID)""#))
        for secret in ["secret.customer@shopper.test", "shopper.test", "cust-42", "203.0.113.9"] {
            #expect(!detail.body.contains(secret), "the detail must not show \(secret)")
        }
        #expect(try team.get("/portal/commissions", as: ada).body.contains(#"href="/portal/commissions/\#(first)""#))

        // A refund shows on the conversion and as a reversal of the commission.
        try team.sale("ada-order-2", amount: 4_000, partnerID: a.partnerID)
        let refund = try HTTPGet.request(port: portal.port, method: "POST", path: "/api/v1/conversions/ada-order-2/refunds",
                                         headers: ["Authorization": "Bearer \(team.secretKey)", "Content-Type": "application/json"],
                                         body: #"{"amount":1000}"#)
        #expect(refund.status == 201 || refund.status == 200, "\(refund.body)")
        let refunded = try team.get("/portal/commissions/\(try commissionID(portal, "ada-order-2"))", as: ada)
        #expect(refunded.body.contains("$10.00 refunded"))
        #expect(refunded.body.contains("Reversed"))
        #expect(refunded.body.contains("Not paid out yet."))

        // Another partner's commission id is not found, and nothing of Ada's leaks.
        let bob = try team.session(b.userID)
        let other = try team.get("/portal/commissions/\(first)", as: bob)
        #expect(other.status == 404)
        #expect(!other.body.contains("Launch rate"))
        #expect(!other.body.contains("$25.00"))
        #expect(try team.get("/portal/commissions/999999", as: ada).status == 404)
        #expect(try team.get("/portal/commissions/abc", as: ada).status == 404)
        // The statement CSV route still wins over the detail route.
        #expect(try team.get("/portal/commissions/statement.csv?month=2026-01", as: ada).status == 200)
    }

    @Test func aFlaggedCommissionIsUnderReviewWithoutNamingTheRule() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal, holdDays: 30)
        let a = try team.partner("Ada")
        try team.sale("ada-order-9", amount: 10_000, partnerID: a.partnerID)
        let id = try commissionID(portal, "ada-order-9")
        try portal.database.write { db in
            try db.execute("UPDATE commissions SET review = 'flagged' WHERE id = ?", [id])
            try db.execute("INSERT INTO commission_flags (commission_id, kind, reason, created_at) VALUES (?, 'self_referral', 'Customer e-mail matches the partner', 0)", [id])
        }
        let detail = try team.get("/portal/commissions/\(id)", as: try team.session(a.userID))
        #expect(detail.status == 200)
        #expect(detail.body.contains("under review"))
        #expect(detail.body.contains("On hold until"))
        #expect(!detail.body.contains("self_referral"))
        #expect(!detail.body.contains("matches the partner"))
    }
}
