import Foundation
import Synchronization
import Testing
@testable import Store

/// One writer plus readers in WAL mode: reads never wait for a write, writes queue without SQLITE_BUSY.
@Suite struct DatabasePoolTests {
    @Test func connectionsAreConfigured() throws {
        try withTemporaryDirectory { directory in
            let pool = try makePool(in: directory)
            try pool.write { (db) throws in
                #expect(try db.queryValue("PRAGMA journal_mode") as String? == "wal")
                #expect(try db.queryValue("PRAGMA synchronous") as Int? == 1)  // NORMAL
                #expect(try db.queryValue("PRAGMA foreign_keys") as Int? == 1)
                #expect(try db.queryValue("PRAGMA busy_timeout") as Int? == 5000)
            }
            try pool.read { (db) throws in
                #expect(db.isReadOnly)
                #expect(try db.queryValue("PRAGMA query_only") as Int? == 1)
                #expect(try db.queryValue("PRAGMA foreign_keys") as Int? == 1)
            }
        }
    }

    @Test func readersCannotWrite() throws {
        try withTemporaryDirectory { directory in
            let pool = try makePool(in: directory)
            do {
                try pool.read { db in try db.execute("INSERT INTO t (x) VALUES (1)") }
                Issue.record("a reader wrote")
            } catch let error as DatabaseError {
                #expect(error.primaryCode == 8)  // SQLITE_READONLY
            }
            #expect(try pool.read { db in try db.queryValue("SELECT count(*) FROM t") as Int? } == 0)
        }
    }

    @Test func writesRollBackOnErrorThroughThePool() throws {
        struct Abort: Error {}
        try withTemporaryDirectory { directory in
            let pool = try makePool(in: directory)
            #expect(throws: Abort.self) {
                try pool.write { db in
                    try db.execute("INSERT INTO t (x) VALUES (1)")
                    throw Abort()
                }
            }
            #expect(try pool.read { db in try db.queryValue("SELECT count(*) FROM t") as Int? } == 0)
            // The writer is usable afterwards: no transaction was left open.
            try pool.write { db in try db.execute("INSERT INTO t (x) VALUES (2)") }
            #expect(try pool.read { db in try db.queryValue("SELECT x FROM t") as Int? } == 2)
        }
    }

    @Test func readersSeeTheLastCommitAndAreNotBlockedDuringALongWrite() throws {
        try withTemporaryDirectory { directory in
            let pool = try makePool(in: directory)
            try pool.write { db in try db.execute("INSERT INTO t (x) VALUES ('committed')") }
            let inserted = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            let finished = DispatchSemaphore(value: 0)
            let writerErrors = Collected<any Error>()
            Thread.detachNewThread {
                defer { finished.signal() }
                do {
                    try pool.write { db in
                        try db.execute("INSERT INTO t (x) VALUES ('pending')")
                        inserted.signal()
                        // Hold the write transaction open until the readers are done.
                        _ = release.wait(timeout: .now() + 30)
                    }
                } catch {
                    writerErrors.append(error)
                }
            }
            defer { release.signal() }
            #expect(inserted.wait(timeout: .now() + 10) == .success)

            let clock = ContinuousClock()
            let started = clock.now
            let errors = onThreads(4) { _ in
                for _ in 0..<20 {
                    let values = try pool.read { db in try db.query("SELECT x FROM t").map { try $0["x"] as String } }
                    if values != ["committed"] { throw DatabaseError(extendedCode: 1, message: "saw \(values)") }
                }
            }
            // Well under the 5 s busy timeout: the readers never waited for the writer's lock.
            #expect(clock.now - started < .seconds(4))
            #expect(errors.isEmpty, "\(errors)")

            release.signal()
            #expect(finished.wait(timeout: .now() + 10) == .success)
            #expect(writerErrors.values.isEmpty)
            #expect(try pool.read { db in try db.queryValue("SELECT count(*) FROM t") as Int? } == 2)
        }
    }

    @Test func aReadTransactionKeepsItsSnapshotAcrossACommit() throws {
        try withTemporaryDirectory { directory in
            let pool = try makePool(in: directory)
            try pool.write { db in try db.execute("INSERT INTO t (x) VALUES (1)") }
            let counts = try pool.read { db -> [Int] in
                let before: Int = try db.queryValue("SELECT count(*) FROM t") ?? -1
                // Commit from another thread while this read transaction is open.
                let errors = onThreads(1) { _ in
                    try pool.write { db in try db.execute("INSERT INTO t (x) VALUES (2)") }
                }
                #expect(errors.isEmpty)
                let after: Int = try db.queryValue("SELECT count(*) FROM t") ?? -1
                return [before, after]
            }
            #expect(counts == [1, 1])
            #expect(try pool.read { db in try db.queryValue("SELECT count(*) FROM t") as Int? } == 2)
        }
    }

    @Test func manyConcurrentWritersAllSucceed() throws {
        try withTemporaryDirectory { directory in
            let pool = try makePool(in: directory)
            let ids = Collected<Int64>()
            let errors = onThreads(8) { thread in
                for index in 0..<50 {
                    let id = try pool.write { db -> Int64 in
                        try db.execute("INSERT INTO t (x) VALUES (?)", ["\(thread)-\(index)"])
                        return db.lastInsertRowID
                    }
                    ids.append(id)
                }
            }
            #expect(errors.isEmpty, "\(errors)")
            #expect(Set(ids.values).count == 400, "every write got its own row id")
            #expect(try pool.read { db in try db.queryValue("SELECT count(DISTINCT x) FROM t") as Int? } == 400)
        }
    }

    @Test func writersInTwoPoolsOnOneFileWaitForEachOther() throws {
        // Two pools stand for two processes (`portal serve` and `portal jobs run`): the busy timeout, not
        // the in-process lock, serialises them, and no SQLITE_BUSY reaches the caller.
        try withTemporaryDirectory { directory in
            let first = try makePool(in: directory)
            let second = try DatabasePool(path: directory + "/test.sqlite")
            let errors = onThreads(6) { thread in
                let pool = thread % 2 == 0 ? first : second
                for _ in 0..<25 {
                    try pool.write { db in
                        // Read, then write what was read: with a deferred transaction the upgrade from
                        // reader to writer would fail with SQLITE_BUSY_SNAPSHOT, and a lost update would
                        // show as a repeated count.
                        let count: Int = try db.queryValue("SELECT count(*) FROM t") ?? 0
                        try db.execute("INSERT INTO t (x) VALUES (?)", [count])
                    }
                }
            }
            #expect(errors.isEmpty, "\(errors)")
            #expect(try first.read { db in try db.queryValue("SELECT count(DISTINCT x) FROM t") as Int? } == 150)
        }
    }

    @Test func moreConcurrentReadsThanReadersWaitTheirTurn() throws {
        try withTemporaryDirectory { directory in
            let pool = try makePool(in: directory, readers: 2)
            final class Gauge: Sendable {
                let active = Atomic<Int>(0)
                let peak = Atomic<Int>(0)
            }
            let gauge = Gauge()
            let errors = onThreads(8) { _ in
                for _ in 0..<5 {
                    try pool.read { db in
                        let now = gauge.active.add(1, ordering: .sequentiallyConsistent).newValue
                        gauge.peak.max(now, ordering: .sequentiallyConsistent)
                        _ = try db.queryValue("SELECT count(*) FROM t") as Int?
                        Thread.sleep(forTimeInterval: 0.005)
                        gauge.active.subtract(1, ordering: .sequentiallyConsistent)
                    }
                }
            }
            #expect(errors.isEmpty, "\(errors)")
            #expect(gauge.peak.load(ordering: .sequentiallyConsistent) <= 2)
            #expect(gauge.peak.load(ordering: .sequentiallyConsistent) >= 1)
        }
    }

    @Test func resultsNeedNotBeSendable() throws {
        final class Box { var rows: [Row] = [] }
        try withTemporaryDirectory { directory in
            let pool = try makePool(in: directory)
            let box = try pool.read { db in
                let box = Box()
                box.rows = try db.query("SELECT 1 AS one")
                return box
            }
            #expect(try box.rows.first?["one"] as Int? == 1)
        }
    }

    @Test func writeWithoutTransactionRollsBackWhatItLeavesOpen() throws {
        try withTemporaryDirectory { directory in
            let pool = try makePool(in: directory)
            try pool.writeWithoutTransaction { db in
                #expect(!db.isInTransaction)
                try db.execute("BEGIN")
                try db.execute("INSERT INTO t (x) VALUES (1)")
            }
            try pool.write { (db) throws in #expect(try db.queryValue("SELECT count(*) FROM t") as Int? == 0) }
        }
    }
}
