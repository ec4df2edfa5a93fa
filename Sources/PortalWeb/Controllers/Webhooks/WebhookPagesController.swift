import Foundation
import HTTPServer
import PortalCore
import Store

/// The webhook pages, mounted twice: `/admin/webhooks` for a program's endpoints (owners manage; other staff read,
/// and also see partners' postbacks, read-only) and `/portal/api/postbacks` for a partner team's postback endpoints
/// (members who may manage integrations). The same pages: register an endpoint and pick events (its secret is
/// shown once), an endpoint's delivery log with each attempt's answer, replay, secret rotation with the 24-hour
/// overlap, re-enabling after the automatic disabling, deletion. Admin changes are audited in their transaction.
struct WebhookPagesController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let store: WebhookStore
    let addressSecret: [UInt8]

    /// Who is looking, resolved per request.
    struct Scope {
        let programID: Int64
        /// Whose endpoints this page lists and manages.
        let owner: WebhookStore.Owner
        /// Whether the caller may change them.
        let canManage: Bool
        /// Staff also see (read-only) partners' postbacks.
        let seesPostbacks: Bool
        let base: String
        /// `?program=N` on admin links; empty on the portal.
        let query: String
        let heading: String
        let subtitle: String
        /// Writes the audit entry for a change (admin only).
        let audit: (@Sendable (Database, String, Int64, String, Int64) throws -> Void)?

        /// A link to `path` under this page with `done=` for the notice.
        func done(_ path: String, _ what: String) -> String { "\(base)\(path)\(query)\(query.isEmpty ? "?" : "&")done=\(what)" }
    }

    func register(admin routes: RouterGroup) {
        mount(on: routes, path: "/webhooks") { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            let actor = admin.actor, programID = admin.programID
            return Scope(programID: admin.programID, owner: .program, canManage: admin.may(.manageProgramSettings), seesPostbacks: true,
                         base: "/admin/webhooks", query: "?program=\(admin.programID)", heading: "Webhooks", subtitle: admin.programName) {
                db, action, id, details, now in
                try AuditLog().record(in: db, programID: programID, actor: actor, action: action, subjectType: "webhook_endpoint",
                                      subjectID: id, details: details, now: now)
            }
        }
    }

    func register(portal routes: RouterGroup) {
        mount(on: routes, path: "/api/postbacks") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            return Scope(programID: partner.programID, owner: .partner(partner.partnerID), canManage: partner.may(.managePartnerIntegrations),
                         seesPostbacks: false, base: "/portal/api/postbacks", query: "", heading: "Postbacks",
                         subtitle: "\(partner.partnerName) · \(partner.programName)", audit: nil)
        }
    }

    private func mount(on routes: RouterGroup, path: String, resolve: @escaping @Sendable (Request, RequestContext) throws -> Scope) {
        let small = RouteOptions(maxBodySize: 16 * 1024)
        routes.get(path) { request, context in
            let scope = try resolve(request, context)
            return try listPage(context, scope, notice: Self.notices[request.queryParameters["done"] ?? ""])
        }
        routes.post(path, options: small) { request, context in
            let scope = try resolve(request, context)
            guard scope.canManage else { throw HTTPError(.forbidden, "Your role cannot change webhook endpoints.") }
            let form = try FormBody.parse(request)
            let url = (form["url"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let events = form.values(for: "event")
            let now = Self.now()
            do {
                let created = try database.write { db -> (WebhookStore.Endpoint, String) in
                    let created = try store.create(in: db, programID: scope.programID, partnerID: scope.owner.partnerID, url: url, events: events, now: now)
                    try scope.audit?(db, "webhook.create", created.endpoint.id, "\(url) (\(Self.eventSummary(created.endpoint.events)))", now)
                    return created
                }
                // Shown in this answer only, as with API keys.
                return try endpointPage(context, scope, id: created.0.id, secret: created.1, notice: "Endpoint added.", status: .created)
            } catch WebhookStore.Failure.invalid(let errors) {
                return try listPage(context, scope, notice: nil, errors: errors, url: url, events: Set(events), status: .unprocessableContent)
            }
        }
        routes.get("\(path)/{id}") { request, context in
            let scope = try resolve(request, context)
            return try endpointPage(context, scope, id: try Self.id(context), secret: nil, notice: Self.notices[request.queryParameters["done"] ?? ""])
        }
        routes.post("\(path)/{id}/rotate", options: small) { request, context in
            let (scope, id, now) = try managing(request, context, resolve)
            let secret = try mapped {
                try database.write { db -> String in
                    let secret = try store.rotateSecret(in: db, programID: scope.programID, id: id, owner: scope.owner, now: now)
                    try scope.audit?(db, "webhook.rotate_secret", id, "previous secret valid for 24 hours", now)
                    return secret
                }
            }
            return try endpointPage(context, scope, id: id, secret: secret,
                                    notice: "New secret made. The previous one keeps signing, as a second v1=, for 24 hours.")
        }
        routes.post("\(path)/{id}/enable", options: small) { request, context in
            let (scope, id, now) = try managing(request, context, resolve)
            try mapped {
                try database.write { db in
                    try store.enable(in: db, programID: scope.programID, id: id, owner: scope.owner)
                    try scope.audit?(db, "webhook.enable", id, "", now)
                }
            }
            return .redirect(to: scope.done("/\(id)", "enabled"), status: .seeOther)
        }
        routes.post("\(path)/{id}/delete", options: small) { request, context in
            let (scope, id, now) = try managing(request, context, resolve)
            try mapped {
                try database.write { db in
                    let url = try store.endpoint(in: db, programID: scope.programID, id: id, owner: scope.owner)?.url ?? ""
                    try store.delete(in: db, programID: scope.programID, id: id, owner: scope.owner, now: now)
                    try scope.audit?(db, "webhook.delete", id, url, now)
                }
            }
            return .redirect(to: scope.done("", "deleted"), status: .seeOther)
        }
        routes.get("\(path)/{id}/deliveries/{delivery}") { request, context in
            let scope = try resolve(request, context)
            return try deliveryPage(context, scope, id: try Self.id(context), deliveryID: try Self.id(context, "delivery"),
                                    notice: request.queryParameters["done"] == "replayed" ? "Queued: it is sent again within a minute." : nil)
        }
        routes.post("\(path)/{id}/deliveries/{delivery}/replay", options: small) { request, context in
            let scope = try resolve(request, context)
            let id = try Self.id(context)
            let deliveryID = try Self.id(context, "delivery")
            try requireManaging(scope, id: id)
            _ = try FormBody.parse(request)
            let now = Self.now()
            do {
                try database.write { db in
                    let delivery = try store.replay(in: db, programID: scope.programID, endpointID: id, deliveryID: deliveryID, owner: scope.owner, now: now)
                    try scope.audit?(db, "webhook.replay", id, "\(delivery.eventType) \(delivery.eventID)", now)
                }
            } catch WebhookStore.Failure.notFound {
                throw HTTPError(.notFound, "Not found")
            } catch WebhookStore.Failure.invalid(let errors) {
                throw HTTPError(.conflict, errors.values.flatMap { $0 }.first.map { "The endpoint \($0)." } ?? "Cannot replay.")
            }
            return .redirect(to: scope.done("/\(id)/deliveries/\(deliveryID)", "replayed"), status: .seeOther)
        }
    }

    // MARK: - Pages

    private func listPage(_ context: RequestContext, _ scope: Scope, notice: String?, errors: [String: [String]] = [:], url: String = "",
                          events: Set<String> = [], status: HTTPStatus = .ok) throws -> Response {
        let (own, postbacks) = try database.read { db -> ([WebhookStore.Endpoint], [(WebhookStore.Endpoint, String)]) in
            let own = try store.endpoints(in: db, programID: scope.programID, owner: scope.owner)
            guard scope.seesPostbacks else { return (own, []) }
            let all = try store.endpoints(in: db, programID: scope.programID).filter { $0.partnerID != nil }
            var names: [Int64: String] = [:]
            for row in try db.query("""
                SELECT DISTINCT p.id, p.name FROM webhook_endpoints e JOIN partners p ON p.id = e.partner_id
                WHERE e.program_id = ? AND e.deleted_at IS NULL
                """, [scope.programID]) {
                names[try row["id"]] = try row["name"]
            }
            return (own, all.map { ($0, $0.partnerID.flatMap { names[$0] } ?? "") })
        }
        var values = common(scope)
        values["endpoints"] = own.map { endpointRow($0, scope) }
        values["hasEndpoints"] = !own.isEmpty
        values["postbacks"] = postbacks.map { endpoint, partner -> [String: Any] in
            var row = endpointRow(endpoint, scope)
            row["partner"] = partner
            return row
        }
        values["hasPostbacks"] = !postbacks.isEmpty
        values["seesPostbacks"] = scope.seesPostbacks
        values["eventChoices"] = WebhookStore.eventTypes.map { ["type": $0, "checked": events.contains($0)] as [String: Any] }
        values["url"] = url
        if let message = errors["url"]?.first { values["urlError"] = "The URL \(message)." }
        if let message = errors["events"]?.first { values["eventsError"] = "Events: \(message)." }
        values["hasErrors"] = !errors.isEmpty
        if let notice { values["notice"] = notice }
        return try templates.page("webhooks/endpoints", PageChrome(context: context, currentPath: scope.base).merged(with: values), status: status)
    }

    private func endpointPage(_ context: RequestContext, _ scope: Scope, id: Int64, secret: String?, notice: String?,
                              status: HTTPStatus = .ok) throws -> Response {
        let found = try database.read { db -> (WebhookStore.Endpoint, [WebhookStore.Delivery])? in
            guard let endpoint = try visibleEndpoint(db, scope, id: id) else { return nil }
            return (endpoint, try store.deliveries(in: db, programID: scope.programID, endpointID: id, limit: 100))
        }
        guard let (endpoint, deliveries) = found else { throw HTTPError(.notFound, "Not found") }
        let manages = scope.canManage && endpoint.partnerID == scope.owner.partnerID
        var values = common(scope)
        values.merge(endpointRow(endpoint, scope)) { _, new in new }
        values["canManage"] = manages
        values["eventList"] = endpoint.events.isEmpty ? "every event" : endpoint.events.joined(separator: ", ")
        values["created"] = OutboxController.format(endpoint.createdAt)
        if let expires = endpoint.previousSecretExpiresAt, expires > Self.now() {
            values["previousUntil"] = OutboxController.format(expires)
        }
        if let secret { values["newSecret"] = secret }
        if let notice { values["notice"] = notice }
        values["deliveryRows"] = deliveries.map { delivery -> [String: Any] in
            ["type": delivery.eventType, "state": Self.state(delivery), "tone": Self.tone(delivery),
             "attempts": delivery.attempts, "lastStatus": delivery.lastStatus.map(String.init) ?? "—", "error": delivery.lastError,
             "hasError": !delivery.lastError.isEmpty, "created": OutboxController.format(delivery.createdAt),
             "href": "\(scope.base)/\(id)/deliveries/\(delivery.id)\(scope.query)"]
        }
        values["hasDeliveries"] = !deliveries.isEmpty
        return try templates.page("webhooks/endpoint", PageChrome(context: context, currentPath: scope.base).merged(with: values), status: status)
    }

    private func deliveryPage(_ context: RequestContext, _ scope: Scope, id: Int64, deliveryID: Int64, notice: String?) throws -> Response {
        let found = try database.read { db -> (WebhookStore.Endpoint, WebhookStore.Delivery, [WebhookStore.Attempt])? in
            guard let endpoint = try visibleEndpoint(db, scope, id: id),
                  let delivery = try store.delivery(in: db, programID: scope.programID, endpointID: id, id: deliveryID) else { return nil }
            return (endpoint, delivery, try store.attempts(in: db, deliveryID: deliveryID))
        }
        guard let (endpoint, delivery, attempts) = found else { throw HTTPError(.notFound, "Not found") }
        var values = common(scope)
        values.merge(endpointRow(endpoint, scope)) { _, new in new }
        values["canReplay"] = scope.canManage && endpoint.partnerID == scope.owner.partnerID && endpoint.disabledAt == nil
        values["deliveryID"] = delivery.id
        values["eventType"] = delivery.eventType
        values["eventID"] = delivery.eventID
        values["state"] = Self.state(delivery)
        values["tone"] = Self.tone(delivery)
        values["created"] = OutboxController.format(delivery.createdAt)
        if let next = delivery.nextAttemptAt { values["nextAttempt"] = OutboxController.format(next) }
        values["payload"] = Self.pretty(delivery.payload)
        values["attempts"] = attempts.map { attempt -> [String: Any] in
            ["at": OutboxController.format(attempt.attemptedAt), "status": attempt.status.map(String.init) ?? "no answer",
             "ok": attempt.status.map { (200 ..< 300).contains($0) } ?? false, "error": attempt.error, "duration": "\(attempt.durationMS) ms",
             "replay": attempt.replay]
        }
        values["hasAttempts"] = !attempts.isEmpty
        if let notice { values["notice"] = notice }
        return try templates.page("webhooks/delivery", PageChrome(context: context, currentPath: scope.base).merged(with: values))
    }

    // MARK: - Helpers

    /// The scope's own endpoint, or (for staff) any endpoint of the program; nil otherwise.
    private func visibleEndpoint(_ db: Database, _ scope: Scope, id: Int64) throws -> WebhookStore.Endpoint? {
        try store.endpoint(in: db, programID: scope.programID, id: id, owner: scope.seesPostbacks ? nil : scope.owner)
    }

    /// The start of every change to one endpoint: who is asking, which endpoint, that they may change it (404 for
    /// one they cannot see, 403 for one they only read), the form parsed (and CSRF checked), the time.
    private func managing(_ request: Request, _ context: RequestContext,
                          _ resolve: (Request, RequestContext) throws -> Scope) throws -> (Scope, Int64, Int64) {
        let scope = try resolve(request, context)
        let id = try Self.id(context)
        try requireManaging(scope, id: id)
        _ = try FormBody.parse(request)
        return (scope, id, Self.now())
    }

    private func requireManaging(_ scope: Scope, id: Int64) throws {
        let visible = try database.read { db in try visibleEndpoint(db, scope, id: id) }
        guard let visible else { throw HTTPError(.notFound, "Not found") }
        guard scope.canManage, visible.partnerID == scope.owner.partnerID else {
            throw HTTPError(.forbidden, "Your role cannot change this endpoint.")
        }
    }

    private func mapped<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch WebhookStore.Failure.notFound { throw HTTPError(.notFound, "Not found") }
    }

    private func common(_ scope: Scope) -> [String: Any] {
        ["heading": scope.heading, "subtitle": scope.subtitle, "base": scope.base, "query": scope.query, "canManage": scope.canManage,
         "isPostbacks": scope.owner != .program]
    }

    private func endpointRow(_ endpoint: WebhookStore.Endpoint, _ scope: Scope) -> [String: Any] {
        ["id": endpoint.id, "url": endpoint.url, "events": Self.eventSummary(endpoint.events), "disabled": endpoint.disabledAt != nil,
         "disabledReason": endpoint.disabledReason, "lastSuccess": endpoint.lastSuccessAt.map(OutboxController.format) ?? "never",
         "href": "\(scope.base)/\(endpoint.id)\(scope.query)"]
    }

    static let notices: [String: String] = ["deleted": "Endpoint deleted.", "enabled": "Endpoint enabled: new events reach it again."]

    static func eventSummary(_ events: [String]) -> String {
        events.isEmpty ? "every event" : events.count <= 3 ? events.joined(separator: ", ") : "\(events.count) events"
    }

    static func state(_ delivery: WebhookStore.Delivery) -> String {
        delivery.state == "pending" ? "waiting" : delivery.state
    }

    static func tone(_ delivery: WebhookStore.Delivery) -> String {
        switch delivery.state {
        case "delivered": "ok"
        case "failed": "bad"
        default: "warn"
        }
    }

    /// The stored body, indented for reading (the API's log gives it byte for byte as sent).
    static func pretty(_ payload: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return payload }
        return String(decoding: data, as: UTF8.self)
    }

    static func id(_ context: RequestContext, _ name: String = "id") throws -> Int64 {
        guard let id = Int64(try context.parameters.require(name)), id > 0 else { throw HTTPError(.notFound, "Not found") }
        return id
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
