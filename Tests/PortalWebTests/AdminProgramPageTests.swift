import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// `/admin/program`, `/admin/program/form` and `/admin/api-keys`: owners change settings, questions and keys, with
/// an audit entry each; managers and viewers read; other programs are 404; bad input changes nothing.
@Suite struct AdminProgramPageTests {
    static func settings(_ overrides: [String: String] = [:]) -> [(String, String)] {
        var fields: [String: String] = [
            "name": "Acme Partners", "currency": "USD", "commission_percent": "25.5", "cookie_days": "90", "hold_days": "14",
            "attribution_model": "first_click", "min_payout": "100.00", "payout_schedule": "monthly", "auto_approve": "1",
            "default_url": "https://acme.example/", "allowed_domains": "acme.example, shop.acme.example", "fallback_url": "https://acme.example/partners",
            "override_percent": "10", "override_depth": "2",
        ]
        for (key, value) in overrides { fields[key] = value }
        return fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    func auditActions(_ portal: RunningPortal, programID: Int64) throws -> [String] {
        try portal.database.read { db in
            try AuditLog().entries(in: db, programID: programID).map { "\($0.action) \($0.details)" }
        }
    }

    @Test func ownerSavesEverySettingAndTheAuditNamesTheChanges() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let owner = try team.session(try team.staff("Olga", role: .programOwner))
        #expect(try team.get("/admin/program", as: owner).body.contains("Save settings"))
        let saved = try team.post("/admin/program?program=\(team.programID)", Self.settings(), as: owner)
        #expect(saved.status == 303)
        let stored = try #require(try portal.database.read { db in try ProgramSettingsForm.load(in: db, programID: team.programID) })
        #expect(stored.name == "Acme Partners" && stored.commissionBasisPoints == 2550 && stored.cookieDays == 90 && stored.holdDays == 14)
        #expect(stored.attributionModel == .firstClick && stored.minPayout == 10_000 && stored.payoutSchedule == .monthly && stored.autoApprove)
        #expect(stored.allowedDomains == "acme.example shop.acme.example" && stored.overrideBasisPoints == 1000 && stored.overrideDepth == 2)
        let engine = try #require(try portal.database.read { db in try ProgramSettings.load(in: db, programID: team.programID) })
        #expect(engine.holdDays == 14 && engine.attributionModel == .firstClick)
        let audit = try auditActions(portal, programID: team.programID)
        #expect(audit.count == 1)
        #expect(audit.first?.contains("program.settings") == true && audit.first?.contains("hold days: 0 → 14") == true)
        // Saving the same values again changes nothing and writes nothing.
        #expect(try team.post("/admin/program?program=\(team.programID)", Self.settings(), as: owner).status == 303)
        #expect(try auditActions(portal, programID: team.programID).count == 1)
    }

    @Test func invalidSettingsReRenderWithErrorsAndChangeNothing() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let owner = try team.session(try team.staff("Olga", role: .programOwner))
        let bad = try team.post("/admin/program?program=\(team.programID)",
                                Self.settings(["cookie_days": "0", "commission_percent": "120", "default_url": "javascript:alert(1)",
                                               "allowed_domains": "not a domain!", "min_payout": "1.234"]), as: owner)
        #expect(bad.status == 422)
        #expect(bad.body.contains("Enter whole days from 1 to 730."))
        #expect(bad.body.contains("Enter a percentage from 0 to 100"))
        #expect(bad.body.contains("The landing page must be an absolute http or https URL"))
        #expect(bad.body.contains("is not a host name"))
        #expect(bad.body.contains("aria-invalid=\"true\""))
        let stored = try #require(try portal.database.read { db in try ProgramSettingsForm.load(in: db, programID: team.programID) })
        #expect(stored.cookieDays == 60 && stored.name == "Acme")
        #expect(try auditActions(portal, programID: team.programID).isEmpty)
    }

    @Test func currencyIsFixedOnceMoneyExists() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let owner = try team.session(try team.staff("Olga", role: .programOwner))
        #expect(try team.post("/admin/program?program=\(team.programID)", Self.settings(["currency": "EUR"]), as: owner).status == 303)
        let ada = try team.partner("Ada")
        try team.sale("order-1", amount: 10_000, partnerID: ada.partnerID)
        let refused = try team.post("/admin/program?program=\(team.programID)", Self.settings(["currency": "GBP"]), as: owner)
        #expect(refused.status == 422)
        #expect(refused.body.contains("The currency is fixed"))
        #expect(try portal.database.read { db in try ProgramSettingsForm.load(in: db, programID: team.programID) }?.currency == "EUR")
    }

    @Test func onlyOwnersChangeSettingsAndOtherProgramsAreHidden() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let manager = try team.session(try team.staff("Max"))
        let viewer = try team.session(try team.staff("Vic", role: .programViewer))
        let page = try team.get("/admin/program", as: viewer)
        #expect(page.status == 200 && page.body.contains("Only the program's owners change its settings.") && page.body.contains(" disabled"))
        #expect(try team.post("/admin/program?program=\(team.programID)", Self.settings(), as: manager).status == 403)
        #expect(try team.post("/admin/program?program=\(team.programID)", Self.settings(), as: viewer).status == 403)
        #expect(try team.post("/admin/program/form?program=\(team.programID)", [("rows", "0")], as: manager).status == 403)
        #expect(try team.post("/admin/api-keys?program=\(team.programID)", [], as: manager).status == 403)
        // CSRF: without the token the answer is 403 even for an owner.
        let owner = try team.session(try team.staff("Olga", role: .programOwner))
        #expect(try team.post("/admin/program?program=\(team.programID)", Self.settings(), as: owner, csrf: false).status == 403)
        let other = try portal.database.write { db in
            try ProgramStore().create(in: db, NewProgram(name: "Other", slug: "other\(Int.random(in: 1000...9999))", currency: "EUR"), now: 0)
        }
        #expect(try team.get("/admin/program?program=\(other.id)", as: owner).status == 404)
        #expect(try team.post("/admin/program?program=\(other.id)", Self.settings(), as: owner).status == 404)
        #expect(try portal.database.read { db in try ProgramSettingsForm.load(in: db, programID: other.id) }?.name == "Other")
    }

    @Test func applicationQuestionsAreSavedInOrderAndShownOnThePublicForm() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let owner = try team.session(try team.staff("Olga", role: .programOwner))
        let fields: [(String, String)] = [
            ("rows", "3"),
            ("field_label_0", "Where do you promote us?"), ("field_type_0", "textarea"), ("field_required_0", "1"),
            ("field_label_1", "Audience size"), ("field_name_1", "audience"), ("field_type_1", "select"), ("field_options_1", "Under 1k\n1k–10k\nOver 10k"),
            ("field_label_2", ""), ("field_type_2", "text"),
        ]
        #expect(try team.post("/admin/program/form?program=\(team.programID)", fields, as: owner).status == 303)
        let (json, slug) = try portal.database.read { db in
            (try db.queryValue("SELECT application_fields FROM programs WHERE id = ?", [team.programID], as: String.self) ?? "",
             try db.queryValue("SELECT slug FROM programs WHERE id = ?", [team.programID], as: String.self) ?? "")
        }
        let parsed = ApplicationField.parse(json)
        #expect(parsed.map(\.name) == ["where_do_you_promote_us", "audience"])
        #expect(parsed[0].required && parsed[1].options == ["Under 1k", "1k–10k", "Over 10k"])
        let apply = try HTTPGet.request(port: portal.port, method: "GET", path: "/apply/\(slug)")
        #expect(apply.body.contains("Where do you promote us?") && apply.body.contains("Over 10k"))
        #expect(try auditActions(portal, programID: team.programID).first?.contains("program.application_form 2 questions") == true)

        // A choice without options is refused and nothing changes.
        let bad = try team.post("/admin/program/form?program=\(team.programID)",
                                [("rows", "1"), ("field_label_0", "Pick one"), ("field_type_0", "select")], as: owner)
        #expect(bad.status == 422 && bad.body.contains("a choice needs options"))
        #expect(try portal.database.read { db in
            try db.queryValue("SELECT application_fields FROM programs WHERE id = ?", [team.programID], as: String.self)
        } == json)
    }

    @Test func secretKeysAreShownOnceWorkAndCanBeRevoked() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let owner = try team.session(try team.staff("Olga", role: .programOwner))
        let created = try team.post("/admin/api-keys?program=\(team.programID)", [], as: owner)
        #expect(created.status == 201)
        let key = try #require(created.body.range(of: #"sk_[A-Za-z0-9_-]{20,}"#, options: .regularExpression).map { String(created.body[$0]) })
        let api = try HTTPGet.request(port: portal.port, method: "GET", path: "/api/v1/partners", headers: ["Authorization": "Bearer \(key)"])
        #expect(api.status == 200)
        // The list shows the prefix only, never the key.
        let list = try team.get("/admin/api-keys", as: owner)
        #expect(!list.body.contains(key) && list.body.contains(String(key.prefix(7))))
        let id = try #require(try portal.database.read { db in
            try db.queryValue("SELECT id FROM api_keys WHERE prefix = ? AND program_id = ?", [String(key.prefix(7)), team.programID], as: Int64.self)
        })
        #expect(try team.post("/admin/api-keys/\(id)/revoke?program=\(team.programID)", [], as: owner).status == 303)
        #expect(try HTTPGet.request(port: portal.port, method: "GET", path: "/api/v1/partners", headers: ["Authorization": "Bearer \(key)"]).status == 401)
        #expect(try team.post("/admin/api-keys/\(id)/revoke?program=\(team.programID)", [], as: owner).status == 404)
        let actions = try auditActions(portal, programID: team.programID)
        #expect(actions.contains { $0.hasPrefix("api_key.create") } && actions.contains { $0.hasPrefix("api_key.revoke") })
        // Another program's key is not found from here.
        let other = try portal.database.write { db in
            try ProgramStore().create(in: db, NewProgram(name: "Other", slug: "other\(Int.random(in: 1000...9999))", currency: "EUR"), now: 0)
        }
        let otherKey = try #require(try portal.database.read { db in
            try db.queryValue("SELECT id FROM api_keys WHERE program_id = ?", [other.id], as: Int64.self)
        })
        #expect(try team.post("/admin/api-keys/\(otherKey)/revoke?program=\(team.programID)", [], as: owner).status == 404)
    }
}

/// `/admin/programs`: switching programs, and platform admins starting one.
@Suite struct AdminProgramsPageTests {
    @Test func platformAdminsStartProgramsAndBecomeTheirOwners() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let platform = try portal.database.write { db -> Int64 in
            let user = try AccountStore(database: portal.database).createUser(in: db, email: "root@example.com", name: "Root", passwordHash: nil, now: 0)
            try AccountStore(database: portal.database).addMembership(in: db, userID: user.id, Membership(role: .platformAdmin), now: 0)
            return user.id
        }
        let admin = try team.session(platform)
        let created = try team.post("/admin/programs", [("name", "Bolt Rewards"), ("slug", "bolt"), ("currency", "eur"), ("commission_percent", "12.5")],
                                    as: admin)
        #expect(created.status == 201)
        #expect(created.body.range(of: #"sk_[A-Za-z0-9_-]{20,}"#, options: .regularExpression) != nil)
        let row = try #require(try portal.database.read { db in try db.queryOne("SELECT id, currency, commission_bps FROM programs WHERE slug = 'bolt'") })
        #expect(try row["currency"] as String == "EUR" && (try row["commission_bps"] as Int64) == 1250)
        let id: Int64 = try row["id"]
        #expect(try team.get("/admin/programs", as: admin).body.contains("/admin?program=\(id)"))
        #expect(try portal.database.read { db in try AuditLog().entries(in: db, programID: id) }.first?.action == "program.create")
        let taken = try team.post("/admin/programs", [("name", "Again"), ("slug", "bolt"), ("currency", "EUR"), ("commission_percent", "10")], as: admin)
        #expect(taken.status == 422 && taken.body.contains("is taken"))
        let bad = try team.post("/admin/programs", [("name", "X"), ("slug", "Not A Slug"), ("currency", "EUR"), ("commission_percent", "10")], as: admin)
        #expect(bad.status == 422 && bad.body.contains("The slug must be 2 to 40"))
        // Program owners switch between their own programs but do not start new ones.
        let owner = try team.session(try team.staff("Olga", role: .programOwner))
        let mine = try team.get("/admin/programs", as: owner).body
        #expect(mine.contains("/admin?program=\(team.programID)") && !mine.contains("Bolt Rewards") && !mine.contains("Start program"))
        #expect(try team.post("/admin/programs", [("name", "Mine"), ("slug", "mine"), ("currency", "EUR"), ("commission_percent", "10")], as: owner).status == 403)
    }
}

@Suite struct ScheduledPayoutJobTests {
    @Test func aMonthlyProgramGetsOneBatchAMonth() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let ada = try team.partner("Ada")
        try portal.database.write { db in
            try db.execute("UPDATE programs SET payout_schedule = 'monthly' WHERE id = ?", [team.programID])
            try PartnerStore(vault: try PayoutDetailsVault(key: portal.environment.secretKey)).setPayout(
                in: db, partnerID: ada.partnerID, PayoutDetails(method: .paypal, fields: ["paypal_email": "ada@pay.example"]))
        }
        try team.sale("order-1", amount: 100_000, partnerID: ada.partnerID)
        let job = ScheduledPayouts(vault: try PayoutDetailsVault(key: portal.environment.secretKey))
        let now = Int64(Date().timeIntervalSince1970) + 86_400
        #expect(try job.run(portal.database, now: now) == 1)
        #expect(try job.run(portal.database, now: now + 60) == 0)
        let audit = try portal.database.read { db in try AuditLog().entries(in: db, programID: team.programID) }
        #expect(audit.first?.action == "payout.batch_create" && audit.first?.actorEmail == "scheduler")
        // A program paid by hand is left alone.
        try portal.database.write { db in try db.execute("UPDATE programs SET payout_schedule = 'manual'") }
        #expect(try job.run(portal.database, now: now + 40 * 86_400) == 0)
    }
}
