import Testing
@testable import Store

/// Binding by position and name, stepping, the statement cache, scripts and the connection counters.
@Suite struct StatementTests {
    let db: Database

    init() throws {
        db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER)")
    }

    @Test func positionalAndNumberedParameters() throws {
        try db.execute("INSERT INTO people (name, age) VALUES (?, ?)", ["Ada", 36])
        #expect(try db.queryValue("SELECT ?2 || ?1", ["b", "a"]) as String? == "ab")
        let row = try #require(try db.queryOne("SELECT name, age FROM people WHERE name = ?", ["Ada"]))
        #expect(try row["age"] as Int == 36)
    }

    @Test func argumentsBuiltFromArrays() throws {
        for name in ["a", "b", "c"] { try db.execute("INSERT INTO people (name) VALUES (?)", [name]) }
        let wanted: [String] = ["a", "c"]
        let placeholders = Array(repeating: "?", count: wanted.count).joined(separator: ", ")
        let rows = try db.query("SELECT name FROM people WHERE name IN (\(placeholders)) ORDER BY name", StatementArguments(wanted))
        #expect(try rows.map { try $0["name"] as String } == wanted)
        let byName = StatementArguments(named: ["name": "b"])
        #expect(try db.queryValue("SELECT id FROM people WHERE name = :name", byName) as Int64? == 2)
    }

    @Test func namedParametersWithEveryPrefix() throws {
        let sum = try db.queryValue("SELECT :a + @b + $c + :a", ["a": 1, "b": 10, "c": 100]) as Int?
        #expect(sum == 112, ":a used twice is one parameter")
        try db.execute("INSERT INTO people (name, age) VALUES (:name, :age)", ["name": "Grace", "age": nil])
        let age = try db.queryValue("SELECT age FROM people WHERE name = :name", ["name": "Grace"]) as Int??
        #expect(age == .some(nil))
    }

    @Test func bindingOneValueAtATime() throws {
        let statement = try db.makeStatement("SELECT :word || ? || @other")
        try statement.bind("x", named: "word")
        try statement.bind("y", at: 2)
        try statement.bind("z", named: "@other")
        #expect(try statement.step())
        #expect(try statement[0] as String == "xyz")
        statement.reset()
        #expect(throws: DatabaseError.self) { try statement.bind("q", named: "missing") }
    }

    @Test func argumentMistakesAreErrorsNotSilentNulls() throws {
        let sql = "INSERT INTO people (name, age) VALUES (?, ?)"
        #expect(throws: DatabaseError.self) { try db.execute(sql, ["only one"]) }
        #expect(throws: DatabaseError.self) { try db.execute(sql, ["one", 2, "three"]) }
        let named = "INSERT INTO people (name, age) VALUES (:name, :age)"
        #expect(throws: DatabaseError.self) { try db.execute(named, ["name": "no age"]) }
        #expect(throws: DatabaseError.self) { try db.execute(named, ["name": "x", "age": 1, "typo": 2]) }
        #expect(throws: DatabaseError.self) { try db.execute(sql, ["name": "x", "age": 1]) }
        #expect(try db.queryValue("SELECT count(*) FROM people") as Int? == 0)
    }

    @Test func steppingAndReadingTheCurrentRow() throws {
        for (name, age) in [("a", 1), ("b", 2), ("c", 3)] {
            try db.execute("INSERT INTO people (name, age) VALUES (?, ?)", [name, age])
        }
        let statement = try db.makeStatement("SELECT name, age FROM people WHERE age >= ? ORDER BY age")
        try statement.bind([2])
        var seen: [String] = []
        while try statement.step() {
            let name: String = try statement["name"]
            let age: Int = try statement[1]
            seen.append("\(name)\(age)")
        }
        #expect(seen == ["b2", "c3"])
        #expect(statement.columnNames == ["name", "age"])
        // Re-running with new arguments reuses the prepared statement.
        #expect(try statement.query([3]).count == 1)
    }

    @Test func cachedStatementsAreReused() throws {
        let sql = "SELECT name FROM people WHERE id = ?"
        let first = try db.cachedStatement(sql)
        let second = try db.cachedStatement(sql)
        #expect(first === second)
        let before = db.cachedStatementCount
        for id in 1...10 { _ = try db.query(sql, [id]) }
        #expect(db.cachedStatementCount == before)
        #expect(try db.cachedStatement(sql) === first)
        _ = try db.query("SELECT 1")
        #expect(db.cachedStatementCount == before + 1)
    }

    @Test func aCachedStatementInUseIsNotHandedOutTwice() throws {
        try db.execute("INSERT INTO people (name) VALUES ('a'), ('b')")
        let sql = "SELECT name FROM people ORDER BY id"
        let outer = try db.cachedStatement(sql)
        try outer.bind([])
        #expect(try outer.step())
        // Same SQL while `outer` is mid-result: a fresh statement, so `outer`'s iteration is untouched.
        let inner = try db.cachedStatement(sql)
        #expect(inner !== outer)
        #expect(try inner.query().count == 2)
        #expect(try outer.step())
        #expect(try outer["name"] as String == "b")
        outer.reset()
    }

    @Test func theCacheIsBounded() throws {
        var configuration = DatabaseConfiguration()
        configuration.statementCacheLimit = 3
        let small = try Database(path: ":memory:", configuration: configuration)
        for value in 0..<10 { _ = try small.query("SELECT \(value)") }
        #expect(small.cachedStatementCount <= 3)
    }

    @Test func oneStatementOnlyOutsideScripts() throws {
        #expect(throws: DatabaseError.self) { try db.execute("DELETE FROM people; DROP TABLE people") }
        #expect(try db.queryValue("SELECT count(*) FROM sqlite_schema WHERE name = 'people'") as Int? == 1)
        // Trailing comments and semicolons are not a second statement.
        try db.execute("DELETE FROM people; -- tidy up\n")
        #expect(throws: DatabaseError.self) { try db.execute("   ") }
    }

    @Test func scriptsRunEveryStatementAndNameTheOneThatFails() throws {
        try db.executeScript("""
            -- a comment first
            CREATE TABLE a (x);
            INSERT INTO a VALUES (1);
            INSERT INTO a VALUES (2); SELECT * FROM a;
            """)
        #expect(try db.queryValue("SELECT sum(x) FROM a") as Int? == 3)
        do {
            try db.executeScript("INSERT INTO a VALUES (3);\nINSERT INTO nowhere VALUES (4);\nINSERT INTO a VALUES (5);")
            Issue.record("expected an error")
        } catch let error as DatabaseError {
            #expect(error.message.contains("no such table: nowhere"))
            #expect(error.sql?.hasPrefix("INSERT INTO nowhere") == true)
        }
        #expect(try db.queryValue("SELECT max(x) FROM a") as Int? == 3, "stops at the failure")
    }

    @Test func lastInsertRowIDAndChanges() throws {
        try db.execute("INSERT INTO people (name) VALUES (?)", ["a"])
        #expect(db.lastInsertRowID == 1)
        try db.execute("INSERT INTO people (name) VALUES (?)", ["b"])
        #expect(db.lastInsertRowID == 2)
        #expect(db.changes == 1)
        try db.execute("UPDATE people SET age = 5")
        #expect(db.changes == 2)
        #expect(try db.queryValue("SELECT name FROM people WHERE id = 99") as String? == nil)
    }

    @Test func syntaxErrorsCarryTheSQL() throws {
        do {
            _ = try db.query("SELEC name FROM people")
            Issue.record("expected an error")
        } catch let error as DatabaseError {
            #expect(error.primaryCode == 1)
            #expect(error.sql == "SELEC name FROM people")
            #expect(error.description.contains("SQLITE_ERROR"))
            #expect(error.description.contains("SELEC name FROM people"))
        }
    }

    @Test func doubleQuotedStringsAreIdentifiersOnly() throws {
        // With DQS off, a mistyped string literal is an error instead of a silent identifier/literal guess.
        #expect(throws: DatabaseError.self) { try db.query("SELECT * FROM people WHERE name = \"Ada\"") }
    }
}
