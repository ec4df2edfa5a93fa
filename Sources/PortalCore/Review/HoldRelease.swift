import Store

/// Approves commissions whose hold has ended (CONTRACTS.md: pending until `occurred_at + hold days`), except
/// those flagged and not yet cleared by a reviewer. Run by the server's scheduler and by `portal jobs run`.
public struct HoldRelease: Sendable {
    private let ledger = LedgerStore()

    private struct ApprovedKey: Hashable {
        let partnerID: Int64
        let currency: String
    }

    public init() {}

    /// Approves every due commission, in transactions of `batchSize`, and returns how many it approved.
    @discardableResult
    public func run(_ database: DatabasePool, now: Int64, batchSize: Int = 500) throws -> Int {
        var approved = 0
        var after: Int64 = 0
        while true {
            let (count, last) = try database.write { db -> (Int, Int64?) in
                let due: [Int64] = try db.query("""
                    SELECT id FROM commissions
                    WHERE status = 'pending' AND hold_until <= ? AND (review IS NULL OR review = 'cleared') AND id > ?
                    ORDER BY id LIMIT ?
                    """, [now, after, batchSize]).map { try $0["id"] }
                var count = 0
                // One notice per partner and currency for the batch, not one per commission (docs/DECISIONS.md).
                var approvedFor: [ApprovedKey: (count: Int, total: Int64)] = [:]
                for id in due {
                    let position = try ledger.position(in: db, commissionID: id)
                    guard position.remaining > 0 else { continue }
                    let amount = try ledger.approve(in: db, commissionID: id, now: now, notify: false)
                    let currency = try db.queryValue("SELECT currency FROM commissions WHERE id = ?", [id], as: String.self) ?? ""
                    let key = ApprovedKey(partnerID: position.partnerID, currency: currency)
                    let sum = approvedFor[key] ?? (0, 0)
                    approvedFor[key] = (sum.count + 1, sum.total + amount)
                    count += 1
                }
                for (key, sum) in approvedFor.sorted(by: { ($0.key.partnerID, $0.key.currency) < ($1.key.partnerID, $1.key.currency) }) {
                    try PartnerNotices.commissionsApproved(in: db, partnerID: key.partnerID, count: sum.count, total: sum.total,
                                                           currency: key.currency, now: now)
                }
                return (count, due.last)
            }
            approved += count
            guard let last else { return approved }
            after = last
        }
    }
}
