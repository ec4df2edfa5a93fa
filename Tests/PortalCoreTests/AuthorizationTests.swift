import Testing
@testable import PortalCore

/// Every role against every guarded action, written out as the expected table so a change to the rules
/// shows up here as a deliberate edit.
@Suite struct AuthorizationTests {
    static let expected: [Role: Set<Action>] = [
        .platformAdmin: [.manageInstallation, .viewProgram, .managePartners, .manageCommissions, .managePayouts,
                         .manageProgramSettings, .messagePartners, .manageResources, .manageAdminTeam],
        .programOwner: [.viewProgram, .managePartners, .manageCommissions, .managePayouts, .manageProgramSettings,
                        .messagePartners, .manageResources, .manageAdminTeam],
        .programManager: [.viewProgram, .managePartners, .manageCommissions, .managePayouts, .messagePartners, .manageResources],
        .programViewer: [.viewProgram],
        .partnerOwner: [.viewPartnerDashboard, .manageLinks, .managePayoutSettings, .manageTeam,
                        .managePartnerIntegrations, .messageProgram],
        .partnerAdmin: [.viewPartnerDashboard, .manageLinks, .managePayoutSettings, .manageTeam, .managePartnerIntegrations,
                        .messageProgram],
        .partnerMember: [.viewPartnerDashboard, .manageLinks, .messageProgram],
        .partnerViewer: [.viewPartnerDashboard],
    ]

    @Test(arguments: Role.allCases)
    func roleMayDoExactlyItsActions(role: Role) {
        for action in Action.allCases {
            let allowed = Self.expected[role]?.contains(action) ?? false
            #expect(Authorization.allows(role, action) == allowed, "\(role) \(action)")
        }
    }

    @Test func programStaffAndPartnerTeamsNeverOverlap() {
        for action in Action.allCases {
            let roles = Authorization.roles(allowedTo: action)
            #expect(!(roles.contains(where: \.isProgramStaff) && roles.contains(where: \.isPartnerTeam)), "\(action)")
        }
    }

    @Test func payoutDetailsAreForOwnersAndAdminsOnly() {
        #expect(Authorization.roles(allowedTo: .managePayoutSettings) == [.partnerOwner, .partnerAdmin])
    }
}

@Suite struct LoginThrottleTests {
    let throttle = LoginThrottle()

    @Test func allowsBelowTheLimits() {
        #expect(throttle.decide(now: 1000, accountFailures: [990, 991, 992, 993], addressFailures: []) == .allowed)
    }

    @Test func accountWaitsUntilTheOldestCountedFailureExpires() {
        let failures: [Int64] = [1000, 1010, 1020, 1030, 1040]
        #expect(throttle.decide(now: 1050, accountFailures: failures, addressFailures: []) == .wait(seconds: 1000 + 900 - 1050))
        #expect(throttle.decide(now: 1900, accountFailures: failures, addressFailures: []) == .allowed)
    }

    @Test func oldFailuresDoNotCount() {
        #expect(throttle.decide(now: 10_000, accountFailures: [1, 2, 3, 4, 5, 6], addressFailures: []) == .allowed)
    }

    @Test func addressLimitCatchesSprayingManyAccounts() {
        let failures = (0..<20).map { Int64(1000 + $0) }
        guard case .wait(let seconds) = throttle.decide(now: 1020, accountFailures: [], addressFailures: failures) else {
            Issue.record("expected a wait")
            return
        }
        #expect(seconds == 1000 + 900 - 1020)
    }

    @Test func messageRoundsUpToMinutes() {
        #expect(LoginThrottle.message(waitSeconds: 30) == "Too many sign-in attempts. Try again in a minute.")
        #expect(LoginThrottle.message(waitSeconds: 61) == "Too many sign-in attempts. Try again in 2 minutes.")
    }
}

@Suite struct SessionPolicyTests {
    let policy = SessionPolicy()

    @Test func idleAndAbsoluteExpiry() {
        #expect(!policy.isExpired(now: 1000, createdAt: 0, lastSeenAt: 900))
        #expect(policy.isExpired(now: 900 + 7200, createdAt: 0, lastSeenAt: 900))
        #expect(policy.isExpired(now: 14 * 86_400, createdAt: 0, lastSeenAt: 14 * 86_400 - 1))
    }

    @Test func touchesAtMostEveryFiveMinutes() {
        #expect(!policy.needsTouch(now: 1299, lastSeenAt: 1000))
        #expect(policy.needsTouch(now: 1300, lastSeenAt: 1000))
    }
}
