import Foundation
import Testing
@testable import Store

/// `portal backup`: SQLite's online backup API, a consistent copy taken while the writer carries on.
@Suite struct BackupTests {
    @Test func theCopyHasTheSameRows() throws {
        try withTemporaryDirectory { directory in
            let pool = try makePool(in: directory)
            try pool.write { db in
                for index in 0..<500 {
                    try db.execute("INSERT INTO t (x) VALUES (?)", [index % 3 == 0 ? DatabaseValue.blob([UInt8(index % 256)]) : DatabaseValue.text("row \(index) ✓")])
                }
            }
            let target = directory + "/backup.sqlite"
            try pool.backup(to: target)

            let copy = try Database(path: target)
            let original = try pool.read { db in try db.query("SELECT id, x FROM t ORDER BY id") }
            #expect(try copy.query("SELECT id, x FROM t ORDER BY id") == original)
            #expect(original.count == 500)
            #expect(try copy.queryValue("PRAGMA integrity_check") as String? == "ok")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".partial-") }
            #expect(leftovers.isEmpty)
        }
    }

    @Test func aBackupDuringAnOpenWriteHoldsOnlyCommittedRows() throws {
        try withTemporaryDirectory { directory in
            let pool = try makePool(in: directory)
            try pool.write { db in try db.execute("INSERT INTO t (x) VALUES ('committed')") }
            let inserted = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            let finished = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                defer { finished.signal() }
                try? pool.write { db in
                    try db.execute("INSERT INTO t (x) VALUES ('uncommitted')")
                    inserted.signal()
                    _ = release.wait(timeout: .now() + 30)
                }
            }
            defer { release.signal() }
            #expect(inserted.wait(timeout: .now() + 10) == .success)
            let target = directory + "/backup.sqlite"
            try pool.backup(to: target)  // does not wait for the writer
            release.signal()
            #expect(finished.wait(timeout: .now() + 10) == .success)

            let copy = try Database(path: target)
            #expect(try copy.query("SELECT x FROM t").map { try $0["x"] as String } == ["committed"])
        }
    }

    @Test func anExistingFileIsReplacedWhole() throws {
        try withTemporaryDirectory { directory in
            let target = directory + "/backup.sqlite"
            try "not a database".write(toFile: target, atomically: true, encoding: .utf8)
            let pool = try makePool(in: directory)
            try pool.write { db in try db.execute("INSERT INTO t (x) VALUES (1)") }
            try pool.backup(to: target)
            #expect(try Database(path: target).queryValue("SELECT count(*) FROM t") as Int? == 1)
        }
    }

    @Test func aStandaloneConnectionBacksUpToo() throws {
        try withTemporaryDirectory { directory in
            let db = try Database(path: ":memory:")
            try db.execute("CREATE TABLE notes (body TEXT)")
            try db.execute("INSERT INTO notes VALUES (?)", ["hello"])
            try db.backup(to: directory + "/notes.sqlite")
            #expect(try Database(path: directory + "/notes.sqlite").queryValue("SELECT body FROM notes") as String? == "hello")
        }
    }

    @Test func anUnwritableTargetFailsClearly() throws {
        try withTemporaryDirectory { directory in
            let pool = try makePool(in: directory)
            #expect(throws: DatabaseError.self) { try pool.backup(to: directory + "/missing-folder/backup.sqlite") }
        }
    }
}
