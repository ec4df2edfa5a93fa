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

    func post(_ portal: RunningPortal, _ path: String, key: String, json: String, contentType: String = "application/json") throws -> HTTPGet.Reply {
        try HTTPGet.request(port: portal.port, method: "POST", path: path,
                            headers: ["Authorization": "Bearer \(key)", "Content-Type": contentType], body: json)
    }

    @Test func linksAreCreatedWithinTheProgramsRules() throws {
        let portal = try RunningPortal()
        let k = try keys(portal)
        try portal.database.write { db in
            try db.execute("UPDATE programs SET default_url = 'https://acme.example/start', allowed_domains = 'acme.example' WHERE id = 1")
        }
        let created = try post(portal, "/api/v1/partners/1/links", key: k.secret, json: #"{"campaign": "spring", "code": "ada-spring"}"#)
        #expect(created.status == 201)
        let link = try #require(try JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any])
        #expect(link["code"] as? String == "ada-spring")
        #expect(link["destination_url"] as? String == "https://acme.example/start")
        #expect(link["url"] as? String == "http://127.0.0.1:8080/r/ada-spring")
        #expect(link["campaign"] as? String == "spring")

        let taken = try post(portal, "/api/v1/partners/1/links", key: k.secret, json: #"{"code": "ada-spring"}"#)
        #expect(taken.status == 422)
        #expect((try problem(taken)["errors"] as? [String: [String]])?["code"] == ["is already taken"])
        let offsite = try post(portal, "/api/v1/partners/1/links", key: k.secret, json: #"{"destination_url": "https://evil.example/"}"#)
        #expect(offsite.status == 422)
        #expect((try problem(offsite)["errors"] as? [String: [String]])?["destination_url"]?.first?.hasPrefix("must point to") == true)
        #expect(try post(portal, "/api/v1/partners/1/links", key: k.secret, json: #"{"destination_url": "javascript:alert(1)"}"#).status == 422)
        #expect(try post(portal, "/api/v1/partners/1/links", key: k.secret, json: #"{"campaign": 5}"#).status == 422)
        #expect(try post(portal, "/api/v1/partners/1/links", key: k.secret, json: "{not json").status == 400)
        #expect(try post(portal, "/api/v1/partners/1/links", key: k.secret, json: "[]").status == 400)
        #expect(try post(portal, "/api/v1/partners/1/links", key: k.secret, json: "{}", contentType: "text/plain").status == 415)
        // Another program's partner is not found; nothing half-written stays.
        #expect(try post(portal, "/api/v1/partners/\(k.otherPartnerID)/links", key: k.secret, json: "{}").status == 404)
        let count = try portal.database.read { db in try db.queryValue("SELECT count(*) FROM links", as: Int64.self) }
        #expect(count == 2) // the demo link and the one created above
    }

    @Test func partnerKeysListTheirLinksAndNeedTheScopeToCreate() throws {
        let portal = try RunningPortal()
        let k = try keys(portal)
        let list = try get(portal, "/api/v1/me/links", key: k.partner)
        #expect(list.status == 200)
        let page = try #require(try JSONSerialization.jsonObject(with: Data(list.body.utf8)) as? [String: Any])
        #expect((page["data"] as? [[String: Any]])?.map { $0["code"] as? String } == ["demo"])
        // The key from `keys` has reports:read only.
        #expect(try post(portal, "/api/v1/me/links", key: k.partner, json: "{}").status == 403)
        let writer = try portal.database.write { db in
            try ProgramStore().createKey(in: db, programID: 1, partnerID: 1, prefix: "pk_", scopes: ["links:write"], now: 0)
        }
        let made = try post(portal, "/api/v1/me/links", key: writer, json: #"{"destination_url": "https://example.com/pricing"}"#)
        #expect(made.status == 201)
        let code = try #require((try JSONSerialization.jsonObject(with: Data(made.body.utf8)) as? [String: Any])?["code"] as? String)
        #expect(code.count == 7)
        #expect(try get(portal, "/api/v1/me/links", key: k.secret).status == 403)
    }
}
