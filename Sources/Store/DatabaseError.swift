import CSQLite

/// A failure reported by SQLite (or by the store on SQLite's behalf), with the extended result code,
/// SQLite's message and the SQL that failed.
///
/// Bound values are deliberately not part of the error: they may be passwords, tokens or personal data,
/// and errors end up in logs.
public struct DatabaseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// SQLite's extended result code, e.g. 2067 for `SQLITE_CONSTRAINT_UNIQUE`.
    public let extendedCode: Int32
    /// SQLite's message (`sqlite3_errmsg`) or the store's own explanation.
    public let message: String
    /// The statement that failed, when there was one.
    public let sql: String?

    public init(extendedCode: Int32, message: String, sql: String? = nil) {
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
    }

    /// The primary result code (the low byte of the extended one), e.g. 19 for every `SQLITE_CONSTRAINT_*`.
    public var primaryCode: Int32 { extendedCode & 0xFF }

    /// True for every kind of constraint failure (unique, foreign key, not null, check, primary key).
    public var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }

    public var description: String {
        var text = "SQLite error \(extendedCode)"
        if let name = Self.codeName(extendedCode) { text += " (\(name))" }
        text += ": \(message)"
        if let sql { text += " — in `\(sql)`" }
        return text
    }

    // Codes the application branches on, so callers need not import CSQLite.
    public static let busy: Int32 = 5
    public static let constraintCheck: Int32 = 275
    public static let constraintForeignKey: Int32 = 787
    public static let constraintNotNull: Int32 = 1299
    public static let constraintPrimaryKey: Int32 = 1555
    public static let constraintUnique: Int32 = 2067

    /// The C name of a result code, for messages; nil for codes rare enough not to be listed.
    static func codeName(_ code: Int32) -> String? {
        switch code {
        case 1: "SQLITE_ERROR"
        case 2: "SQLITE_INTERNAL"
        case 3: "SQLITE_PERM"
        case 4: "SQLITE_ABORT"
        case 5: "SQLITE_BUSY"
        case 6: "SQLITE_LOCKED"
        case 7: "SQLITE_NOMEM"
        case 8: "SQLITE_READONLY"
        case 9: "SQLITE_INTERRUPT"
        case 10: "SQLITE_IOERR"
        case 11: "SQLITE_CORRUPT"
        case 13: "SQLITE_FULL"
        case 14: "SQLITE_CANTOPEN"
        case 17: "SQLITE_SCHEMA"
        case 18: "SQLITE_TOOBIG"
        case 19: "SQLITE_CONSTRAINT"
        case 20: "SQLITE_MISMATCH"
        case 21: "SQLITE_MISUSE"
        case 25: "SQLITE_RANGE"
        case 26: "SQLITE_NOTADB"
        case 261: "SQLITE_BUSY_RECOVERY"
        case 262: "SQLITE_LOCKED_SHAREDCACHE"
        case 264: "SQLITE_READONLY_RECOVERY"
        case 275: "SQLITE_CONSTRAINT_CHECK"
        case 517: "SQLITE_BUSY_SNAPSHOT"
        case 787: "SQLITE_CONSTRAINT_FOREIGNKEY"
        case 1032: "SQLITE_READONLY_DBMOVED"
        case 1043: "SQLITE_CONSTRAINT_FUNCTION"
        case 1299: "SQLITE_CONSTRAINT_NOTNULL"
        case 1555: "SQLITE_CONSTRAINT_PRIMARYKEY"
        case 1811: "SQLITE_CONSTRAINT_TRIGGER"
        case 2067: "SQLITE_CONSTRAINT_UNIQUE"
        case 2323: "SQLITE_CONSTRAINT_VTAB"
        case 2579: "SQLITE_CONSTRAINT_ROWID"
        case 3091: "SQLITE_CONSTRAINT_DATATYPE"
        default: nil
        }
    }

    /// The error for a failed call on `connection`, read from the connection itself.
    static func from(connection: OpaquePointer?, code: Int32, sql: String? = nil) -> DatabaseError {
        // sqlite3_extended_errcode can be stale when the failing call was not the last one on the
        // connection, so prefer the code the call returned when it is already extended.
        var extended = code
        if let connection, code & ~0xFF == 0 {
            let reported = sqlite3_extended_errcode(connection)
            if reported & 0xFF == code { extended = reported }
        }
        let message: String
        if let connection, let text = sqlite3_errmsg(connection) {
            message = String(cString: text)
        } else {
            message = String(cString: sqlite3_errstr(code))
        }
        return DatabaseError(extendedCode: extended, message: message, sql: sql)
    }
}
