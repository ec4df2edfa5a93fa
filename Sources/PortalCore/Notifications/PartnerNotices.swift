import Store

/// The e-mails and pushes a partner team gets about its money and its program, queued in the transaction of
/// the change (outbox rows and push rows exist exactly when the change does). Each member's e-mail preferences
/// decide the e-mail; each device's own choice decides the push. Owners, admins and members hear; viewers do not.
///
/// These are written by the engine (ledger, payouts), which knows no public URL: the e-mails name the portal
/// page to open, and the pushes carry a path the service worker opens on the portal's own origin.
public enum PartnerNotices {
    public static let roles: [Role] = [.partnerOwner, .partnerAdmin, .partnerMember]

    /// One notice: e-mail to the members who want `event`, a push to the devices that chose it.
    public static func send(in db: Database, partnerID: Int64, event: NotificationEvent, subject: String, body: String,
                            pushTitle: String, pushBody: String, path: String, now: Int64) throws {
        for recipient in try NotificationPreferences().recipients(in: db, partnerID: partnerID, event: event, roles: roles) {
            try Outbox.enqueue(in: db, to: recipient, subject: subject, body: body, now: now)
        }
        try PushSubscriptions.enqueue(in: db, partnerID: partnerID, event: event, title: pushTitle, body: pushBody, url: path,
                                      roles: roles, now: now)
    }

    static func names(in db: Database, partnerID: Int64) throws -> (partner: String, program: String)? {
        guard let row = try db.queryOne("""
            SELECT pa.name AS partner_name, pr.name AS program_name FROM partners pa JOIN programs pr ON pr.id = pa.program_id WHERE pa.id = ?
            """, [partnerID]) else { return nil }
        return (try row["partner_name"], try row["program_name"])
    }

    static func money(_ amount: Int64, _ currency: String) -> String {
        "\(Currency.majorUnits(amount, currency: currency)) \(currency)"
    }

    static let footer = "\n\nChoose which e-mails you get under Profile in your partner portal.\n"

    /// Commissions approved for one partner in one run (the hold-release job approves many at once: one notice
    /// per partner per run, not one per commission). `total` is in `currency`.
    public static func commissionsApproved(in db: Database, partnerID: Int64, count: Int, total: Int64, currency: String, now: Int64) throws {
        guard count > 0, let names = try names(in: db, partnerID: partnerID) else { return }
        let amount = money(total, currency)
        let what = count == 1 ? "A commission of \(amount) was" : "\(count) commissions totalling \(amount) were"
        try send(in: db, partnerID: partnerID, event: .commissionApproved,
                 subject: "\(names.program): \(count == 1 ? "commission" : "\(count) commissions") approved (\(amount))",
                 body: "Hello,\n\n\(what) approved for \(names.partner) in the \(names.program) partner program. "
                     + "The money is now in your available balance and will be part of your next payout.\n\n"
                     + "See it under Earnings in your partner portal (/portal/earnings)." + footer,
                 pushTitle: count == 1 ? "Commission approved" : "\(count) commissions approved",
                 pushBody: "\(amount) is now available in \(names.program).", path: "/portal/earnings?partner=\(partnerID)", now: now)
    }

    /// A payout was marked paid.
    public static func payoutPaid(in db: Database, payout: PayoutStore.Payout, now: Int64) throws {
        guard let names = try names(in: db, partnerID: payout.partnerID) else { return }
        let amount = money(payout.amount, payout.currency)
        let reference = payout.reference.isEmpty ? "" : " (reference \(payout.reference))"
        try send(in: db, partnerID: payout.partnerID, event: .payoutPaid,
                 subject: "\(names.program): payout of \(amount) sent",
                 body: "Hello,\n\n\(names.program) sent a payout of \(amount) to \(names.partner) by \(payout.method)\(reference).\n\n"
                     + "Its statement is under Earnings in your partner portal (/portal/earnings)." + footer,
                 pushTitle: "Payout sent", pushBody: "\(names.program) sent you \(amount).", path: "/portal/earnings?partner=\(payout.partnerID)", now: now)
    }

    /// A payout failed; the money is back in the available balance.
    public static func payoutFailed(in db: Database, payout: PayoutStore.Payout, now: Int64) throws {
        guard let names = try names(in: db, partnerID: payout.partnerID) else { return }
        let amount = money(payout.amount, payout.currency)
        let reason = payout.failureReason
        try send(in: db, partnerID: payout.partnerID, event: .payoutFailed,
                 subject: "\(names.program): payout of \(amount) failed",
                 body: "Hello,\n\nThe payout of \(amount) from \(names.program) to \(names.partner) failed"
                     + (reason.isEmpty ? "." : ": \(reason)") + "\n\nThe amount is back in your available balance and will be paid "
                     + "with the next payout. Please check your payout details in your partner portal (/portal/payouts/settings)." + footer,
                 pushTitle: "Payout failed", pushBody: "\(amount) from \(names.program) could not be paid. Check your payout details.",
                 path: "/portal/earnings?partner=\(payout.partnerID)", now: now)
    }
}
