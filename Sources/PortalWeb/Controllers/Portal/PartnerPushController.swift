import Foundation
import HTTPServer
import PortalCore
import PortalSecurity
import Store

/// `/portal/notifications`: Web Push for the signed-in member in the current partner team. The page's script
/// subscribes this browser (`pushManager.subscribe` with the server's VAPID key) and posts the subscription as
/// JSON with the CSRF token in `X-CSRF-Token`; the member picks events per device and removes devices. Every
/// query is scoped to the member (user and partner): another member's device is `404`. E-mail choices stay on
/// the profile page.
struct PartnerPushController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let subscriptions: PushSubscriptions
    let keys: VAPIDKeys

    func register(on routes: RouterGroup) {
        let small = RouteOptions(maxBodySize: 16 * 1024)
        routes.get("/notifications") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            return try page(request, context, partner: partner)
        }
        routes.post("/push/subscriptions", options: small) { request, context in
            let (partner, user) = try member(request, context)
            let object = try Self.json(request)
            let keysObject = object["keys"] as? [String: Any] ?? [:]
            guard let endpoint = object["endpoint"] as? String, let p256dh = keysObject["p256dh"] as? String,
                  let auth = keysObject["auth"] as? String else {
                throw HTTPError(.unprocessableContent, "Send the browser's subscription: endpoint and keys.p256dh, keys.auth.")
            }
            let events = try Self.events(object["events"] as? [String] ?? NotificationEvent.allCases.filter(\.isOnByDefault).map(\.rawValue))
            let label = Self.deviceLabel(request.headers["user-agent"] ?? "")
            let now = Int64(Date().timeIntervalSince1970)
            let id: Int64
            do {
                id = try database.write { db in
                    try subscriptions.subscribe(in: db, userID: user.id, partnerID: partner.partnerID, endpoint: endpoint, p256dh: p256dh,
                                                auth: auth, events: events, label: label, now: now)
                }
            } catch PushSubscriptions.Failure.invalid(let message) {
                throw HTTPError(.unprocessableContent, message)
            }
            return Response(status: .created, contentType: "application/json", body: Array("{\"id\":\(id)}".utf8))
        }
        routes.post("/push/unsubscribe", options: small) { request, context in
            let (partner, user) = try member(request, context)
            guard let endpoint = try Self.json(request)["endpoint"] as? String else {
                throw HTTPError(.unprocessableContent, "Send the endpoint to remove.")
            }
            let removed = try database.write { db in
                try subscriptions.revoke(in: db, userID: user.id, partnerID: partner.partnerID, endpoint: endpoint)
            }
            guard removed else { throw HTTPError(.notFound, "Not found") }
            return Response(status: .noContent)
        }
        routes.post("/push/subscriptions/{id}/events", options: small) { request, context in
            let (partner, user) = try member(request, context)
            let id = try context.parameters.requireInt("id")
            let events = try Self.events(try FormBody.parse(request).values(for: "push_event"))
            do {
                try database.write { db in
                    try subscriptions.choose(in: db, userID: user.id, partnerID: partner.partnerID, id: id, events: events)
                }
            } catch PushSubscriptions.Failure.notFound {
                throw HTTPError(.notFound, "Not found")
            }
            return redirect(partner, request, saved: "events")
        }
        routes.post("/push/subscriptions/{id}/revoke", options: small) { request, context in
            let (partner, user) = try member(request, context)
            let id = try context.parameters.requireInt("id")
            do {
                try database.write { db in try subscriptions.revoke(in: db, userID: user.id, partnerID: partner.partnerID, id: id) }
            } catch PushSubscriptions.Failure.notFound {
                throw HTTPError(.notFound, "Not found")
            }
            return redirect(partner, request, saved: "revoked")
        }
    }

    /// The partner and the signed-in member, who must be one who gets notices (viewers do not).
    private func member(_ request: Request, _ context: RequestContext) throws -> (PartnerContext, User) {
        let partner = try PartnerContext.resolve(request, context, database: database)
        guard let user = context.webSession.principal?.user else { throw HTTPError(.unauthorized, "Please sign in.") }
        guard !partner.readOnly, PartnerNotices.roles.contains(partner.role) else {
            throw HTTPError(.forbidden, "Your role in this partner team gets no notifications.")
        }
        return (partner, user)
    }

    static func json(_ request: Request) throws -> [String: Any] {
        let type = request.headers["content-type"]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard type == "application/json" else { throw HTTPError(.unsupportedMediaType, "Send the subscription as application/json.") }
        guard let object = try? JSONSerialization.jsonObject(with: Data(try request.body.readAll())) as? [String: Any] else {
            throw HTTPError(.badRequest, "The body is not a JSON object.")
        }
        return object
    }

    static func events(_ values: [String]) throws -> Set<NotificationEvent> {
        var events: Set<NotificationEvent> = []
        for value in values {
            guard let event = NotificationEvent(rawValue: value) else { throw HTTPError(.badRequest, "Unknown notification: \(value)") }
            events.insert(event)
        }
        return events
    }

    /// `Chrome on Android`, from the User-Agent, so a member can tell their devices apart.
    static func deviceLabel(_ userAgent: String) -> String {
        let browser = userAgent.contains("Edg/") ? "Edge" : userAgent.contains("Firefox/") ? "Firefox"
            : userAgent.contains("Chrome/") ? "Chrome" : userAgent.contains("Safari/") ? "Safari" : "Browser"
        let system = userAgent.contains("Android") ? "Android" : userAgent.contains("iPhone") || userAgent.contains("iPad") ? "iOS"
            : userAgent.contains("Windows") ? "Windows" : userAgent.contains("Mac OS X") ? "macOS" : userAgent.contains("Linux") ? "Linux" : ""
        return system.isEmpty ? browser : "\(browser) on \(system)"
    }

    private static let notices = [
        "events": "The device's choices are saved.",
        "revoked": "The device was removed: it gets no more push notifications.",
    ]

    private func redirect(_ partner: PartnerContext, _ request: Request, saved: String) -> Response {
        let team = request.queryParameters["partner"].map { _ in "&partner=\(partner.partnerID)" } ?? ""
        return .redirect(to: "/portal/notifications?saved=\(saved)\(team)", status: .seeOther)
    }

    private func page(_ request: Request, _ context: RequestContext, partner: PartnerContext) throws -> Response {
        guard let user = context.webSession.principal?.user else { throw HTTPError(.unauthorized, "Please sign in.") }
        let now = Int64(Date().timeIntervalSince1970)
        let devices = try database.read { db in try subscriptions.devices(in: db, userID: user.id, partnerID: partner.partnerID) }
        let receives = !partner.readOnly && PartnerNotices.roles.contains(partner.role)
        let vapidKey = receives ? try keys.publicKey(database, now: now) : ""
        let query = request.queryParameters["partner"].map { _ in "?partner=\(partner.partnerID)" } ?? ""
        func date(_ seconds: Int64) -> String { CivilDate.format(days: DailyStats.day(of: seconds)) }
        let deviceValues: [[String: Any]] = devices.map { device in
            let events: [[String: Any]] = NotificationEvent.allCases.map { event in
                ["value": event.rawValue, "label": event.label, "checked": device.events.contains(event)]
            }
            return ["id": device.id, "name": device.label.isEmpty ? "Browser" : device.label, "service": device.service,
                    "added": date(device.createdAt), "lastSuccess": device.lastSuccessAt.map(date) ?? "not yet",
                    "endpoint": device.endpoint, "events": events]
        }
        let newEvents: [[String: Any]] = NotificationEvent.allCases.map { event in
            ["value": event.rawValue, "label": event.label, "checked": event.isOnByDefault]
        }
        let notice = Self.notices[request.queryParameters["saved"] ?? ""] ?? ""
        var values: [String: Any] = ["partnerName": partner.partnerName, "query": query, "receives": receives, "vapidKey": vapidKey]
        values["notice"] = TemplateValue.section(notice)
        values["devices"] = deviceValues
        values["hasDevices"] = !devices.isEmpty
        values["newEvents"] = newEvents
        return try templates.page("portal/notifications", PageChrome(context: context, currentPath: "/portal/profile").merged(with: values))
    }
}
