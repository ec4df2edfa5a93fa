import Store

/// Coupon codes that credit a partner (CONTRACTS.md `POST /partners/{id}/coupons`), unique per program
/// regardless of case, since customers type them.
public struct CouponStore: Sendable {
    public init() {}

    public struct Coupon: Sendable, Equatable {
        public let id: Int64
        public let partnerID: Int64
        public let code: String
    }

    public enum Failure: Error, Equatable {
        case partnerNotFound
        case invalid([String: [String]])
    }

    public func create(in db: Database, programID: Int64, partnerID: Int64, code: String?, now: Int64) throws -> Coupon {
        guard try db.queryOne("SELECT 1 FROM partners WHERE id = ? AND program_id = ?", [partnerID, programID]) != nil else {
            throw Failure.partnerNotFound
        }
        guard let code = code?.trimmingCharacters(in: .whitespaces), !code.isEmpty else { throw Failure.invalid(["code": ["is required"]]) }
        guard NewLink.isValidCode(code) else { throw Failure.invalid(["code": ["must be 2 to 64 letters, digits, hyphens or underscores"]]) }
        if try db.queryOne("SELECT 1 FROM coupons WHERE program_id = ? AND code = ?", [programID, code]) != nil {
            throw Failure.invalid(["code": ["is already taken"]])
        }
        try db.execute("INSERT INTO coupons (program_id, partner_id, code, created_at) VALUES (?, ?, ?, ?)", [programID, partnerID, code, now])
        return Coupon(id: db.lastInsertRowID, partnerID: partnerID, code: code)
    }

    public func coupons(in db: Database, programID: Int64, partnerID: Int64) throws -> [Coupon] {
        try db.query("SELECT id, partner_id, code FROM coupons WHERE program_id = ? AND partner_id = ? AND archived_at IS NULL ORDER BY id",
                     [programID, partnerID]).map { Coupon(id: try $0["id"], partnerID: try $0["partner_id"], code: try $0["code"]) }
    }
}

import Foundation
