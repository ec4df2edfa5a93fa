import Store

/// Reading conversions back with their commissions.
public struct ConversionStore: Sendable {
    public init() {}

    public func conversion(in db: Database, id: Int64) throws -> RecordedConversion? {
        guard let row = try db.queryOne("""
            SELECT id, external_id, partner_id, type, amount, currency, refunded_amount, occurred_at,
                   EXISTS (SELECT 1 FROM refunds r WHERE r.conversion_id = conversions.id) AS has_refunds
            FROM conversions WHERE id = ?
            """, [id]) else { return nil }
        let commissions = try db.query("""
            SELECT id, partner_id, amount, currency, status, level, rule FROM commissions WHERE conversion_id = ? ORDER BY level, id
            """, [id]).map(CommissionStore.summary)
        let type = ConversionEvent(rawValue: try row["type"]) ?? .sale
        let amount: Int64? = try row["amount"]
        let refunded: Int64 = try row["refunded_amount"]
        let hasRefunds: Bool = try row["has_refunds"]
        let fully = type == .lead || (amount ?? 0) == 0 ? hasRefunds : refunded >= (amount ?? 0)
        return RecordedConversion(id: try row["id"], externalID: try row["external_id"], partnerID: try row["partner_id"], type: type,
                                  amount: amount, currency: try row["currency"], refundedAmount: refunded, fullyRefunded: fully,
                                  occurredAt: try row["occurred_at"], commissions: commissions)
    }

    public func conversionID(in db: Database, programID: Int64, externalID: String) throws -> Int64? {
        try db.queryValue("SELECT id FROM conversions WHERE program_id = ? AND external_id = ?", [programID, externalID], as: Int64.self)
    }
}
