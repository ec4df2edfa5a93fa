/// Values for a statement's parameters: positional (`?`, `?NNN`) or named (`:name`, `@name`, `$name`).
///
/// Written as literals at the call site:
/// `db.execute("INSERT INTO users (email, admin) VALUES (?, ?)", [email, false])` or
/// `db.query("SELECT * FROM users WHERE email = :email", ["email": email])`.
public struct StatementArguments: Sendable, Equatable, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    /// Values for `?1`, `?2`, … in order.
    public var positional: [DatabaseValue]
    /// Values by parameter name, without the `:`/`@`/`$` prefix.
    public var named: [String: DatabaseValue]

    public init(_ positional: [(any DatabaseValueConvertible)?]) {
        self.positional = positional.map { $0?.databaseValue ?? .null }
        self.named = [:]
    }

    public init(named: [String: (any DatabaseValueConvertible)?]) {
        self.positional = []
        self.named = named.mapValues { $0?.databaseValue ?? .null }
    }

    public init(arrayLiteral elements: (any DatabaseValueConvertible)?...) {
        self.init(elements)
    }

    public init(dictionaryLiteral elements: (String, (any DatabaseValueConvertible)?)...) {
        self.positional = []
        self.named = [:]
        for (name, value) in elements {
            let previous = named.updateValue(value?.databaseValue ?? .null, forKey: name)
            precondition(previous == nil, "argument :\(name) given twice")
        }
    }

    public var isEmpty: Bool { positional.isEmpty && named.isEmpty }
}
