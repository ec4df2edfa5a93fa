/// The one place that says which role may do what. Pure: tested role by action, and every controller asks
/// it rather than checking roles itself.
public enum Authorization {
    /// Whether `role` may perform `action`. Scope (which program, which partner) is checked separately by
    /// the queries themselves: a role grants a kind of action, never access to someone else's data.
    public static func allows(_ role: Role, _ action: Action) -> Bool {
        switch role {
        case .platformAdmin:
            // Runs the installation and every program in it; has no partner team of its own.
            return action.isProgramAction || action == .manageInstallation
        case .programOwner:
            return action.isProgramAction
        case .programManager:
            // Runs the partners and the money; the program's settings, keys, domains, branding and its staff
            // belong to its owners (PRODUCT.md, Security: owner, manager, viewer).
            return action.isProgramAction && action != .manageProgramSettings && action != .manageAdminTeam
        case .programViewer:
            return action == .viewProgram
        case .partnerOwner, .partnerAdmin:
            // Owners and admins run the team, and both may change payout and tax details (issue 5, PRODUCT.md);
            // members and viewers never touch money settings.
            return action.isPartnerAction
        case .partnerMember:
            return [.viewPartnerDashboard, .manageLinks, .messageProgram].contains(action)
        case .partnerViewer:
            return action == .viewPartnerDashboard
        }
    }

    /// The roles that may perform `action`, for error messages and the team page.
    public static func roles(allowedTo action: Action) -> [Role] {
        Role.allCases.filter { allows($0, action) }
    }
}

extension Action {
    var isProgramAction: Bool {
        switch self {
        case .viewProgram, .managePartners, .manageCommissions, .managePayouts, .manageProgramSettings, .messagePartners,
             .manageResources, .manageAdminTeam: true
        default: false
        }
    }

    var isPartnerAction: Bool {
        switch self {
        case .viewPartnerDashboard, .manageLinks, .managePayoutSettings, .manageTeam, .managePartnerIntegrations, .messageProgram: true
        default: false
        }
    }
}
