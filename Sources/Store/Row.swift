import CSQLite

/// One result row, copied out of SQLite so it outlives the statement and can cross threads.
///
/// Read typed values by column name or index; the target type comes from context:
/// `let email: String = try row["email"]`, `let deletedAt = try row["deleted_at"] as Date?`.
public struct Row: Sendable, Equatable, CustomStringConvertible {
    let columns: RowColumns
    /// The values in column order.
    public let values: [DatabaseValue]

    init(columns: RowColumns, values: [DatabaseValue]) {
        self.columns = columns
        self.values = values
    }

    /// A row built by hand, for tests and for code that assembles rows itself.
    public init(_ pairs: KeyValuePairs<String, DatabaseValue>) {
        self.init(columns: RowColumns(names: pairs.map(\.key), sql: nil), values: pairs.map(\.value))
    }

    public var columnNames: [String] { columns.names }
    public var count: Int { values.count }

    /// The raw value of a column, or nil when the row has no such column.
    public func value(named name: String) -> DatabaseValue? {
        columns.index(of: name).map { values[$0] }
    }

    /// The column at `index` (0-based), converted to `T`.
    public subscript<T: DatabaseValueConvertible>(_ index: Int) -> T {
        get throws {
            guard values.indices.contains(index) else {
                throw DatabaseError(
                    extendedCode: SQLITE_RANGE,
                    message: "no column at index \(index); the row has \(values.count)",
                    sql: columns.sql)
            }
            return try values[index].decode(column: "\(index) (\(columns.names[index]))", sql: columns.sql)
        }
    }

    /// The column named `name` (matched as SQLite does, ignoring ASCII case), converted to `T`.
    public subscript<T: DatabaseValueConvertible>(_ name: String) -> T {
        get throws {
            let index = try columns.requireIndex(of: name, in: "row")
            return try values[index].decode(column: "'\(name)'", sql: columns.sql)
        }
    }

    public static func == (lhs: Row, rhs: Row) -> Bool {
        lhs.columns.names == rhs.columns.names && lhs.values == rhs.values
    }

    public var description: String {
        "[" + zip(columns.names, values).map { "\($0): \($1)" }.joined(separator: ", ") + "]"
    }
}

/// The column names of one statement's result, shared by all the rows it produced.
final class RowColumns: Sendable {
    let names: [String]
    /// The statement's SQL, kept for error messages.
    let sql: String?
    private let lookup: [String: Int]

    init(names: [String], sql: String?) {
        self.names = names
        self.sql = sql
        var lookup: [String: Int] = [:]
        // The first of two equal names wins (a join's `id`), as with SQLite's own name lookup.
        for (index, name) in names.enumerated() where lookup[name.lowercased()] == nil {
            lookup[name.lowercased()] = index
        }
        self.lookup = lookup
    }

    func index(of name: String) -> Int? {
        if let index = names.firstIndex(of: name) { return index }
        return lookup[name.lowercased()]
    }

    /// The index of `name`, or an `SQLITE_RANGE` error listing the columns there are (`owner`: "row" or
    /// "statement", for the message).
    func requireIndex(of name: String, in owner: String) throws -> Int {
        guard let index = index(of: name) else {
            throw DatabaseError(extendedCode: SQLITE_RANGE,
                                message: "no column named '\(name)'; the \(owner) has \(names.joined(separator: ", "))", sql: sql)
        }
        return index
    }
}

extension DatabaseValue {
    /// Converts to `T` or throws `SQLITE_MISMATCH` naming the column, the stored class and the wanted type.
    /// The column's description is built only for the error: decoding is on every page's hot path.
    func decode<T: DatabaseValueConvertible>(column: @autoclosure () -> String, sql: String?) throws -> T {
        if let value = T.fromDatabaseValue(self) { return value }
        let problem: String
        switch self {
        case .null: problem = "is NULL"
        case .integer(let integer) where T.self == Int.self: problem = "holds \(integer), out of Int's range"
        default: problem = "holds \(storageClassName)"
        }
        throw DatabaseError(
            extendedCode: SQLITE_MISMATCH,
            message: "column \(column()) \(problem), which cannot be read as \(T.self)",
            sql: sql)
    }
}
