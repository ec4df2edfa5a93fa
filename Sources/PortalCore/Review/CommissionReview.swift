import Store

/// A reviewer's decision on a flagged or pending commission (admin console): clear it, so it is approved when
/// its hold ends (at once if the hold is over), or reject it, which reverses what remains of it with the reason.
public struct CommissionReview: Sendable {
    private let ledger = LedgerStore()

    public init() {}

    public enum Failure: Error, Equatable {
        case notFound
        case invalid([String: [String]])
    }

    public func clear(in db: Database, programID: Int64, commissionID: Int64, now: Int64) throws {
        guard let row = try db.queryOne("SELECT status, hold_until FROM commissions WHERE id = ? AND program_id = ?", [commissionID, programID]) else {
            throw Failure.notFound
        }
        guard (try row["status"] as String) == "pending" else { throw Failure.invalid(["status": ["only a pending commission can be cleared"]]) }
        try db.execute("UPDATE commissions SET review = 'cleared' WHERE id = ?", [commissionID])
        if (try row["hold_until"] as Int64) <= now, try ledger.position(in: db, commissionID: commissionID).remaining > 0 {
            try ledger.approve(in: db, commissionID: commissionID, now: now)
        }
    }

    public func reject(in db: Database, programID: Int64, commissionID: Int64, reason: String, now: Int64) throws {
        guard let row = try db.queryOne("SELECT status FROM commissions WHERE id = ? AND program_id = ?", [commissionID, programID]) else {
            throw Failure.notFound
        }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw Failure.invalid(["reason": ["is required"]]) }
        guard (try row["status"] as String) == "pending" else { throw Failure.invalid(["status": ["only a pending commission can be rejected"]]) }
        let remaining = try ledger.position(in: db, commissionID: commissionID).remaining
        if remaining > 0 { try ledger.reverse(in: db, commissionID: commissionID, amount: remaining, now: now) }
        try db.execute("UPDATE commissions SET status = 'rejected' WHERE id = ?", [commissionID])
        try db.execute("INSERT INTO commission_flags (commission_id, kind, reason, created_at) VALUES (?, 'rejected', ?, ?)",
                       [commissionID, reason, now])
    }
}

import Foundation
