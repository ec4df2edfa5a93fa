import Foundation
import PortalSecurity
import Store
import Testing
@testable import PortalCore

/// Secret and partner keys as admins manage them: created once-shown, listed by prefix, revoked within the program.
@Suite struct APIKeyStoreTests {
    @Test func keysAreListedByPrefixAndRevokedOnlyInTheirProgram() throws {
        let f = try EngineFixture()
        let other = try f.pool.write { db in try ProgramStore().create(in: db, NewProgram(name: "Other", slug: "other", currency: "EUR"), now: 0).id }
        let ada = try f.partner("Ada")
        let store = APIKeyStore()
        let created = try f.pool.write { db in try store.createSecretKey(in: db, programID: f.programID, now: 100) }
        #expect(created.key.hasPrefix("sk_"))
        let partnerKey = try f.pool.write { db in
            try ProgramStore().createKey(in: db, programID: f.programID, partnerID: ada, prefix: "pk_", scopes: ["reports:read"], now: 100)
        }
        let keys = try f.pool.read { db in try store.keys(in: db, programID: f.programID) }
        // The fixture's program came with its first secret key; then the new one; then the partner's.
        #expect(keys.count == 3)
        #expect(keys.map(\.partnerID) == [nil, nil, ada])
        #expect(keys[0].id == created.id && created.key.hasPrefix(keys[0].prefix))
        #expect(keys[2].scopes == ["reports:read"] && partnerKey.hasPrefix(keys[2].prefix))
        // Stored hashed: the key itself appears nowhere in the table.
        let stored = try f.pool.read { db in try db.queryOne("SELECT key_hash FROM api_keys WHERE id = ?", [created.id]) }
        #expect(try stored?["key_hash"] as [UInt8]? == SHA256.hash(created.key))

        #expect(try f.pool.write { db in try store.revoke(in: db, programID: other, keyID: created.id, now: 200) } == false)
        #expect(try f.pool.write { db in try store.revoke(in: db, programID: f.programID, keyID: created.id, partnerID: ada, now: 200) } == false)
        #expect(try f.pool.write { db in try store.revoke(in: db, programID: f.programID, keyID: created.id, now: 200) } == true)
        #expect(try f.pool.write { db in try store.revoke(in: db, programID: f.programID, keyID: created.id, now: 300) } == false)
        #expect(try f.pool.read { db in try store.keys(in: db, programID: f.programID) }.first?.revokedAt == 200)
    }
}
