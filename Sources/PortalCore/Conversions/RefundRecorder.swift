import Store

/// Refunds (CONTRACTS.md `POST /conversions/{external_id}/refunds`): reverses each commission of the conversion
/// in proportion to the refunded share, also when the commission was already paid — the partner's available
/// balance then goes negative and the next payout nets the debt off.
public struct RefundRecorder: Sendable {
    private let ledger = LedgerStore()

    public init() {}

    public struct Refund: Sendable, Equatable {
        public struct Reversal: Sendable, Equatable {
            public let commissionID: Int64
            public let partnerID: Int64
            public let amount: Int64
        }
        public let id: Int64
        public let conversionID: Int64
        public let externalID: String
        public let amount: Int64
        public let currency: String
        public let reversals: [Reversal]
    }

    public enum Failure: Error, Equatable {
        case conversionNotFound
        case invalid([String: [String]])
    }

    /// `amount` nil refunds whatever remains. A lead has no amount to share out: any refund reverses it whole.
    public func refund(in db: Database, programID: Int64, externalID: String, amount requested: Int64?, now: Int64) throws -> Refund {
        guard let conversion = try db.queryOne("""
            SELECT id, type, amount, currency, refunded_amount, partner_id, occurred_at, link_id, sub_id,
                   EXISTS (SELECT 1 FROM refunds r WHERE r.conversion_id = conversions.id) AS has_refunds
            FROM conversions WHERE program_id = ? AND external_id = ?
            """, [programID, externalID]) else { throw Failure.conversionNotFound }
        let conversionID: Int64 = try conversion["id"]
        let total: Int64 = try conversion["amount"] ?? 0
        let already: Int64 = try conversion["refunded_amount"]
        let isSale = (try conversion["type"] as String) == "sale" && total > 0
        let refunding: Int64
        if isSale {
            let remaining = total - already
            guard remaining > 0 else { throw Failure.invalid(["amount": ["the sale is already refunded in full"]]) }
            refunding = requested ?? remaining
            guard refunding > 0, refunding <= remaining else {
                throw Failure.invalid(["amount": ["must be between 1 and \(remaining), what remains of the sale"]])
            }
        } else {
            guard !(try conversion["has_refunds"] as Bool) else { throw Failure.invalid(["amount": ["the conversion is already refunded"]]) }
            guard requested == nil || requested == total else { throw Failure.invalid(["amount": ["a lead is refunded whole: leave amount out"]]) }
            refunding = total
        }

        var reversals: [Refund.Reversal] = []
        var announced: [(id: Int64, amount: Int64, remaining: Int64)] = []
        for row in try db.query("SELECT id, partner_id, amount, level FROM commissions WHERE conversion_id = ? ORDER BY level, id", [conversionID]) {
            let commissionID: Int64 = try row["id"]
            let commission: Int64 = try row["amount"]
            var share = isSale
                ? try CommissionMath.reversal(of: commission, alreadyRefunded: already, refunding: refunding, of: total)
                : commission
            // A reviewer may have rejected (reversed) the commission already: never take back more than remains.
            share = min(share, try ledger.position(in: db, commissionID: commissionID).remaining)
            guard share > 0 else { continue }
            let remaining = try ledger.position(in: db, commissionID: commissionID).remaining - share
            try ledger.reverse(in: db, commissionID: commissionID, amount: share, now: now, announce: false)
            announced.append((commissionID, share, remaining))
            reversals.append(.init(commissionID: commissionID, partnerID: try row["partner_id"], amount: share))
            let level: Int64 = try row["level"]
            try DailyStats.add(in: db, programID: programID, partnerID: try row["partner_id"], at: try conversion["occurred_at"],
                               linkID: level == 0 ? try conversion["link_id"] ?? 0 : 0,
                               campaign: level == 0 ? try campaign(db, try conversion["link_id"]) : "",
                               subID: level == 0 ? try conversion["sub_id"] : "", commission: -share)
        }
        if isSale, let partnerID: Int64 = try conversion["partner_id"] {
            let linkID: Int64? = try conversion["link_id"]
            try DailyStats.add(in: db, programID: programID, partnerID: partnerID, at: try conversion["occurred_at"], linkID: linkID ?? 0,
                               campaign: try campaign(db, linkID), subID: try conversion["sub_id"], revenue: -refunding)
        }
        try db.execute("UPDATE conversions SET refunded_amount = refunded_amount + ? WHERE id = ?", [isSale ? refunding : 0, conversionID])
        try db.execute("INSERT INTO refunds (conversion_id, amount, created_at) VALUES (?, ?, ?)", [conversionID, refunding, now])
        let refund = Refund(id: db.lastInsertRowID, conversionID: conversionID, externalID: externalID, amount: refunding,
                            currency: try conversion["currency"], reversals: reversals)
        try WebhookEvents.conversionRefunded(in: db, programID: programID, partnerID: try conversion["partner_id"], refund, now: now)
        for reversal in announced {
            try WebhookEvents.commissionReversed(in: db, commissionID: reversal.id, amount: reversal.amount, remaining: reversal.remaining, now: now)
        }
        return refund
    }

    private func campaign(_ db: Database, _ linkID: Int64?) throws -> String {
        guard let linkID else { return "" }
        return try db.queryValue("SELECT campaign FROM links WHERE id = ?", [linkID], as: String.self) ?? ""
    }
}
