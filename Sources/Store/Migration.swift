import Foundation
import PortalSecurity

/// One numbered SQL file from the migrations folder, e.g. `0002_accounts.sql`.
public struct Migration: Sendable, Equatable, CustomStringConvertible {
    /// The number the file name starts with; migrations run in this order.
    public let version: Int
    /// The part of the file name after the number, without `.sql` (`accounts`).
    public let name: String
    /// The SQL script, run as one transaction.
    public let sql: String
    /// SHA-256 of the file's bytes as hex, recorded when applied so later edits are caught.
    public let checksum: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = SHA256.hexDigest(Array(sql.utf8))
    }

    /// The file name this migration was (or would be) read from.
    public var fileName: String { Self.fileName(version: version, name: name) }

    public var description: String { fileName }

    static func fileName(version: Int, name: String) -> String {
        let number = String(version)
        return String(repeating: "0", count: max(0, 4 - number.count)) + number + "_" + name + ".sql"
    }

    /// The version and name in a file name shaped `NNNN_name.sql` (four digits; letters, digits, `_`
    /// and `-` in the name), or nil for any other name.
    static func parseFileName(_ fileName: String) -> (version: Int, name: String)? {
        guard fileName.hasSuffix(".sql") else { return nil }
        let stem = fileName.dropLast(4)
        let digits = stem.prefix(while: { $0.isASCII && $0.isNumber })
        guard digits.count == 4, let version = Int(digits) else { return nil }
        let rest = stem.dropFirst(4)
        guard rest.first == "_" else { return nil }
        let name = rest.dropFirst()
        let allowed = name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        guard !name.isEmpty, allowed else { return nil }
        return (version, String(name))
    }
}

/// A migration as recorded in `schema_migrations`.
public struct AppliedMigration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let checksum: String
    public let appliedAt: Date

    public init(version: Int, name: String, checksum: String, appliedAt: Date) {
        self.version = version
        self.name = name
        self.checksum = checksum
        self.appliedAt = appliedAt
    }

    public var fileName: String { Migration.fileName(version: version, name: name) }
}
