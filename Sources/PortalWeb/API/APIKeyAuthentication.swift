import Foundation
import HTTPServer
import PortalCore
import PortalSecurity
import Store

/// Who an API request is: a program (secret key `sk_…`, everything in its program) or one partner
/// (partner key `pk_…`, only `/me`, only its own data) — CONTRACTS.md § JSON API.
struct APICaller: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case program
        case partner(Int64)
    }
    let keyID: Int64
    let programID: Int64
    let kind: Kind
    let scopes: Set<String>
}

enum APICallerKey: ContextKey {
    typealias Value = APICaller
}

extension RequestContext {
    /// The authenticated caller; set by `APIKeyAuthentication` on every `/api/v1` route.
    var apiCaller: APICaller? {
        get { self[APICallerKey.self] }
        set { self[APICallerKey.self] = newValue }
    }
}

/// `Authorization: Bearer {key}`: looks the key up by its SHA-256 (keys are never stored), refuses revoked
/// ones, and records when each key was last used (at most once a minute, so a busy key costs few writes).
struct APIKeyAuthentication: Middleware {
    let database: DatabasePool

    func handle(_ request: Request, context: RequestContext, next: (Request, RequestContext) throws -> Response) throws -> Response {
        guard let header = request.headers["authorization"], header.hasPrefix("Bearer "),
              case let key = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces),
              key.hasPrefix("sk_") || key.hasPrefix("pk_"), key.utf8.count <= 200 else {
            var problem = APIProblem(.unauthorized, "Send an API key as `Authorization: Bearer sk_…` or `pk_…`.")
            problem.headers.append("WWW-Authenticate", "Bearer")
            throw problem
        }
        let hash = SHA256.hash(key)
        let now = Int64(Date().timeIntervalSince1970)
        let row = try database.read { db in
            try db.queryOne("""
                SELECT k.id, k.program_id, k.partner_id, k.scopes, k.last_used_at, ifnull(b.api_access, 'full') AS api_access
                FROM api_keys k LEFT JOIN portal_branding b ON b.program_id = k.program_id
                WHERE k.key_hash = ? AND k.revoked_at IS NULL
                """, [hash])
        }
        guard let row else {
            var problem = APIProblem(.unauthorized, "This API key is not valid or has been revoked.")
            problem.headers.append("WWW-Authenticate", "Bearer error=\"invalid_token\"")
            throw problem
        }
        let keyID: Int64 = try row["id"]
        let partnerID: Int64? = try row["partner_id"]
        let lastUsed: Int64? = try row["last_used_at"]
        if (lastUsed ?? 0) < now - 60 {
            try database.write { db in try db.execute("UPDATE api_keys SET last_used_at = ? WHERE id = ?", [now, keyID]) }
        }
        var scopes = Set((try row["scopes"] as String).split(separator: " ").map(String.init))
        if partnerID != nil {
            // The program's partner API switch (admin → Customise): off refuses partner keys, "read" narrows them.
            let access = PortalBranding.APIAccess(rawValue: try row["api_access"]) ?? .full
            guard access != .none else { throw APIProblem(.forbidden, "This program has turned off partner API access.") }
            scopes.formIntersection(access.allowedScopes)
        }
        context.apiCaller = APICaller(keyID: keyID, programID: try row["program_id"],
                                      kind: partnerID.map(APICaller.Kind.partner) ?? .program, scopes: scopes)
        return try next(request, context)
    }
}

/// Errors on `/api/v1` as `application/problem+json`, whatever threw them.
struct APIProblemMiddleware: Middleware {
    func handle(_ request: Request, context: RequestContext, next: (Request, RequestContext) throws -> Response) throws -> Response {
        do {
            return try next(request, context)
        } catch {
            var problem = APIProblem.from(error)
            problem.requestID = request.requestID
            return problem.response
        }
    }
}
