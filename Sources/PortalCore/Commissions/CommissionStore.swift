import Store

/// Listing commissions, always inside one program (and one partner for partner keys and the portal).
public struct CommissionStore: Sendable {
    public init() {}

    /// A commission with what a list shows about its conversion.
    public struct Listed: Sendable, Equatable {
        public let commission: RecordedConversion.Commission
        public let conversionID: Int64
        public let externalID: String
        public let review: String?
        public let holdUntil: Int64
        public let createdAt: Int64
    }

    public static let statuses: Set<String> = ["pending", "approved", "paid", "reversed", "rejected"]

    /// Newest first; `before` is the last id of the previous page.
    public func commissions(in db: Database, programID: Int64, partnerID: Int64?, status: String?, before: Int64?, limit: Int) throws -> [Listed] {
        // One partner's list walks its (partner, id) index backwards; "any partner" walks the program's.
        let scope = partnerID == nil ? "c.program_id = ?1 AND ?2 IS NULL" : "c.partner_id = ?2 AND +c.program_id = ?1"
        return try db.query("""
            SELECT c.id, c.partner_id, c.amount, c.currency, c.status, c.level, c.rule, c.conversion_id, v.external_id, c.review,
                   c.hold_until, c.created_at
            FROM commissions c JOIN conversions v ON v.id = c.conversion_id
            WHERE \(scope) AND (?3 IS NULL OR c.status = ?3) AND c.id < ?4
            ORDER BY c.id DESC LIMIT ?5
            """, [programID, partnerID, status, before ?? Int64.max, limit]).map { row in
            Listed(commission: try Self.summary(row), conversionID: try row["conversion_id"], externalID: try row["external_id"],
                   review: try row["review"], holdUntil: try row["hold_until"], createdAt: try row["created_at"])
        }
    }

    static func summary(_ row: Row) throws -> RecordedConversion.Commission {
        RecordedConversion.Commission(id: try row["id"], partnerID: try row["partner_id"], amount: try row["amount"],
                                      currency: try row["currency"], status: try row["status"], level: Int(try row["level"] as Int64),
                                      rule: try row["rule"])
    }
}
