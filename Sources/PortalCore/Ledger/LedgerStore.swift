import Store

/// The ledger in SQLite: the same movements and the same refusals as the `Ledger` value, with entries appended to
/// `ledger_entries` (whose triggers refuse any update or delete). Call inside a write transaction; a refused
/// movement throws `LedgerError` and the caller's transaction rolls back, so nothing half-done remains.
///
/// Positions are read from the entries themselves, never from a stored total: a commission's earned and reversed
/// sums, whether it was approved, and whether a live payout holds it. `LedgerStoreTests` replays random sequences
/// against the `Ledger` value and requires identical entries and balances.
public struct LedgerStore: Sendable {
    public init() {}

    /// A commission's position, derived from its entries.
    public struct CommissionPosition: Sendable, Equatable {
        public let partnerID: Int64
        public let programID: Int64
        public let earned: Int64
        public let reversed: Int64
        public let approved: Bool
        public let payoutID: Int64?
        public var remaining: Int64 { earned - reversed }
    }

    public func earn(in db: Database, programID: Int64, partnerID: Int64, commissionID: Int64, amount: Int64, now: Int64) throws {
        guard amount > 0 else { throw LedgerError.nonPositiveAmount }
        if try db.queryOne("SELECT 1 FROM ledger_entries WHERE commission_id = ? AND kind = 'earned'", [commissionID]) != nil {
            throw LedgerError.commissionExists(commissionID)
        }
        try append(db, programID, partnerID, .earned, amount, commissionID: commissionID, now: now)
    }

    /// Moves what remains of a pending commission to available. Returns the amount moved. `announce` false leaves
    /// the `commission.approved` event to the caller (a conversion approved at once announces itself first). With
    /// `notify` the partner's team hears of it (`PartnerNotices`); the hold-release job passes false and sends one
    /// notice per partner for the whole run instead.
    @discardableResult
    public func approve(in db: Database, commissionID: Int64, now: Int64, announce: Bool = true, notify: Bool = true) throws -> Int64 {
        let position = try self.position(in: db, commissionID: commissionID)
        guard !position.approved else { throw LedgerError.alreadyApproved(commissionID) }
        guard position.remaining > 0 else { throw LedgerError.nothingToApprove(commissionID) }
        try append(db, position.programID, position.partnerID, .approved, position.remaining, commissionID: commissionID, now: now)
        try db.execute("UPDATE commissions SET status = 'approved', approved_at = ? WHERE id = ?", [now, commissionID])
        if announce { try WebhookEvents.commissionApproved(in: db, commissionID: commissionID, now: now) }
        if notify, let currency = try db.queryValue("SELECT currency FROM commissions WHERE id = ?", [commissionID], as: String.self) {
            try PartnerNotices.commissionsApproved(in: db, partnerID: position.partnerID, count: 1, total: position.remaining,
                                                   currency: currency, now: now)
        }
        return position.remaining
    }

    /// Takes back `amount` of a commission: from pending before approval, from available after (below zero when it
    /// was already paid out; the next payout nets the debt off).
    /// `announce` false leaves the `commission.reversed` event to the caller (a refund announces itself first).
    public func reverse(in db: Database, commissionID: Int64, amount: Int64, now: Int64, announce: Bool = true) throws {
        guard amount > 0 else { throw LedgerError.nonPositiveAmount }
        let position = try self.position(in: db, commissionID: commissionID)
        guard amount <= position.remaining else {
            throw LedgerError.reversalExceedsRemaining(commissionID: commissionID, remaining: position.remaining)
        }
        let stage: LedgerEntry.Stage = position.approved ? .available : .pending
        try append(db, position.programID, position.partnerID, .reversed, -amount, commissionID: commissionID, stage: stage, now: now)
        if amount == position.remaining {
            try db.execute("UPDATE commissions SET status = 'reversed' WHERE id = ? AND status <> 'rejected'", [commissionID])
        }
        if announce {
            try WebhookEvents.commissionReversed(in: db, commissionID: commissionID, amount: amount, remaining: position.remaining - amount, now: now)
        }
    }

    /// A manual adjustment or bonus (negative for a correction), straight into available, with its reason.
    public func adjust(in db: Database, programID: Int64, partnerID: Int64, amount: Int64, reason: String, now: Int64) throws {
        guard amount != 0 else { throw LedgerError.nonPositiveAmount }
        guard !reason.allSatisfy(\.isWhitespace) else { throw LedgerError.emptyReason }
        try append(db, programID, partnerID, .adjusted, amount, reason: reason, now: now)
    }

    /// Pays out the partner's whole available balance (which nets off debts from refunds after earlier payouts) and
    /// settles every approved commission with something left that no live payout holds. The `payouts` row must exist.
    /// Returns the amount and the settled commissions.
    @discardableResult
    public func payOut(in db: Database, programID: Int64, partnerID: Int64, payoutID: Int64, now: Int64) throws
        -> (amount: Int64, commissionIDs: [Int64]) {
        if try db.queryOne("SELECT 1 FROM ledger_entries WHERE payout_id = ? AND kind = 'paid_out'", [payoutID]) != nil {
            throw LedgerError.payoutExists(payoutID)
        }
        let available = try balance(in: db, partnerID: partnerID).available
        guard available > 0 else { throw LedgerError.nothingAvailable }
        let settled: [Int64] = try db.query("""
            SELECT c.id FROM commissions c
            WHERE c.partner_id = ?
              AND EXISTS (SELECT 1 FROM ledger_entries a WHERE a.commission_id = c.id AND a.kind = 'approved')
              AND (SELECT sum(amount) FROM ledger_entries e WHERE e.commission_id = c.id AND e.kind IN ('earned', 'reversed')) > 0
              AND NOT EXISTS (SELECT 1 FROM payout_commissions pc JOIN payouts p ON p.id = pc.payout_id
                              WHERE pc.commission_id = c.id AND p.status <> 'failed')
            ORDER BY c.id
            """, [partnerID]).map { try $0["id"] }
        for id in settled {
            try db.execute("INSERT INTO payout_commissions (payout_id, commission_id) VALUES (?, ?)", [payoutID, id])
        }
        if !settled.isEmpty {
            try db.execute("UPDATE commissions SET status = 'paid' WHERE id IN (SELECT commission_id FROM payout_commissions WHERE payout_id = ?) AND status = 'approved'", [payoutID])
        }
        try append(db, programID, partnerID, .paidOut, available, payoutID: payoutID, now: now)
        return (available, settled)
    }

    /// A payout failed: its whole amount returns to available and its commissions can be paid again.
    public func failPayout(in db: Database, payoutID: Int64, now: Int64) throws {
        guard let paid = try db.queryOne("SELECT program_id, partner_id, amount FROM ledger_entries WHERE payout_id = ? AND kind = 'paid_out'", [payoutID]) else {
            throw LedgerError.unknownPayout(payoutID)
        }
        if try db.queryOne("SELECT 1 FROM ledger_entries WHERE payout_id = ? AND kind = 'payout_failed'", [payoutID]) != nil {
            throw LedgerError.payoutAlreadyFailed(payoutID)
        }
        try append(db, try paid["program_id"], try paid["partner_id"], .payoutFailed, try paid["amount"], payoutID: payoutID, now: now)
        try db.execute("UPDATE payouts SET status = 'failed', settled_at = ? WHERE id = ?", [now, payoutID])
        // Back to approved, unless a refund reversed them entirely meanwhile.
        try db.execute("""
            UPDATE commissions SET status = 'approved'
            WHERE status = 'paid' AND id IN (SELECT commission_id FROM payout_commissions WHERE payout_id = ?)
            """, [payoutID])
    }

    public func position(in db: Database, commissionID: Int64) throws -> CommissionPosition {
        guard let row = try db.queryOne("""
            SELECT c.partner_id, c.program_id,
                   (SELECT ifnull(sum(amount), 0) FROM ledger_entries WHERE commission_id = c.id AND kind = 'earned') AS earned,
                   (SELECT ifnull(-sum(amount), 0) FROM ledger_entries WHERE commission_id = c.id AND kind = 'reversed') AS reversed,
                   EXISTS (SELECT 1 FROM ledger_entries WHERE commission_id = c.id AND kind = 'approved') AS approved,
                   (SELECT pc.payout_id FROM payout_commissions pc JOIN payouts p ON p.id = pc.payout_id
                    WHERE pc.commission_id = c.id AND p.status <> 'failed') AS payout_id
            FROM commissions c WHERE c.id = ?
            """, [commissionID]), (try row["earned"] as Int64) > 0 else {
            throw LedgerError.unknownCommission(commissionID)
        }
        return CommissionPosition(partnerID: try row["partner_id"], programID: try row["program_id"], earned: try row["earned"],
                                  reversed: try row["reversed"], approved: try row["approved"], payoutID: try row["payout_id"])
    }

    /// pending, available and paid as sums over the partner's entries (see `Balance` for the identities): the
    /// latest snapshot (itself a sum of the entries up to an id) plus the entries after it.
    public func balance(in db: Database, partnerID: Int64) throws -> Balance {
        let snapshot = try db.queryOne("""
            SELECT through_entry_id, pending, available, paid FROM ledger_snapshots WHERE partner_id = ?
            ORDER BY through_entry_id DESC LIMIT 1
            """, [partnerID])
        let base = try snapshot.map { Balance(pending: try $0["pending"], available: try $0["available"], paid: try $0["paid"]) } ?? .zero
        let after: Int64 = try snapshot?["through_entry_id"] ?? 0
        guard let row = try db.queryOne("SELECT \(Self.balanceColumns) FROM ledger_entries WHERE partner_id = ? AND id > ?",
                                        [partnerID, after]) else { return base }
        return base + Balance(pending: try row["pending"], available: try row["available"], paid: try row["paid"])
    }

    /// The balance summed over every entry, ignoring snapshots (to check them).
    public func fullBalance(in db: Database, partnerID: Int64) throws -> Balance {
        guard let row = try db.queryOne("SELECT \(Self.balanceColumns) FROM ledger_entries WHERE partner_id = ?", [partnerID]) else {
            return .zero
        }
        return Balance(pending: try row["pending"], available: try row["available"], paid: try row["paid"])
    }

    /// Appends a snapshot for every partner with at least `minimumEntries` entries since their last one. Run by
    /// the job scheduler; returns how many it wrote.
    @discardableResult
    public func snapshot(in db: Database, minimumEntries: Int = 500, now: Int64) throws -> Int {
        // One probe per partner along (partner_id, id) from its last snapshot: "at least N entries since" is an
        // OFFSET N-1 lookup, so the job reads a few index pages per partner instead of the whole ledger every
        // minute (0.7 s with 640,000 entries before).
        let due: [Int64] = try db.query("""
            SELECT p.id FROM partners p WHERE EXISTS (
                SELECT 1 FROM ledger_entries e
                WHERE e.partner_id = p.id
                  AND e.id > ifnull((SELECT max(through_entry_id) FROM ledger_snapshots s WHERE s.partner_id = p.id), 0)
                ORDER BY e.id LIMIT 1 OFFSET ?)
            """, [max(minimumEntries, 1) - 1]).map { try $0[0] }
        for partnerID in due {
            guard let last = try db.queryValue("SELECT max(id) FROM ledger_entries WHERE partner_id = ?", [partnerID], as: Int64.self),
                  let sums = try db.queryOne("SELECT \(Self.balanceColumns) FROM ledger_entries WHERE partner_id = ? AND id <= ?",
                                             [partnerID, last]) else { continue }
            try db.execute("""
                INSERT INTO ledger_snapshots (partner_id, through_entry_id, pending, available, paid, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """, [partnerID, last, try sums["pending"] as Int64, try sums["available"] as Int64, try sums["paid"] as Int64, now])
        }
        return due.count
    }

    /// Every partner of a program with a ledger, and their balances, in one pass over the entries.
    public func balances(in db: Database, programID: Int64) throws -> [Int64: Balance] {
        var result: [Int64: Balance] = [:]
        for row in try db.query("SELECT partner_id, \(Self.balanceColumns) FROM ledger_entries WHERE program_id = ? GROUP BY partner_id", [programID]) {
            result[try row["partner_id"]] = Balance(pending: try row["pending"], available: try row["available"], paid: try row["paid"])
        }
        return result
    }

    /// The `Balance` identities as SQL sums over entries.
    static let balanceColumns = """
        ifnull(sum(CASE WHEN kind = 'earned' THEN amount WHEN kind = 'approved' THEN -amount
                        WHEN kind = 'reversed' AND stage = 'pending' THEN amount ELSE 0 END), 0) AS pending,
        ifnull(sum(CASE WHEN kind IN ('approved', 'adjusted', 'payout_failed') THEN amount WHEN kind = 'paid_out' THEN -amount
                        WHEN kind = 'reversed' AND stage = 'available' THEN amount ELSE 0 END), 0) AS available,
        ifnull(sum(CASE WHEN kind = 'paid_out' THEN amount WHEN kind = 'payout_failed' THEN -amount ELSE 0 END), 0) AS paid
        """

    /// The partner's entries in order, as values (for statements and the tests' comparison with `Ledger`).
    public func entries(in db: Database, partnerID: Int64) throws -> [LedgerEntry] {
        try db.query("SELECT kind, amount, commission_id, payout_id, stage, reason FROM ledger_entries WHERE partner_id = ? ORDER BY id",
                     [partnerID]).enumerated().map { index, row in
            guard let kind = LedgerEntry.Kind(rawValue: try row["kind"]) else { throw LedgerError.unknownCommission(-1) }
            return LedgerEntry(sequence: index, kind: kind, amount: try row["amount"], commissionID: try row["commission_id"],
                               payoutID: try row["payout_id"], stage: (try row["stage"] as String?).flatMap(LedgerEntry.Stage.init),
                               reason: try row["reason"])
        }
    }

    private func append(_ db: Database, _ programID: Int64, _ partnerID: Int64, _ kind: LedgerEntry.Kind, _ amount: Int64,
                        commissionID: Int64? = nil, payoutID: Int64? = nil, stage: LedgerEntry.Stage? = nil, reason: String? = nil,
                        now: Int64) throws {
        try db.execute("""
            INSERT INTO ledger_entries (program_id, partner_id, kind, amount, commission_id, payout_id, stage, reason, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [programID, partnerID, kind.rawValue, amount, commissionID, payoutID, stage?.rawValue, reason, now])
    }
}
