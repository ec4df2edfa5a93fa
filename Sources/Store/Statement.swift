import CSQLite

/// A prepared SQL statement: bind parameters, step through results, read typed columns.
///
/// Not `Sendable`: it belongs to its connection and is used only inside that connection's `read`/`write`
/// closure. Get one from `Database.cachedStatement(_:)` (reused, for SQL written in code) or
/// `Database.makeStatement(_:)` (private to the caller).
public final class Statement {
    /// The SQL this statement was prepared from.
    public let sql: String
    let handle: OpaquePointer
    private var cachedColumns: RowColumns?

    /// Prepares exactly one statement; SQL holding a second statement is refused, since silently
    /// ignoring it would hide a bug (use `Database.executeScript` for several).
    init(connection: OpaquePointer, sql: String, persistent: Bool) throws {
        self.sql = sql
        let flags = UInt32(persistent ? SQLITE_PREPARE_PERSISTENT : 0)
        var statement: OpaquePointer?
        var extra: String?
        let code = sql.withCString { start -> Int32 in
            var tail: UnsafePointer<CChar>?
            let code = sqlite3_prepare_v3(connection, start, -1, flags, &statement, &tail)
            if code == SQLITE_OK, let tail, tail.pointee != 0 { extra = String(cString: tail) }
            return code
        }
        guard code == SQLITE_OK else {
            throw DatabaseError.from(connection: connection, code: code, sql: sql)
        }
        guard let statement else {
            throw DatabaseError(extendedCode: SQLITE_MISUSE, message: "the SQL holds no statement", sql: sql)
        }
        if let extra, try Self.holdsStatement(extra, connection: connection) {
            sqlite3_finalize(statement)
            throw DatabaseError(
                extendedCode: SQLITE_MISUSE,
                message: "the SQL holds more than one statement; use executeScript for scripts",
                sql: sql)
        }
        self.handle = statement
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Whether the rest of some SQL is a statement rather than whitespace and comments.
    private static func holdsStatement(_ sql: String, connection: OpaquePointer) throws -> Bool {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(connection, sql, -1, 0, &statement, nil)
        defer { sqlite3_finalize(statement) }
        guard code == SQLITE_OK else { throw DatabaseError.from(connection: connection, code: code, sql: sql) }
        return statement != nil
    }

    private var connection: OpaquePointer? { sqlite3_db_handle(handle) }

    private func error(_ code: Int32) -> DatabaseError {
        DatabaseError.from(connection: connection, code: code, sql: sql)
    }

    // MARK: Binding

    /// How many parameters the SQL has (the largest `?NNN` index).
    public var parameterCount: Int { Int(sqlite3_bind_parameter_count(handle)) }

    /// Resets the statement and binds all its parameters. Every parameter must get a value and every value
    /// must be used: a miscounted argument list is a bug, and binding NULL in its place would hide it.
    public func bind(_ arguments: StatementArguments) throws {
        reset()
        let count = parameterCount
        if arguments.named.isEmpty {
            guard arguments.positional.count == count else {
                throw DatabaseError(
                    extendedCode: SQLITE_RANGE,
                    message: "the statement has \(count) parameter(s) but \(arguments.positional.count) value(s) were given",
                    sql: sql)
            }
            for (offset, value) in arguments.positional.enumerated() {
                try bind(value, at: offset + 1)
            }
            return
        }
        guard arguments.positional.isEmpty else {
            throw DatabaseError(
                extendedCode: SQLITE_MISUSE, message: "arguments are both positional and named", sql: sql)
        }
        var used = Set<String>()
        for index in 0..<count {
            guard let cName = sqlite3_bind_parameter_name(handle, Int32(index + 1)) else {
                throw DatabaseError(
                    extendedCode: SQLITE_RANGE,
                    message: "parameter \(index + 1) is positional (?) but the arguments are named",
                    sql: sql)
            }
            let name = String(String(cString: cName).dropFirst())
            guard let value = arguments.named[name] else {
                throw DatabaseError(extendedCode: SQLITE_RANGE, message: "no value for parameter :\(name)", sql: sql)
            }
            try bind(value, at: index + 1)
            used.insert(name)
        }
        if let unused = arguments.named.keys.sorted().first(where: { !used.contains($0) }) {
            throw DatabaseError(
                extendedCode: SQLITE_RANGE, message: "the statement has no parameter :\(unused)", sql: sql)
        }
    }

    /// Binds one value to the parameter at `index` (1-based, as in SQLite).
    public func bind(_ value: (any DatabaseValueConvertible)?, at index: Int) throws {
        try bind(value?.databaseValue ?? .null, at: index)
    }

    /// Binds one value by parameter name, given with its prefix (`:email`) or without (`email`).
    public func bind(_ value: (any DatabaseValueConvertible)?, named name: String) throws {
        let candidates = name.first.map { ":@$".contains($0) } == true ? [name] : [":" + name, "@" + name, "$" + name]
        for candidate in candidates {
            let index = sqlite3_bind_parameter_index(handle, candidate)
            if index > 0 { return try bind(value?.databaseValue ?? .null, at: Int(index)) }
        }
        throw DatabaseError(extendedCode: SQLITE_RANGE, message: "the statement has no parameter \(name)", sql: sql)
    }

    /// Binds an integer, a text or a blob directly: no `StatementArguments`, no existential box per value.
    /// For loops that bind many rows through one cached statement (the click writer); pair with `run()`.
    public func bind(_ value: Int64, at index: Int) throws {
        try bind(DatabaseValue.integer(value), at: index)
    }

    public func bind(_ value: String, at index: Int) throws {
        try bind(DatabaseValue.text(value), at: index)
    }

    public func bind(_ value: [UInt8], at index: Int) throws {
        try bind(DatabaseValue.blob(value), at: index)
    }

    private func bind(_ value: DatabaseValue, at index: Int) throws {
        let position = Int32(index)
        let code: Int32
        switch value {
        case .null:
            code = sqlite3_bind_null(handle, position)
        case .integer(let integer):
            code = sqlite3_bind_int64(handle, position, integer)
        case .real(let real):
            code = sqlite3_bind_double(handle, position, real)
        case .text(var text):
            // Explicit byte length: the text may hold NUL characters. An empty buffer may have no
            // address, and a NULL pointer would bind SQL NULL rather than ''.
            code = text.withUTF8 { bytes in
                guard let base = bytes.baseAddress, !bytes.isEmpty else {
                    return sqlite3_bind_text(handle, position, "", 0, csqlite_static())
                }
                return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    sqlite3_bind_text64(handle, position, $0, UInt64(bytes.count), csqlite_transient(), UInt8(SQLITE_UTF8))
                }
            }
        case .blob(let bytes):
            // Same trap: a NULL pointer binds NULL, so an empty blob is a zero-length zeroblob.
            code = bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress, !raw.isEmpty else { return sqlite3_bind_zeroblob(handle, position, 0) }
                return sqlite3_bind_blob64(handle, position, base, UInt64(raw.count), csqlite_transient())
            }
        }
        guard code == SQLITE_OK else { throw error(code) }
    }

    // MARK: Stepping

    /// Runs the statement to its next row: true when a row is ready to read, false when done.
    /// On error the statement is reset, so it releases its locks.
    @discardableResult
    public func step() throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let failure = error(code)
            reset()
            throw failure
        }
    }

    /// Rewinds the statement, keeping its bindings. A statement left mid-result would hold its read
    /// snapshot open (and stop WAL checkpoints), so every helper here resets when done.
    public func reset() {
        sqlite3_reset(handle)
    }

    /// Runs to completion with the values bound so far and resets, keeping the bindings (after `bind(_:at:)`
    /// calls; a statement left mid-result by an earlier caller is rewound first).
    public func run() throws {
        reset()
        defer { reset() }
        while try step() {}
    }

    /// Binds, runs to completion and resets.
    public func execute(_ arguments: StatementArguments = []) throws {
        try bind(arguments)
        defer { reset() }
        while try step() {}
    }

    /// Binds, collects every row and resets.
    public func query(_ arguments: StatementArguments = []) throws -> [Row] {
        try bind(arguments)
        defer { reset() }
        var rows: [Row] = []
        while try step() { rows.append(row()) }
        return rows
    }

    /// Binds, returns the first row (or nil) and resets without stepping further.
    public func queryOne(_ arguments: StatementArguments = []) throws -> Row? {
        try bind(arguments)
        defer { reset() }
        return try step() ? row() : nil
    }

    // MARK: Reading the current row

    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    public var columnNames: [String] { columns.names }

    /// Column names are cached, and rebuilt when SQLite re-prepared the statement after a schema change
    /// (a cached `SELECT *` after `ALTER TABLE … ADD COLUMN`).
    var columns: RowColumns {
        let count = columnCount
        if let cachedColumns, cachedColumns.names.count == count { return cachedColumns }
        let names = (0..<count).map { index in
            sqlite3_column_name(handle, Int32(index)).map { String(cString: $0) } ?? ""
        }
        let columns = RowColumns(names: names, sql: sql)
        cachedColumns = columns
        return columns
    }

    /// The current row's value at `index` (0-based), exactly as SQLite stores it.
    public func columnValue(at index: Int) -> DatabaseValue {
        let column = Int32(index)
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, column))
        case SQLITE3_TEXT:
            // Read the pointer before the length, as SQLite documents; the length allows embedded NULs.
            let text = sqlite3_column_text(handle, column)
            let length = Int(sqlite3_column_bytes(handle, column))
            guard let text, length > 0 else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self))
        case SQLITE_BLOB:
            let blob = sqlite3_column_blob(handle, column)
            let length = Int(sqlite3_column_bytes(handle, column))
            guard let blob, length > 0 else { return .blob([]) }
            return .blob([UInt8](UnsafeRawBufferPointer(start: blob, count: length)))
        default:
            return .null
        }
    }

    /// The current row's integer at `index` (0-based), read straight from SQLite: for hot loops over columns
    /// declared `INTEGER NOT NULL`, where the generic subscript's checked conversion costs more than the read.
    /// A NULL reads as 0 and a text as SQLite converts it.
    public func int64(at index: Int) -> Int64 {
        sqlite3_column_int64(handle, Int32(index))
    }

    /// The current row's text at `index` (0-based), read straight from SQLite (NULL reads as ""); see `int64(at:)`.
    public func text(at index: Int) -> String {
        let column = Int32(index)
        // The pointer before the length, as SQLite documents.
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        let length = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self)
    }

    /// The current row's column at `index` (0-based), converted to `T`.
    public subscript<T: DatabaseValueConvertible>(_ index: Int) -> T {
        get throws {
            guard index >= 0, index < columnCount else {
                throw DatabaseError(
                    extendedCode: SQLITE_RANGE, message: "no column at index \(index); the statement has \(columnCount)",
                    sql: sql)
            }
            return try columnValue(at: index).decode(column: "\(index) (\(columns.names[index]))", sql: sql)
        }
    }

    /// The current row's column named `name`, converted to `T`.
    public subscript<T: DatabaseValueConvertible>(_ name: String) -> T {
        get throws {
            let index = try columns.requireIndex(of: name, in: "statement")
            return try columnValue(at: index).decode(column: "'\(name)'", sql: sql)
        }
    }

    /// A copy of the current row.
    public func row() -> Row {
        let columns = columns
        return Row(columns: columns, values: (0..<columns.names.count).map(columnValue(at:)))
    }

    /// True between a step that returned a row and the next reset: the statement is mid-result.
    var isBusy: Bool { sqlite3_stmt_busy(handle) != 0 }
}
