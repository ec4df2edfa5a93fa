import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// Team and API key pages: what each role may do is enforced on the server, and nothing of another team is reachable.
@Suite struct PartnerTeamPageTests {
    @Test func ownersInviteAndRemoveMembersButNotTheLastOwner() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada")
        let owner = try team.session(a.userID)
        #expect(!(try team.get("/portal/team", as: owner).body.contains(#"<div class="notice ok" role="status"></div>"#)))
        let invalid = try team.post("/portal/team/invite", [("email", "nope"), ("role", "partner_member")], as: owner)
        #expect(invalid.status == 422)
        #expect(invalid.body.contains("Enter the e-mail address to invite."))
        let invited = try team.post("/portal/team/invite", [("email", "New.Member@Example.com"), ("role", "partner_member")], as: owner)
        #expect(invited.status == 303)
        #expect(try team.get("/portal/team", as: owner).body.contains("new.member@example.com as Member"))
        let mail = try portal.database.read { db in try db.queryOne("SELECT recipient, body_text FROM outbox ORDER BY id DESC LIMIT 1") }
        #expect(try mail?["recipient"] as String? == "new.member@example.com")
        #expect((try mail?["body_text"] as String?)?.contains("/password/") == true)

        // The only owner cannot be removed; an admin cannot invite owners; a member cannot invite at all.
        let ownMembership = try #require(try portal.database.read { db in
            try db.queryValue("SELECT id FROM memberships WHERE user_id = ?", [a.userID], as: Int64.self)
        })
        #expect(try team.post("/portal/team/\(ownMembership)/remove", [], as: owner).status == 409)
        let admin = try team.session(try team.member(of: a.partnerID, name: "Ann", role: .partnerAdmin))
        #expect(try team.post("/portal/team/invite", [("email", "o@example.com"), ("role", "partner_owner")], as: admin).status == 422)
        let member = try team.session(try team.member(of: a.partnerID, name: "Mia", role: .partnerMember))
        #expect(try team.post("/portal/team/invite", [("email", "x@example.com"), ("role", "partner_member")], as: member).status == 403)
        #expect(!(try team.get("/portal/team", as: member).body.contains(#"action="/portal/team/invite""#)))

        // Another team's membership id is not found, even for an owner.
        let b = try team.partner("Bob")
        let bobMembership = try #require(try portal.database.read { db in
            try db.queryValue("SELECT id FROM memberships WHERE user_id = ?", [b.userID], as: Int64.self)
        })
        #expect(try team.post("/portal/team/\(bobMembership)/remove", [], as: owner).status == 404)
        #expect(try portal.database.read { db in try db.queryValue("SELECT count(*) FROM memberships WHERE id = ?", [bobMembership], as: Int64.self) } == 1)
        #expect(!(try team.get("/portal/team", as: owner).body.contains("bob-user@example.com")))
    }

    @Test func apiKeysAreShownOnceAndRevokedOnlyByTheirTeam() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada"), b = try team.partner("Bob")
        let ada = try team.session(a.userID), bob = try team.session(b.userID)
        #expect(try team.post("/portal/api/keys", [], as: ada).status == 422)
        let created = try team.post("/portal/api/keys", [("scope", "reports:read")], as: ada)
        #expect(created.status == 201)
        let key = try #require(created.body.range(of: #"pk_[A-Za-z0-9_-]{20,}"#, options: .regularExpression).map { String(created.body[$0]) })
        let me = try HTTPGet.request(port: portal.port, method: "GET", path: "/api/v1/me/reports", headers: ["Authorization": "Bearer \(key)"])
        #expect(me.status == 200)
        // Listed by prefix only afterwards.
        #expect(!(try team.get("/portal/api", as: ada).body.contains(key)))
        let keyID = try #require(try portal.database.read { db in
            try db.queryValue("SELECT id FROM api_keys WHERE partner_id = ?", [a.partnerID], as: Int64.self)
        })
        #expect(try team.post("/portal/api/keys/\(keyID)/revoke", [], as: bob).status == 404)
        let viewer = try team.session(try team.member(of: a.partnerID, name: "Vic", role: .partnerViewer))
        #expect(try team.post("/portal/api/keys/\(keyID)/revoke", [], as: viewer).status == 403)
        #expect(try team.post("/portal/api/keys/\(keyID)/revoke", [], as: ada).status == 303)
        #expect(try HTTPGet.request(port: portal.port, method: "GET", path: "/api/v1/me", headers: ["Authorization": "Bearer \(key)"]).status == 401)
        #expect(try team.post("/portal/api/keys", [("scope", "links:write")], as: ada, csrf: false).status == 403)
    }
}

/// `POST /portal/team/{membership}/role`: who may change which role, the last owner, other teams, the e-mail.
@Suite struct PartnerTeamRoleTests {
    func membership(_ portal: RunningPortal, _ userID: Int64) throws -> Int64 {
        try #require(try portal.database.read { db in try db.queryValue("SELECT id FROM memberships WHERE user_id = ?", [userID], as: Int64.self) })
    }

    func role(_ portal: RunningPortal, _ membershipID: Int64) throws -> String? {
        try portal.database.read { db in try db.queryValue("SELECT role FROM memberships WHERE id = ?", [membershipID], as: String.self) }
    }

    @Test func rolesChangeUnderTheOwnerRulesAndTheMemberIsTold() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada")
        let owner = try team.session(a.userID)
        let ownerMembership = try membership(portal, a.userID)
        let miaID = try team.member(of: a.partnerID, name: "Mia", role: .partnerMember)
        let mia = try membership(portal, miaID)
        let adminID = try team.member(of: a.partnerID, name: "Ann", role: .partnerAdmin)
        let admin = try team.session(adminID)

        // The page offers a labelled role select to owners and admins, not to members.
        let page = try team.get("/portal/team", as: owner)
        #expect(page.body.contains(#"action="/portal/team/\#(mia)/role""#))
        #expect(page.body.contains("Role of Mia (mia-user@example.com)"))
        #expect(!(try team.get("/portal/team", as: try team.session(miaID)).body.contains("/role\"")))

        // The last owner cannot be demoted.
        let last = try team.post("/portal/team/\(ownerMembership)/role", [("role", "partner_admin")], as: owner)
        #expect(last.status == 409)
        #expect(last.body.contains("The last owner cannot be demoted"))
        #expect(try role(portal, ownerMembership) == "partner_owner")

        // An admin can neither make an owner nor demote one; an unknown role is 422; a member cannot change roles.
        #expect(try team.post("/portal/team/\(mia)/role", [("role", "partner_owner")], as: admin).status == 403)
        #expect(try team.post("/portal/team/\(ownerMembership)/role", [("role", "partner_viewer")], as: admin).status == 403)
        #expect(try team.post("/portal/team/\(mia)/role", [("role", "platform_admin")], as: owner).status == 422)
        #expect(try team.post("/portal/team/\(mia)/role", [("role", "boss")], as: owner).status == 422)
        #expect(try team.post("/portal/team/\(mia)/role", [("role", "partner_viewer")], as: try team.session(miaID)).status == 403)
        #expect(try role(portal, mia) == "partner_member")
        #expect(!(try team.get("/portal/team", as: admin).body.contains(#"action="/portal/team/\#(ownerMembership)/role""#)))

        // An admin makes Mia a viewer; Mia is told by e-mail.
        let changed = try team.post("/portal/team/\(mia)/role", [("role", "partner_viewer")], as: admin)
        #expect(changed.status == 303)
        #expect(try role(portal, mia) == "partner_viewer")
        let mail = try portal.database.read { db in try db.queryOne("SELECT recipient, subject, body_text FROM outbox ORDER BY id DESC LIMIT 1") }
        #expect(try mail?["recipient"] as String? == "mia-user@example.com")
        #expect((try mail?["body_text"] as String?)?.contains("from Member to Viewer") == true)

        // The owner makes Mia owner; then the first owner may step down.
        #expect(try team.post("/portal/team/\(mia)/role", [("role", "partner_owner")], as: owner).status == 303)
        #expect(try team.post("/portal/team/\(ownerMembership)/role", [("role", "partner_admin")], as: owner).status == 303)
        #expect(try role(portal, ownerMembership) == "partner_admin")

        // Another team's membership is not found, and stays as it was.
        let b = try team.partner("Bob")
        let bobMembership = try membership(portal, b.userID)
        #expect(try team.post("/portal/team/\(bobMembership)/role", [("role", "partner_viewer")], as: try team.session(miaID)).status == 404)
        #expect(try role(portal, bobMembership) == "partner_owner")
    }
}
