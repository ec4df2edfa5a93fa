import Foundation
import Testing
@testable import Store

/// The WAL is copied into the database file by the background checkpointer, not inside commits.
@Suite struct CheckpointerTests {
    func fileSize(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    /// About 2 MiB of rows: 500 pages, below SQLite's own 1,000-page automatic checkpoint.
    func writeRows(_ pool: DatabasePool) throws {
        try pool.write { db in
            for i in 0..<2_000 { try db.execute("INSERT INTO t (x) VALUES (?)", [String(repeating: "x", count: 1_000) + "\(i)"]) }
        }
    }

    @Test func commitsAreCheckpointedInTheBackground() throws {
        try withTemporaryDirectory { directory in
            let pool = try makePool(in: directory)
            let before = fileSize(directory + "/test.sqlite")
            try writeRows(pool)
            var size = before
            for _ in 0..<50 where size < 2_000_000 {
                Thread.sleep(forTimeInterval: 0.05)
                size = fileSize(directory + "/test.sqlite")
            }
            #expect(size >= 2_000_000, "the database file should hold the rows without any further commit (\(before) → \(size) bytes)")
        }
    }

    @Test func withoutTheCheckpointerTheRowsWaitInTheWAL() throws {
        try withTemporaryDirectory { directory in
            var configuration = DatabaseConfiguration()
            configuration.backgroundCheckpoints = false
            let pool = try DatabasePool(path: directory + "/test.sqlite", configuration: configuration)
            try pool.write { db in try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, x)") }
            try writeRows(pool)
            Thread.sleep(forTimeInterval: 0.3)
            #expect(fileSize(directory + "/test.sqlite") < 1_000_000)
            #expect(try pool.read { db in try db.queryValue("SELECT count(*) FROM t", as: Int64.self) } == 2_000)
        }
    }
}
