import Store
import Testing
@testable import PortalCore

/// `daily_click_dimensions` filled by `ClickRecorder` in the clicks' own transactions: clicks and unique clicks
/// per partner, day, country and device.
@Suite struct ClickDimensionsTests {
    struct Row: Equatable, CustomStringConvertible {
        var day: Int64, dimension: String, value: String, clicks: Int64, unique: Int64
        var description: String { "day \(day) \(dimension)=\(value): \(clicks) clicks, \(unique) unique" }
    }

    static func rows(_ pool: DatabasePool) throws -> [Row] {
        try pool.read { db in
            try db.query("""
                SELECT day, dimension, value, clicks, unique_clicks FROM daily_click_dimensions WHERE partner_id = 1
                ORDER BY day, dimension, value
                """).map { row in
                Row(day: try row["day"], dimension: try row["dimension"], value: try row["value"], clicks: try row["clicks"],
                    unique: try row["unique_clicks"])
            }
        }
    }

    static func click(_ world: ClickRecorderTests.World, visitor: UInt8, at: Int64, country: String, device: String) -> ClickRecord {
        ClickRecord(programID: world.programID, partnerID: world.partnerID, linkID: world.plainLink, at: at,
                    visitor: ClickRecorderTests.visitor(visitor), device: device, country: country)
    }

    @Test func clicksThroughTheRecorderFillTheDimensionRollup() throws {
        let world = try ClickRecorderTests.world()
        let recorder = ClickRecorder(database: world.pool, startedAt: ClickRecorderTests.dayStart)
        defer { recorder.stop() }
        let t = ClickRecorderTests.dayStart + 3_600
        let day = ClickRecorderTests.day
        // One batch: visitor 1 twice (the second is not unique), visitor 2 from elsewhere, an unknown country.
        try ClickRecorderTests.record(recorder, [
            Self.click(world, visitor: 1, at: t, country: "DE", device: "phone"),
            Self.click(world, visitor: 1, at: t + 60, country: "DE", device: "phone"),
            Self.click(world, visitor: 2, at: t + 120, country: "US", device: "desktop"),
            Self.click(world, visitor: 3, at: t + 180, country: "", device: "tablet"),
        ])
        // A later batch adds to the same rows, and the next day gets rows of its own.
        try ClickRecorderTests.record(recorder, [
            Self.click(world, visitor: 4, at: t + 240, country: "DE", device: "desktop"),
            Self.click(world, visitor: 1, at: t + 86_400 * 2, country: "US", device: "phone"),
        ])
        #expect(try Self.rows(world.pool) == [
            Row(day: day, dimension: "country", value: "", clicks: 1, unique: 1),
            Row(day: day, dimension: "country", value: "DE", clicks: 3, unique: 2),
            Row(day: day, dimension: "country", value: "US", clicks: 1, unique: 1),
            Row(day: day, dimension: "device", value: "desktop", clicks: 2, unique: 2),
            Row(day: day, dimension: "device", value: "phone", clicks: 2, unique: 1),
            Row(day: day, dimension: "device", value: "tablet", clicks: 1, unique: 1),
            Row(day: day + 2, dimension: "country", value: "US", clicks: 1, unique: 1),
            Row(day: day + 2, dimension: "device", value: "phone", clicks: 1, unique: 1),
        ])
        // Each dimension adds up to the clicks table, as daily_stats does.
        let counts = try world.pool.read { db in
            (try db.queryValue("SELECT count(*) FROM clicks", as: Int64.self) ?? -1,
             try db.queryValue("SELECT sum(is_unique) FROM clicks", as: Int64.self) ?? -1,
             try db.queryValue("SELECT sum(clicks) FROM daily_click_dimensions WHERE dimension = 'country'", as: Int64.self) ?? -1,
             try db.queryValue("SELECT sum(unique_clicks) FROM daily_click_dimensions WHERE dimension = 'device'", as: Int64.self) ?? -1)
        }
        #expect(counts.0 == 6 && counts.2 == 6)
        #expect(counts.1 == 5 && counts.3 == 5)
    }

    @Test func theBreakdownReadsOnePartnersDays() throws {
        let world = try ClickRecorderTests.world()
        try world.pool.write { db in
            try ClickDimensions.add(in: db, partnerID: 1, day: 10, .country, value: "FR", clicks: 4, uniqueClicks: 3)
            try ClickDimensions.add(in: db, partnerID: 1, day: 11, .country, value: "FR", clicks: 1, uniqueClicks: 1)
            try ClickDimensions.add(in: db, partnerID: 1, day: 11, .country, value: "IT", clicks: 7, uniqueClicks: 7)
            try ClickDimensions.add(in: db, partnerID: 1, day: 12, .country, value: "IT", clicks: 100, uniqueClicks: 100)
            try ClickDimensions.add(in: db, partnerID: 2, day: 11, .country, value: "FR", clicks: 50, uniqueClicks: 50)
        }
        let values = try world.pool.read { db in try PartnerAnalytics.dimension(in: db, partnerID: 1, from: 10, to: 11, .country) }
        #expect(values == [PartnerAnalytics.DimensionValue(value: "IT", clicks: 7, uniqueClicks: 7),
                           PartnerAnalytics.DimensionValue(value: "FR", clicks: 5, uniqueClicks: 4)])
    }
}
