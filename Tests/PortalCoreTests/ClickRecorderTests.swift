import Dispatch
import Foundation
import Store
import Synchronization
import Testing
@testable import PortalCore

/// Clicks written through `ClickRecorder` against a real migrated database: the clicks table, its uniqueness
/// flags and the `daily_stats` rows kept in the same transactions.
@Suite struct ClickRecorderTests {
    /// Day 20,000 since 1970 (2024-10-04); the tests' clicks happen on it and the days after.
    static let day: Int64 = 20_000
    static let dayStart = day * 86_400

    struct World {
        let pool: DatabasePool
        let programID: Int64 = 1
        let partnerID: Int64 = 1
        let springLink: Int64 = 1
        let plainLink: Int64 = 2
    }

    /// A migrated database with one program, one approved partner and two links: `spring` in campaign
    /// "spring", `plain` in none.
    static func world() throws -> World {
        let pool = try SessionStoreTests.database()
        try pool.write { db in
            try db.execute("""
                INSERT INTO programs (id, slug, name, currency, created_at) VALUES (1, 'shop', 'Shop', 'EUR', 0)
                """)
            try db.execute("""
                INSERT INTO partners (id, program_id, name, email, status, created_at)
                VALUES (1, 1, 'Ann', 'ann@example.com', 'approved', 0)
                """)
            try db.execute("""
                INSERT INTO links (id, program_id, partner_id, code, destination_url, campaign, created_at)
                VALUES (1, 1, 1, 'spring', 'https://shop.example/', 'spring', 0), (2, 1, 1, 'plain', 'https://shop.example/', '', 0)
                """)
        }
        return World(pool: pool)
    }

    /// A 32-byte visitor hash standing for one person.
    static func visitor(_ number: UInt8) -> [UInt8] { [UInt8](repeating: number, count: 32) }

    static func click(_ world: World, link: Int64, visitor: UInt8, at: Int64, sub1: String? = nil) -> ClickRecord {
        ClickRecord(programID: world.programID, partnerID: world.partnerID, linkID: link,
                    campaign: link == world.springLink ? "spring" : "", at: at, visitor: Self.visitor(visitor),
                    device: "desktop", subIDs: sub1.map { [$0, "", "", "", ""] } ?? [])
    }

    /// Records `clicks`, waits for every completion and returns the ids in order. One call is at least one
    /// batch of its own: nothing of it is queued before the previous call's clicks are committed.
    @discardableResult
    static func record(_ recorder: ClickRecorder, _ clicks: [ClickRecord]) throws -> [Int64] {
        let results = Mutex<[Int: Result<Int64, any Error>]>([:])
        let group = DispatchGroup()
        for (index, click) in clicks.enumerated() {
            group.enter()
            recorder.record(click) { result in
                results.withLock { $0[index] = result }
                group.leave()
            }
        }
        #expect(group.wait(timeout: .now() + 20) == .success, "the recorder did not answer")
        return try results.withLock { results in try clicks.indices.map { try results[$0]!.get() } }
    }

    struct StatsRow: Equatable, CustomStringConvertible {
        var day: Int64, link: Int64, campaign: String, sub: String, clicks: Int64, unique: Int64
        var description: String { "day \(day) link \(link) '\(campaign)' '\(sub)': \(clicks) clicks, \(unique) unique" }
    }

    static func stats(_ pool: DatabasePool) throws -> [StatsRow] {
        try pool.read { db in
            try db.query("""
                SELECT day, link_id, campaign, sub_id, clicks, unique_clicks, program_id FROM daily_stats
                ORDER BY day, link_id, sub_id
                """).map { row in
                #expect(try row["program_id"] as Int64 == 1)
                return StatsRow(day: try row["day"], link: try row["link_id"], campaign: try row["campaign"],
                                sub: try row["sub_id"], clicks: try row["clicks"], unique: try row["unique_clicks"])
            }
        }
    }

    static func uniqueFlags(_ pool: DatabasePool, _ ids: [Int64]) throws -> [Bool] {
        try pool.read { db in
            try ids.map { id in try db.queryValue("SELECT is_unique FROM clicks WHERE id = ?", [id], as: Int64.self) == 1 }
        }
    }

    @Test func dailyStatsCountClicksAndUniqueClicksPerDayLinkCampaignAndSubID() throws {
        let world = try Self.world()
        let recorder = ClickRecorder(database: world.pool, startedAt: Self.dayStart)
        defer { recorder.stop() }
        let t = Self.dayStart
        // One batch: a repeat inside the batch, another visitor, another link, no sub id.
        let first = try Self.record(recorder, [
            Self.click(world, link: world.springLink, visitor: 1, at: t + 100, sub1: "x"),
            Self.click(world, link: world.springLink, visitor: 1, at: t + 200, sub1: "x"),
            Self.click(world, link: world.springLink, visitor: 2, at: t + 300),
            Self.click(world, link: world.plainLink, visitor: 1, at: t + 400),
        ])
        #expect(try Self.uniqueFlags(world.pool, first) == [true, false, true, true])
        // Later batches add to the same rows (the upsert) and start new days.
        let second = try Self.record(recorder, [Self.click(world, link: world.springLink, visitor: 1, at: t + 500, sub1: "x")])
        let nextDay = try Self.record(recorder, [
            // Within 24 hours of visitor 1's last click on the link: counted, not unique, on the next day's row.
            Self.click(world, link: world.springLink, visitor: 1, at: t + 86_400 + 50, sub1: "x"),
            Self.click(world, link: world.plainLink, visitor: 3, at: t + 86_400 + 60, sub1: "y"),
        ])
        // More than 24 hours after visitor 1's last click on the spring link: unique again.
        let dayAfter = try Self.record(recorder, [Self.click(world, link: world.springLink, visitor: 1, at: t + 2 * 86_400 + 51, sub1: "x")])
        #expect(try Self.uniqueFlags(world.pool, second + nextDay + dayAfter) == [false, false, true, true])

        let d = Self.day
        #expect(try Self.stats(world.pool) == [
            StatsRow(day: d, link: 1, campaign: "spring", sub: "", clicks: 1, unique: 1),
            StatsRow(day: d, link: 1, campaign: "spring", sub: "x", clicks: 3, unique: 1),
            StatsRow(day: d, link: 2, campaign: "", sub: "", clicks: 1, unique: 1),
            StatsRow(day: d + 1, link: 1, campaign: "spring", sub: "x", clicks: 1, unique: 0),
            StatsRow(day: d + 1, link: 2, campaign: "", sub: "y", clicks: 1, unique: 1),
            StatsRow(day: d + 2, link: 1, campaign: "spring", sub: "x", clicks: 1, unique: 1),
        ])
        // The totals always match the clicks table they summarise.
        let (clicks, unique) = try world.pool.read { db in
            let row = try #require(try db.queryOne("SELECT count(*) AS n, sum(is_unique) AS u FROM clicks"))
            return (try row["n"] as Int64, try row["u"] as Int64)
        }
        #expect(clicks == 8 && unique == 5)
    }

    @Test func idsAreConsecutiveAndMatchTheRows() throws {
        let world = try Self.world()
        let recorder = ClickRecorder(database: world.pool, startedAt: Self.dayStart)
        defer { recorder.stop() }
        // 150 clicks queued at once, which the writer takes in a few batches: multi-row statements of several
        // sizes take part.
        let clicks = (0..<150).map { Self.click(world, link: world.plainLink, visitor: UInt8($0 % 7), at: Self.dayStart + Int64($0)) }
        let ids = try Self.record(recorder, clicks)
        #expect(Set(ids).count == 150)
        let stored = try world.pool.read { db in
            try db.query("SELECT id, at, visitor FROM clicks ORDER BY id").map { row in
                (id: try row["id"] as Int64, at: try row["at"] as Int64, visitor: try row["visitor"] as [UInt8])
            }
        }
        #expect(stored.count == 150)
        for (index, id) in ids.enumerated() {
            let row = try #require(stored.first { $0.id == id })
            #expect(row.at == clicks[index].at && row.visitor == clicks[index].visitor)
        }
        // Seven visitors on one link: the first click of each is the only unique one.
        #expect(try Self.stats(world.pool) == [StatsRow(day: Self.day, link: 2, campaign: "", sub: "", clicks: 150, unique: 7)])
    }

    @Test func uniquenessSurvivesARestart() throws {
        let world = try Self.world()
        let t = Self.dayStart + 1_000
        let before = ClickRecorder(database: world.pool, startedAt: t)
        try Self.record(before, [Self.click(world, link: world.springLink, visitor: 1, at: t)])
        before.stop()
        // A new recorder rebuilds its map from the last day of clicks.
        let after = ClickRecorder(database: world.pool, startedAt: t + 3_600)
        defer { after.stop() }
        let ids = try Self.record(after, [
            Self.click(world, link: world.springLink, visitor: 1, at: t + 3_600),
            Self.click(world, link: world.springLink, visitor: 2, at: t + 3_601),
            Self.click(world, link: world.plainLink, visitor: 1, at: t + 3_602),
        ])
        #expect(try Self.uniqueFlags(world.pool, ids) == [false, true, true])
    }

    @Test func pairsTheMapNoLongerHoldsAreAnsweredByTheDatabase() throws {
        let world = try Self.world()
        let t = Self.dayStart
        // Room for four pairs: ten visitors force evictions.
        let recorder = ClickRecorder(database: world.pool, uniquenessCapacity: 4, startedAt: t)
        defer { recorder.stop() }
        for number in 1...10 {
            try Self.record(recorder, [Self.click(world, link: world.springLink, visitor: UInt8(number), at: t + Int64(number))])
        }
        let ids = try Self.record(recorder, [
            Self.click(world, link: world.springLink, visitor: 1, at: t + 100),  // evicted long ago: the database knows
            Self.click(world, link: world.springLink, visitor: 10, at: t + 101), // still in the map
            Self.click(world, link: world.springLink, visitor: 11, at: t + 102), // never seen
            Self.click(world, link: world.plainLink, visitor: 1, at: t + 103),   // seen, but on the other link
        ])
        #expect(try Self.uniqueFlags(world.pool, ids) == [false, false, true, true])
        #expect(try Self.stats(world.pool) == [
            StatsRow(day: Self.day, link: 1, campaign: "spring", sub: "", clicks: 13, unique: 11),
            StatsRow(day: Self.day, link: 2, campaign: "", sub: "", clicks: 1, unique: 1),
        ])
    }
}

/// The click writer's in-memory map on its own: coverage, pruning and eviction.
@Suite struct RecentClicksTests {
    static let window = ClickUniqueness.window

    @Test func answersWithinTheCoveredSpan() {
        var recent = RecentClicks(capacity: 10, coveredFrom: 1_000)
        let key = RecentClicks.key(visitor: [1, 2, 3], linkID: 7)
        // The whole window of a click at 1_000 + window - 1 is covered: an unseen pair is unique.
        #expect(recent.check(key, at: 1_000 + Self.window - 1) == .unique)
        // A click whose window reaches back before the coverage cannot be answered from memory.
        #expect(recent.check(key, at: 1_000 + Self.window - 2) == .unknown)
        recent.record(key, at: 1_000 + Self.window)
        #expect(recent.check(key, at: 1_000 + 2 * Self.window - 1) == .repeated)
        // Exactly 24 hours later counts as unique again, as ClickUniqueness says.
        #expect(recent.check(key, at: 1_000 + 2 * Self.window) == .unique)
        // A pair seen "in the future" (clock skew) is recent.
        #expect(recent.check(key, at: 1_000 + Self.window - 10) == .repeated)
        // Other links and other visitors are other pairs.
        #expect(recent.check(RecentClicks.key(visitor: [1, 2, 3], linkID: 8), at: 1_000 + Self.window) == .unique)
        #expect(recent.check(RecentClicks.key(visitor: [1, 2, 4], linkID: 7), at: 1_000 + Self.window) == .unique)
    }

    @Test func pruningForgetsOldPairsAndMovesTheCoverage() {
        var recent = RecentClicks(capacity: 100, coveredFrom: 0)
        let old = RecentClicks.key(visitor: [1], linkID: 1)
        recent.record(old, at: 10)
        #expect(recent.lastSeen.count == 1)
        // Ten minutes of click time after a window and the margin: the old pair goes.
        let now = 10 + Self.window + RecentClicks.margin + RecentClicks.pruneInterval
        recent.record(RecentClicks.key(visitor: [2], linkID: 1), at: now)
        #expect(recent.lastSeen[old] == nil)
        #expect(recent.lastSeen.count == 1)
        // Clicks up to the margin late are still answered from memory.
        #expect(recent.check(old, at: now - RecentClicks.margin) == .unique)
        #expect(recent.check(old, at: now - RecentClicks.margin - 1) == .unknown)
    }

    @Test func evictionKeepsEveryPairAfterTheNewCoverage() {
        let capacity = 20
        var recent = RecentClicks(capacity: capacity, coveredFrom: 0)
        let keys = (0..<100).map { RecentClicks.key(visitor: [UInt8($0)], linkID: 1) }
        for (index, key) in keys.enumerated() { recent.record(key, at: Int64(index)) }
        #expect(recent.lastSeen.count <= capacity)
        #expect(recent.evictions > 0)
        #expect(recent.coveredFrom > 0)
        // Every pair clicked at or after the coverage start is still known, with its time.
        for (index, key) in keys.enumerated() where Int64(index) >= recent.coveredFrom {
            #expect(recent.lastSeen[key] == Int64(index))
        }
        // An evicted pair is not claimed unique: its window reaches before the coverage.
        #expect(recent.check(keys[0], at: 100) == .unknown)
    }

    @Test func manyPairsInOneSecondStillMakeRoom() {
        var recent = RecentClicks(capacity: 8, coveredFrom: 0)
        for number in 0..<50 { recent.record(RecentClicks.key(visitor: [UInt8(number)], linkID: 1), at: 5) }
        #expect(recent.lastSeen.count <= 8)
        #expect(recent.lastSeen[RecentClicks.key(visitor: [49], linkID: 1)] == 5)
    }
}
