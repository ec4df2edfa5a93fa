import Foundation
import PortalSecurity
import Store
import Testing
@testable import PortalCore

/// Sessions against a real migrated database.
@Suite struct SessionStoreTests {
    static func database() throws -> DatabasePool {
        let directory = NSTemporaryDirectory() + "sessions-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let pool = try DatabasePool(path: directory + "/portal.sqlite")
        let migrations = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Migrations").path
        try Migrator(directory: migrations).migrate(pool)
        return pool
    }

    @Test func onlyTheHashIsStoredAndTheTokenFindsTheSession() throws {
        let pool = try Self.database()
        let store = SessionStore(database: pool)
        let (token, session) = try store.start(userID: nil, address: "127.0.0.1", userAgent: "test", now: 1000)
        #expect(token.utf8.count >= 43)
        let stored = try pool.read { db in try db.queryValue("SELECT id_hash FROM sessions", as: [UInt8].self) }
        #expect(stored == SHA256.hash(token))
        #expect(stored != Array(token.utf8))
        #expect(try store.find(token: token, now: 1001) == session)
        #expect(try store.find(token: token + "x", now: 1001) == nil)
    }

    @Test func idleSessionsExpireAndArePurged() throws {
        let pool = try Self.database()
        let store = SessionStore(database: pool)
        let (token, _) = try store.start(userID: nil, address: "", userAgent: "", now: 1000)
        let (fresh, _) = try store.start(userID: nil, address: "", userAgent: "", now: 1000 + 7000)
        #expect(try store.find(token: token, now: 1000 + store.policy.idleTimeout) == nil)
        #expect(try store.find(token: fresh, now: 1000 + store.policy.idleTimeout) != nil)
        let (old, _) = try store.start(userID: nil, address: "", userAgent: "", now: 0)
        #expect(try store.purgeExpired(now: 100_000) == 2)
        #expect(try store.find(token: old, now: 100_000) == nil)
    }
}
