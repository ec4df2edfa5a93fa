import CSQLite

/// One SQLite connection with its prepared-statement cache.
///
/// Not `Sendable`: a connection is used by one thread at a time, which `DatabasePool` guarantees by
/// handing it out only inside `read { db in … }` / `write { db in … }`. Never keep `db` beyond the closure.
/// A standalone `Database` (tests, one-shot commands) is the caller's to confine to one thread.
public final class Database {
    /// The file this connection opened (or `:memory:`).
    public let path: String
    /// Whether the connection was opened read-only (pool readers are).
    public let isReadOnly: Bool
    let handle: OpaquePointer
    let configuration: DatabaseConfiguration
    private var statementCache: [String: Statement] = [:]
    /// How many savepoints `write` has open inside the outer transaction; names them uniquely.
    var savepointDepth = 0

    /// Opens (creating if needed) a read-write connection in WAL mode with foreign keys on.
    public convenience init(path: String, configuration: DatabaseConfiguration = DatabaseConfiguration()) throws {
        try self.init(path: path, readOnly: false, configuration: configuration)
    }

    init(path: String, readOnly: Bool, configuration: DatabaseConfiguration) throws {
        self.path = path
        self.isReadOnly = readOnly
        self.configuration = configuration
        self.handle = try Self.open(path: path, readOnly: readOnly, configuration: configuration)
    }

    deinit {
        // Finalize cached statements before closing; close_v2 would otherwise keep a zombie connection
        // until the last of them went away.
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Opens and configures a raw connection, closing it again if any step fails, so a failed `init`
    /// leaks nothing.
    private static func open(path: String, readOnly: Bool, configuration: DatabaseConfiguration) throws -> OpaquePointer {
        // NOMUTEX: each connection is confined to one thread at a time, so SQLite's own per-connection
        // mutex is pure overhead. EXRESCODE: extended codes from the open call too.
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        flags |= readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        var connection: OpaquePointer?
        let code = sqlite3_open_v2(path, &connection, flags, nil)
        guard code == SQLITE_OK, let connection else {
            let error = DatabaseError.from(connection: connection, code: code)
            sqlite3_close_v2(connection)
            throw DatabaseError(extendedCode: error.extendedCode, message: "cannot open \(path): \(error.message)")
        }
        do {
            sqlite3_extended_result_codes(connection, 1)
            sqlite3_busy_timeout(connection, configuration.busyTimeoutMilliseconds)
            // Double-quoted strings are identifiers, never literals: `WHERE email = "x"` is an error
            // instead of silently comparing a column with itself when the name matches.
            _ = csqlite_db_config_flag(connection, SQLITE_DBCONFIG_DQS_DML, 0)
            _ = csqlite_db_config_flag(connection, SQLITE_DBCONFIG_DQS_DDL, 0)
            // No writable_schema, no journal_mode=OFF: nothing that can corrupt the file by accident.
            _ = csqlite_db_config_flag(connection, SQLITE_DBCONFIG_DEFENSIVE, 1)
            if readOnly {
                try pragma(connection, "PRAGMA query_only = ON")
            } else {
                // WAL: readers keep a snapshot and never wait for the writer, nor it for them.
                let mode = try pragma(connection, "PRAGMA journal_mode = WAL")
                if mode != "wal" && path != ":memory:" && !path.isEmpty {
                    throw DatabaseError(
                        extendedCode: SQLITE_ERROR, message: "cannot switch \(path) to WAL mode (got \(mode ?? "nothing"))")
                }
                // NORMAL in WAL: a commit survives a killed process; only power loss can lose the last
                // commits, never corrupt the file. It saves an fsync per commit.
                try pragma(connection, "PRAGMA synchronous = NORMAL")
            }
            try pragma(connection, "PRAGMA foreign_keys = ON")
            try pragma(connection, "PRAGMA cache_size = -\(readOnly ? configuration.readerCacheKiB : configuration.writerCacheKiB)")
            return connection
        } catch {
            sqlite3_close_v2(connection)
            throw error
        }
    }

    /// Runs a constant PRAGMA on a raw connection and returns its first value as text, if any.
    @discardableResult
    private static func pragma(_ connection: OpaquePointer, _ sql: String) throws -> String? {
        var statement: OpaquePointer?
        defer { sqlite3_finalize(statement) }
        var code = sqlite3_prepare_v2(connection, sql, -1, &statement, nil)
        guard code == SQLITE_OK else { throw DatabaseError.from(connection: connection, code: code, sql: sql) }
        code = sqlite3_step(statement)
        switch code {
        case SQLITE_ROW: return sqlite3_column_text(statement, 0).map { String(cString: $0) }
        case SQLITE_DONE: return nil
        default: throw DatabaseError.from(connection: connection, code: code, sql: sql)
        }
    }

    // MARK: Statements

    /// A prepared statement for `sql`, reused on later calls with the same SQL. SQL in code is a small
    /// fixed set, so preparing it once per connection removes the parse from every request.
    ///
    /// If the cached statement is mid-result (a caller is still stepping it) a fresh, uncached one is
    /// returned, so nested use of the same SQL cannot reset someone else's iteration.
    public func cachedStatement(_ sql: String) throws -> Statement {
        if let statement = statementCache[sql] {
            if !statement.isBusy { return statement }
            return try makeStatement(sql)
        }
        if statementCache.count >= configuration.statementCacheLimit {
            // Crude, but only SQL of a varying shape gets here; statements still held by callers live on.
            statementCache.removeAll(keepingCapacity: true)
        }
        let statement = try Statement(connection: handle, sql: sql, persistent: true)
        statementCache[sql] = statement
        return statement
    }

    /// A new statement that only the caller uses, for long iterations or one-off SQL.
    public func makeStatement(_ sql: String) throws -> Statement {
        try Statement(connection: handle, sql: sql, persistent: false)
    }

    /// How many statements the cache holds (for tests).
    var cachedStatementCount: Int { statementCache.count }

    // MARK: Running SQL

    /// Runs one statement with bound arguments, ignoring any rows.
    public func execute(_ sql: String, _ arguments: StatementArguments = []) throws {
        try cachedStatement(sql).execute(arguments)
    }

    /// Runs one statement and returns all its rows.
    public func query(_ sql: String, _ arguments: StatementArguments = []) throws -> [Row] {
        try cachedStatement(sql).query(arguments)
    }

    /// Runs one statement and returns its first row, or nil when there is none.
    public func queryOne(_ sql: String, _ arguments: StatementArguments = []) throws -> Row? {
        try cachedStatement(sql).queryOne(arguments)
    }

    /// The first column of the first row converted to `T`, or nil when there is no row.
    /// `try db.queryValue("SELECT count(*) FROM users") as Int?`
    public func queryValue<T: DatabaseValueConvertible>(
        _ sql: String, _ arguments: StatementArguments = [], as type: T.Type = T.self
    ) throws -> T? {
        guard let row = try queryOne(sql, arguments) else { return nil }
        return try row[0] as T
    }

    /// Runs several statements separated by semicolons, without arguments (migration files).
    /// Stops at the first failure; the error names the statement that failed.
    public func executeScript(_ sql: String) throws {
        try sql.withCString { start in
            var next: UnsafePointer<CChar>? = start
            while let current = next, current.pointee != 0 {
                var statement: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let code = sqlite3_prepare_v2(handle, current, -1, &statement, &tail)
                guard code == SQLITE_OK, let tail else {
                    // Where a failed statement ends is not reported, so show the start of the rest.
                    let rest = String(cString: current).trimmingWhitespace()
                    let shown = rest.count > 300 ? String(rest.prefix(300)) + "…" : rest
                    throw DatabaseError.from(connection: handle, code: code, sql: shown)
                }
                defer { sqlite3_finalize(statement) }
                next = tail
                let text = String(decoding: UnsafeRawBufferPointer(start: current, count: tail - current), as: UTF8.self)
                    .trimmingWhitespace()
                guard let statement else { continue }  // whitespace or a comment
                var result = sqlite3_step(statement)
                while result == SQLITE_ROW { result = sqlite3_step(statement) }
                guard result == SQLITE_DONE else { throw DatabaseError.from(connection: handle, code: result, sql: text) }
            }
        }
    }

    /// The rowid of the last row this connection inserted.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the last INSERT, UPDATE or DELETE on this connection.
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    /// Whether a transaction is open on this connection.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }
}

extension String {
    /// Trims ASCII whitespace without Foundation's character sets.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
