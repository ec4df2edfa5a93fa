import Foundation
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// One API answer, with its body parsed when it is JSON.
struct APIReply {
    let status: Int
    let headers: [String: String]
    let setCookies: [String]
    let body: String

    /// The body as a JSON object (nil when it is not one).
    var object: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
    }

    /// `data` of a list answer.
    var data: [[String: Any]] { object?["data"] as? [[String: Any]] ?? [] }

    /// `errors` of a problem answer.
    var errors: [String: [String]] { object?["errors"] as? [String: [String]] ?? [:] }

    var isProblem: Bool { headers["content-type"] == "application/problem+json" }
}

extension Dictionary where Key == String, Value == Any {
    /// A JSON number field as Int64 (JSONSerialization hands out Int).
    func int(_ key: String) -> Int64? {
        guard let value = self[key], !(value is NSNull) else { return nil }
        if let number = value as? Int { return Int64(number) }
        return (value as? NSNumber)?.int64Value
    }

    func string(_ key: String) -> String? { self[key] as? String }

    func isNull(_ key: String) -> Bool { self[key] is NSNull }
}

/// A fresh portal (no demo data) with one program created as `portal program create` does, its secret key, and
/// short ways to call `/api/v1` and to follow tracking links. Each test makes its own, so tests share nothing.
final class EngineAPIHarness {
    static let browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"

    let portal: RunningPortal
    let programID: Int64
    /// The program's secret key (`sk_…`).
    let secret: String

    struct ProgramOptions {
        var slug = "acme"
        var currency = "USD"
        var commissionPercent: Double = 20
        var holdDays = 30
        var minPayout: Int64 = 5000
        var overrideBasisPoints: Int64 = 0
        var defaultURL = "https://shop.example/landing"
    }

    init(_ options: ProgramOptions = ProgramOptions(), apiRateLimits: APIRateLimits = .generous) throws {
        portal = try RunningPortal(seedDemo: false, apiRateLimits: apiRateLimits)
        (programID, secret) = try Self.createProgram(in: portal.database, options)
    }

    /// Another program in the same installation (its own partners, conversions and payouts).
    func addProgram(_ options: ProgramOptions) throws -> (id: Int64, secret: String) {
        try Self.createProgram(in: portal.database, options)
    }

    private static func createProgram(in database: DatabasePool, _ options: ProgramOptions) throws -> (Int64, String) {
        try database.write { db in
            var program = NewProgram(name: options.slug.capitalized, slug: options.slug, currency: options.currency)
            program.commissionPercent = options.commissionPercent
            program.holdDays = options.holdDays
            program.minPayout = options.minPayout
            let created = try ProgramStore().create(in: db, program, now: Int64(Date().timeIntervalSince1970))
            try db.execute("UPDATE programs SET default_url = ?, override_bps = ? WHERE id = ?",
                           [options.defaultURL, options.overrideBasisPoints, created.id])
            return (created.id, created.secretKey)
        }
    }

    // MARK: - Requests

    /// A raw request to `/api/v1{path}`; `bearer` nil sends no `Authorization` at all.
    func send(_ method: String, _ path: String, bearer: String?, body: String = "", contentType: String? = "application/json") throws -> APIReply {
        var headers: [String: String] = [:]
        if let bearer { headers["Authorization"] = "Bearer \(bearer)" }
        if let contentType, !body.isEmpty || method != "GET" { headers["Content-Type"] = contentType }
        let reply = try HTTPGet.request(port: portal.port, method: method, path: "/api/v1" + path, headers: headers, body: body)
        return APIReply(status: reply.status, headers: reply.headers, setCookies: reply.setCookies, body: reply.body)
    }

    /// GET with `key` (the program's secret key when nil).
    func get(_ path: String, key: String? = nil) throws -> APIReply {
        try send("GET", path, bearer: key ?? secret, contentType: nil)
    }

    /// POST of a JSON object (serialized with sorted keys) with `key` (the program's secret key when nil).
    func post(_ path: String, _ object: [String: Any] = [:], key: String? = nil) throws -> APIReply {
        try send("POST", path, bearer: key ?? secret, body: Self.json(object))
    }

    /// POST of a body exactly as given.
    func post(_ path: String, raw: String, key: String? = nil, contentType: String = "application/json") throws -> APIReply {
        try send("POST", path, bearer: key ?? secret, body: raw, contentType: contentType)
    }

    func patch(_ path: String, _ object: [String: Any], key: String? = nil) throws -> APIReply {
        try send("PATCH", path, bearer: key ?? secret, body: Self.json(object))
    }

    static func json(_ object: [String: Any]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8), as: UTF8.self)
    }

    // MARK: - Shortcuts for the flows

    static let paypal: [String: String] = ["method": "paypal", "paypal_email": "payee@example.com"]

    /// Creates a partner through the API and returns its id; fails the test when the API refuses.
    @discardableResult
    func createPartner(_ email: String, name: String? = nil, status: String = "approved", payout: [String: Any]? = EngineAPIHarness.paypal,
                       parent: Int64? = nil, threshold: Int64? = nil, key: String? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> Int64 {
        var body: [String: Any] = ["email": email, "name": name ?? email.split(separator: "@").first.map(String.init) ?? email, "status": status]
        if let payout { body["payout"] = payout }
        if let parent { body["parent_partner_id"] = parent }
        if let threshold { body["payout_threshold"] = threshold }
        let reply = try post("/partners", body, key: key)
        try #require(reply.status == 201, "POST /partners: \(reply.status) \(reply.body)", sourceLocation: sourceLocation)
        return try #require(reply.object?.int("id"), sourceLocation: sourceLocation)
    }

    /// A tracking link for the partner; returns its code.
    func createLink(for partnerID: Int64, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let reply = try post("/partners/\(partnerID)/links")
        try #require(reply.status == 201, "POST /partners/\(partnerID)/links: \(reply.status) \(reply.body)", sourceLocation: sourceLocation)
        return try #require(reply.object?.string("code"), sourceLocation: sourceLocation)
    }

    /// Follows `/r/{code}` as a browser; returns the reply (the `302`, its cookie and `Location`).
    func follow(_ code: String, userAgent: String = EngineAPIHarness.browser) throws -> HTTPGet.Reply {
        try HTTPGet.request(port: portal.port, method: "GET", path: "/r/\(code)", headers: ["User-Agent": userAgent])
    }

    /// Follows `/r/{code}` and returns the click id the redirect hands out in `pp_click`.
    func click(_ code: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int64 {
        let reply = try follow(code)
        try #require(reply.status == 302, sourceLocation: sourceLocation)
        let location = try #require(reply.headers["location"], sourceLocation: sourceLocation)
        let value = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "pp_click" }?.value,
                                 sourceLocation: sourceLocation)
        return try #require(Int64(value), sourceLocation: sourceLocation)
    }

    /// Records a conversion and requires `201`; returns the answer's object.
    @discardableResult
    func convert(_ body: [String: Any], key: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let reply = try post("/conversions", body, key: key)
        try #require(reply.status == 201, "POST /conversions: \(reply.status) \(reply.body)", sourceLocation: sourceLocation)
        return try #require(reply.object, sourceLocation: sourceLocation)
    }

    /// A sale credited to `partnerID` directly.
    @discardableResult
    func sale(_ externalID: String, amount: Int64, partner partnerID: Int64, occurredAt: String? = nil, key: String? = nil,
              sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        var body: [String: Any] = ["external_id": externalID, "type": "sale", "amount": amount, "partner_id": partnerID]
        if let occurredAt { body["occurred_at"] = occurredAt }
        return try convert(body, key: key, sourceLocation: sourceLocation)
    }

    struct Money: Equatable, CustomStringConvertible {
        var pending: Int64
        var available: Int64
        var paid: Int64
        var description: String { "pending \(pending), available \(available), paid \(paid)" }
    }

    /// `GET /partners/{id}/balance` as numbers.
    func balance(_ partnerID: Int64, sourceLocation: SourceLocation = #_sourceLocation) throws -> Money {
        let reply = try get("/partners/\(partnerID)/balance")
        try #require(reply.status == 200, "balance: \(reply.status) \(reply.body)", sourceLocation: sourceLocation)
        let object = try #require(reply.object, sourceLocation: sourceLocation)
        return Money(pending: try #require(object.int("pending"), sourceLocation: sourceLocation),
                     available: try #require(object.int("available"), sourceLocation: sourceLocation),
                     paid: try #require(object.int("paid"), sourceLocation: sourceLocation))
    }

    /// A partner key made through `POST /partners/{id}/keys`.
    func partnerKey(_ partnerID: Int64, scopes: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let reply = try post("/partners/\(partnerID)/keys", ["scopes": scopes])
        try #require(reply.status == 201, "POST keys: \(reply.status) \(reply.body)", sourceLocation: sourceLocation)
        return try #require(reply.object?.string("key"), sourceLocation: sourceLocation)
    }

    /// `POST /payouts/batches {}`; requires `201`.
    func batch(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let reply = try post("/payouts/batches")
        try #require(reply.status == 201, "batch: \(reply.status) \(reply.body)", sourceLocation: sourceLocation)
        return try #require(reply.object, sourceLocation: sourceLocation)
    }

    /// Every page of a list, following `next_cursor` with `limit`; returns the ids in order and the number of pages.
    func walk(_ path: String, limit: Int, sourceLocation: SourceLocation = #_sourceLocation) throws -> (ids: [Int64], pages: Int) {
        var ids: [Int64] = []
        var cursor: String?
        var pages = 0
        repeat {
            let separator = path.contains("?") ? "&" : "?"
            let reply = try get("\(path)\(separator)limit=\(limit)" + (cursor.map { "&cursor=\($0)" } ?? ""))
            try #require(reply.status == 200, "\(path): \(reply.status) \(reply.body)", sourceLocation: sourceLocation)
            let object = try #require(reply.object, sourceLocation: sourceLocation)
            let page = try #require(object["data"] as? [[String: Any]], sourceLocation: sourceLocation)
            #expect(page.count <= limit, sourceLocation: sourceLocation)
            ids += page.compactMap { $0.int("id") }
            pages += 1
            cursor = object["next_cursor"] as? String
            if cursor == nil { #expect(object.isNull("next_cursor"), "next_cursor must be null at the end", sourceLocation: sourceLocation) }
            try #require(pages < 100, "the cursor never ends", sourceLocation: sourceLocation)
        } while cursor != nil
        return (ids, pages)
    }

    /// An RFC 3339 time `daysAgo` days before now (for conversions in the past).
    static func rfc3339(daysAgo: Int64) -> String {
        RFC3339.format(Int64(Date().timeIntervalSince1970) - daysAgo * 86_400)
    }

    /// Today (UTC) as `YYYY-MM-DD`, shifted by `offset` days.
    static func day(_ offset: Int64 = 0) -> String {
        CivilDate.format(days: DailyStats.day(of: Int64(Date().timeIntervalSince1970)) + offset)
    }
}
