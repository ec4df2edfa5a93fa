/// Path parameters captured by the router (`/partners/{id}` → `id`), already percent-decoded.
public struct Parameters: Sendable {
    public private(set) var values: [(name: String, value: String)] = []

    public init() {}

    mutating func append(_ name: String, _ value: String) { values.append((name, value)) }
    mutating func removeLast() { values.removeLast() }

    public subscript(name: String) -> String? { values.last { $0.name == name }?.value }

    /// The parameter, or a `400` if it is missing (a route/handler mismatch shows up at once in tests).
    public func require(_ name: String) throws -> String {
        guard let value = self[name] else { throw HTTPError(.badRequest, "Missing path parameter \(name)") }
        return value
    }

    /// The parameter as an integer, or a `404`: `/partners/abc` names no partner.
    public func requireInt(_ name: String) throws -> Int64 {
        guard let value = self[name], let number = Int64(value) else { throw HTTPError(.notFound, "Not found") }
        return number
    }
}
