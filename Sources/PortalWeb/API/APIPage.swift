import Foundation
import HTTPServer

/// Cursor pagination (CONTRACTS.md: `?limit=` default 50, max 500, and `?cursor=`; answers
/// `{"data": […], "next_cursor": …}`). Lists are newest first; the cursor is the last id of the page, opaque to
/// clients (base64url of `v1:{id}`), so the format can change without breaking them.
struct APIPage {
    let limit: Int
    /// Only rows with a smaller id.
    let before: Int64?

    init(_ request: Request) throws {
        let query = request.queryParameters
        if let text = query["limit"] {
            guard let value = Int(text), (1...500).contains(value) else {
                throw APIProblem(.badRequest, "`limit` must be a whole number from 1 to 500.", errors: ["limit": ["must be 1 to 500"]])
            }
            limit = value
        } else {
            limit = 50
        }
        if let cursor = query["cursor"], !cursor.isEmpty {
            guard let id = Self.decode(cursor) else {
                throw APIProblem(.badRequest, "`cursor` is not one this API gave out.", errors: ["cursor": ["is not valid"]])
            }
            before = id
        } else {
            before = nil
        }
    }

    /// Asks the store for one more row than the page holds, to know whether another page follows.
    var fetchLimit: Int { limit + 1 }

    func response<T>(_ rows: [T], id: (T) -> Int64, json: (T) throws -> [String: Any]) rethrows -> Response {
        let page = Array(rows.prefix(limit))
        let next: Any = rows.count > limit ? (page.last.map { Self.encode(id($0)) } ?? NSNull()) : NSNull()
        return JSONBody.response(["data": try page.map(json), "next_cursor": next])
    }

    static func encode(_ id: Int64) -> String {
        Data("v1:\(id)".utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String) -> Int64? {
        var text = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard cursor.count <= 40, let data = Data(base64Encoded: text), let decoded = String(data: data, encoding: .utf8),
              decoded.hasPrefix("v1:"), let id = Int64(decoded.dropFirst(3)), id > 0 else { return nil }
        return id
    }
}

/// Who may call: the program's secret key, or a partner key with a scope.
extension RequestContext {
    /// The program of a secret-key caller, or `403`.
    func requireProgram() throws -> Int64 {
        guard let caller = apiCaller, caller.kind == .program else {
            throw APIProblem(.forbidden, "This needs the program's secret key (sk_…).")
        }
        return caller.programID
    }

    /// The program and partner of a partner-key caller with `scope` (if given), or `403`.
    func requirePartner(scope: String? = nil) throws -> (programID: Int64, partnerID: Int64) {
        guard let caller = apiCaller, case .partner(let partnerID) = caller.kind else {
            throw APIProblem(.forbidden, "`/me` is for partner keys (pk_…).")
        }
        if let scope, !caller.scopes.contains(scope) {
            throw APIProblem(.forbidden, "This key lacks the \(scope) scope.")
        }
        return (caller.programID, partnerID)
    }

    /// A numeric id from the path; anything else names nothing, so `404`.
    func pathID(_ name: String = "id", what: String) throws -> Int64 {
        guard let id = Int64(try parameters.require(name)), id > 0 else { throw APIProblem(.notFound, "No such \(what).") }
        return id
    }
}
