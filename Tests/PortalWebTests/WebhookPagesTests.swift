import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// `/admin/webhooks` and `/portal/api/postbacks`: owners add endpoints (secret shown once, audited), see the
/// delivery log, replay, rotate, enable and delete; managers and viewers read; partners manage their own postbacks
/// and never see another partner's; staff see partners' postbacks read-only.
@Suite struct WebhookPagesTests {
    func endpointID(_ portal: RunningPortal, url: String) throws -> Int64 {
        try #require(try portal.database.read { db in
            try db.queryValue("SELECT id FROM webhook_endpoints WHERE url = ? AND deleted_at IS NULL", [url], as: Int64.self)
        })
    }

    @Test func ownersManageEndpointsAndEveryChangeIsAudited() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let owner = try team.session(try team.staff("Olga", role: .programOwner))
        let manager = try team.session(try team.staff("Max"))
        let base = "/admin/webhooks?program=\(team.programID)"

        let empty = try team.get(base, as: owner)
        #expect(empty.status == 200 && empty.body.contains("Add an endpoint") && empty.body.contains("partner.applied"))
        // Bad input: re-rendered with the field marked, nothing stored.
        let bad = try team.post(base, [("url", "javascript:alert(1)"), ("event", "payout.paid")], as: owner)
        #expect(bad.status == 422 && bad.body.contains("aria-invalid=\"true\"") && bad.body.contains("The URL must be"))
        #expect(bad.body.contains("value=\"payout.paid\" checked"))
        let unknown = try team.post(base, [("url", "https://hooks.example.com/x"), ("event", "payout.exploded")], as: owner)
        #expect(unknown.status == 422 && unknown.body.contains("payout.exploded"))
        #expect(try portal.database.read { db in try db.queryValue("SELECT count(*) FROM webhook_endpoints", as: Int64.self) } == 0)
        // Without the CSRF token: refused.
        #expect(try team.post(base, [("url", "https://hooks.example.com/in")], as: owner, csrf: false).status == 403)

        let added = try team.post(base, [("url", "https://hooks.example.com/in"), ("event", "payout.paid"), ("event", "conversion.created")], as: owner)
        #expect(added.status == 201)
        let secret = try #require(added.body.range(of: "whsec_[A-Za-z0-9_-]+", options: .regularExpression).map { String(added.body[$0]) })
        let id = try endpointID(portal, url: "https://hooks.example.com/in")
        // Shown once: the endpoint page never shows it again.
        let page = try team.get("/admin/webhooks/\(id)?program=\(team.programID)", as: owner)
        #expect(page.status == 200 && !page.body.contains(secret) && page.body.contains("conversion.created, payout.paid"))

        // Managers read but do not change.
        let managerView = try team.get(base, as: manager)
        #expect(managerView.status == 200 && !managerView.body.contains("Add an endpoint") && managerView.body.contains("hooks.example.com/in"))
        #expect(try team.post(base, [("url", "https://hooks.example.com/m")], as: manager).status == 403)
        #expect(try team.post("/admin/webhooks/\(id)/rotate?program=\(team.programID)", [], as: manager).status == 403)
        #expect(try team.post("/admin/webhooks/\(id)/delete?program=\(team.programID)", [], as: manager).status == 403)

        // Rotation shows the new secret once and the previous one's expiry.
        let rotated = try team.post("/admin/webhooks/\(id)/rotate?program=\(team.programID)", [], as: owner)
        #expect(rotated.status == 200 && rotated.body.contains("whsec_") && !rotated.body.contains(secret))
        #expect(rotated.body.contains("Previous secret"))

        // Disabled by the deliverer, enabled here.
        try portal.database.write { db in
            try db.execute("UPDATE webhook_endpoints SET disabled_at = 1, disabled_reason = 'No delivery succeeded for 3 days' WHERE id = ?", [id])
        }
        #expect(try team.get("/admin/webhooks/\(id)?program=\(team.programID)", as: owner).body.contains("No delivery succeeded for 3 days"))
        #expect(try team.post("/admin/webhooks/\(id)/enable?program=\(team.programID)", [], as: owner).status == 303)
        #expect(try team.get("/admin/webhooks/\(id)?program=\(team.programID)", as: owner).body.contains("badge ok\">enabled"))

        // Another program's owner gets 404s.
        let otherProgram = try portal.database.write { db in
            try ProgramStore().create(in: db, NewProgram(name: "Other", slug: "other", currency: "USD"), now: 1).id
        }
        let stranger = try team.session(try team.staff("Sam", role: .programOwner, programID: otherProgram))
        #expect(try team.get("/admin/webhooks/\(id)?program=\(otherProgram)", as: stranger).status == 404)
        #expect(try team.post("/admin/webhooks/\(id)/delete?program=\(otherProgram)", [], as: stranger).status == 404)

        #expect(try team.post("/admin/webhooks/\(id)/delete?program=\(team.programID)", [], as: owner).status == 303)
        #expect(try team.get("/admin/webhooks/\(id)?program=\(team.programID)", as: owner).status == 404)
        let actions = try portal.database.read { db in try AuditLog().entries(in: db, programID: team.programID).map(\.action) }
        #expect(Set(actions).isSuperset(of: ["webhook.create", "webhook.rotate_secret", "webhook.enable", "webhook.delete"]))
        #expect(try portal.database.read { db in try AuditLog().entries(in: db, programID: team.programID) }
            .first { $0.action == "webhook.create" }?.details.contains("hooks.example.com/in") == true)
    }

    @Test func theDeliveryLogShowsAttemptsAndReplays() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let owner = try team.session(try team.staff("Olga", role: .programOwner))
        #expect(try team.post("/admin/webhooks?program=\(team.programID)", [("url", "https://hooks.example.com/log")], as: owner).status == 201)
        let id = try endpointID(portal, url: "https://hooks.example.com/log")
        let ada = try team.partner("Ada")
        try team.sale("o-1", amount: 10_000, partnerID: ada.partnerID)
        let deliveryID = try #require(try portal.database.read { db in
            try db.queryValue("SELECT id FROM webhook_deliveries WHERE endpoint_id = ? AND event_type = 'conversion.created'", [id], as: Int64.self)
        })
        // Two failed attempts recorded as the deliverer records them, then given up.
        try portal.database.write { db in
            try db.execute("INSERT INTO webhook_attempts (delivery_id, attempted_at, status, error, duration_ms) VALUES (?, 100, 500, 'HTTP 500', 42)", [deliveryID])
            try db.execute("INSERT INTO webhook_attempts (delivery_id, attempted_at, status, error, duration_ms) VALUES (?, 110, NULL, 'connection failed: Connection refused', 3)", [deliveryID])
            try db.execute("UPDATE webhook_deliveries SET attempts = 2, last_status = NULL, last_error = 'connection failed: Connection refused', next_attempt_at = NULL, failed_at = 120 WHERE id = ?", [deliveryID])
        }
        let log = try team.get("/admin/webhooks/\(id)?program=\(team.programID)", as: owner)
        #expect(log.body.contains("conversion.created") && log.body.contains("badge bad\">failed") && log.body.contains("Connection refused"))
        let detail = try team.get("/admin/webhooks/\(id)/deliveries/\(deliveryID)?program=\(team.programID)", as: owner)
        #expect(detail.status == 200 && detail.body.contains("HTTP 500") && detail.body.contains("no answer") && detail.body.contains("42 ms"))
        #expect(detail.body.contains("&quot;external_id&quot; : &quot;o-1&quot;") || detail.body.contains("&quot;external_id&quot;: &quot;o-1&quot;"))
        #expect(detail.body.contains("Send again"))

        let replayed = try team.post("/admin/webhooks/\(id)/deliveries/\(deliveryID)/replay?program=\(team.programID)", [], as: owner)
        #expect(replayed.status == 303)
        let row = try #require(try portal.database.read { db in
            try db.queryOne("SELECT next_attempt_at, failed_at, replayed_at FROM webhook_deliveries WHERE id = ?", [deliveryID])
        })
        #expect(try row["failed_at"] as Int64? == nil && (try row["next_attempt_at"] as Int64?) != nil && (try row["replayed_at"] as Int64?) != nil)
        #expect(try portal.database.read { db in try AuditLog().entries(in: db, programID: team.programID) }.first?.action == "webhook.replay")
        // A viewer reads the log but cannot replay.
        let viewer = try team.session(try team.staff("Vic", role: .programViewer))
        let viewed = try team.get("/admin/webhooks/\(id)/deliveries/\(deliveryID)?program=\(team.programID)", as: viewer)
        #expect(viewed.status == 200 && !viewed.body.contains("Send again"))
        #expect(try team.post("/admin/webhooks/\(id)/deliveries/\(deliveryID)/replay?program=\(team.programID)", [], as: viewer).status == 403)
        #expect(try team.get("/admin/webhooks/\(id)/deliveries/\(deliveryID + 999)?program=\(team.programID)", as: owner).status == 404)
    }

    @Test func partnersManageTheirOwnPostbacksOnly() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let ada = try team.partner("Ada")
        let bob = try team.partner("Bob")
        let adaSession = try team.session(ada.userID)
        let bobSession = try team.session(bob.userID)
        let viewer = try team.session(try team.member(of: ada.partnerID, name: "Vera", role: .partnerViewer))

        #expect(try team.get("/portal/api", as: adaSession).body.contains("/portal/api/postbacks"))
        let added = try team.post("/portal/api/postbacks", [("url", "https://ada.example.net/pb"), ("event", "commission.created")], as: adaSession)
        #expect(added.status == 201 && added.body.contains("whsec_"))
        let id = try endpointID(portal, url: "https://ada.example.net/pb")
        #expect(try portal.database.read { db in try db.queryValue("SELECT partner_id FROM webhook_endpoints WHERE id = ?", [id], as: Int64.self) } == ada.partnerID)

        // Bob: not listed, not readable, not changeable.
        #expect(!(try team.get("/portal/api/postbacks", as: bobSession).body.contains("ada.example.net")))
        #expect(try team.get("/portal/api/postbacks/\(id)", as: bobSession).status == 404)
        #expect(try team.post("/portal/api/postbacks/\(id)/delete", [], as: bobSession).status == 404)
        #expect(try team.post("/portal/api/postbacks/\(id)/rotate", [], as: bobSession).status == 404)
        // Ada's viewer reads, does not change.
        #expect(try team.get("/portal/api/postbacks/\(id)", as: viewer).status == 200)
        #expect(try team.post("/portal/api/postbacks", [("url", "https://x.example/")], as: viewer).status == 403)

        // Ada's postback gets Ada's commissions, not Bob's.
        try team.sale("a-1", amount: 5_000, partnerID: ada.partnerID)
        try team.sale("b-1", amount: 5_000, partnerID: bob.partnerID)
        let types = try portal.database.read { db in
            try db.query("SELECT payload FROM webhook_deliveries WHERE endpoint_id = ?", [id]).map { try $0["payload"] as String }
        }
        #expect(types.count == 1 && types[0].contains("a-1") && !types[0].contains("b-1"))

        // Staff see it read-only.
        let owner = try team.session(try team.staff("Olga", role: .programOwner))
        let list = try team.get("/admin/webhooks?program=\(team.programID)", as: owner)
        #expect(list.body.contains("Partners' postbacks") && list.body.contains("ada.example.net/pb") && list.body.contains("Ada"))
        let staffView = try team.get("/admin/webhooks/\(id)?program=\(team.programID)", as: owner)
        #expect(staffView.status == 200 && !staffView.body.contains("Rotate secret"))
        #expect(try team.post("/admin/webhooks/\(id)/rotate?program=\(team.programID)", [], as: owner).status == 403)

        #expect(try team.post("/portal/api/postbacks/\(id)/delete", [], as: adaSession).status == 303)
        #expect(!(try team.get("/portal/api/postbacks", as: adaSession).body.contains("ada.example.net")))
    }
}
