/// Which status changes an admin may make, and what the partner is told. Pure.
public enum PartnerTransition {
    /// Approve: from pending, rejected or suspended (reinstating). Reject: only an application (pending).
    /// Suspend: only an approved partner. Rejecting and suspending need a reason, which the partner is sent.
    public static func problem(from current: PartnerStatus, to next: PartnerStatus, reason: String) -> (field: String, message: String)? {
        switch (current, next) {
        case (.approved, .approved): return ("status", "the partner is already approved")
        case (_, .approved): return nil
        case (.pending, .rejected), (.approved, .suspended):
            return reason.isEmpty ? ("reason", "is required") : (reason.count > 1000 ? ("reason", "must be at most 1000 characters") : nil)
        case (_, .rejected): return ("status", "only a pending application can be rejected")
        case (_, .suspended): return ("status", "only an approved partner can be suspended")
        case (_, .pending): return ("status", "a partner cannot be made pending again")
        }
    }

    /// The e-mail telling the partner.
    public static func email(program: String, name: String, to status: PartnerStatus, reason: String) -> (subject: String, body: String) {
        switch status {
        case .approved:
            ("Welcome to the \(program) partner program", "Hello \(name),\n\nYou are approved as a partner of \(program). Sign in to get your links.\n")
        case .rejected:
            ("Your application to \(program)", "Hello \(name),\n\nYour application to the \(program) partner program was not accepted.\n\nReason: \(reason)\n")
        case .suspended:
            ("Your \(program) partnership is suspended", "Hello \(name),\n\nYour partnership with \(program) is suspended; your links now lead to the program's site without earning.\n\nReason: \(reason)\n")
        case .pending:
            ("Your application to \(program)", "Hello \(name),\n\nYour application is waiting for review.\n")
        }
    }
}
