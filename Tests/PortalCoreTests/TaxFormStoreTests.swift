import Foundation
import Store
import Testing
@testable import PortalCore

/// Tax forms at rest: a new form supersedes the current one and keeps history, the tax id is sealed and bound to
/// its row, pages get a masked id; the yearly statement counts payouts by paid date and approved commissions.
@Suite struct TaxFormStoreTests {
    static func w9(_ taxID: String = "123-45-6789", name: String = "Ada Lovelace") -> TaxForm {
        TaxForm(kind: .w9, legalName: name, country: "US", addressLine1: "1 Main St", city: "Springfield", classification: .individual,
                taxID: taxID, signatureName: name, certified: true)
    }

    @Test func aNewFormSupersedesTheCurrentAndKeepsHistory() throws {
        let f = try EngineFixture()
        let ada = try f.partner("Ada"), bob = try f.partner("Bob")
        let store = try TaxFormStore(key: EngineFixture.secret)
        let first = try f.pool.write { db in try store.submit(in: db, programID: f.programID, partnerID: ada, Self.w9(), signerUserID: nil, signerAddressHash: nil, now: 100) }
        #expect(first.status == .submitted)
        #expect(first.maskedTaxID == "•••-••-6789")
        let vat = TaxForm(kind: .euVAT, legalName: "Ada Lovelace", businessName: "Ada GmbH", country: "DE", addressLine1: "Hauptstr. 1", city: "Berlin",
                          taxID: "DE 123 456 789", signatureName: "ada lovelace", certified: true)
        let second = try f.pool.write { db in try store.submit(in: db, programID: f.programID, partnerID: ada, vat, signerUserID: nil, signerAddressHash: [1, 2], now: 200) }
        try f.pool.write { db in _ = try store.submit(in: db, programID: f.programID, partnerID: bob, Self.w9("98-7654321", name: "Bob"), signerUserID: nil, signerAddressHash: nil, now: 300) }
        try f.pool.read { db in
            #expect(try store.current(in: db, partnerID: ada)?.id == second.id)
            #expect(try store.current(in: db, partnerID: ada)?.maskedTaxID == "DE•••••6789")
            let history = try store.history(in: db, partnerID: ada)
            #expect(history.map(\.id) == [second.id, first.id])
            #expect(history.last?.supersededAt == 200)
            #expect(try store.current(in: db, partnerID: bob)?.maskedTaxID == "••-•••4321")
            #expect(try store.openTaxID(in: db, partnerID: ada, id: first.id) == "123456789")
            #expect(try store.openTaxID(in: db, partnerID: ada, id: second.id) == "DE123456789")
            #expect(try store.openTaxID(in: db, partnerID: bob, id: first.id) == nil)
        }
        // An invalid form is refused and changes nothing.
        #expect(throws: TaxFormStore.Failure.self) {
            try f.pool.write { db in try store.submit(in: db, programID: f.programID, partnerID: ada, Self.w9("666-00-0000"), signerUserID: nil, signerAddressHash: nil, now: 400) }
        }
        #expect(try f.count("SELECT count(*) FROM tax_forms WHERE partner_id = \(ada)") == 2)
    }

    @Test func theTaxIdIsEncryptedAndBoundToItsRow() throws {
        let f = try EngineFixture()
        let ada = try f.partner("Ada"), bob = try f.partner("Bob")
        let store = try TaxFormStore(key: EngineFixture.secret)
        let a = try f.pool.write { db in try store.submit(in: db, programID: f.programID, partnerID: ada, Self.w9(), signerUserID: nil, signerAddressHash: nil, now: 1) }
        let b = try f.pool.write { db in try store.submit(in: db, programID: f.programID, partnerID: bob, Self.w9("222-33-4444", name: "Bob"), signerUserID: nil, signerAddressHash: nil, now: 2) }
        let raw = try #require(try f.pool.read { db in try db.queryOne("SELECT * FROM tax_forms WHERE id = ?", [a.id]) })
        let sealed: String = try raw["tax_id_sealed"]
        #expect(!sealed.contains("123456789") && !sealed.contains("123-45-6789") && !sealed.contains("6789"))
        #expect(!raw.description.contains("123456789"))
        #expect(try raw["tax_id_last4"] as String == "6789")
        // Copying A's sealed id onto B's row does not open there; another key opens nothing.
        try f.pool.write { db in try db.execute("UPDATE tax_forms SET tax_id_sealed = ? WHERE id = ?", [sealed, b.id]) }
        #expect(throws: (any Error).self) { try f.pool.read { db in try store.openTaxID(in: db, partnerID: bob, id: b.id) } }
        let other = try TaxFormStore(key: try .init(bytes: Array(repeating: 3, count: 32)))
        #expect(throws: (any Error).self) { try f.pool.read { db in try other.openTaxID(in: db, partnerID: ada, id: a.id) } }
    }

    @Test func yearlyStatementsCountPaidPayoutsByPaidDateAndApprovedCommissions() throws {
        let f = try EngineFixture(holdDays: 0, minPayout: 100)
        let ada = try f.partner("Ada"), bob = try f.partner("Bob")
        let payouts = PayoutStore(vault: f.vault)
        let t0 = EngineFixture.t0  // 2026-11-10
        try f.convert(f.sale("a-1", amount: 10_000, partner: ada))  // 2,000
        try f.convert(f.sale("b-1", amount: 50_000, partner: bob))  // 10,000 for Bob, never in Ada's statement
        let first = try f.pool.write { db in try payouts.createBatch(in: db, programID: f.programID, now: t0) }
        for payout in first.payouts { try f.pool.write { db in _ = try payouts.markPaid(in: db, programID: f.programID, id: payout.id, reference: "r", now: t0 + 86_400) } }
        // Paid in 2027 for a commission approved in December 2026.
        let december = t0 + 86_400 * 30  // 2026-12-10
        try f.convert(f.sale("a-2", amount: 15_000, at: december, partner: ada))  // 3,000
        let second = try f.pool.write { db in try payouts.createBatch(in: db, programID: f.programID, now: december) }
        let adaSecond = try #require(second.payouts.first { $0.partnerID == ada })
        try f.pool.write { db in _ = try payouts.markPaid(in: db, programID: f.programID, id: adaSecond.id, reference: "r2", now: t0 + 86_400 * 60) }  // 2027-01-09

        let (y2026, y2027, years) = try f.pool.read { db in
            (try YearlyEarningsStatement.load(in: db, programID: f.programID, partnerID: ada, year: 2026, currency: "USD"),
             try YearlyEarningsStatement.load(in: db, programID: f.programID, partnerID: ada, year: 2027, currency: "USD"),
             try YearlyEarningsStatement.activeYears(in: db, programID: f.programID, partnerID: ada))
        }
        #expect(years == [2027, 2026])
        #expect(y2026.totalPaid == 2_000)
        #expect(y2026.totalEarned == 5_000)
        #expect(y2026.months[10].paid == 2_000 && y2026.months[10].earned == 2_000)
        #expect(y2026.months[11].paid == 0 && y2026.months[11].earned == 3_000)
        #expect(y2027.totalPaid == 3_000 && y2027.totalEarned == 0 && y2027.months[0].payouts == 1)
        let csv = y2026.csv(partnerName: "=Ada")
        #expect(csv.hasPrefix("partner,year,month,payouts,paid,commissions,earned,currency\r\n"))
        #expect(csv.contains("'=Ada,2026,November,1,20.00,1,20.00,USD\r\n"))
        #expect(csv.contains("'=Ada,2026,December,0,0.00,1,30.00,USD\r\n"))
        #expect(csv.contains("'=Ada,2026,Total,1,20.00,2,50.00,USD\r\n"))
        #expect(!csv.contains("\n=Ada"))
    }

    @Test func yearsAreParsedStrictly() {
        #expect(YearlyEarningsStatement.year(from: "2026") == 2026)
        for bad in ["1999", "2101", "26", "02026", "20x6", "", "２０２６"] { #expect(YearlyEarningsStatement.year(from: bad) == nil, "\(bad)") }
        // Pure: events outside the year are ignored, months in UTC.
        let s = YearlyEarningsStatement.make(year: 2026, currency: "EUR",
                                             payouts: [.init(at: YearlyEarningsStatement.start(of: 2026) - 1, amount: 5), .init(at: YearlyEarningsStatement.start(of: 2026), amount: 7)],
                                             commissions: [.init(at: YearlyEarningsStatement.start(of: 2027) - 1, amount: 11)])
        #expect(s.totalPaid == 7 && s.months[0].paid == 7 && s.months[11].earned == 11)
    }
}
