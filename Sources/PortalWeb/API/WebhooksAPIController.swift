import Foundation
import HTTPServer
import PortalCore
import Store

/// Webhook endpoints (CONTRACTS.md: `POST /webhooks`, `GET /webhooks`, `DELETE /webhooks/{id}`) with a secret key,
/// and partners' postback endpoints under `/me/webhooks` with a partner key holding `webhooks:write`. Additions,
/// for both: read one, its delivery log, replay a delivery, rotate the secret (shown once), re-enable after the
/// automatic disabling. A key only ever sees its own owner's endpoints: anything else is `404`.
struct WebhooksAPIController {
    let database: DatabasePool
    let store: WebhookStore

    static let partnerScope = "webhooks:write"

    func register(on api: RouterGroup) {
        // A 2,000-character URL may be 24 KB of JSON escapes: the limit sits above what the schema allows, so a
        // too-long URL is a 422 naming the field rather than a bare 413.
        let small = RouteOptions(maxBodySize: 64 * 1024)
        for prefix in ["", "/me"] {
            api.post("\(prefix)/webhooks", options: small) { request, context in
                let (programID, owner) = try caller(context, prefix)
                var fields = JSONFields(try JSONBody.object(request), allowed: ["url", "events"])
                let url = fields.string("url", required: true, maxLength: 2000)
                let events = fields.stringArray("events") ?? []
                guard fields.errors.isEmpty, let url else { throw APIProblem.invalid(fields.errors) }
                let created = try mapped {
                    try database.write { db in
                        try store.create(in: db, programID: programID, partnerID: owner.partnerID, url: url, events: events, now: Self.now())
                    }
                }
                var object = Self.json(created.endpoint)
                object["secret"] = created.secret
                return JSONBody.response(object, status: .created)
            }
            api.get("\(prefix)/webhooks") { _, context in
                let (programID, owner) = try caller(context, prefix)
                let endpoints = try database.read { db in try store.endpoints(in: db, programID: programID, owner: owner) }
                return JSONBody.response(["data": endpoints.map(Self.json), "next_cursor": NSNull()])
            }
            api.get("\(prefix)/webhooks/{id}") { _, context in
                let (programID, owner) = try caller(context, prefix)
                let id = try context.pathID(what: "webhook endpoint")
                guard let endpoint = try database.read({ db in try store.endpoint(in: db, programID: programID, id: id, owner: owner) }) else {
                    throw APIProblem(.notFound, "No such webhook endpoint.")
                }
                return JSONBody.response(Self.json(endpoint))
            }
            api.delete("\(prefix)/webhooks/{id}") { _, context in
                let (programID, owner) = try caller(context, prefix)
                let id = try context.pathID(what: "webhook endpoint")
                try mapped { try database.write { db in try store.delete(in: db, programID: programID, id: id, owner: owner, now: Self.now()) } }
                return Response(status: .noContent)
            }
            api.post("\(prefix)/webhooks/{id}/rotate-secret", options: small) { request, context in
                let (programID, owner) = try caller(context, prefix)
                let id = try context.pathID(what: "webhook endpoint")
                var fields = JSONFields(try Self.optionalObject(request), allowed: ["overlap_seconds"])
                let overlap = fields.integer("overlap_seconds") ?? WebhookStore.defaultRotationOverlap
                if !(0 ... 7 * 86_400).contains(overlap) { fields.fail("overlap_seconds", "must be 0 to 604800 (7 days)") }
                guard fields.errors.isEmpty else { throw APIProblem.invalid(fields.errors) }
                let (endpoint, secret) = try mapped {
                    try database.write { db -> (WebhookStore.Endpoint, String) in
                        let secret = try store.rotateSecret(in: db, programID: programID, id: id, owner: owner, overlap: overlap, now: Self.now())
                        guard let endpoint = try store.endpoint(in: db, programID: programID, id: id) else { throw WebhookStore.Failure.notFound }
                        return (endpoint, secret)
                    }
                }
                var object = Self.json(endpoint)
                object["secret"] = secret
                return JSONBody.response(object)
            }
            api.post("\(prefix)/webhooks/{id}/enable", options: small) { request, context in
                let (programID, owner) = try caller(context, prefix)
                let id = try context.pathID(what: "webhook endpoint")
                _ = JSONFields(try Self.optionalObject(request), allowed: [])
                let endpoint = try mapped {
                    try database.write { db -> WebhookStore.Endpoint in
                        try store.enable(in: db, programID: programID, id: id, owner: owner)
                        guard let endpoint = try store.endpoint(in: db, programID: programID, id: id) else { throw WebhookStore.Failure.notFound }
                        return endpoint
                    }
                }
                return JSONBody.response(Self.json(endpoint))
            }
            api.get("\(prefix)/webhooks/{id}/deliveries") { request, context in
                let (programID, owner) = try caller(context, prefix)
                let id = try context.pathID(what: "webhook endpoint")
                let page = try APIPage(request)
                let rows = try database.read { db -> [WebhookStore.Delivery]? in
                    guard try store.endpoint(in: db, programID: programID, id: id, owner: owner) != nil else { return nil }
                    return try store.deliveries(in: db, programID: programID, endpointID: id, before: page.before, limit: page.fetchLimit)
                }
                guard let rows else { throw APIProblem(.notFound, "No such webhook endpoint.") }
                return page.response(rows, id: \.id, json: Self.json)
            }
            api.post("\(prefix)/webhooks/{id}/deliveries/{delivery_id}/replay", options: small) { request, context in
                let (programID, owner) = try caller(context, prefix)
                let id = try context.pathID(what: "webhook endpoint")
                let deliveryID = try context.pathID("delivery_id", what: "delivery")
                _ = JSONFields(try Self.optionalObject(request), allowed: [])
                let delivery = try mapped {
                    try database.write { db in
                        try store.replay(in: db, programID: programID, endpointID: id, deliveryID: deliveryID, owner: owner, now: Self.now())
                    }
                }
                return JSONBody.response(Self.json(delivery), status: .accepted)
            }
        }
    }

    /// Secret keys manage the program's endpoints at `/webhooks`; partner keys their postbacks at `/me/webhooks`.
    private func caller(_ context: RequestContext, _ prefix: String) throws -> (Int64, WebhookStore.Owner) {
        if prefix.isEmpty { return (try context.requireProgram(), .program) }
        let caller = try context.requirePartner(scope: Self.partnerScope)
        return (caller.programID, .partner(caller.partnerID))
    }

    private func mapped<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch WebhookStore.Failure.notFound {
            throw APIProblem(.notFound, "No such webhook endpoint.")
        } catch WebhookStore.Failure.invalid(let errors) {
            throw APIProblem.invalid(errors)
        }
    }

    /// A body is optional on these actions; when present it must be a JSON object.
    static func optionalObject(_ request: Request) throws -> [String: Any] {
        if (try request.body.readAll()).isEmpty && request.headers["content-type"] == nil { return [:] }
        return try JSONBody.object(request)
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    static func json(_ endpoint: WebhookStore.Endpoint) -> [String: Any] {
        [
            "id": endpoint.id, "url": endpoint.url, "events": endpoint.events,
            "partner_id": APIJSON.optional(endpoint.partnerID),
            "status": endpoint.disabledAt == nil ? "enabled" : "disabled",
            "disabled_reason": endpoint.disabledAt == nil ? NSNull() : endpoint.disabledReason as Any,
            "created_at": RFC3339.format(endpoint.createdAt),
            "last_success_at": APIJSON.optional(endpoint.lastSuccessAt.map(RFC3339.format)),
            "previous_secret_expires_at": APIJSON.optional(endpoint.previousSecretExpiresAt.map(RFC3339.format)),
        ]
    }

    static func json(_ delivery: WebhookStore.Delivery) -> [String: Any] {
        [
            "id": delivery.id, "event_id": delivery.eventID, "event_type": delivery.eventType, "status": delivery.state,
            "attempts": delivery.attempts, "last_status": APIJSON.optional(delivery.lastStatus),
            "last_error": delivery.lastError, "created_at": RFC3339.format(delivery.createdAt),
            "next_attempt_at": APIJSON.optional(delivery.nextAttemptAt.map(RFC3339.format)), "last_attempt_at": APIJSON.optional(delivery.lastAttemptAt.map(RFC3339.format)),
            "delivered_at": APIJSON.optional(delivery.deliveredAt.map(RFC3339.format)), "payload": delivery.payload,
        ]
    }
}
