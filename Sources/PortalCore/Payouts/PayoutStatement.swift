import Store

/// What a payout paid for: the ledger movements into the partner's available balance since their previous payout
/// (approved commissions, reversals of approved commissions, adjustments and bonuses, failed payouts returned). A
/// payout takes the whole available balance and leaves it at zero, so these lines always add up to the payout's
/// amount — the statement reconciles by construction, debts from refunds after earlier payouts included.
public struct PayoutStatement: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public let at: Int64
        /// `approved`, `reversed`, `adjusted` or `payout_failed`.
        public let kind: String
        public let amount: Int64
        public let commissionID: Int64?
        public let externalID: String?
        public let description: String
    }

    public let payout: PayoutStore.Payout
    public let lines: [Line]

    public var total: Int64 { lines.reduce(0) { $0 + $1.amount } }

    public static func load(in db: Database, store: PayoutStore, programID: Int64, payoutID: Int64) throws -> PayoutStatement? {
        guard let payout = try store.payout(in: db, programID: programID, id: payoutID),
              let paidEntry = try db.queryValue("SELECT id FROM ledger_entries WHERE payout_id = ? AND kind = 'paid_out'", [payoutID], as: Int64.self)
        else { return nil }
        let previous = try db.queryValue("""
            SELECT max(id) FROM ledger_entries WHERE partner_id = ? AND kind = 'paid_out' AND id < ?
            """, [payout.partnerID, paidEntry], as: Int64?.self) ?? nil
        let lines = try db.query("""
            SELECT e.created_at, e.kind, e.amount, e.commission_id, e.reason, e.payout_id, v.external_id, c.level
            FROM ledger_entries e
            LEFT JOIN commissions c ON c.id = e.commission_id LEFT JOIN conversions v ON v.id = c.conversion_id
            WHERE e.partner_id = ? AND e.id > ? AND e.id < ?
              AND (e.kind IN ('approved', 'adjusted', 'payout_failed') OR (e.kind = 'reversed' AND e.stage = 'available'))
            ORDER BY e.id
            """, [payout.partnerID, previous ?? 0, paidEntry]).map { row -> Line in
            let kind: String = try row["kind"]
            let externalID: String? = try row["external_id"]
            let level: Int64? = try row["level"]
            let description: String = switch kind {
            case "approved": (level ?? 0) > 0 ? "Sub-affiliate override on \(externalID ?? "a conversion")" : "Commission on \(externalID ?? "a conversion")"
            case "reversed": "Refund of \(externalID ?? "a conversion")"
            case "payout_failed": "Returned from failed payout \(try row["payout_id"] as Int64? ?? 0)"
            default: (try row["reason"] as String?) ?? "Adjustment"
            }
            return Line(at: try row["created_at"], kind: kind, amount: try row["amount"], commissionID: try row["commission_id"],
                        externalID: externalID, description: description)
        }
        return PayoutStatement(payout: payout, lines: lines)
    }

    /// `date,description,conversion,commission_id,amount,currency` with amounts in major units, ending with a total.
    public var csv: String {
        var out = "date,description,conversion,commission_id,amount,currency\r\n"
        for line in lines {
            out += [CivilDate.format(days: DailyStats.day(of: line.at)), PayoutExport.field(line.description),
                    PayoutExport.field(line.externalID ?? ""), line.commissionID.map(String.init) ?? "",
                    Currency.majorUnits(line.amount, currency: payout.currency), payout.currency].joined(separator: ",") + "\r\n"
        }
        out += ",Total of payout \(payout.id),,,\(Currency.majorUnits(total, currency: payout.currency)),\(payout.currency)\r\n"
        return out
    }
}
