import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// `/admin/payouts` (what is due, batches, exports, paid and failed, statements, the 1099-NEC summary) and the
/// partner page's adjustments: through the engine, audited, refused to viewers, other programs' rows not found.
@Suite struct AdminPayoutsPageTests {
    func vault(_ portal: RunningPortal) throws -> PayoutDetailsVault { try PayoutDetailsVault(key: portal.environment.secretKey) }

    func paypal(_ portal: RunningPortal, _ partnerID: Int64, _ email: String) throws {
        try portal.database.write { db in
            try PartnerStore(vault: try vault(portal)).setPayout(in: db, partnerID: partnerID, PayoutDetails(method: .paypal, fields: ["paypal_email": email]))
        }
    }

    func balance(_ portal: RunningPortal, _ partnerID: Int64) throws -> Balance {
        try portal.database.read { db in try LedgerStore().balance(in: db, partnerID: partnerID) }
    }

    func audits(_ portal: RunningPortal, _ action: String) throws -> Int {
        try portal.database.read { db in try db.queryValue("SELECT count(*) FROM audit_log WHERE action = ?", [action], as: Int.self) } ?? 0
    }

    func payoutStatus(_ portal: RunningPortal, _ id: Int64) throws -> String? {
        try portal.database.read { db in try db.queryValue("SELECT status FROM payouts WHERE id = ?", [id], as: String.self) }
    }

    func payoutIDs(_ portal: RunningPortal, batch: Int64) throws -> [Int64] {
        try portal.database.read { db in try db.query("SELECT id FROM payouts WHERE batch_id = ? ORDER BY id", [batch]).map { try $0["id"] as Int64 } }
    }

    func w9(_ portal: RunningPortal, _ team: PortalTeam, _ partnerID: Int64, legalName: String, ssn: String) throws {
        let store = try TaxFormStore(key: portal.environment.secretKey)
        try portal.database.write { db in
            let form = TaxForm(kind: .w9, legalName: legalName, country: "US", addressLine1: "1 Main St", city: "Springfield", region: "IL",
                               postalCode: "62701", classification: .individual, taxID: ssn, signatureName: legalName, certified: true)
            try store.submit(in: db, programID: team.programID, partnerID: partnerID, form, signerUserID: nil, signerAddressHash: nil, now: 0)
        }
    }

    /// Builds a batch as the manager; returns its id from the redirect.
    func build(_ team: PortalTeam, as session: (cookie: String, csrf: String)) throws -> Int64 {
        let reply = try team.post("/admin/payouts/batches?program=\(team.programID)", [], as: session)
        try #require(reply.status == 303)
        let location = reply.headers["location"] ?? ""
        let path = location.split(separator: "?").first.map(String.init) ?? ""
        return try #require(Int64(path.replacingOccurrences(of: "/admin/payouts/", with: "")), "\(location)")
    }

    @Test func dueBatchExportsStatementAndSettling() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal, minPayout: 1_000)   // hold 0: commissions are available at once
        let manager = try team.session(try team.staff("Max"))
        let ada = try team.partner("Ada"), bob = try team.partner("Bob"), cy = try team.partner("Cy")
        try paypal(portal, ada.partnerID, "ada.pay@example.com")
        try paypal(portal, cy.partnerID, "cy.pay@example.com")
        try w9(portal, team, ada.partnerID, legalName: "Ada Lovelace", ssn: "123-45-6789")
        try team.sale("ada-1", amount: 10_000, partnerID: ada.partnerID)   // 20.00
        try team.sale("bob-1", amount: 10_000, partnerID: bob.partnerID)   // 20.00, no payout method
        try team.sale("cy-1", amount: 1_000, partnerID: cy.partnerID)      // 2.00, below the 10.00 minimum

        let overview = try team.get("/admin/payouts?program=\(team.programID)", as: manager)
        #expect(overview.status == 200)
        #expect(overview.body.contains("1 due, $20.00 in all"))
        #expect(overview.body.contains("no payout method") && overview.body.contains("below the program minimum"))
        #expect(overview.body.contains("Form W-9: Submitted") && overview.body.contains("No tax form"))
        #expect(overview.body.contains("Build batch"))

        let batchID = try build(team, as: manager)
        #expect(try audits(portal, "payout.batch_create") == 1)
        let ids = try payoutIDs(portal, batch: batchID)
        try #require(ids.count == 1)
        let payoutID = ids[0]
        #expect(try balance(portal, ada.partnerID) == Balance(pending: 0, available: 0, paid: 2_000))
        let page = try team.get("/admin/payouts/\(batchID)?program=\(team.programID)&done=created", as: manager)
        #expect(page.status == 200)
        #expect(page.body.contains("Batch created") && page.body.contains("Ada") && page.body.contains("$20.00") && !page.body.contains("Bob"))
        // Nobody is due any more: a second build makes no batch.
        let none = try team.post("/admin/payouts/batches?program=\(team.programID)", [], as: manager)
        #expect(none.status == 303 && (none.headers["location"] ?? "").contains("done=none"))

        // Exports: the full recipient, the formats of PayoutExport.
        let csv = try team.get("/admin/payouts/\(batchID)/export.csv?program=\(team.programID)", as: manager)
        #expect(csv.status == 200 && (csv.headers["content-type"] ?? "").hasPrefix("text/csv"))
        #expect(csv.body.hasPrefix("payout_id,partner_id,partner_name,method,recipient,amount,currency,reference\r\n"))
        #expect(csv.body.contains("\(payoutID),\(ada.partnerID),Ada,paypal,ada.pay@example.com,20.00,USD,"))
        let pp = try team.get("/admin/payouts/\(batchID)/export.paypal.csv?program=\(team.programID)", as: manager)
        #expect(pp.body.hasPrefix("ada.pay@example.com,20.00,USD,payout-\(payoutID),"))
        let statement = try team.get("/admin/payouts/items/\(payoutID)/statement.csv?program=\(team.programID)", as: manager)
        #expect(statement.status == 200 && statement.body.contains("Commission on ada-1") && statement.body.contains("Total of payout \(payoutID)"))

        // Mark failed needs a reason; then paid; failing a paid payout returns the money through the ledger.
        let noReason = try team.post("/admin/payouts/items/\(payoutID)/mark-failed?program=\(team.programID)", [("reason", " ")], as: manager)
        #expect(noReason.status == 422 && noReason.body.contains("Reason is required"))
        #expect(try payoutStatus(portal, payoutID) == "pending" && audits(portal, "payout.mark_failed") == 0)
        let paid = try team.post("/admin/payouts/items/\(payoutID)/mark-paid?program=\(team.programID)", [("reference", "PP-123")], as: manager)
        #expect(paid.status == 303)
        #expect(try payoutStatus(portal, payoutID) == "paid" && audits(portal, "payout.mark_paid") == 1)
        #expect(try team.post("/admin/payouts/items/\(payoutID)/mark-paid?program=\(team.programID)", [], as: manager).status == 422)
        #expect(try team.post("/admin/payouts/\(batchID)/mark-paid?program=\(team.programID)", [], as: manager).status == 422,
                "no pending payout left in the batch")
        #expect(try team.post("/admin/payouts/items/\(payoutID)/mark-failed?program=\(team.programID)", [("reason", "Bounced")], as: manager).status == 303)
        #expect(try payoutStatus(portal, payoutID) == "failed")
        #expect(try balance(portal, ada.partnerID) == Balance(pending: 0, available: 2_000, paid: 0))
        #expect(try audits(portal, "payout.mark_failed") == 1)
        let failedPage = try team.get("/admin/payouts/\(batchID)?program=\(team.programID)", as: manager).body
        #expect(failedPage.contains("Bounced") && failedPage.contains("Ref. PP-123"))
        // A failed payout is left out of the exports; Ada is due again.
        #expect(!(try team.get("/admin/payouts/\(batchID)/export.csv?program=\(team.programID)", as: manager).body.contains("ada.pay@example.com")))
        #expect(try team.get("/admin/payouts?program=\(team.programID)", as: manager).body.contains("1 due, $20.00 in all"))
    }

    @Test func wholeBatchPaidOrFailedIsAllOrNothing() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal, minPayout: 1_000)
        let manager = try team.session(try team.staff("Max"))
        let ada = try team.partner("Ada"), bob = try team.partner("Bob")
        try paypal(portal, ada.partnerID, "ada.pay@example.com")
        try paypal(portal, bob.partnerID, "bob.pay@example.com")
        try team.sale("ada-1", amount: 10_000, partnerID: ada.partnerID)
        try team.sale("bob-1", amount: 20_000, partnerID: bob.partnerID)
        let batchID = try build(team, as: manager)
        let ids = try payoutIDs(portal, batch: batchID)
        #expect(ids.count == 2)

        // Failing the batch without a reason: 422 and no payout changes.
        let refused = try team.post("/admin/payouts/\(batchID)/mark-failed?program=\(team.programID)", [("reason", "")], as: manager)
        #expect(refused.status == 422 && refused.body.contains("Nothing was changed"))
        #expect(try ids.allSatisfy { try payoutStatus(portal, $0) == "pending" })
        #expect(try audits(portal, "payout.mark_failed") == 0 && audits(portal, "payout.batch_mark_failed") == 0)

        // One paid on its own, then the rest of the batch failed together: only the pending one fails.
        #expect(try team.post("/admin/payouts/items/\(ids[0])/mark-paid?program=\(team.programID)", [], as: manager).status == 303)
        #expect(try team.post("/admin/payouts/\(batchID)/mark-failed?program=\(team.programID)", [("reason", "Bank rejected the file")], as: manager).status == 303)
        #expect(try payoutStatus(portal, ids[0]) == "paid" && payoutStatus(portal, ids[1]) == "failed")
        #expect(try balance(portal, bob.partnerID) == Balance(pending: 0, available: 4_000, paid: 0))
        #expect(try audits(portal, "payout.batch_mark_failed") == 1 && audits(portal, "payout.mark_failed") == 1)

        // A new batch for Bob, marked paid as a whole.
        let second = try build(team, as: manager)
        #expect(try team.post("/admin/payouts/\(second)/mark-paid?program=\(team.programID)", [("reference", "WIRE-9")], as: manager).status == 303)
        #expect(try payoutIDs(portal, batch: second).allSatisfy { try payoutStatus(portal, $0) == "paid" })
        #expect(try balance(portal, bob.partnerID) == Balance(pending: 0, available: 0, paid: 4_000))
        #expect(try audits(portal, "payout.batch_mark_paid") == 1)
        #expect(try team.get("/admin/payouts?program=\(team.programID)", as: manager).body.contains("Batch #\(second)"))
    }

    @Test func viewersReadOnlyAndOtherProgramsAreNotFound() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal, minPayout: 1_000)
        let manager = try team.session(try team.staff("Max"))
        let viewer = try team.session(try team.staff("Vic", role: .programViewer))
        let ada = try team.partner("Ada")
        try paypal(portal, ada.partnerID, "ada.pay@example.com")
        try team.sale("ada-1", amount: 10_000, partnerID: ada.partnerID)
        let p = "?program=\(team.programID)"

        // The viewer sees what is due but cannot build a batch.
        let overview = try team.get("/admin/payouts\(p)", as: viewer)
        #expect(overview.status == 200 && overview.body.contains("Ada") && !overview.body.contains("Build batch"))
        #expect(try team.post("/admin/payouts/batches\(p)", [], as: viewer).status == 403)
        #expect(try team.post("/admin/payouts/batches\(p)", [], as: manager, csrf: false).status == 403)
        #expect(try portal.database.read { db in try db.queryValue("SELECT count(*) FROM payout_batches", as: Int.self) } == 0)

        let batchID = try build(team, as: manager)
        let payoutID = try #require(try payoutIDs(portal, batch: batchID).first)
        let page = try team.get("/admin/payouts/\(batchID)\(p)", as: viewer)
        #expect(page.status == 200 && page.body.contains("Ada") && !page.body.contains("mark-paid") && !page.body.contains("export.csv"))
        #expect(try team.get("/admin/payouts/items/\(payoutID)/statement.csv\(p)", as: viewer).status == 200)
        #expect(try team.get("/admin/payouts/\(batchID)/export.csv\(p)", as: viewer).status == 403)
        #expect(try team.get("/admin/payouts/\(batchID)/export.paypal.csv\(p)", as: viewer).status == 403)
        #expect(try team.post("/admin/payouts/items/\(payoutID)/mark-paid\(p)", [], as: viewer).status == 403)
        #expect(try team.post("/admin/payouts/\(batchID)/mark-failed\(p)", [("reason", "x")], as: viewer).status == 403)

        let other = try portal.database.write { db in
            try ProgramStore().create(in: db, NewProgram(name: "Other", slug: "other\(Int.random(in: 1000...9999))", currency: "USD"), now: 0)
        }
        let stranger = try team.session(try team.staff("Sam", programID: other.id))
        #expect(try team.get("/admin/payouts/\(batchID)", as: stranger).status == 404)
        #expect(try team.get("/admin/payouts/\(batchID)/export.csv", as: stranger).status == 404)
        #expect(try team.get("/admin/payouts/items/\(payoutID)/statement.csv", as: stranger).status == 404)
        #expect(try team.post("/admin/payouts/items/\(payoutID)/mark-paid", [], as: stranger).status == 404)
        #expect(try team.post("/admin/payouts/items/\(payoutID)/mark-failed", [("reason", "x")], as: stranger).status == 404)
        #expect(try team.post("/admin/payouts/\(batchID)/mark-paid", [], as: stranger).status == 404)
        #expect(try team.get("/admin/payouts\(p)", as: stranger).status == 404)
        #expect(!(try team.get("/admin/payouts", as: stranger).body.contains("Ada")))
        #expect(try payoutStatus(portal, payoutID) == "pending")
        #expect(try audits(portal, "payout.mark_paid") == 0)
    }

    @Test func taxYearListsUSPartnersWithMaskedTINsAndTheThreshold() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal, minPayout: 1_000)
        let manager = try team.session(try team.staff("Max"))
        let viewer = try team.session(try team.staff("Vic", role: .programViewer))
        let ada = try team.partner("Ada"), bob = try team.partner("Bob"), eve = try team.partner("Eve")
        for (partner, email) in [(ada, "ada@pay.example"), (bob, "bob@pay.example"), (eve, "eve@pay.example")] {
            try paypal(portal, partner.partnerID, email)
        }
        try w9(portal, team, ada.partnerID, legalName: "Ada Lovelace", ssn: "123-45-6789")
        try w9(portal, team, bob.partnerID, legalName: "=Bob Builder", ssn: "234-56-4321")
        try team.sale("ada-1", amount: 350_000, partnerID: ada.partnerID)   // 700.00
        try team.sale("bob-1", amount: 50_000, partnerID: bob.partnerID)    // 100.00
        try team.sale("eve-1", amount: 500_000, partnerID: eve.partnerID)   // no W-9: not listed
        let batchID = try build(team, as: manager)
        #expect(try team.post("/admin/payouts/\(batchID)/mark-paid?program=\(team.programID)", [("reference", "Y")], as: manager).status == 303)
        let year = Int(CivilDate.ymd(days: DailyStats.day(of: Int64(Date().timeIntervalSince1970))).year)

        let page = try team.get("/admin/payouts/tax-year/\(year)?program=\(team.programID)", as: manager)
        #expect(page.status == 200)
        #expect(page.body.contains("Ada Lovelace") && page.body.contains("$700.00") && page.body.contains("Reportable"))
        #expect(page.body.contains("$100.00") && !page.body.contains("Eve"))
        #expect(page.body.contains("<strong>1</strong> reportable"))
        #expect(page.body.contains("•••-••-6789") && !page.body.contains("123-45-6789") && !page.body.contains("123456789"))

        let csv = try team.get("/admin/payouts/tax-year/\(year)/export.csv?program=\(team.programID)", as: manager)
        #expect(csv.status == 200)
        let lines = csv.body.split(separator: "\r\n").map(String.init)
        #expect(lines.first == "partner_id,legal_name,business_name,tin_type,tin_masked,address_line1,address_line2,city,region,postal_code,country,w9_status,payouts,total_paid,currency,reportable")
        #expect(lines.count == 3)
        #expect(lines.contains("\(ada.partnerID),Ada Lovelace,,ssn,***-**-6789,1 Main St,,Springfield,IL,62701,US,submitted,1,700.00,USD,yes"))
        #expect(lines.contains("\(bob.partnerID),'=Bob Builder,,ssn,***-**-4321,1 Main St,,Springfield,IL,62701,US,submitted,1,100.00,USD,no"))
        #expect(!csv.body.contains("123456789") && !csv.body.contains("Eve"))
        // Last year: listed, nothing paid.
        #expect(try team.get("/admin/payouts/tax-year/\(year - 1)?program=\(team.programID)", as: manager).body.contains("$0.00"))

        // The viewer reads the page but not the file; a bad year is not found.
        #expect(try team.get("/admin/payouts/tax-year/\(year)?program=\(team.programID)", as: viewer).status == 200)
        #expect(try team.get("/admin/payouts/tax-year/\(year)/export.csv?program=\(team.programID)", as: viewer).status == 403)
        #expect(try team.get("/admin/payouts/tax-year/20x5?program=\(team.programID)", as: manager).status == 404)
        #expect(try team.get("/admin/payouts/tax-year/1999?program=\(team.programID)", as: manager).status == 404)
    }

    @Test func partnerAdjustmentsGoThroughTheLedgerWithAReason() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let manager = try team.session(try team.staff("Max"))
        let viewer = try team.session(try team.staff("Vic", role: .programViewer))
        let ada = try team.partner("Ada")
        let action = "/admin/partners/\(ada.partnerID)/adjustments?program=\(team.programID)"
        func adjustments() throws -> [Int64] {
            try portal.database.read { db in
                try db.query("SELECT amount FROM ledger_entries WHERE partner_id = ? AND kind = 'adjusted' ORDER BY id", [ada.partnerID]).map { try $0["amount"] as Int64 }
            }
        }

        let page = try team.get("/admin/partners/\(ada.partnerID)?program=\(team.programID)", as: manager).body
        #expect(page.contains("Record adjustment") && page.contains(#"for="adjustment-amount""#))
        #expect(!(try team.get("/admin/partners/\(ada.partnerID)?program=\(team.programID)", as: viewer).body.contains("Record adjustment")))

        // Validation: a bad amount, zero, too many decimals, no reason — 422 with the form kept, nothing written.
        for (amount, reason) in [("abc", "Bonus"), ("0", "Bonus"), ("1.234", "Bonus"), ("25.00", "  "), ("", "Bonus")] {
            let reply = try team.post(action, [("amount", amount), ("reason", reason)], as: manager)
            #expect(reply.status == 422, "\(amount) / \(reason)")
        }
        let kept = try team.post(action, [("amount", "12.5x"), ("reason", "Launch bonus")], as: manager)
        #expect(kept.body.contains("Enter a non-zero amount") && kept.body.contains(#"value="Launch bonus""#))
        #expect(try adjustments().isEmpty && audits(portal, "partner.bonus") == 0)

        // A bonus and a correction: ledger entries, balances derived from them, one audit entry each.
        let bonus = try team.post(action, [("amount", "25.00"), ("reason", "Launch bonus")], as: manager)
        #expect(bonus.status == 303 && (bonus.headers["location"] ?? "").contains("done=adjusted"))
        #expect(try team.post(action, [("amount", "-5.50"), ("reason", "Duplicate order")], as: manager).status == 303)
        #expect(try adjustments() == [2_500, -550])
        #expect(try balance(portal, ada.partnerID) == Balance(pending: 0, available: 1_950, paid: 0))
        #expect(try audits(portal, "partner.bonus") == 1 && audits(portal, "partner.adjust") == 1)
        let details = try portal.database.read { db in
            try db.queryValue("SELECT details FROM audit_log WHERE action = 'partner.adjust'", as: String.self)
        }
        #expect(details == "\u{2212}$5.50: Duplicate order")
        #expect(try team.get("/admin/partners/\(ada.partnerID)?program=\(team.programID)", as: manager).body.contains("$19.50"))

        // Viewers: 403; another program's manager: 404; no CSRF token: 403. Nothing written.
        #expect(try team.post(action, [("amount", "1.00"), ("reason", "x")], as: viewer).status == 403)
        let other = try portal.database.write { db in
            try ProgramStore().create(in: db, NewProgram(name: "Other", slug: "other\(Int.random(in: 1000...9999))", currency: "USD"), now: 0)
        }
        let stranger = try team.session(try team.staff("Sam", programID: other.id))
        #expect(try team.post("/admin/partners/\(ada.partnerID)/adjustments", [("amount", "1.00"), ("reason", "x")], as: stranger).status == 404)
        #expect(try team.post(action, [("amount", "1.00"), ("reason", "x")], as: manager, csrf: false).status == 403)
        #expect(try adjustments() == [2_500, -550])
    }
}
