import Foundation
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// Bearer keys on `/api/v1`: who may call what, and that every refusal is problem+json with the right status.
@Suite struct APIAuthenticationTests {
    /// The demo program (id 1, partner 1) plus a second program with its own partner, and a key for each kind.
    func keys(_ portal: RunningPortal) throws -> (secret: String, partner: String, otherSecret: String, otherPartnerID: Int64) {
        try portal.database.write { db in
            let store = ProgramStore()
            let secret = try store.createKey(in: db, programID: 1, partnerID: nil, prefix: "sk_", scopes: [], now: 0)
            let partner = try store.createKey(in: db, programID: 1, partnerID: 1, prefix: "pk_", scopes: ["reports:read"], now: 0)
            let other = try store.create(in: db, NewProgram(name: "Other", slug: "other", currency: "EUR"), now: 0)
            try db.execute("INSERT INTO partners (program_id, name, email, status, created_at) VALUES (?, 'Bo', 'bo@example.com', 'approved', 0)", [other.id])
            return (secret, partner, other.secretKey, db.lastInsertRowID)
        }
    }

    func get(_ portal: RunningPortal, _ path: String, key: String?) throws -> HTTPGet.Reply {
        try HTTPGet.request(port: portal.port, method: "GET", path: path, headers: key.map { ["Authorization": "Bearer \($0)"] } ?? [:])
    }

    func problem(_ reply: HTTPGet.Reply) throws -> [String: Any] {
        #expect(reply.headers["content-type"] == "application/problem+json")
        return try #require(try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])
    }

    @Test func missingOrUnknownKeysAre401() throws {
        let portal = try RunningPortal()
        let none = try get(portal, "/api/v1/me", key: nil)
        #expect(none.status == 401)
        #expect(none.headers["www-authenticate"] == "Bearer")
        #expect(try problem(none)["status"] as? Int == 401)
        #expect(try get(portal, "/api/v1/me", key: "pk_not-a-real-key").status == 401)
        #expect(try get(portal, "/api/v1/me", key: "nonsense").status == 401)
    }

    @Test func partnerKeysSeeOnlyTheirOwnPartner() throws {
        let portal = try RunningPortal()
        let k = try keys(portal)
        let me = try get(portal, "/api/v1/me", key: k.partner)
        #expect(me.status == 200)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(me.body.utf8)) as? [String: Any])
        #expect(body["id"] as? Int == 1)
        #expect(body["status"] as? String == "approved")
        #expect((body["created_at"] as? String)?.hasSuffix("Z") == true)
        #expect(try get(portal, "/api/v1/partners/1", key: k.partner).status == 403)
    }

    @Test func secretKeysSeeTheirProgramOnly() throws {
        let portal = try RunningPortal()
        let k = try keys(portal)
        #expect(try get(portal, "/api/v1/partners/1", key: k.secret).status == 200)
        // Another program's partner does not exist as far as this key can tell.
        let foreign = try get(portal, "/api/v1/partners/\(k.otherPartnerID)", key: k.secret)
        #expect(foreign.status == 404)
        #expect(try problem(foreign)["detail"] as? String == "No such partner.")
        #expect(try get(portal, "/api/v1/partners/1", key: k.otherSecret).status == 404)
        #expect(try get(portal, "/api/v1/me", key: k.secret).status == 403)
    }

    @Test func revokedKeysStopWorkingAndUseIsRecorded() throws {
        let portal = try RunningPortal()
        let k = try keys(portal)
        #expect(try get(portal, "/api/v1/me", key: k.partner).status == 200)
        let used = try portal.database.read { db in try db.queryValue("SELECT last_used_at FROM api_keys WHERE partner_id = 1", as: Int64?.self) }
        #expect(used != nil && used! != nil)
        try portal.database.write { db in try db.execute("UPDATE api_keys SET revoked_at = 1 WHERE partner_id = 1") }
        #expect(try get(portal, "/api/v1/me", key: k.partner).status == 401)
    }

    @Test func unknownAPIPathsAnswerInProblemJSON() throws {
        let portal = try RunningPortal()
        let reply = try get(portal, "/api/v1/nothing-here", key: nil)
        #expect(reply.status == 404)
        #expect(try problem(reply)["title"] as? String == "Not Found")
    }
}
