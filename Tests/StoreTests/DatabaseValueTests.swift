import Foundation
import Testing
@testable import Store

/// Every Swift type through a real bind and a real read, with SQLite's `typeof` checked on the way.
@Suite struct DatabaseValueTests {
    let db: Database

    init() throws {
        db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE v (id INTEGER PRIMARY KEY, value)")
    }

    /// Stores `value` in a column and reads it back as `T`, along with the storage class SQLite chose.
    func roundTrip<T: DatabaseValueConvertible>(_ value: T) throws -> (T, String) {
        try db.execute("DELETE FROM v")
        try db.execute("INSERT INTO v (value) VALUES (?)", [value])
        let row = try #require(try db.queryOne("SELECT value, typeof(value) AS type FROM v"))
        return (try row["value"], try row["type"])
    }

    @Test func integers() throws {
        for value in [Int64.min, -1, 0, 1, Int64.max] {
            let (read, type) = try roundTrip(value)
            #expect(read == value)
            #expect(type == "integer")
        }
        #expect(try roundTrip(42 as Int).0 == 42)
        #expect(try roundTrip(Int.min).0 == Int.min)
    }

    @Test func doubles() throws {
        for value in [0.0, -0.5, 3.141592653589793, 1e300, -Double.greatestFiniteMagnitude, .infinity] {
            let (read, type) = try roundTrip(value)
            #expect(read == value)
            #expect(type == "real")
        }
        // SQLite answers `1` rather than `1.0` for integer expressions; Double accepts it.
        #expect(try db.queryValue("SELECT 2 + 3") as Double? == 5)
    }

    @Test func booleans() throws {
        #expect(try roundTrip(true) == (true, "integer"))
        #expect(try roundTrip(false) == (false, "integer"))
        #expect(try db.queryValue("SELECT 7") as Bool? == true)
    }

    @Test func unicodeText() throws {
        let samples = ["", "plain", "Zoë & Jürgen", "日本語のテキスト", "👩🏽‍💻🚀", "e\u{301}", "quote ' and \" and ; DROP TABLE v;--", "a\u{0}b"]
        for text in samples {
            let (read, type) = try roundTrip(text)
            #expect(read == text)
            #expect(type == "text", "'' is text, not NULL")
        }
        // The NUL is stored, not a terminator: three bytes.
        #expect(try db.queryValue("SELECT length(CAST(? AS BLOB))", ["a\u{0}b"]) as Int? == 3)
        // Bound text compares equal to the same literal, so the bytes are SQLite's UTF-8.
        #expect(try db.queryValue("SELECT ? = '日本語'", ["日本語"]) as Bool? == true)
    }

    @Test func blobs() throws {
        let everyByte = [UInt8](0...255)
        #expect(try roundTrip(everyByte) == (everyByte, "blob"))
        #expect(try roundTrip([UInt8]()) == ([], "blob"), "an empty blob is a blob, not NULL")
        let data = Data([0, 1, 2, 0xFF])
        #expect(try roundTrip(data) == (data, "blob"))
    }

    @Test func nullAndOptionals() throws {
        let none: String? = nil
        let (read, type) = try roundTrip(none)
        #expect(read == nil)
        #expect(type == "null")
        #expect(try roundTrip(Optional("x")).0 == "x")
        try db.execute("DELETE FROM v")
        try db.execute("INSERT INTO v (value) VALUES (?)", [nil])
        let row = try #require(try db.queryOne("SELECT value FROM v"))
        #expect(try row["value"] as Int64? == nil)
        #expect(try row["value"] as Date? == nil)
        #expect(try row["value"] as DatabaseValue == .null)
    }

    @Test func datesAreWholeUnixSecondsRoundedDown() throws {
        let (read, type) = try roundTrip(Date(timeIntervalSince1970: 1_700_000_000.9))
        #expect(type == "integer")
        #expect(read == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(try roundTrip(Date(timeIntervalSince1970: -1.5)).0 == Date(timeIntervalSince1970: -2))
        #expect(try db.queryValue("SELECT ?", [Date(timeIntervalSince1970: 86_400)]) as Int64? == 86_400)
        // SQLite's own clock agrees, so `DEFAULT (unixepoch())` columns read as dates.
        let now = try #require(try db.queryValue("SELECT unixepoch()") as Date?)
        #expect(abs(now.timeIntervalSinceNow) < 5)
        // REAL seconds (`unixepoch('subsec')`) are accepted; text is not guessed at.
        #expect(try db.queryValue("SELECT 1.5") as Date? == Date(timeIntervalSince1970: 1.5))
        #expect(throws: DatabaseError.self) { try db.queryValue("SELECT '2024-01-01 00:00:00'") as Date? }
    }

    @Test func mismatchesAreErrorsNamingTheColumn() throws {
        try db.execute("INSERT INTO v (value) VALUES (NULL)")
        let row = try #require(try db.queryOne("SELECT value, 'text' AS word FROM v"))
        do {
            _ = try row["value"] as Int64
            Issue.record("NULL read as a non-optional")
        } catch let error as DatabaseError {
            #expect(error.extendedCode == 20)  // SQLITE_MISMATCH
            #expect(error.message.contains("'value'"))
            #expect(error.message.contains("NULL"))
            #expect(error.sql == "SELECT value, 'text' AS word FROM v")
        }
        #expect(throws: DatabaseError.self) { try row["word"] as Int64 }
        #expect(throws: DatabaseError.self) { try row["word"] as [UInt8] }
        #expect(throws: DatabaseError.self) { try row["missing"] as String }
        #expect(throws: DatabaseError.self) { try row[5] as String }
        // A wrong type stays an error when reading an optional: only NULL becomes nil.
        #expect(throws: DatabaseError.self) { try row["word"] as Int64? }
    }

    @Test func rowsReadByNameIgnoringCaseAndByIndex() throws {
        let row = try #require(try db.queryOne("SELECT 1 AS Id, 'a' AS Name, 2 AS id"))
        #expect(row.columnNames == ["Id", "Name", "id"])
        #expect(try row["name"] as String == "a")
        #expect(try row["NAME"] as String == "a")
        #expect(try row["Id"] as Int == 1)
        #expect(try row["id"] as Int == 2, "an exact match beats a case-insensitive one")
        #expect(try row[1] as String == "a")
        #expect(row.value(named: "nope") == nil)
        #expect(row == Row(["Id": .integer(1), "Name": .text("a"), "id": .integer(2)]))
    }
}
