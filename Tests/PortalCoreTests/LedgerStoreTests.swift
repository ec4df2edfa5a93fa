import Foundation
import Store
import Testing
@testable import PortalCore

/// The SQLite ledger against the `Ledger` value: random sequences of earnings, approvals, refunds, payouts,
/// failures and adjustments applied to both must give the same entries, the same balances and the same
/// commission positions, and the same refusals.
@Suite struct LedgerStoreTests {
    @Test(arguments: [UInt64(1), 7, 2026])
    func theStoreMatchesTheValueLedgerStepByStep(seed: UInt64) throws {
        let f = try EngineFixture()
        let partner = try f.partner("Ada")
        let store = LedgerStore()
        var rng = SeededGenerator(seed: seed)
        var model = Ledger()
        var nextPayout: Int64 = 1
        var commissions: [Int64] = []

        for step in 0..<300 {
            let now = EngineFixture.t0 + Int64(step)
            try f.pool.write { db in
                switch Int.random(in: 0..<100, using: &rng) {
                case 0..<30:
                    let amount = Int64.random(in: 1...50_000, using: &rng)
                    try db.execute("""
                        INSERT INTO conversions (program_id, external_id, type, amount, currency, partner_id, occurred_at, created_at, request_hash)
                        VALUES (?, ?, 'sale', ?, 'USD', ?, ?, ?, x'00')
                        """, [f.programID, "s\(step)", amount * 5, partner, now, now])
                    let conversion = db.lastInsertRowID
                    try db.execute("""
                        INSERT INTO commissions (program_id, partner_id, conversion_id, amount, currency, rule, status, hold_until, created_at)
                        VALUES (?, ?, ?, ?, 'USD', 'test', 'pending', ?, ?)
                        """, [f.programID, partner, conversion, amount, now, now])
                    let id = db.lastInsertRowID
                    try model.earn(commissionID: id, amount: amount)
                    try store.earn(in: db, programID: f.programID, partnerID: partner, commissionID: id, amount: amount, now: now)
                    commissions.append(id)
                case 30..<50:
                    guard let id = commissions.randomElement(using: &rng) else { return }
                    try same({ try model.approve(commissionID: id) }, { try store.approve(in: db, commissionID: id, now: now) })
                case 50..<70:
                    guard let id = commissions.randomElement(using: &rng) else { return }
                    let remaining = model.commissions[id]?.remaining ?? 0
                    // Sometimes more than remains, which both must refuse.
                    let amount = Int64.random(in: 1...(remaining + 2), using: &rng)
                    try same({ try model.reverse(commissionID: id, amount: amount) },
                             { try store.reverse(in: db, commissionID: id, amount: amount, now: now) })
                case 70..<82:
                    try db.execute("INSERT INTO payout_batches (program_id, created_at) VALUES (?, ?)", [f.programID, now])
                    let batch = db.lastInsertRowID
                    try db.execute("""
                        INSERT INTO payouts (id, program_id, batch_id, partner_id, amount, currency, method, recipient_sealed, created_at)
                        VALUES (?, ?, ?, ?, 1, 'USD', 'paypal', '', ?)
                        """, [nextPayout, f.programID, batch, partner, now])
                    let id = nextPayout
                    try same({ try model.payOut(payoutID: id) },
                             { try store.payOut(in: db, programID: f.programID, partnerID: partner, payoutID: id, now: now) })
                    nextPayout += 1
                case 82..<92:
                    let id = Int64.random(in: 1...max(1, nextPayout), using: &rng)
                    try same({ try model.failPayout(payoutID: id) }, { try store.failPayout(in: db, payoutID: id, now: now) })
                default:
                    let amount = Int64.random(in: -3_000...3_000, using: &rng)
                    try same({ try model.adjust(amount: amount, reason: "bonus") },
                             { try store.adjust(in: db, programID: f.programID, partnerID: partner, amount: amount, reason: "bonus", now: now) })
                }
            }
            // Snapshots now and then (every few entries here, to exercise them): the balance must not change.
            if step % 7 == 0 { try f.pool.write { db in _ = try store.snapshot(in: db, minimumEntries: 3, now: now) } }
            let (entries, balance, full) = try f.pool.read { db in
                (try store.entries(in: db, partnerID: partner), try store.balance(in: db, partnerID: partner),
                 try store.fullBalance(in: db, partnerID: partner))
            }
            #expect(balance == full, "seed \(seed) step \(step): snapshot + later entries must equal the full sum")
            #expect(entries == model.entries, "seed \(seed) step \(step)")
            #expect(balance == model.balance && balance == Balance(summing: entries), "seed \(seed) step \(step)")
        }
        // Positions agree too: what each commission earned, lost and which live payout settled it.
        try f.pool.read { db in
            for id in commissions {
                let stored = try store.position(in: db, commissionID: id)
                let expected = try #require(model.commissions[id])
                #expect(stored.earned == expected.earned && stored.reversed == expected.reversed
                        && stored.approved == expected.approved && stored.payoutID == expected.payoutID, "commission \(id)")
            }
        }
        #expect(Set(model.entries.map(\.kind)) == Set(LedgerEntry.Kind.allCases), "seed \(seed) did not exercise every kind")
        #expect(try f.count("SELECT count(*) FROM ledger_snapshots") > 10, "snapshots were exercised")
    }

    /// Both succeed, or both refuse with the same error; a refusal writes nothing (the savepoint rolls back).
    private func same(_ model: () throws -> Any, _ store: () throws -> Any) throws {
        var modelError: LedgerError?
        do { _ = try model() } catch { modelError = try #require(error as? LedgerError) }
        do {
            _ = try store()
            #expect(modelError == nil, "the store accepted what the ledger refused: \(String(describing: modelError))")
        } catch let error as LedgerError {
            #expect(modelError == error)
        }
    }

    @Test func entriesCannotBeChangedOrRemoved() throws {
        let f = try EngineFixture()
        let partner = try f.partner("Ada")
        try f.pool.write { db in try LedgerStore().adjust(in: db, programID: f.programID, partnerID: partner, amount: 500, reason: "bonus", now: 1) }
        #expect(throws: DatabaseError.self) { try f.pool.write { db in try db.execute("UPDATE ledger_entries SET amount = 1") } }
        #expect(throws: DatabaseError.self) { try f.pool.write { db in try db.execute("DELETE FROM ledger_entries") } }
        #expect(try f.balance(partner).available == 500)
    }
}
