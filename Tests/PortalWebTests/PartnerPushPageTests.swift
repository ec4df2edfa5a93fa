import Foundation
import HTTPServer
import PortalCore
import PortalSecurity
import Store
import Testing
@testable import PortalWeb

/// `/portal/notifications`: a member subscribes this browser (JSON with the CSRF token in a header), picks events
/// per device and removes devices; another member's device is 404; viewers get no notifications.
@Suite struct PartnerPushPageTests {
    static func subscription(endpoint: String, events: [String]? = nil) throws -> (json: String, key: P256.PrivateKey) {
        let key = try P256.PrivateKey.generate()
        var object: [String: Any] = [
            "endpoint": endpoint, "expirationTime": NSNull(),
            "keys": ["p256dh": WebPushEncryption.base64URL(key.publicKey), "auth": WebPushEncryption.base64URL(try SecureRandom.bytes(count: 16))],
        ]
        if let events { object["events"] = events }
        let data = try JSONSerialization.data(withJSONObject: object)
        return (String(decoding: data, as: UTF8.self), key)
    }

    static func postJSON(_ team: PortalTeam, _ path: String, _ json: String, as session: (cookie: String, csrf: String), csrf: Bool = true,
                         userAgent: String = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36") throws -> HTTPGet.Reply {
        var headers = ["Cookie": session.cookie, "Content-Type": "application/json", "User-Agent": userAgent]
        if csrf { headers["X-CSRF-Token"] = session.csrf }
        return try HTTPGet.request(port: team.portal.port, method: "POST", path: path, headers: headers, body: json)
    }

    @Test func aMemberSubscribesChoosesEventsAndRevokesTheirDevice() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let ada = try team.partner("Ada")
        let session = try team.session(ada.userID)

        let page = try team.get("/portal/notifications", as: session)
        #expect(page.status == 200)
        let vapid = try #require(try portal.database.read { db in try db.queryValue("SELECT public_key FROM vapid_keys", as: String.self) })
        #expect(page.body.contains(#"data-vapid-key="\#(vapid)""#))
        #expect(WebPushEncryption.base64URLDecode(vapid)?.count == 65)
        #expect(page.body.contains("/js/push.js"))
        #expect(page.body.contains("No device gets push notifications"))

        let endpoint = "https://push.example.test/send/abc123"
        let (json, _) = try Self.subscription(endpoint: endpoint, events: ["payout_paid", "new_message"])
        // Without the CSRF header: refused, nothing stored.
        #expect(try Self.postJSON(team, "/portal/push/subscriptions", json, as: session, csrf: false).status == 403)
        let created = try Self.postJSON(team, "/portal/push/subscriptions", json, as: session)
        #expect(created.status == 201, "\(created.body)")
        let row = try #require(try portal.database.read { db in
            try db.queryOne("SELECT id, user_id, partner_id, events, label, auth_sealed FROM push_subscriptions WHERE endpoint = ?", [endpoint])
        })
        let id: Int64 = try row["id"]
        #expect(created.body == "{\"id\":\(id)}")
        #expect(try row["user_id"] as Int64 == ada.userID)
        #expect(try row["partner_id"] as Int64 == ada.partnerID)
        #expect(try row["events"] as String == "new_message payout_paid")
        #expect(try row["label"] as String == "Chrome on Android")

        // Posting the same browser again updates it rather than adding a second device.
        let (again, _) = try Self.subscription(endpoint: endpoint, events: ["payout_failed"])
        #expect(try Self.postJSON(team, "/portal/push/subscriptions", again, as: session).status == 201)
        #expect(try portal.database.read { db in try db.queryValue("SELECT count(*) FROM push_subscriptions", as: Int64.self) } == 1)

        let listed = try team.get("/portal/notifications", as: session).body
        #expect(listed.contains("Chrome on Android"))
        #expect(listed.contains("Through push.example.test"))
        #expect(listed.contains(#"action="/portal/push/subscriptions/\#(id)/revoke""#))

        let chosen = try team.post("/portal/push/subscriptions/\(id)/events", [("push_event", "weekly_digest"), ("push_event", "payout_paid")], as: session)
        #expect(chosen.status == 303)
        #expect(chosen.headers["location"] == "/portal/notifications?saved=events")
        #expect(try portal.database.read { db in try db.queryValue("SELECT events FROM push_subscriptions WHERE id = ?", [id], as: String.self) }
                == "payout_paid weekly_digest")
        #expect(try team.post("/portal/push/subscriptions/\(id)/events", [("push_event", "everything")], as: session).status == 400)
        #expect(try team.post("/portal/push/subscriptions/\(id)/revoke", [], as: session, csrf: false).status == 403)

        let revoked = try team.post("/portal/push/subscriptions/\(id)/revoke", [], as: session)
        #expect(revoked.status == 303)
        #expect(try portal.database.read { db in try db.queryValue("SELECT count(*) FROM push_subscriptions", as: Int64.self) } == 0)
        #expect(try team.post("/portal/push/subscriptions/\(id)/revoke", [], as: session).status == 404)

        // The browser turning itself off removes its subscription by endpoint.
        let (third, _) = try Self.subscription(endpoint: endpoint + "-2")
        #expect(try Self.postJSON(team, "/portal/push/subscriptions", third, as: session).status == 201)
        #expect(try Self.postJSON(team, "/portal/push/unsubscribe", #"{"endpoint":"\#(endpoint)-2"}"#, as: session).status == 204)
        #expect(try portal.database.read { db in try db.queryValue("SELECT count(*) FROM push_subscriptions", as: Int64.self) } == 0)
    }

    @Test func invalidSubscriptionsAreRefused() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let ada = try team.partner("Ada")
        let session = try team.session(ada.userID)
        let (insecure, _) = try Self.subscription(endpoint: "http://push.example.test/send/1")
        #expect(try Self.postJSON(team, "/portal/push/subscriptions", insecure, as: session).status == 422)
        let badKey = #"{"endpoint":"https://push.example.test/x1","keys":{"p256dh":"AAAA","auth":"BTBZMqHH6r4Tts7J_aSIgg"}}"#
        #expect(try Self.postJSON(team, "/portal/push/subscriptions", badKey, as: session).status == 422)
        let (unknown, _) = try Self.subscription(endpoint: "https://push.example.test/x2", events: ["everything"])
        #expect(try Self.postJSON(team, "/portal/push/subscriptions", unknown, as: session).status == 400)
        #expect(try Self.postJSON(team, "/portal/push/subscriptions", "{\"endpoint\":", as: session).status == 400)
        // Review finding: no other port than the standard one.
        let (otherPort, _) = try Self.subscription(endpoint: "https://push.example.test:8443/x3")
        #expect(try Self.postJSON(team, "/portal/push/subscriptions", otherPort, as: session).status == 422)
        #expect(try portal.database.read { db in try db.queryValue("SELECT count(*) FROM push_subscriptions", as: Int64.self) } == 0)
    }

    @Test func aMemberHasAtMostTwentyDevices() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let ada = try team.partner("Ada")
        let session = try team.session(ada.userID)
        for n in 1 ... 20 {
            let (device, _) = try Self.subscription(endpoint: "https://push.example.test/cap-\(n)")
            #expect(try Self.postJSON(team, "/portal/push/subscriptions", device, as: session).status < 300)
        }
        let (extra, _) = try Self.subscription(endpoint: "https://push.example.test/cap-21")
        let refused = try Self.postJSON(team, "/portal/push/subscriptions", extra, as: session)
        #expect(refused.status == 422 && refused.body.contains("remove one first"))
        // Renewing a device already known is not a new one.
        let (again, _) = try Self.subscription(endpoint: "https://push.example.test/cap-20")
        #expect(try Self.postJSON(team, "/portal/push/subscriptions", again, as: session).status < 300)
        #expect(try portal.database.read { db in try db.queryValue("SELECT count(*) FROM push_subscriptions", as: Int64.self) } == 20)
    }

    @Test func anotherMembersDeviceIsNotFoundAndViewersGetNoNotifications() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let ada = try team.partner("Ada"), bob = try team.partner("Bob")
        let adaSession = try team.session(ada.userID), bobSession = try team.session(bob.userID)
        let endpoint = "https://push.example.test/send/ada"
        let (json, _) = try Self.subscription(endpoint: endpoint)
        #expect(try Self.postJSON(team, "/portal/push/subscriptions", json, as: adaSession).status == 201)
        let id = try #require(try portal.database.read { db in try db.queryValue("SELECT id FROM push_subscriptions", as: Int64.self) })

        // Bob (another partner) can neither see, change nor remove Ada's device.
        #expect(!(try team.get("/portal/notifications", as: bobSession).body.contains("push.example.test")))
        #expect(try team.post("/portal/push/subscriptions/\(id)/events", [("push_event", "payout_paid")], as: bobSession).status == 404)
        #expect(try team.post("/portal/push/subscriptions/\(id)/revoke", [], as: bobSession).status == 404)
        #expect(try Self.postJSON(team, "/portal/push/unsubscribe", #"{"endpoint":"\#(endpoint)"}"#, as: bobSession).status == 404)
        // A colleague in Ada's own team does not manage Ada's devices either.
        let colleague = try team.session(try team.member(of: ada.partnerID, name: "Mia", role: .partnerAdmin))
        #expect(try team.post("/portal/push/subscriptions/\(id)/revoke", [], as: colleague).status == 404)
        #expect(try portal.database.read { db in try db.queryValue("SELECT events FROM push_subscriptions WHERE id = ?", [id], as: String.self) }
                == "new_message announcement payout_paid payout_failed")
        // ?partner= of a team Bob is not in is 404, as everywhere in the portal.
        #expect(try team.get("/portal/notifications?partner=\(ada.partnerID)", as: bobSession).status == 404)

        // Viewers hear nothing, so they cannot subscribe and the page says so.
        let viewer = try team.session(try team.member(of: ada.partnerID, name: "Vic", role: .partnerViewer))
        let viewerPage = try team.get("/portal/notifications", as: viewer)
        #expect(viewerPage.status == 200)
        #expect(viewerPage.body.contains("gets no notifications"))
        #expect(!viewerPage.body.contains("data-vapid-key"))
        let (viewerJSON, _) = try Self.subscription(endpoint: "https://push.example.test/send/vic")
        #expect(try Self.postJSON(team, "/portal/push/subscriptions", viewerJSON, as: viewer).status == 403)
    }
}
