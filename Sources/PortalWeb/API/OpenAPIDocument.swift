import Foundation
import PortalCore
import HTTPServer

/// The OpenAPI 3.1 document served at `GET /api/v1/openapi.json` (CONTRACTS.md § JSON API), built from the
/// operation table below. `OpenAPIDocumentTests` compares the table with the routes the router holds under
/// `/api/v1`, in both directions, so a route cannot be added or removed without the document following.
enum OpenAPIDocument {
    enum Caller: Sendable {
        /// No key (the document itself).
        case anyone
        /// A program secret key (`sk_…`).
        case secretKey
        /// A partner key (`pk_…`); `scope` when the route needs one.
        case partnerKey(scope: String?)
    }

    enum Answer: Sendable {
        /// JSON, a schema from `components.schemas`.
        case object(String)
        /// `{data: [schema], next_cursor}`.
        case list(String)
        /// A CSV download.
        case csv
        /// `204`, no body.
        case empty
        /// An inline schema.
        case raw(@Sendable () -> [String: Any])
    }

    enum QueryKind: Sendable {
        case string, integer, date
        case oneOf([String])

        var schema: [String: Any] {
            switch self {
            case .string: ["type": "string"]
            case .integer: ["type": "integer", "format": "int64"]
            case .date: ["type": "string", "format": "date"]
            case .oneOf(let values): ["type": "string", "enum": values]
            }
        }
    }

    struct Operation: Sendable {
        let method: String
        /// Relative to `/api/v1`, with `{name}` parameters as the router has them.
        let path: String
        let summary: String
        let caller: Caller
        /// The request body's schema name; `bodyOptional` when the route also takes no body at all.
        var body: String? = nil
        var bodyOptional = false
        var status = 200
        /// Another success status with the same body (a replayed idempotent request).
        var replayStatus: Int? = nil
        let answer: Answer
        /// Query parameters: name, description, kind.
        var query: [(String, String, QueryKind)] = []
        /// Paginated with `limit` and `cursor`.
        var paginated = false
        /// Extra error statuses beyond those implied (401/429 always, 403 with a key, 404 with a path parameter,
        /// 400/413/415/422 with a body, 400 with a query).
        var extraErrors: [Int] = []
    }

    // MARK: - The operations

    static let operations: [Operation] = partners + engine + webhooks(prefix: "", caller: .secretKey)
        + webhooks(prefix: "/me", caller: .partnerKey(scope: "webhooks:write")) + programData

    private static let resourceKinds: [(String, String, QueryKind)] = [
        ("kind", "Only resources of this kind", .oneOf(["creative", "template", "product", "campaign", "training", "guideline", "page"])),
    ]

    /// Groups, the resource library and messages: what the admin console shows that integrations want.
    private static let programData: [Operation] = [
        Operation(method: "GET", path: "/groups", summary: "The partner groups in use, with their sizes", caller: .secretKey,
                  answer: .list("Group")),
        Operation(method: "GET", path: "/resources", summary: "The resource library (assets and their files), newest first",
                  caller: .secretKey, answer: .list("Resource"), query: resourceKinds, paginated: true),
        Operation(method: "GET", path: "/me/resources", summary: "The resources the partner sees now", caller: .partnerKey(scope: nil),
                  answer: .list("Resource"), query: resourceKinds, paginated: true),
        Operation(method: "GET", path: "/messages", summary: "Message threads with partners, newest first", caller: .secretKey,
                  answer: .list("Thread"), query: [("partner_id", "Only this partner's threads", .integer)], paginated: true),
        Operation(method: "GET", path: "/messages/{id}", summary: "A thread and its messages", caller: .secretKey,
                  answer: .object("ThreadDetail")),
        Operation(method: "POST", path: "/partners/{id}/messages", summary: "Start a thread with a partner (their team is e-mailed)",
                  caller: .secretKey, body: "ThreadCreate", status: 201, answer: .object("ThreadDetail")),
        Operation(method: "POST", path: "/messages/{id}/replies", summary: "Reply in a thread as the program", caller: .secretKey,
                  body: "ReplyCreate", status: 201, answer: .object("ThreadDetail")),
        Operation(method: "GET", path: "/me/messages", summary: "The partner's threads with the program, newest first",
                  caller: .partnerKey(scope: "messages:write"), answer: .list("Thread"), paginated: true),
        Operation(method: "GET", path: "/me/messages/{id}", summary: "One of the partner's threads and its messages",
                  caller: .partnerKey(scope: "messages:write"), answer: .object("ThreadDetail")),
        Operation(method: "POST", path: "/me/messages", summary: "Write to the program (its managers are e-mailed)",
                  caller: .partnerKey(scope: "messages:write"), body: "ThreadCreate", status: 201, answer: .object("ThreadDetail")),
        Operation(method: "POST", path: "/me/messages/{id}/replies", summary: "Reply in one of the partner's threads",
                  caller: .partnerKey(scope: "messages:write"), body: "ReplyCreate", status: 201, answer: .object("ThreadDetail")),
    ]

    /// Program endpoints (`/webhooks`, secret key) and a partner's postbacks (`/me/webhooks`), the same operations.
    private static func webhooks(prefix: String, caller: Caller) -> [Operation] {
        let owner = prefix.isEmpty ? "the program's" : "the partner's postback"
        return [
            Operation(method: "POST", path: "\(prefix)/webhooks", summary: "Register \(owner) endpoint (its secret is shown this once)",
                      caller: caller, body: "WebhookCreate", status: 201, answer: .object("WebhookEndpointWithSecret")),
            Operation(method: "GET", path: "\(prefix)/webhooks", summary: "List \(owner) endpoints", caller: caller,
                      answer: .list("WebhookEndpoint")),
            Operation(method: "GET", path: "\(prefix)/webhooks/{id}", summary: "Read one of \(owner) endpoints", caller: caller,
                      answer: .object("WebhookEndpoint")),
            Operation(method: "DELETE", path: "\(prefix)/webhooks/{id}", summary: "Delete an endpoint (waiting deliveries are dropped)",
                      caller: caller, status: 204, answer: .empty),
            Operation(method: "POST", path: "\(prefix)/webhooks/{id}/rotate-secret",
                      summary: "A new secret (shown once); the old one keeps signing for `overlap_seconds` (default 24 h)", caller: caller,
                      body: "WebhookRotate", bodyOptional: true, answer: .object("WebhookEndpointWithSecret")),
            Operation(method: "POST", path: "\(prefix)/webhooks/{id}/enable", summary: "Turn a disabled endpoint back on", caller: caller,
                      body: "Empty", bodyOptional: true, answer: .object("WebhookEndpoint")),
            Operation(method: "GET", path: "\(prefix)/webhooks/{id}/deliveries", summary: "The endpoint's delivery log, newest first",
                      caller: caller, answer: .list("WebhookDelivery"), paginated: true),
            Operation(method: "POST", path: "\(prefix)/webhooks/{id}/deliveries/{delivery_id}/replay",
                      summary: "Send a delivery again (same event id, signed afresh, at the next job pass)", caller: caller,
                      body: "Empty", bodyOptional: true, status: 202, answer: .object("WebhookDelivery")),
        ]
    }

    private static let partners: [Operation] = [
        Operation(method: "GET", path: "/openapi.json", summary: "This OpenAPI document", caller: .anyone,
                  answer: .raw({ ["type": "object"] })),
        Operation(method: "GET", path: "/me", summary: "The partner of a partner key", caller: .partnerKey(scope: nil), answer: .object("Partner")),
        Operation(method: "POST", path: "/partners", summary: "Create a partner", caller: .secretKey, body: "PartnerCreate", status: 201,
                  answer: .object("Partner")),
        Operation(method: "GET", path: "/partners", summary: "List partners, newest first", caller: .secretKey, answer: .list("Partner"),
                  query: [("status", "Only partners with this status", .oneOf(["pending", "approved", "rejected", "suspended"]))],
                  paginated: true),
        Operation(method: "GET", path: "/partners/{id}", summary: "Read a partner", caller: .secretKey, answer: .object("Partner")),
        Operation(method: "PATCH", path: "/partners/{id}", summary: "Change a partner", caller: .secretKey, body: "PartnerUpdate",
                  answer: .object("Partner")),
        Operation(method: "POST", path: "/partners/{id}/approve", summary: "Approve a partner", caller: .secretKey, body: "Reason",
                  bodyOptional: true, answer: .object("Partner")),
        Operation(method: "POST", path: "/partners/{id}/reject", summary: "Reject a partner", caller: .secretKey, body: "Reason",
                  bodyOptional: true, answer: .object("Partner")),
        Operation(method: "POST", path: "/partners/{id}/suspend", summary: "Suspend a partner", caller: .secretKey, body: "Reason",
                  bodyOptional: true, answer: .object("Partner")),
        Operation(method: "POST", path: "/partners/{id}/links", summary: "Create a tracking link for a partner", caller: .secretKey,
                  body: "LinkCreate", status: 201, answer: .object("Link")),
        Operation(method: "POST", path: "/partners/{id}/coupons", summary: "Give a partner a coupon code", caller: .secretKey,
                  body: "CouponCreate", status: 201, answer: .object("Coupon")),
        Operation(method: "GET", path: "/partners/{id}/balance", summary: "A partner's balance", caller: .secretKey, answer: .object("Balance")),
        Operation(method: "POST", path: "/partners/{id}/keys", summary: "Create a partner key (shown this once)", caller: .secretKey,
                  body: "PartnerKeyCreate", status: 201, answer: .object("PartnerKeyCreated")),
        Operation(method: "GET", path: "/partners/{id}/keys", summary: "A partner's keys (never the key itself)", caller: .secretKey,
                  answer: .list("PartnerKey")),
        Operation(method: "DELETE", path: "/partners/{id}/keys/{key_id}", summary: "Revoke a partner key", caller: .secretKey, status: 204,
                  answer: .empty),
        Operation(method: "POST", path: "/partners/{id}/adjustments", summary: "Credit or debit a partner's balance", caller: .secretKey,
                  body: "AdjustmentCreate", status: 201, answer: .object("Adjustment")),
        Operation(method: "GET", path: "/partners/{id}/reports", summary: "A partner's performance report", caller: .secretKey,
                  answer: .object("Report"), query: reportQuery),
        Operation(method: "GET", path: "/me/links", summary: "The partner's links", caller: .partnerKey(scope: nil), answer: .list("Link")),
        Operation(method: "POST", path: "/me/links", summary: "Create a link (scope links:write)", caller: .partnerKey(scope: "links:write"),
                  body: "LinkCreate", status: 201, answer: .object("Link")),
    ]

    private static let reportQuery: [(String, String, QueryKind)] = [
        ("from", "First day, YYYY-MM-DD (default: 29 days before today)", .date),
        ("to", "Last day, YYYY-MM-DD (default: today)", .date),
        ("granularity", "Row per day, week or month", .oneOf(["day", "week", "month"])),
    ]

    private static let payoutFilters: [(String, String, QueryKind)] = [
        ("status", "Only payouts with this status", .oneOf(["pending", "paid", "failed"])),
        ("batch_id", "Only payouts of this batch", .integer),
    ]

    private static let engine: [Operation] = [
        Operation(method: "POST", path: "/conversions", summary: "Record a conversion (idempotent on external_id)", caller: .secretKey,
                  body: "ConversionCreate", status: 201, replayStatus: 200, answer: .object("Conversion"), extraErrors: [409]),
        Operation(method: "POST", path: "/conversions/{external_id}/refunds", summary: "Refund a conversion", caller: .secretKey,
                  body: "RefundCreate", bodyOptional: true, status: 201, answer: .object("Refund")),
        Operation(method: "GET", path: "/commissions", summary: "List commissions, newest first", caller: .secretKey,
                  answer: .list("Commission"),
                  query: [("partner_id", "Only this partner's", .integer),
                          ("status", "Only commissions with this status", .string)], paginated: true),
        Operation(method: "GET", path: "/me/commissions", summary: "The partner's commissions", caller: .partnerKey(scope: "reports:read"),
                  answer: .list("Commission"), query: [("status", "Only commissions with this status", .string)], paginated: true),
        Operation(method: "POST", path: "/payouts/batches", summary: "Create payouts for every partner due one", caller: .secretKey,
                  body: "Empty", bodyOptional: true, status: 201, answer: .object("PayoutBatch")),
        Operation(method: "GET", path: "/payouts", summary: "List payouts, newest first", caller: .secretKey, answer: .list("Payout"),
                  query: payoutFilters, paginated: true),
        Operation(method: "GET", path: "/me/payouts", summary: "The partner's payouts", caller: .partnerKey(scope: "reports:read"),
                  answer: .list("Payout"), query: payoutFilters, paginated: true),
        Operation(method: "GET", path: "/payouts/export.csv", summary: "Payouts as CSV (amounts in major units)", caller: .secretKey,
                  answer: .csv, query: payoutFilters),
        Operation(method: "GET", path: "/payouts/export.paypal.csv", summary: "Payouts as a PayPal mass-payment CSV", caller: .secretKey,
                  answer: .csv, query: payoutFilters),
        Operation(method: "GET", path: "/payouts/{id}", summary: "A payout and the commissions it settles", caller: .secretKey,
                  answer: .object("PayoutDetail")),
        Operation(method: "GET", path: "/payouts/{id}/statement.csv", summary: "A payout's statement as CSV", caller: .secretKey, answer: .csv),
        Operation(method: "POST", path: "/payouts/{id}/mark-paid", summary: "Mark a payout paid", caller: .secretKey, body: "MarkPaid",
                  answer: .object("Payout")),
        Operation(method: "POST", path: "/payouts/{id}/mark-failed", summary: "Mark a payout failed (its commissions become available again)",
                  caller: .secretKey, body: "MarkFailed", answer: .object("Payout")),
        Operation(method: "GET", path: "/me/reports", summary: "The partner's performance report", caller: .partnerKey(scope: "reports:read"),
                  answer: .object("Report"), query: reportQuery),
    ]

    // MARK: - Building the document

    static func document() -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for operation in operations {
            paths[operation.path, default: [:]][operation.method.lowercased()] = build(operation)
        }
        let info: [String: Any] = [
            "title": "PartnerPortal API", "version": "1",
            "description": "Money is an integer count of the currency's minor unit in `amount`, with an ISO 4217 `currency`. "
                + "Errors are application/problem+json. Every answer carries `X-Request-Id`; keyed answers carry "
                + "`RateLimit-Limit` and `RateLimit-Remaining`, and `429` carries `Retry-After`.",
        ]
        let bearer: [String: Any] = ["type": "http", "scheme": "bearer", "description": "`sk_…` (program secret key) or `pk_…` (partner key)"]
        let components: [String: Any] = [
            "securitySchemes": ["bearer": bearer],
            "schemas": requestBodiesAcceptNull(Schemas.all()),
            "responses": ["Problem": problemResponse("An error")],
        ]
        return [
            "openapi": "3.1.0", "info": info, "servers": [["url": "/api/v1"]],
            "security": [["bearer": [String]()]], "paths": paths, "components": components,
        ]
    }

    static var bytes: [UInt8] { JSONWriter.bytes(document()) }

    /// In a request body an optional field may be `null`, which means the same as leaving it out (JSONFields reads
    /// it so). The request schemas say so: every optional property of a body schema also allows `null`.
    static func requestBodiesAcceptNull(_ schemas: [String: Any]) -> [String: Any] {
        var schemas = schemas
        for name in Set(operations.compactMap(\.body)) {
            guard var schema = schemas[name] as? [String: Any], var properties = schema["properties"] as? [String: Any] else { continue }
            let required = Set(schema["required"] as? [String] ?? [])
            for (key, value) in properties where !required.contains(key) {
                guard var property = value as? [String: Any] else { continue }
                if let type = property["type"] as? String {
                    property["type"] = [type, "null"]
                } else if let types = property["type"] as? [String], !types.contains("null") {
                    property["type"] = types + ["null"]
                }
                if let values = property["enum"] as? [Any] { property["enum"] = values + [NSNull()] }
                properties[key] = property
            }
            schema["properties"] = properties
            schemas[name] = schema
        }
        return schemas
    }

    private static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }

    private static func problemResponse(_ description: String, headers: [String: Any] = [:]) -> [String: Any] {
        var response: [String: Any] = ["description": description,
                                       "content": ["application/problem+json": ["schema": ref("Problem")]]]
        if !headers.isEmpty { response["headers"] = headers }
        return response
    }

    private static let statusText: [Int: String] = [
        400: "Malformed JSON or query", 401: "No key, or a bad or revoked key", 403: "The key lacks the scope or is the wrong kind",
        404: "Unknown, or another program's or partner's", 409: "The same external_id with a different body",
        413: "Body too large", 415: "Body is not application/json", 422: "A field is invalid",
        429: "Rate limited: retry after `Retry-After` seconds",
    ]

    private static func build(_ operation: Operation) -> [String: Any] {
        var result: [String: Any] = [
            "operationId": operationID(operation), "summary": operation.summary,
        ]
        var parameters: [[String: Any]] = []
        for name in operation.path.split(separator: "/").filter({ $0.hasPrefix("{") }).map({ String($0.dropFirst().dropLast()) }) {
            let schema: [String: Any] = name == "external_id" ? ["type": "string"] : ["type": "integer", "format": "int64"]
            parameters.append(["name": name, "in": "path", "required": true, "schema": schema])
        }
        for (name, description, kind) in operation.query {
            parameters.append(["name": name, "in": "query", "required": false, "description": description, "schema": kind.schema])
        }
        if operation.paginated {
            let limit: [String: Any] = ["type": "integer", "minimum": 1, "maximum": 500, "default": 50]
            parameters.append(["name": "limit", "in": "query", "required": false, "description": "Page size", "schema": limit])
            parameters.append(["name": "cursor", "in": "query", "required": false, "description": "`next_cursor` of the previous page",
                               "schema": ["type": "string"]])
        }
        if !parameters.isEmpty { result["parameters"] = parameters }
        if let body = operation.body {
            result["requestBody"] = ["required": !operation.bodyOptional,
                                     "content": ["application/json": ["schema": ref(body)]]] as [String: Any]
        }

        var responses: [String: Any] = [:]
        var success: [String: Any] = ["description": operation.summary]
        switch operation.answer {
        case .object(let name): success["content"] = ["application/json": ["schema": ref(name)]]
        case .list(let name):
            let list: [String: Any] = [
                "type": "object", "required": ["data", "next_cursor"],
                "properties": ["data": ["type": "array", "items": ref(name)] as [String: Any],
                               "next_cursor": ["type": ["string", "null"], "description": "Pass as `cursor` for the next page; null on the last"]
                                   as [String: Any]],
            ]
            success["content"] = ["application/json": ["schema": list]]
        case .csv: success["content"] = ["text/csv": ["schema": ["type": "string"]]]
        case .empty: break
        case .raw(let schema): success["content"] = ["application/json": ["schema": schema()]]
        }
        responses[String(operation.status)] = success
        if let replay = operation.replayStatus {
            success["description"] = "The same request again: the object it created"
            responses[String(replay)] = success
        }
        if case .anyone = operation.caller {
            result["security"] = [[String: Any]]()
        } else {
            var errors: Set<Int> = [401, 403, 429]
            if operation.path.contains("{") { errors.insert(404) }
            if operation.body != nil { errors.formUnion([400, 413, 415, 422]) }
            if !operation.query.isEmpty || operation.paginated { errors.insert(400) }
            errors.formUnion(operation.extraErrors)
            for code in errors.sorted() {
                var headers: [String: Any] = [:]
                if code == 429 {
                    headers["Retry-After"] = ["description": "Whole seconds to wait", "schema": ["type": "integer", "minimum": 1]] as [String: Any]
                }
                if code == 401 {
                    headers["WWW-Authenticate"] = ["schema": ["type": "string"]] as [String: Any]
                }
                responses[String(code)] = problemResponse(statusText[code] ?? "Error", headers: headers)
            }
        }
        result["responses"] = responses
        switch operation.caller {
        case .anyone, .secretKey: break
        case .partnerKey(let scope):
            result["description"] = "Partner key (`pk_…`)" + (scope.map { " with the `\($0)` scope" } ?? "") + "."
        }
        if case .secretKey = operation.caller { result["description"] = "Program secret key (`sk_…`)." }
        result["tags"] = [operation.path.split(separator: "/").first.map(String.init) ?? "api"]
        return result
    }

    private static func operationID(_ operation: Operation) -> String {
        var words = [operation.method.lowercased()]
        for segment in operation.path.split(separator: "/") {
            let cleaned = segment.replacingOccurrences(of: "{", with: "by_").replacingOccurrences(of: "}", with: "")
                .replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: "-", with: "_")
            words.append(cleaned)
        }
        return words.joined(separator: "_")
    }
}
