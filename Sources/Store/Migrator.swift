import Foundation

/// Applies the numbered `NNNN_name.sql` files of a folder in order, each in its own immediate transaction,
/// and records each in `schema_migrations` (version, name, SHA-256 checksum, applied_at unix seconds).
///
/// Re-running is a no-op. An applied file that changed, a missing or repeated number, or a recorded
/// migration with no file is an error before anything runs.
public struct Migrator: Sendable {
    /// The folder holding the `.sql` files (`Migrations/` in the app).
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Applies what is pending on the pool's writer; returns what was applied, in order.
    @discardableResult
    public func migrate(_ pool: DatabasePool) throws -> [Migration] {
        try pool.writeWithoutTransaction { db in try migrate(db) }
    }

    /// Applies what is pending on `db`, which must not be inside a transaction; returns what was applied.
    ///
    /// Foreign keys are switched off while a migration runs and checked with `foreign_key_check` before it
    /// commits: with them on, rebuilding a table (create, copy, drop, rename — SQLite's way to change a
    /// column) would cascade the drop into the children's rows.
    @discardableResult
    public func migrate(_ db: Database) throws -> [Migration] {
        guard !db.isInTransaction else { throw MigrationError.insideTransaction }
        let files = try MigrationPlan.ordered(loadMigrations())
        try Self.createTable(db)
        try db.execute("PRAGMA foreign_keys = OFF")
        defer { try? db.execute("PRAGMA foreign_keys = ON") }
        var applied: [Migration] = []
        // One transaction per migration, re-reading the record each time: another process migrating the
        // same file at once waits on the write lock and then finds the work done.
        while let migration = try db.write({ db in try Self.applyNext(of: files, db) }) {
            applied.append(migration)
        }
        return applied
    }

    /// The migrations recorded in the database, oldest first (none before the first `migrate`).
    public func appliedMigrations(_ db: Database) throws -> [AppliedMigration] {
        try Self.appliedMigrations(db)
    }

    /// Reads every `NNNN_name.sql` of the folder (other files, such as a README, are ignored).
    public func loadMigrations() throws(MigrationError) -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw .unreadableDirectory(path: directory, reason: error.localizedDescription)
        }
        var migrations: [Migration] = []
        for fileName in names.sorted() where fileName.hasSuffix(".sql") {
            guard let (version, name) = Migration.parseFileName(fileName) else { throw .badFileName(fileName) }
            let path = (directory as NSString).appendingPathComponent(fileName)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .unreadableFile(fileName, reason: "cannot open it")
            }
            guard let sql = String(data: data, encoding: .utf8) else {
                throw .unreadableFile(fileName, reason: "it is not UTF-8 text")
            }
            migrations.append(Migration(version: version, name: name, sql: sql))
        }
        return migrations
    }

    private static func createTable(_ db: Database) throws {
        try db.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                checksum TEXT NOT NULL,
                applied_at INTEGER NOT NULL
            )
            """)
    }

    private static func appliedMigrations(_ db: Database) throws -> [AppliedMigration] {
        let exists = try db.queryValue(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'") as Int?
        guard exists == 1 else { return [] }
        let rows = try db.query("SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version")
        return try rows.map { row in
            AppliedMigration(
                version: try row["version"], name: try row["name"], checksum: try row["checksum"],
                appliedAt: try row["applied_at"])
        }
    }

    /// Inside a write transaction: applies and records the first pending migration, or returns nil.
    private static func applyNext(of files: [Migration], _ db: Database) throws -> Migration? {
        let pending = try MigrationPlan.pending(files: files, applied: appliedMigrations(db))
        guard let migration = pending.first else { return nil }
        do {
            try db.executeScript(migration.sql)
        } catch let error as DatabaseError {
            throw MigrationError.failed(file: migration.fileName, error)
        }
        if let violation = try db.queryOne("PRAGMA foreign_key_check") {
            throw MigrationError.foreignKeyViolation(
                file: migration.fileName, table: try violation["table"], rowid: try violation["rowid"],
                parent: try violation["parent"])
        }
        try db.execute(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
            [migration.version, migration.name, migration.checksum, Date()])
        return migration
    }
}
