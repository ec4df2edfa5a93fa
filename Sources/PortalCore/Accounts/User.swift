/// A person who signs in: program staff or a partner's team member (or both, in different programs).
public struct User: Sendable, Equatable {
    public let id: Int64
    public let email: String
    public let name: String
    public let passwordHash: String?
    public let disabled: Bool
}

/// One role a user holds, and where: no scope for platform admins, a program for program staff, a partner
/// (and through it a program) for partner teams.
public struct Membership: Sendable, Equatable {
    public let role: Role
    public let programID: Int64?
    public let partnerID: Int64?

    public init(role: Role, programID: Int64? = nil, partnerID: Int64? = nil) {
        self.role = role
        self.programID = programID
        self.partnerID = partnerID
    }
}

/// A signed-in user with all their roles: what the authorization layer is asked about.
public struct Principal: Sendable, Equatable {
    public let user: User
    public let memberships: [Membership]

    /// Whether the user may perform `action` in `programID` (nil: anywhere they hold a suitable role).
    public func may(_ action: Action, inProgram programID: Int64? = nil) -> Bool {
        memberships.contains { membership in
            guard Authorization.allows(membership.role, action) else { return false }
            guard let programID else { return true }
            return membership.role == .platformAdmin || membership.programID == programID
        }
    }

    /// Whether the user may perform `action` for `partnerID`: only members of that partner's team.
    public func may(_ action: Action, forPartner partnerID: Int64) -> Bool {
        memberships.contains { $0.partnerID == partnerID && Authorization.allows($0.role, action) }
    }

    public var isProgramStaff: Bool { memberships.contains { $0.role.isProgramStaff } }
    public var isPartnerTeam: Bool { memberships.contains { $0.role.isPartnerTeam } }
}
