import Store

/// Approves commissions whose hold has ended (CONTRACTS.md: pending until `occurred_at + hold days`), except
/// those flagged and not yet cleared by a reviewer. Run by the server's scheduler and by `portal jobs run`.
public struct HoldRelease: Sendable {
    private let ledger = LedgerStore()

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
                for id in due where try ledger.position(in: db, commissionID: id).remaining > 0 {
                    try ledger.approve(in: db, commissionID: id, now: now)
                    count += 1
                }
                return (count, due.last)
            }
            approved += count
            guard let last else { return approved }
            after = last
        }
    }
}
