import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// The Tax page: forms validated beside each field, submitted only by owners and admins (403 otherwise), the tax
/// id sealed and only ever shown masked, an e-mail notice, and yearly statements of the signed-in partner alone.
@Suite struct PartnerTaxPageTests {
    static func w9(_ taxID: String = "123-45-6789", name: String = "Ada Lovelace", signature: String? = nil) -> [(String, String)] {
        [("kind", "w9"), ("legal_name", name), ("country", "us"), ("address_line1", "1 Main St"), ("city", "Springfield"),
         ("classification", "individual"), ("tax_id", taxID), ("signature_name", signature ?? name), ("certified", "1")]
    }

    @Test func invalidFormsAre422WithMessagesBesideTheFieldsAndTheIdIsNotEchoed() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada")
        let owner = try team.session(a.userID)
        let empty = try team.get("/portal/tax", as: owner)
        #expect(empty.status == 200)
        #expect(empty.body.contains("No tax form yet"))
        #expect(empty.body.contains(#"action="/portal/tax""#))
        #expect(empty.body.contains("Under penalties of perjury"))

        let invalid = try team.post("/portal/tax", Self.w9("666-12-3456", signature: "Someone Else").filter { $0.0 != "certified" }, as: owner)
        #expect(invalid.status == 422)
        #expect(invalid.body.contains("This is not a valid SSN."))
        #expect(invalid.body.contains("Type the legal name exactly as entered above to sign."))
        #expect(invalid.body.contains("Tick the box to certify the statement above."))
        #expect(invalid.body.contains(#"id="tax_id" name="tax_id" type="text" value="" autocomplete="off" spellcheck="false" aria-invalid="true""#))
        #expect(invalid.body.contains(#"value="Ada Lovelace""#))
        #expect(!invalid.body.contains("666-12-3456") && !invalid.body.contains("666123456"))
        let noKind = try team.post("/portal/tax", [("legal_name", "Ada")], as: owner)
        #expect(noKind.status == 422)
        #expect(noKind.body.contains("Choose which form applies to you."))
        let vatFromOutside = try team.post("/portal/tax", [("kind", "eu_vat"), ("legal_name", "Ada"), ("business_name", "Ada Ltd"), ("country", "GB"),
                                                           ("address_line1", "1 High St"), ("city", "London"), ("tax_id", "GB123456789"),
                                                           ("signature_name", "Ada"), ("certified", "1")], as: owner)
        #expect(vatFromOutside.status == 422)
        #expect(vatFromOutside.body.contains("A VAT id here must be from an EU member state."))
        #expect(try portal.database.read { db in try db.queryValue("SELECT count(*) FROM tax_forms", as: Int64.self) } == 0)
    }

    @Test func ownersSubmitTheTeamSeesTheMaskedIdAndOwnersAndAdminsAreEmailed() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada")
        _ = try team.member(of: a.partnerID, name: "Ann", role: .partnerAdmin)
        let owner = try team.session(a.userID)
        let saved = try team.post("/portal/tax", Self.w9(signature: "  ada lovelace "), as: owner)
        #expect(saved.status == 303)
        #expect(saved.headers["location"] == "/portal/tax?saved=1")
        let page = try team.get("/portal/tax?saved=1", as: owner)
        #expect(page.body.contains("Your tax form is submitted."))
        #expect(page.body.contains("•••-••-6789"))
        #expect(page.body.contains("Submitted, waiting for review"))
        #expect(page.body.contains("Form W-9"))
        #expect(!page.body.contains("123-45-6789") && !page.body.contains("123456789"))
        let sealed = try #require(try portal.database.read { db in try db.queryValue("SELECT tax_id_sealed FROM tax_forms", as: String.self) })
        #expect(!sealed.contains("123456789"))
        let mail = try portal.database.read { db in
            try db.query("SELECT recipient, body_text FROM outbox WHERE subject LIKE 'A tax form%' ORDER BY recipient")
        }
        #expect(try mail.map { try $0["recipient"] as String } == ["ada-user@example.com", "ann-user@example.com"])
        for message in mail {
            let body: String = try message["body_text"]
            #expect(!body.contains("123-45-6789") && !body.contains("123456789") && body.contains("•••-••-6789"))
        }

        // A rejected form shows its reason; a new submission supersedes it.
        try portal.database.write { db in try db.execute("UPDATE tax_forms SET status = 'rejected', status_reason = 'Name does not match'") }
        let rejected = try team.get("/portal/tax", as: owner)
        #expect(rejected.body.contains("Rejected") && rejected.body.contains("Reason: Name does not match"))
        #expect(try team.post("/portal/tax", [("kind", "w8ben"), ("legal_name", "Ada Lovelace"), ("country", "GB"), ("address_line1", "1 High St"),
                                               ("city", "London"), ("tax_id", "AB 123456 C"), ("signature_name", "Ada Lovelace"), ("certified", "1")],
                              as: owner).status == 303)
        let after = try team.get("/portal/tax", as: owner)
        #expect(after.body.contains("Form W-8BEN") && after.body.contains("••••456C"))
        #expect(try portal.database.read { db in try db.queryValue("SELECT count(*) FROM tax_forms WHERE superseded_at IS NOT NULL", as: Int64.self) } == 1)
    }

    @Test func membersAndViewersSeeTheStatusButCannotSubmit() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada")
        #expect(try team.post("/portal/tax", Self.w9(), as: try team.session(a.userID)).status == 303)
        for (name, role, allowed) in [("Mia", Role.partnerMember, false), ("Vic", .partnerViewer, false), ("Ann", .partnerAdmin, true)] {
            let session = try team.session(try team.member(of: a.partnerID, name: name, role: role))
            let page = try team.get("/portal/tax", as: session)
            #expect(page.status == 200)
            #expect(page.body.contains("•••-••-6789"), "\(role)")
            #expect(page.body.contains(#"action="/portal/tax""#) == allowed, "\(role)")
            #expect(try team.post("/portal/tax", Self.w9("222-33-4444"), as: session).status == (allowed ? 303 : 403), "\(role)")
        }
        #expect(try portal.database.read { db in try db.queryValue("SELECT count(*) FROM tax_forms", as: Int64.self) } == 2)
        #expect(try team.post("/portal/tax", Self.w9(), as: try team.session(a.userID), csrf: false).status == 403)
    }

    @Test func partnersSeeOnlyTheirOwnFormAndStatements() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada"), b = try team.partner("Bob")
        let ada = try team.session(a.userID), bob = try team.session(b.userID)
        #expect(try team.post("/portal/tax", Self.w9(), as: ada).status == 303)
        try team.sale("ada-order-1", amount: 10_000, partnerID: a.partnerID)  // 20% → 20.00, approved at once
        let now = Int64(Date().timeIntervalSince1970)
        let year = CivilDate.ymd(days: DailyStats.day(of: now)).year
        try portal.database.write { db in
            let vault = try PayoutDetailsVault(key: portal.environment.secretKey)
            try PartnerStore(vault: vault).setPayout(in: db, partnerID: a.partnerID, PayoutDetails(method: .paypal, fields: ["paypal_email": "ada@example.com"]))
            let payouts = PayoutStore(vault: vault)
            for payout in try payouts.createBatch(in: db, programID: team.programID, now: now).payouts {
                _ = try payouts.markPaid(in: db, programID: team.programID, id: payout.id, reference: "PP-1", now: now)
            }
        }

        let adaPage = try team.get("/portal/tax", as: ada)
        #expect(adaPage.body.contains("/portal/tax/statements/\(year).csv"))
        let statement = try team.get("/portal/tax/statements/\(year).csv", as: ada)
        #expect(statement.status == 200)
        #expect(statement.headers["content-disposition"]?.contains("earnings-\(year).csv") == true)
        #expect(statement.body.contains("Ada,\(year),Total,1,20.00,1,20.00,USD"))

        let bobPage = try team.get("/portal/tax", as: bob)
        #expect(bobPage.body.contains("No tax form yet"))
        #expect(!bobPage.body.contains("•••-••-6789") && !bobPage.body.contains("Ada Lovelace"))
        #expect(!bobPage.body.contains("/portal/tax/statements/"))
        let bobStatement = try team.get("/portal/tax/statements/\(year).csv", as: bob)
        #expect(bobStatement.status == 200)
        #expect(bobStatement.body.contains("Bob,\(year),Total,0,0.00,0,0.00,USD"))
        #expect(!bobStatement.body.contains("Ada") && !bobStatement.body.contains("20.00"))
        #expect(try team.get("/portal/tax/statements/\(year).csv?partner=\(a.partnerID)", as: bob).status == 404)

        for bad in ["1999.csv", "2101.csv", "26.csv", "\(year).txt", "\(year)", "abcd.csv", "\(year)x.csv"] {
            #expect(try team.get("/portal/tax/statements/\(bad)", as: ada).status == 404, "\(bad)")
        }
    }
}
