import Testing
@testable import Store

private struct Abort: Error {}

/// `write` commits or leaves nothing behind; nested writes are savepoints.
@Suite struct TransactionTests {
    let db: Database

    init() throws {
        db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT UNIQUE)")
    }

    func count() throws -> Int { try db.queryValue("SELECT count(*) FROM t") ?? -1 }

    @Test func writeCommitsAndReturnsTheResult() throws {
        let id = try db.write { db -> Int64 in
            #expect(db.isInTransaction)
            try db.execute("INSERT INTO t (x) VALUES (?)", ["a"])
            return db.lastInsertRowID
        }
        #expect(id == 1)
        #expect(!db.isInTransaction)
        #expect(try count() == 1)
    }

    @Test func aThrownErrorRollsEverythingBack() throws {
        #expect(throws: Abort.self) {
            try db.write { db in
                try db.execute("INSERT INTO t (x) VALUES ('a')")
                try db.execute("INSERT INTO t (x) VALUES ('b')")
                throw Abort()
            }
        }
        #expect(!db.isInTransaction)
        #expect(try count() == 0)
    }

    @Test func aFailingStatementRollsBackTheStatementsBeforeIt() throws {
        try db.execute("INSERT INTO t (x) VALUES ('taken')")
        do {
            try db.write { db in
                try db.execute("INSERT INTO t (x) VALUES ('new')")
                try db.execute("INSERT INTO t (x) VALUES ('taken')")
            }
            Issue.record("expected a unique violation")
        } catch let error as DatabaseError {
            #expect(error.extendedCode == DatabaseError.constraintUnique)
        }
        #expect(try db.queryValue("SELECT group_concat(x) FROM t") as String? == "taken")
    }

    @Test func aFailedSavepointIsUndoneAloneWhenCaught() throws {
        try db.write { db in
            try db.execute("INSERT INTO t (x) VALUES ('outer')")
            do {
                try db.write { db in
                    #expect(db.savepointDepth == 1)
                    try db.execute("INSERT INTO t (x) VALUES ('inner')")
                    throw Abort()
                }
            } catch is Abort {}
            try db.write { db in try db.execute("INSERT INTO t (x) VALUES ('second inner')") }
        }
        #expect(try db.query("SELECT x FROM t ORDER BY id").map { try $0["x"] as String } == ["outer", "second inner"])
    }

    @Test func savepointsNestDeeplyAndRollBackFromTheMiddle() throws {
        try db.write { db in
            try db.execute("INSERT INTO t (x) VALUES ('1')")
            try db.write { db in
                try db.execute("INSERT INTO t (x) VALUES ('2')")
                do {
                    try db.write { db in
                        #expect(db.savepointDepth == 2)
                        try db.execute("INSERT INTO t (x) VALUES ('3')")
                        try db.write { db in try db.execute("INSERT INTO t (x) VALUES ('4')") }
                        throw Abort()
                    }
                } catch is Abort {}
            }
        }
        #expect(try db.query("SELECT x FROM t ORDER BY id").map { try $0["x"] as String } == ["1", "2"])
        #expect(db.savepointDepth == 0)
    }

    @Test func anUncaughtInnerErrorRollsBackTheOuterTransactionToo() throws {
        #expect(throws: Abort.self) {
            try db.write { db in
                try db.execute("INSERT INTO t (x) VALUES ('outer')")
                try db.write { db in
                    try db.execute("INSERT INTO t (x) VALUES ('inner')")
                    throw Abort()
                }
            }
        }
        #expect(try count() == 0)
    }

    @Test func savepointNamesCarryTheDepth() {
        #expect(Database.savepointName(depth: 1) == "store_savepoint_1")
        #expect(Database.savepointName(depth: 3) == "store_savepoint_3")
    }

    @Test func aDeferredForeignKeyFailingAtCommitRollsBack() throws {
        try db.executeScript("""
            CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (id INTEGER PRIMARY KEY,
                parent_id INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);
            """)
        do {
            try db.write { db in
                try db.execute("INSERT INTO child (parent_id) VALUES (42)")  // fine until COMMIT
            }
            Issue.record("expected the commit to fail")
        } catch let error as DatabaseError {
            #expect(error.extendedCode == DatabaseError.constraintForeignKey)
        }
        #expect(!db.isInTransaction)
        #expect(try db.queryValue("SELECT count(*) FROM child") as Int? == 0)
    }

    @Test func readSeesOneSnapshotAndLeavesNoTransactionOpen() throws {
        let total = try db.read { db -> Int in
            #expect(db.isInTransaction)
            return try db.queryValue("SELECT count(*) FROM t") ?? 0
        }
        #expect(total == 0)
        #expect(!db.isInTransaction)
    }
}
