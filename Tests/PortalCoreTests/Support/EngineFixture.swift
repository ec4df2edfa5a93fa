import Foundation
import PortalSecurity
import Store
@testable import PortalCore

/// A migrated database with one program, and shortcuts to add partners, links, clicks, rules and conversions
/// the way the engine would find them.
struct EngineFixture {
    let pool: DatabasePool
    let programID: Int64
    let vault: PayoutDetailsVault
    var recorder = ConversionRecorder(addressSecret: Array(repeating: 7, count: 32))
    static let secret = try! SecretKey(bytes: Array(repeating: 9, count: 32))

    /// 2026-11-10 12:00:00 UTC: mid-month, so month boundaries are explicit in the tests that need them.
    static let t0: Int64 = 1_794_052_800

    init(holdDays: Int = 30, cookieDays: Int = 60, commissionPercent: Int = 20, minPayout: Int64 = 5000, currency: String = "USD",
         model: AttributionModel = .lastClick, overrideBasisPoints: Int64 = 0, overrideDepth: Int = 1) throws {
        pool = try SessionStoreTests.database()
        vault = try PayoutDetailsVault(key: Self.secret)
        var program = NewProgram(name: "Test", slug: "test", currency: currency)
        program.commissionPercent = Double(commissionPercent)
        program.holdDays = holdDays
        program.cookieDays = cookieDays
        program.minPayout = minPayout
        let created = try pool.write { db in try ProgramStore().create(in: db, program, now: Self.t0 - 86_400 * 400) }
        programID = created.id
        try pool.write { db in
            try db.execute("UPDATE programs SET attribution_model = ?, override_bps = ?, override_depth = ? WHERE id = ?",
                           [model.rawValue, overrideBasisPoints, overrideDepth, created.id])
        }
    }

    @discardableResult
    func partner(_ name: String, status: PartnerStatus = .approved, group: String = "", parent: Int64? = nil,
                 payout: PayoutDetails? = PayoutDetails(method: .paypal, fields: ["paypal_email": "p@example.com"])) throws -> Int64 {
        try pool.write { db in
            let partner = try PartnerStore(vault: vault).create(
                in: db, programID: programID,
                PartnerChanges(email: "\(name.lowercased())@example.com", name: name, group: group, parentPartnerID: .some(parent), payout: payout),
                status: .pending, now: Self.t0 - 86_400 * 300)
            try db.execute("UPDATE partners SET status = ? WHERE id = ?", [status.rawValue, partner.id])
            return partner.id
        }
    }

    @discardableResult
    func link(partner: Int64, code: String, campaign: String = "") throws -> Int64 {
        try pool.write { db in
            try db.execute("INSERT INTO links (program_id, partner_id, code, destination_url, campaign, created_at) VALUES (?, ?, ?, 'https://shop.example/', ?, 0)",
                           [programID, partner, code, campaign])
            return db.lastInsertRowID
        }
    }

    /// A recorded click on `link` at `at`; returns its public id.
    func click(link: Int64, at: Int64, visitor: [UInt8] = [1, 2, 3], sub: String = "") throws -> String {
        try pool.write { db in
            let partner: Int64 = try db.queryValue("SELECT partner_id FROM links WHERE id = ?", [link], as: Int64.self) ?? 0
            try db.execute("""
                INSERT INTO clicks (program_id, partner_id, link_id, at, visitor, is_unique, sub1) VALUES (?, ?, ?, ?, ?, 1, ?)
                """, [programID, partner, link, at, visitor, sub])
            return String(db.lastInsertRowID)
        }
    }

    func coupon(_ code: String, partner: Int64) throws {
        _ = try pool.write { db in try CouponStore().create(in: db, programID: programID, partnerID: partner, code: code, now: 0) }
    }

    @discardableResult
    func rule(_ rule: CommissionRule) throws -> Int64 {
        try pool.write { db in try CommissionRuleStore().create(in: db, programID: programID, rule, now: 0) }
    }

    /// Records a conversion at `now` (default: when it occurred) and returns what the API would answer.
    @discardableResult
    func convert(_ conversion: NewConversion, now: Int64? = nil) throws -> RecordedConversion {
        var conversion = conversion
        if conversion.requestHash.isEmpty { conversion.requestHash = SHA256.hash("\(conversion)") }
        let outcome = try pool.write { db in
            try recorder.record(in: db, programID: programID, conversion, now: now ?? conversion.occurredAt ?? Self.t0)
        }
        switch outcome {
        case .created(let stored), .replayed(let stored): return stored
        }
    }

    func sale(_ id: String, amount: Int64, at: Int64 = t0, clickID: String? = nil, coupon: String? = nil, customer: String? = nil,
              partner: Int64? = nil, sku: String? = nil, email: String? = nil) -> NewConversion {
        NewConversion(externalID: id, type: .sale, amount: amount, clickID: clickID, coupon: coupon, partnerID: partner, customerID: customer,
                      customerEmail: email, productSKU: sku, occurredAt: at)
    }

    func balance(_ partner: Int64) throws -> Balance {
        try pool.read { db in try LedgerStore().balance(in: db, partnerID: partner) }
    }

    func count(_ sql: String, _ arguments: StatementArguments = []) throws -> Int64 {
        try pool.read { db in try db.queryValue(sql, arguments, as: Int64.self) ?? 0 }
    }
}
