/// What a user may be. Platform admins run the installation; program roles belong to one program's staff;
/// partner roles belong to one partner organisation's team.
public enum Role: String, Sendable, CaseIterable, Codable {
    case platformAdmin = "platform_admin"
    case programOwner = "program_owner"
    case programManager = "program_manager"
    case programViewer = "program_viewer"
    case partnerOwner = "partner_owner"
    case partnerAdmin = "partner_admin"
    case partnerMember = "partner_member"
    case partnerViewer = "partner_viewer"

    /// Staff of the company that runs the program (they use `/admin`).
    public var isProgramStaff: Bool { self == .platformAdmin || self == .programOwner || self == .programManager || self == .programViewer }
    /// A member of a partner organisation (they use `/portal`).
    public var isPartnerTeam: Bool { !isProgramStaff }

    /// Shown in the team pages.
    public var title: String {
        switch self {
        case .platformAdmin: "Platform admin"
        case .programOwner: "Program owner"
        case .programManager: "Program manager"
        case .programViewer: "Program viewer"
        case .partnerOwner: "Owner"
        case .partnerAdmin: "Admin"
        case .partnerMember: "Member"
        case .partnerViewer: "Viewer"
        }
    }
}
