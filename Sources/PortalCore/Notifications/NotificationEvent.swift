/// What a partner team member can be told about by e-mail, each switchable in the profile's preferences.
/// Security notices (payout or tax details changed, password reset) are not here: they are always sent.
public enum NotificationEvent: String, Sendable, CaseIterable {
    case newMessage = "new_message"
    case announcement = "announcement"
    case commissionApproved = "commission_approved"
    case payoutPaid = "payout_paid"
    case payoutFailed = "payout_failed"
    case weeklyDigest = "weekly_digest"

    public var label: String {
        switch self {
        case .newMessage: "Replies and new messages from the program"
        case .announcement: "Program announcements"
        case .commissionApproved: "A commission is approved"
        case .payoutPaid: "A payout is sent"
        case .payoutFailed: "A payout failed"
        case .weeklyDigest: "Weekly performance summary"
        }
    }

    /// Whether a member who never chose gets the e-mail. Messages and money movements are on by default;
    /// a per-commission e-mail and the digest could be noisy for a large team, so they wait to be asked for.
    public var isOnByDefault: Bool {
        switch self {
        case .newMessage, .announcement, .payoutPaid, .payoutFailed: true
        case .commissionApproved, .weeklyDigest: false
        }
    }
}
