import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// The profile page: business details by owners and admins only, each member's own name, password and e-mail
/// choices, and the team switcher of users in several partner teams. Nothing of another partner is reachable.
@Suite struct PartnerProfilePageTests {
    @Test func ownersSaveBusinessDetailsWithErrorsBesideTheirFields() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada"), b = try team.partner("Bob")
        let owner = try team.session(a.userID)
        let page = try team.get("/portal/profile", as: owner)
        #expect(page.status == 200)
        #expect(page.body.contains(#"action="/portal/profile/business""#))
        #expect(page.body.contains(#"value="ada@example.com""#))

        let invalid = try team.post("/portal/profile/business", [("name", " "), ("email", "bob@example.com"), ("website", "ftp://x"),
                                                                  ("country", "XX"), ("phone", "call me"), ("about", "")], as: owner)
        #expect(invalid.status == 422)
        for message in ["Enter your partner name", "Another partner of this program uses this e-mail address.",
                        "Enter a web address starting with https://", "Choose a country from the list.", "Use digits, spaces"] {
            #expect(invalid.body.contains(message), "missing: \(message)")
        }
        #expect(invalid.body.contains(#"value="ftp://x""#), "typed values are kept")
        // Nothing was written.
        #expect(try portal.database.read { db in try db.queryValue("SELECT name FROM partners WHERE id = ?", [a.partnerID], as: String.self) } == "Ada")

        let saved = try team.post("/portal/profile/business", [("name", "Ada Media"), ("email", "Hello@Ada.example"), ("company", "Ada Media Ltd"),
                                                                ("website", "https://ada.example"), ("country", "de"), ("phone", "+49 30 1234"),
                                                                ("about", "A newsletter <b>for</b> cooks")], as: owner)
        #expect(saved.status == 303)
        #expect(saved.headers["location"] == "/portal/profile?saved=business")
        let row = try #require(try portal.database.read { db in
            try db.queryOne("SELECT name, email, company, website, country, phone, about FROM partners WHERE id = ?", [a.partnerID])
        })
        #expect(try row["name"] as String == "Ada Media")
        #expect(try row["email"] as String == "hello@ada.example")
        #expect(try row["country"] as String == "DE")
        #expect(try row["about"] as String == "A newsletter <b>for</b> cooks")
        let after = try team.get("/portal/profile?saved=business", as: owner).body
        #expect(after.contains("Your business details are saved."))
        #expect(after.contains(#"<option value="DE" selected>Germany</option>"#))
        #expect(after.contains("A newsletter &lt;b&gt;for&lt;/b&gt; cooks"), "escaped, not markup")
        // Bob's partner is untouched and Bob sees only his own.
        #expect(try portal.database.read { db in try db.queryValue("SELECT name FROM partners WHERE id = ?", [b.partnerID], as: String.self) } == "Bob")
        let bob = try team.get("/portal/profile", as: try team.session(b.userID)).body
        #expect(!bob.contains("Ada Media"))
        #expect(bob.contains(#"value="bob@example.com""#))
    }

    @Test func membersAndViewersCannotChangeBusinessDetailsButManageTheirOwnAccount() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada")
        for role in [Role.partnerMember, .partnerViewer] {
            let user = try team.member(of: a.partnerID, name: "M\(role.rawValue.count)x\(role == .partnerViewer ? "v" : "m")", role: role)
            let session = try team.session(user)
            let page = try team.get("/portal/profile", as: session).body
            #expect(!page.contains(#"action="/portal/profile/business""#))
            #expect(page.contains("Only your team's owners and admins change the business details."))
            #expect(try team.post("/portal/profile/business", [("name", "Taken over"), ("email", "x@example.com")], as: session).status == 403)
            // Their own name and e-mail choices are theirs to change.
            #expect(try team.post("/portal/profile/account", [("name", "")], as: session).status == 422)
            #expect(try team.post("/portal/profile/account", [("name", "New Name")], as: session).status == 303)
            #expect(try portal.database.read { db in try db.queryValue("SELECT name FROM users WHERE id = ?", [user], as: String.self) } == "New Name")
            #expect(try team.post("/portal/profile/notifications", [("notify", "weekly_digest")], as: session).status == 303)
            let choices = try portal.database.read { db in try NotificationPreferences().choices(in: db, userID: user, partnerID: a.partnerID) }
            #expect(choices[.weeklyDigest] == true)
            #expect(choices[.newMessage] == false)
        }
        #expect(try portal.database.read { db in try db.queryValue("SELECT name FROM partners WHERE id = ?", [a.partnerID], as: String.self) } == "Ada")
        // A made-up event is refused, not silently dropped.
        #expect(try team.post("/portal/profile/notifications", [("notify", "everything")], as: try team.session(a.userID)).status == 400)
        // Without the CSRF token nothing changes.
        #expect(try team.post("/portal/profile/account", [("name", "Forged")], as: try team.session(a.userID), csrf: false).status == 403)
    }

    @Test func passwordChangeNeedsTheCurrentPasswordAndSignsOutOtherDevices() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada")
        try portal.database.write { db in
            try AccountStore(database: portal.database).setPassword(in: db, userID: a.userID,
                                                                    passwordHash: try TestEnvironment.hasher.hash("correct horse battery"))
        }
        let here = try team.session(a.userID), elsewhere = try team.session(a.userID)
        let wrong = try team.post("/portal/profile/password", [("current_password", "nope"), ("new_password", "a much better secret"),
                                                                ("confirm_password", "a much better secret")], as: here)
        #expect(wrong.status == 422)
        #expect(wrong.body.contains("This is not your current password."))
        let differ = try team.post("/portal/profile/password", [("current_password", "correct horse battery"), ("new_password", "a much better secret"),
                                                                 ("confirm_password", "a much better secreT")], as: here)
        #expect(differ.body.contains("The two new passwords differ."))
        let changed = try team.post("/portal/profile/password", [("current_password", "correct horse battery"), ("new_password", "a much better secret"),
                                                                  ("confirm_password", "a much better secret")], as: here)
        #expect(changed.status == 303)
        let cookie = try #require(changed.setCookies.first { $0.hasPrefix("pp_session=") })
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
        // The other device and the old cookie are signed out; the new cookie works.
        #expect(try team.get("/portal/profile", as: elsewhere).status != 200)
        #expect(try team.get("/portal/profile", as: here).status != 200)
        let fresh = (cookie: String(cookie.split(separator: ";")[0]), csrf: "")
        #expect(try team.get("/portal/profile", as: fresh).status == 200)
        let hash = try #require(try portal.database.read { db in try db.queryValue("SELECT password_hash FROM users WHERE id = ?", [a.userID], as: String.self) })
        #expect(TestEnvironment.hasher.verify("a much better secret", against: hash))
        let notice = try portal.database.read { db in try db.queryValue("SELECT subject FROM outbox ORDER BY id DESC LIMIT 1", as: String.self) }
        #expect(notice == "Your PartnerPortal password was changed")
    }

    @Test func messageAndAnnouncementMailsFollowEachMembersChoices() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada")
        let quiet = try team.member(of: a.partnerID, name: "Quiet", role: .partnerMember)
        try portal.database.write { db in
            try NotificationPreferences().save(in: db, userID: quiet, partnerID: a.partnerID, enabled: [], now: 0)
        }
        let store = MessageStore(baseURL: "http://portal.test")
        func recipients(since id: Int64) throws -> [String] {
            try portal.database.read { db in try db.query("SELECT recipient FROM outbox WHERE id > ? ORDER BY recipient", [id]).map { try $0["recipient"] } }
        }
        let before = try portal.database.read { db in try db.queryValue("SELECT coalesce(max(id), 0) FROM outbox", as: Int64.self) ?? 0 }
        try portal.database.write { db in
            _ = try store.startThread(in: db, programID: team.programID, partnerID: a.partnerID, side: .program, authorUserID: nil,
                                      subject: "Hello", body: "Welcome aboard", now: 1)
        }
        #expect(try recipients(since: before) == ["ada-user@example.com"])
        let middle = try portal.database.read { db in try db.queryValue("SELECT max(id) FROM outbox", as: Int64.self) ?? 0 }
        _ = try portal.database.write { db in
            try store.publish(in: db, programID: team.programID, title: "Summer sale", bodyMarkdown: "Double commission in July", now: 2)
        }
        #expect(try recipients(since: middle) == ["ada-user@example.com"])
    }

    @Test func usersInSeveralTeamsSwitchBetweenThemAndNeverReachOthers() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada"), b = try team.partner("Bob"), c = try team.partner("Cat")
        // Ada's user also joins Bob's team as a viewer.
        try portal.database.write { db in
            try AccountStore(database: portal.database).addMembership(in: db, userID: a.userID,
                                                                      Membership(role: .partnerViewer, programID: team.programID, partnerID: b.partnerID), now: 0)
        }
        let ada = try team.session(a.userID)
        let list = try team.get("/portal/teams", as: ada)
        #expect(list.status == 200)
        #expect(list.body.contains("Ada") && list.body.contains("Bob") && !list.body.contains("Cat"))
        #expect(try team.get("/portal", as: ada).body.contains(#"href="/portal/teams""#))
        // Another team's id is not found, and sets nothing.
        let refused = try team.post("/portal/teams/switch", [("partner", String(c.partnerID))], as: ada)
        #expect(refused.status == 404)
        #expect(refused.setCookies.isEmpty)
        let switched = try team.post("/portal/teams/switch", [("partner", String(b.partnerID))], as: ada)
        #expect(switched.status == 303)
        let cookie = try #require(switched.setCookies.first { $0.hasPrefix("pp_team=") })
        #expect(cookie.contains("Path=/portal") && cookie.contains("HttpOnly"))
        let asBob = (cookie: ada.cookie + "; " + String(cookie.split(separator: ";")[0]), csrf: ada.csrf)
        let profile = try team.get("/portal/profile", as: asBob).body
        #expect(profile.contains(#"value="bob@example.com""#) == false, "a viewer of Bob sees no form")
        #expect(profile.contains("bob@example.com"))
        // As Bob's viewer, Ada's user cannot change Bob's details — the role is Bob's team's, not Ada's.
        #expect(try team.post("/portal/profile/business", [("name", "X"), ("email", "x@example.com")], as: asBob).status == 403)
        // A hand-made cookie naming a team the user is not in falls back to the user's own first team.
        let forged = (cookie: ada.cookie + "; pp_team=\(c.partnerID)", csrf: ada.csrf)
        let fallback = try team.get("/portal/profile", as: forged).body
        #expect(fallback.contains(#"value="ada@example.com""#))
        #expect(!fallback.contains("cat@example.com"))
    }
}
