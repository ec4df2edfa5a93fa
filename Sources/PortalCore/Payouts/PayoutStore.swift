import Store

/// Payout batches and payouts: building a batch from the ledger, reading payouts back, marking them paid or
/// failed. All scoped to one program.
public struct PayoutStore: Sendable {
    let vault: PayoutDetailsVault
    private let ledger = LedgerStore()

    public init(vault: PayoutDetailsVault) {
        self.vault = vault
    }

    public struct Payout: Sendable, Equatable {
        public let id: Int64
        public let batchID: Int64
        public let partnerID: Int64
        public let partnerName: String
        public let amount: Int64
        public let currency: String
        public let method: String
        public let status: String
        public let reference: String
        public let failureReason: String
        public let createdAt: Int64
        public let settledAt: Int64?
    }

    public struct Batch: Sendable, Equatable {
        /// nil when nobody was eligible: no empty batch is stored.
        public let id: Int64?
        public let payouts: [Payout]
        public let skipped: [PayoutPlanner.Skipped]
    }

    public enum Failure: Error, Equatable {
        case notFound
        case invalid([String: [String]])
    }

    public func createBatch(in db: Database, programID: Int64, now: Int64) throws -> Batch {
        guard let program = try ProgramSettings.load(in: db, programID: programID) else { throw Failure.notFound }
        let balances = try ledger.balances(in: db, programID: programID)
        var candidates: [PayoutPlanner.Candidate] = []
        for (partnerID, balance) in balances where balance.available != 0 {
            guard let row = try db.queryOne("SELECT status, payout_threshold, payout_method FROM partners WHERE id = ?", [partnerID]) else { continue }
            candidates.append(.init(partnerID: partnerID, status: PartnerStatus(rawValue: try row["status"]) ?? .pending,
                                    available: balance.available, threshold: try row["payout_threshold"],
                                    method: (try row["payout_method"] as String?).flatMap(PayoutMethod.init)))
        }
        let plan = PayoutPlanner.plan(candidates, programMinimum: program.minPayout, currency: program.currency)
        guard !plan.paid.isEmpty else { return Batch(id: nil, payouts: [], skipped: plan.skipped) }
        try db.execute("INSERT INTO payout_batches (program_id, created_at) VALUES (?, ?)", [programID, now])
        let batchID = db.lastInsertRowID
        let partners = PartnerStore(vault: vault)
        var payoutIDs: [Int64] = []
        for candidate in plan.paid {
            guard let details = try partners.payoutDetails(in: db, partnerID: candidate.partnerID) else { continue }
            try db.execute("""
                INSERT INTO payouts (program_id, batch_id, partner_id, amount, currency, method, recipient_sealed, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [programID, batchID, candidate.partnerID, candidate.available, program.currency, details.method.rawValue,
                      try vault.sealRecipient(details.recipient, batchID: batchID, partnerID: candidate.partnerID), now])
            let payoutID = db.lastInsertRowID
            let paid = try ledger.payOut(in: db, programID: programID, partnerID: candidate.partnerID, payoutID: payoutID, now: now)
            // The plan and the ledger read the same snapshot inside this transaction; a mismatch is a bug.
            precondition(paid.amount == candidate.available, "payout amount differs from the planned balance")
            payoutIDs.append(payoutID)
        }
        let payouts = try payoutIDs.compactMap { try payout(in: db, programID: programID, id: $0) }
        for payout in payouts { try WebhookEvents.payoutCreated(in: db, programID: programID, payout, now: now) }
        return Batch(id: batchID, payouts: payouts, skipped: plan.skipped)
    }

    static let columns = """
        p.id, p.batch_id, p.partner_id, r.name AS partner_name, p.amount, p.currency, p.method, p.status, p.reference, p.failure_reason,
        p.created_at, p.settled_at
        """

    public func payout(in db: Database, programID: Int64, id: Int64) throws -> Payout? {
        try db.queryOne("SELECT \(Self.columns) FROM payouts p JOIN partners r ON r.id = p.partner_id WHERE p.id = ? AND p.program_id = ?",
                        [id, programID]).map(Self.payout)
    }

    /// Newest first; `before` is the last id of the previous page.
    public func payouts(in db: Database, programID: Int64, partnerID: Int64?, status: String?, batchID: Int64?, before: Int64?, limit: Int) throws -> [Payout] {
        try db.query("""
            SELECT \(Self.columns) FROM payouts p JOIN partners r ON r.id = p.partner_id
            WHERE p.program_id = ?1 AND (?2 IS NULL OR p.partner_id = ?2) AND (?3 IS NULL OR p.status = ?3) AND (?4 IS NULL OR p.batch_id = ?4)
              AND p.id < ?5
            ORDER BY p.id DESC LIMIT ?6
            """, [programID, partnerID, status, batchID, before ?? Int64.max, limit]).map(Self.payout)
    }

    /// The payout's recipient in full, for the export an admin sends to the bank or PayPal.
    public func recipient(in db: Database, payoutID: Int64) throws -> String {
        guard let row = try db.queryOne("SELECT batch_id, partner_id, recipient_sealed FROM payouts WHERE id = ?", [payoutID]) else { return "" }
        return try vault.openRecipient(try row["recipient_sealed"], batchID: try row["batch_id"], partnerID: try row["partner_id"])
    }

    public func markPaid(in db: Database, programID: Int64, id: Int64, reference: String, now: Int64) throws -> Payout {
        guard let payout = try payout(in: db, programID: programID, id: id) else { throw Failure.notFound }
        let reference = reference.trimmingCharacters(in: .whitespacesAndNewlines)
        guard payout.status == "pending" else { throw Failure.invalid(["status": ["the payout is already \(payout.status)"]]) }
        guard reference.count <= 200 else { throw Failure.invalid(["reference": ["must be at most 200 characters"]]) }
        try db.execute("UPDATE payouts SET status = 'paid', reference = ?, settled_at = ? WHERE id = ?", [reference, now, id])
        let paid = try self.payout(in: db, programID: programID, id: id) ?? payout
        try WebhookEvents.payoutSettled(in: db, programID: programID, paid, now: now)
        try PartnerNotices.payoutPaid(in: db, payout: paid, now: now)
        return paid
    }

    /// The money returns to available and the commissions it settled can be paid again.
    public func markFailed(in db: Database, programID: Int64, id: Int64, reason: String, now: Int64) throws -> Payout {
        guard let payout = try payout(in: db, programID: programID, id: id) else { throw Failure.notFound }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard payout.status != "failed" else { throw Failure.invalid(["status": ["the payout is already failed"]]) }
        guard !reason.isEmpty, reason.count <= 1000 else { throw Failure.invalid(["reason": ["is required (at most 1000 characters)"]]) }
        try ledger.failPayout(in: db, payoutID: id, now: now)
        try db.execute("UPDATE payouts SET failure_reason = ? WHERE id = ?", [reason, id])
        let failed = try self.payout(in: db, programID: programID, id: id) ?? payout
        try WebhookEvents.payoutSettled(in: db, programID: programID, failed, now: now)
        try PartnerNotices.payoutFailed(in: db, payout: failed, now: now)
        return failed
    }

    /// The commissions a payout settled, for its statement.
    public func settledCommissions(in db: Database, programID: Int64, payoutID: Int64) throws -> [CommissionStore.Listed] {
        try db.query("""
            SELECT c.id, c.partner_id, c.amount, c.currency, c.status, c.level, c.rule, c.conversion_id, v.external_id, c.review,
                   c.hold_until, c.created_at
            FROM payout_commissions pc JOIN commissions c ON c.id = pc.commission_id JOIN conversions v ON v.id = c.conversion_id
            WHERE pc.payout_id = ? AND c.program_id = ? ORDER BY c.id
            """, [payoutID, programID]).map { row in
            CommissionStore.Listed(commission: try CommissionStore.summary(row), conversionID: try row["conversion_id"],
                                   externalID: try row["external_id"], review: try row["review"], holdUntil: try row["hold_until"],
                                   createdAt: try row["created_at"])
        }
    }

    static func payout(_ row: Row) throws -> Payout {
        Payout(id: try row["id"], batchID: try row["batch_id"], partnerID: try row["partner_id"], partnerName: try row["partner_name"],
               amount: try row["amount"], currency: try row["currency"], method: try row["method"], status: try row["status"],
               reference: try row["reference"], failureReason: try row["failure_reason"], createdAt: try row["created_at"],
               settledAt: try row["settled_at"])
    }
}
