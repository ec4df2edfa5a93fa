import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// The partner's dashboard, commissions, payouts and payout settings: the right numbers, only the signed-in
/// partner's, and payout settings changed only by owners and admins, with validation and an e-mail notice.
@Suite struct PartnerEarningsPageTests {
    @Test func pagesShowOnlyTheSignedInPartnersMoney() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada"), b = try team.partner("Bob")
        try team.sale("ada-order-1", amount: 10_000, partnerID: a.partnerID)   // 20% → 20.00, available at once
        try team.sale("bob-order-1", amount: 55_500, partnerID: b.partnerID)   // 111.00 for Bob
        let ada = try team.session(a.userID)

        let dashboard = try team.get("/portal", as: ada)
        #expect(dashboard.status == 200)
        #expect(dashboard.body.contains("$20.00"))
        #expect(!dashboard.body.contains("$111.00"))
        #expect(dashboard.body.contains("Add your payout details"))

        let commissions = try team.get("/portal/commissions", as: ada)
        #expect(commissions.status == 200)
        #expect(commissions.body.contains("ada-order-1"))
        #expect(!commissions.body.contains("bob-order-1"))
        #expect(try team.get("/portal/commissions?status=paid", as: ada).body.contains("No commissions with this status"))
        #expect(try team.get("/portal/commissions?status=nonsense", as: ada).status == 400)

        let month = String(CivilDate.format(days: DailyStats.day(of: Int64(Date().timeIntervalSince1970))).prefix(7))
        let statement = try team.get("/portal/commissions/statement.csv?month=\(month)", as: ada)
        #expect(statement.status == 200)
        #expect(statement.body.contains("ada-order-1"))
        #expect(!statement.body.contains("bob-order-1"))
        #expect(statement.body.contains(",Total for \(month),,,,20.00,USD"))

        // Bob's payout: never visible to Ada, not even its existence.
        let bobPayout = try portal.database.write { db -> Int64 in
            try db.execute("UPDATE partners SET payout_method = NULL")
            try PartnerStore(vault: try PayoutDetailsVault(key: portal.environment.secretKey)).setPayout(
                in: db, partnerID: b.partnerID, PayoutDetails(method: .paypal, fields: ["paypal_email": "bob@example.com"]))
            return try PayoutStore(vault: try PayoutDetailsVault(key: portal.environment.secretKey))
                .createBatch(in: db, programID: team.programID, now: 1).payouts[0].id
        }
        let bob = try team.session(b.userID)
        let detail = try team.get("/portal/payouts/\(bobPayout)", as: bob)
        #expect(detail.status == 200)
        #expect(!detail.body.contains("This payout failed"), "a pending payout must not show the failure notice")
        #expect(!(try team.get("/portal/commissions", as: ada).body.contains("Older commissions")))
        #expect(try team.get("/portal/payouts/\(bobPayout)/statement.csv", as: bob).body.contains("Commission on bob-order-1"))
        #expect(try team.get("/portal/payouts/\(bobPayout)", as: ada).status == 404)
        #expect(try team.get("/portal/payouts/\(bobPayout)/statement.csv", as: ada).status == 404)
        #expect(!(try team.get("/portal/payouts", as: ada).body.contains("$111.00")))
        #expect(try team.get("/portal/payouts", as: bob).body.contains("$111.00"))
        // Choosing another team by id is refused as unknown.
        #expect(try team.get("/portal?partner=\(b.partnerID)", as: ada).status == 404)
    }

    @Test func payoutSettingsAreValidatedSavedEncryptedAndAnnounced() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal, minPayout: 5_000)
        let a = try team.partner("Ada")
        let owner = try team.session(a.userID)

        let invalid = try team.post("/portal/payouts/settings", [("method", "bank"), ("account_holder", ""), ("iban", "DE00 1234"),
                                                                  ("threshold", "10.00")], as: owner)
        #expect(invalid.status == 422)
        #expect(invalid.body.contains("is not a valid IBAN"))
        #expect(invalid.body.contains("Must be at least the program minimum of $50.00."))
        #expect(invalid.body.contains(#"aria-invalid="true""#))
        #expect(try portal.database.read { db in try db.queryValue("SELECT payout_method FROM partners WHERE id = ?", [a.partnerID], as: String?.self) } == .some(nil))

        let saved = try team.post("/portal/payouts/settings", [("method", "paypal"), ("paypal_email", "ada.pay@example.com"), ("threshold", "75.00")], as: owner)
        #expect(saved.status == 303)
        let row = try #require(try portal.database.read { db in
            try db.queryOne("SELECT payout_method, payout_details_sealed, payout_threshold FROM partners WHERE id = ?", [a.partnerID])
        })
        #expect(try row["payout_method"] as String == "paypal")
        #expect(try row["payout_threshold"] as Int64 == 7_500)
        #expect(!(try row["payout_details_sealed"] as String).contains("ada.pay"))
        let page = try team.get("/portal/payouts/settings?saved=1", as: owner)
        #expect(page.body.contains("a•••@example.com"))
        #expect(!page.body.contains("ada.pay@example.com"))
        let mail = try portal.database.read { db in try db.queryValue("SELECT count(*) FROM outbox WHERE subject LIKE 'Your payout details%'", as: Int64.self) }
        #expect(mail == 1)

        #expect(try team.post("/portal/payouts/settings", [("method", "paypal"), ("paypal_email", "x@example.com")], as: owner, csrf: false).status == 403)
    }

    @Test func membersAndViewersCannotChangePayoutSettings() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada")
        for (name, role, allowed) in [("Mia", Role.partnerMember, false), ("Vic", .partnerViewer, false), ("Ann", .partnerAdmin, true)] {
            let session = try team.session(try team.member(of: a.partnerID, name: name, role: role))
            let reply = try team.post("/portal/payouts/settings", [("method", "paypal"), ("paypal_email", "\(name)@example.com")], as: session)
            #expect(reply.status == (allowed ? 303 : 403), "\(role)")
            let page = try team.get("/portal/payouts/settings", as: session)
            #expect(page.status == 200)
            #expect(page.body.contains(#"action="/portal/payouts/settings""#) == allowed, "\(role)")
        }
    }
}
