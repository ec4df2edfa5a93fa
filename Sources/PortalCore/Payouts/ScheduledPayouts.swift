import Foundation
import Store

/// Payout batches the programs' schedules ask for (`programs.payout_schedule`, set on `/admin/program`): weekly on
/// Mondays, monthly on the 1st, in UTC. A due program gets one batch built by the same planner as the admin's
/// "Build batch" — only proposed: the admin still exports it, pays it and marks it paid. Audited as the scheduler.
public struct ScheduledPayouts: Sendable {
    let vault: PayoutDetailsVault

    public init(vault: PayoutDetailsVault) {
        self.vault = vault
    }

    /// The start (UTC midnight) of the current schedule period containing `now`: this week's Monday or this month's
    /// 1st; nil for a program paid by hand. A batch is due when the program has none since this moment. Pure.
    public static func periodStart(_ schedule: ProgramSettingsForm.PayoutSchedule, now: Int64) -> Int64? {
        let day = now >= 0 ? now / 86_400 : (now - 86_399) / 86_400
        switch schedule {
        case .manual:
            return nil
        case .weekly:
            // 1970-01-01 was a Thursday: days since the last Monday = (day + 3) mod 7.
            let sinceMonday = ((day + 3) % 7 + 7) % 7
            return (day - sinceMonday) * 86_400
        case .monthly:
            let date = CivilDate.ymd(days: day)
            return CivilDate.days(year: date.year, month: date.month, day: 1) * 86_400
        }
    }

    /// Builds the batches that are due; returns how many were built.
    public func run(_ database: DatabasePool, now: Int64) throws -> Int {
        let programs = try database.read { db in
            try db.query("SELECT id, payout_schedule FROM programs WHERE payout_schedule <> 'manual'").map { row in
                (id: try row["id"] as Int64, schedule: ProgramSettingsForm.PayoutSchedule(rawValue: try row["payout_schedule"]) ?? .manual)
            }
        }
        var built = 0
        for program in programs {
            guard let start = Self.periodStart(program.schedule, now: now) else { continue }
            let made = try database.write { db -> Bool in
                // Checked inside the write: two runners (the server and `portal jobs run`) never build twice.
                guard try db.queryOne("SELECT 1 FROM payout_batches WHERE program_id = ? AND created_at >= ?", [program.id, start]) == nil else {
                    return false
                }
                let batch = try PayoutStore(vault: vault).createBatch(in: db, programID: program.id, now: now)
                guard let id = batch.id else { return false }
                let total = batch.payouts.reduce(0) { $0 + $1.amount }
                try AuditLog().record(in: db, programID: program.id, actor: AuditLog.Actor(userID: nil, email: "scheduler", addressHash: nil),
                                      action: "payout.batch_create", subjectType: "payout_batch", subjectID: id,
                                      details: "\(program.schedule.rawValue) schedule: \(batch.payouts.count) payouts, \(total) minor units", now: now)
                return true
            }
            if made { built += 1 }
        }
        return built
    }
}
