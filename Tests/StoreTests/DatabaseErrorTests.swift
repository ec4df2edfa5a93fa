import Testing
@testable import Store

/// Constraint failures arrive with SQLite's extended code, its message and the SQL; foreign keys are on.
@Suite struct DatabaseErrorTests {
    let db: Database

    init() throws {
        db = try Database(path: ":memory:")
        try db.executeScript("""
            CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, age INTEGER CHECK (age >= 0));
            CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id));
            CREATE TABLE tags (name TEXT PRIMARY KEY) WITHOUT ROWID;
            INSERT INTO users (id, email) VALUES (1, 'a@example.com');
            """)
    }

    func error(_ sql: String, _ arguments: StatementArguments = []) -> DatabaseError? {
        do {
            try db.execute(sql, arguments)
            return nil
        } catch {
            return error as? DatabaseError
        }
    }

    @Test func uniqueViolation() throws {
        let sql = "INSERT INTO users (email) VALUES (?)"
        let failure = try #require(error(sql, ["a@example.com"]))
        #expect(failure.extendedCode == 2067)
        #expect(failure.primaryCode == 19)
        #expect(failure.isConstraintViolation)
        #expect(failure.message == "UNIQUE constraint failed: users.email")
        #expect(failure.sql == sql)
        #expect(failure.description == "SQLite error 2067 (SQLITE_CONSTRAINT_UNIQUE): UNIQUE constraint failed: users.email — in `\(sql)`")
        #expect(!failure.description.contains("a@example.com"), "bound values stay out of errors and logs")
    }

    @Test func foreignKeysAreEnforced() throws {
        let failure = try #require(error("INSERT INTO posts (user_id) VALUES (?)", [99]))
        #expect(failure.extendedCode == DatabaseError.constraintForeignKey)
        #expect(failure.extendedCode == 787)
        try db.execute("INSERT INTO posts (user_id) VALUES (1)")
        let restrict = try #require(error("DELETE FROM users WHERE id = 1"))
        #expect(restrict.extendedCode == 787)
        #expect(try db.queryValue("PRAGMA foreign_keys") as Int? == 1)
    }

    @Test func notNullCheckAndPrimaryKeyViolations() throws {
        #expect(error("INSERT INTO users (email) VALUES (NULL)")?.extendedCode == DatabaseError.constraintNotNull)
        #expect(error("INSERT INTO users (email, age) VALUES ('b@x', -1)")?.extendedCode == DatabaseError.constraintCheck)
        try db.execute("INSERT INTO tags VALUES ('red')")
        #expect(error("INSERT INTO tags VALUES ('red')")?.extendedCode == DatabaseError.constraintPrimaryKey)
        #expect(error("INSERT INTO users (id, email) VALUES (1, 'c@x')")?.extendedCode == 1555)
    }

    @Test func openingAMissingFolderFailsClearly() {
        do {
            _ = try Database(path: "/nonexistent-folder/for-sure/db.sqlite")
            Issue.record("expected an error")
        } catch let error as DatabaseError {
            #expect(error.primaryCode == 14)  // SQLITE_CANTOPEN
            #expect(error.message.contains("/nonexistent-folder/for-sure/db.sqlite"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func codesWithoutANameStillDescribe() {
        let error = DatabaseError(extendedCode: 4242, message: "odd")
        #expect(error.description == "SQLite error 4242: odd")
    }
}
