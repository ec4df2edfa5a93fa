import Foundation
import HTTPServer
import PortalCore
import Store

/// The first `/api/v1` resources: `GET /me` for partner keys and `GET /partners/{id}` for secret keys.
/// A key never reaches another program's or partner's data: such a lookup answers `404`, as CONTRACTS.md asks.
struct PartnersAPIController {
    let database: DatabasePool

    func register(on api: RouterGroup) {
        api.get("/me") { _, context in
            guard case .partner(let partnerID)? = context.apiCaller?.kind, let caller = context.apiCaller else {
                throw APIProblem(.forbidden, "`/me` is for partner keys (pk_…); use /partners/{id} with a secret key.")
            }
            return JSONBody.response(try partner(partnerID, inProgram: caller.programID))
        }
        api.get("/partners/{id}") { _, context in
            guard let caller = context.apiCaller, caller.kind == .program else {
                throw APIProblem(.forbidden, "This needs the program's secret key (sk_…).")
            }
            guard let id = Int64(try context.parameters.require("id")) else { throw APIProblem(.notFound, "No such partner.") }
            return JSONBody.response(try partner(id, inProgram: caller.programID))
        }
    }

    /// The partner as JSON, scoped to the caller's program.
    private func partner(_ id: Int64, inProgram programID: Int64) throws -> [String: Any] {
        let row = try database.read { db in
            try db.queryOne("SELECT id, email, name, status, created_at FROM partners WHERE id = ? AND program_id = ?", [id, programID])
        }
        guard let row else { throw APIProblem(.notFound, "No such partner.") }
        return [
            "id": try row["id"] as Int64,
            "email": try row["email"] as String,
            "name": try row["name"] as String,
            "status": try row["status"] as String,
            "created_at": RFC3339.format(try row["created_at"] as Int64),
        ]
    }
}

/// Times in the API: RFC 3339 in UTC, whole seconds (`2026-11-25T17:00:00Z`).
enum RFC3339 {
    static func format(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
