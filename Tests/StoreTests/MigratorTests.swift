import Foundation
import PortalSecurity
import Testing
@testable import Store

/// Numbered SQL files applied in order, one transaction each, recorded with their checksum.
@Suite struct MigratorTests {
    /// A folder for migration files and a pool on a database beside it.
    func withSetup(_ body: (_ migrations: String, _ pool: DatabasePool) throws -> Void) throws {
        try withTemporaryDirectory { directory in
            let migrations = directory + "/Migrations"
            try FileManager.default.createDirectory(atPath: migrations, withIntermediateDirectories: true)
            try body(migrations, try DatabasePool(path: directory + "/app.sqlite"))
        }
    }

    func tables(_ pool: DatabasePool) throws -> [String] {
        try pool.read { db in
            try db.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").map { try $0["name"] as String }
        }
    }

    func expectError(_ expected: (MigrationError) -> Bool, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected a migration error")
        } catch let error as MigrationError {
            #expect(expected(error), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func appliesInNumericOrderAndRecordsEach() throws {
        try withSetup { folder, pool in
            // Written out of order; 0002 depends on 0001's table, and 0010 sorts after 0009 numerically.
            try writeFile(folder, "0002_posts.sql", "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id));")
            try writeFile(folder, "0001_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nCREATE INDEX users_email ON users(email);")
            for number in 3...10 {
                try writeFile(folder, Migration.fileName(version: number, name: "step\(number)"), "INSERT INTO users (email) VALUES ('\(number)');")
            }
            try writeFile(folder, "README.md", "not a migration")
            let migrator = Migrator(directory: folder)
            let applied = try migrator.migrate(pool)
            #expect(applied.map(\.version) == Array(1...10))
            #expect(applied.first?.fileName == "0001_users.sql")
            #expect(try tables(pool) == ["posts", "schema_migrations", "users"])
            #expect(try pool.read { db in try db.query("SELECT email FROM users ORDER BY id").map { try $0["email"] as String } }
                == (3...10).map(String.init))

            let recorded = try pool.read { db in try migrator.appliedMigrations(db) }
            #expect(recorded.map(\.version) == Array(1...10))
            #expect(recorded[1].name == "posts")
            let bytes = try #require(FileManager.default.contents(atPath: folder + "/0002_posts.sql"))
            #expect(recorded[1].checksum == SHA256.hexDigest([UInt8](bytes)))
            #expect(abs(recorded[1].appliedAt.timeIntervalSinceNow) < 60)
        }
    }

    @Test func rerunningAppliesNothingAndLaterFilesApplyAlone() throws {
        try withSetup { folder, pool in
            try writeFile(folder, "0001_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);")
            let migrator = Migrator(directory: folder)
            #expect(try migrator.migrate(pool).count == 1)
            #expect(try migrator.migrate(pool).isEmpty)
            try writeFile(folder, "0002_more.sql", "ALTER TABLE users ADD COLUMN name TEXT;")
            #expect(try migrator.migrate(pool).map(\.fileName) == ["0002_more.sql"])
            #expect(try migrator.migrate(pool).isEmpty)
        }
    }

    @Test func anEmptyFolderIsFine() throws {
        try withSetup { (folder, pool) throws in
            #expect(try Migrator(directory: folder).migrate(pool).isEmpty)
            #expect(try tables(pool) == ["schema_migrations"])
        }
    }

    @Test func anEditedAppliedFileIsAnErrorNamingIt() throws {
        try withSetup { folder, pool in
            try writeFile(folder, "0001_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY);")
            let migrator = Migrator(directory: folder)
            try migrator.migrate(pool)
            try writeFile(folder, "0001_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, sneaky TEXT);")
            try writeFile(folder, "0002_next.sql", "CREATE TABLE next (id INTEGER);")
            expectError({
                guard case .checksumMismatch(let file, _, _) = $0 else { return false }
                return file == "0001_users.sql" && $0.description.contains("0001_users.sql")
            }) { try migrator.migrate(pool) }
            #expect(try tables(pool) == ["schema_migrations", "users"], "nothing after the mismatch ran")
        }
    }

    @Test func aGapIsAnError() throws {
        try withSetup { folder, pool in
            try writeFile(folder, "0001_a.sql", "CREATE TABLE a (x);")
            try writeFile(folder, "0003_c.sql", "CREATE TABLE c (x);")
            expectError({ $0 == .gap(missing: 2, next: "0003_c.sql") }) { try Migrator(directory: folder).migrate(pool) }
            #expect(try tables(pool).isEmpty, "checked before anything ran")
        }
    }

    @Test func aDuplicateNumberIsAnError() throws {
        try withSetup { folder, pool in
            try writeFile(folder, "0001_a.sql", "CREATE TABLE a (x);")
            try writeFile(folder, "0001_b.sql", "CREATE TABLE b (x);")
            expectError({ $0 == .duplicateVersion(1, files: ["0001_a.sql", "0001_b.sql"]) }) {
                try Migrator(directory: folder).migrate(pool)
            }
        }
    }

    @Test func badFileNamesAndMissingFoldersAreErrors() throws {
        try withSetup { folder, pool in
            try writeFile(folder, "1_short.sql", "SELECT 1;")
            expectError({ $0 == .badFileName("1_short.sql") }) { try Migrator(directory: folder).migrate(pool) }
            expectError({
                if case .unreadableDirectory = $0 { return true }
                return false
            }) { try Migrator(directory: folder + "/nope").migrate(pool) }
        }
    }

    @Test func aFailingMigrationLeavesNothingOfItself() throws {
        try withSetup { folder, pool in
            try writeFile(folder, "0001_ok.sql", "CREATE TABLE ok (x);")
            try writeFile(folder, "0002_broken.sql", "CREATE TABLE half (x);\nINSERT INTO ok VALUES (1);\nINSERT INTO missing VALUES (1);")
            let migrator = Migrator(directory: folder)
            expectError({
                guard case .failed(let file, let error) = $0 else { return false }
                return file == "0002_broken.sql" && error.message.contains("no such table: missing")
            }) { try migrator.migrate(pool) }
            #expect(try tables(pool) == ["ok", "schema_migrations"], "0001 kept, 0002 entirely rolled back")
            #expect(try pool.read { db in try db.queryValue("SELECT count(*) FROM ok") as Int? } == 0)
            #expect(try pool.read { db in try migrator.appliedMigrations(db).map(\.version) } == [1])
            // Fixing the file lets it apply.
            try writeFile(folder, "0002_broken.sql", "CREATE TABLE half (x);")
            #expect(try migrator.migrate(pool).map(\.version) == [2])
        }
    }

    @Test func aMigrationBreakingAForeignKeyIsRolledBack() throws {
        try withSetup { folder, pool in
            try writeFile(folder, "0001_schema.sql", """
                CREATE TABLE parent (id INTEGER PRIMARY KEY);
                CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id));
                INSERT INTO child (parent_id) VALUES (7);
                """)
            expectError({ $0 == .foreignKeyViolation(file: "0001_schema.sql", table: "child", rowid: 1, parent: "parent") }) {
                try Migrator(directory: folder).migrate(pool)
            }
            #expect(try tables(pool) == ["schema_migrations"])
            // Foreign keys are back on for the application afterwards.
            try pool.write { (db) throws in #expect(try db.queryValue("PRAGMA foreign_keys") as Int? == 1) }
        }
    }

    @Test func rebuildingAParentTableKeepsItsChildren() throws {
        // SQLite changes a column by rebuilding the table; with foreign keys on, dropping the old parent
        // would cascade-delete every child row.
        try withSetup { folder, pool in
            try writeFile(folder, "0001_schema.sql", """
                CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);
                CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id) ON DELETE CASCADE);
                INSERT INTO parent VALUES (1, 'p');
                INSERT INTO child (parent_id) VALUES (1), (1);
                """)
            try writeFile(folder, "0002_rebuild_parent.sql", """
                CREATE TABLE parent_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '');
                INSERT INTO parent_new SELECT id, name FROM parent;
                DROP TABLE parent;
                ALTER TABLE parent_new RENAME TO parent;
                """)
            #expect(try Migrator(directory: folder).migrate(pool).count == 2)
            #expect(try pool.read { db in try db.queryValue("SELECT count(*) FROM child") as Int? } == 2)
            let failure = try pool.write { db -> DatabaseError? in
                do { try db.execute("INSERT INTO child (parent_id) VALUES (99)") } catch let error as DatabaseError { return error }
                return nil
            }
            #expect(failure?.extendedCode == DatabaseError.constraintForeignKey, "the children still point at parent")
        }
    }

    @Test func theDatabaseBeingAheadOfTheFilesIsAnError() throws {
        try withSetup { folder, pool in
            try writeFile(folder, "0001_a.sql", "CREATE TABLE a (x);")
            try writeFile(folder, "0002_b.sql", "CREATE TABLE b (x);")
            try Migrator(directory: folder).migrate(pool)
            try FileManager.default.removeItem(atPath: folder + "/0002_b.sql")
            expectError({ $0 == .unknownApplied("0002_b.sql") }) { try Migrator(directory: folder).migrate(pool) }
        }
    }

    @Test func migratingInsideATransactionIsRefused() throws {
        try withSetup { folder, pool in
            expectError({ $0 == .insideTransaction }) {
                try pool.write { db in _ = try Migrator(directory: folder).migrate(db) }
            }
        }
    }

    // MARK: The pure decisions

    func migration(_ version: Int, _ name: String, _ sql: String = "SELECT 1;") -> Migration {
        Migration(version: version, name: name, sql: sql)
    }

    func record(_ migration: Migration) -> AppliedMigration {
        AppliedMigration(version: migration.version, name: migration.name, checksum: migration.checksum, appliedAt: Date())
    }

    @Test func fileNames() {
        #expect(Migration.parseFileName("0001_users.sql")! == (1, "users"))
        #expect(Migration.parseFileName("0042_add-partner_links2.sql")! == (42, "add-partner_links2"))
        for bad in ["001_x.sql", "00001_x.sql", "0001x.sql", "0001_.sql", "0001_a b.sql", "0001_x.SQL", "abcd_x.sql", "0001_ü.sql"] {
            #expect(Migration.parseFileName(bad) == nil, "\(bad)")
        }
        #expect(Migration(version: 7, name: "x", sql: "").fileName == "0007_x.sql")
    }

    @Test func planningPendingMigrations() throws {
        let one = migration(1, "a"), two = migration(2, "b"), three = migration(3, "c")
        #expect(try MigrationPlan.pending(files: [three, one, two], applied: []) == [one, two, three])
        #expect(try MigrationPlan.pending(files: [one, two, three], applied: [record(one)]) == [two, three])
        #expect(try MigrationPlan.pending(files: [one, two], applied: [record(one), record(two)]).isEmpty)
        #expect(throws: MigrationError.renamed(version: 1, recorded: "0001_old.sql", current: "0001_a.sql")) {
            try MigrationPlan.pending(files: [one], applied: [record(migration(1, "old"))])
        }
        #expect(throws: MigrationError.outOfOrder(file: "0002_b.sql", latestApplied: "0003_c.sql")) {
            try MigrationPlan.pending(files: [one, two, three], applied: [record(one), record(three)])
        }
        #expect(throws: MigrationError.gap(missing: 1, next: "0002_b.sql")) {
            try MigrationPlan.pending(files: [two], applied: [])
        }
        let edited = migration(1, "a", "SELECT 2;")
        #expect(throws: MigrationError.checksumMismatch(file: "0001_a.sql", recorded: one.checksum, current: edited.checksum)) {
            try MigrationPlan.pending(files: [edited], applied: [record(one)])
        }
    }
}
