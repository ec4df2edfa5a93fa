/// Name–value pairs from a query string or an `application/x-www-form-urlencoded` body, in order.
/// Repeated names keep every value (`values(for:)`); `[name]` gives the first.
public struct FormParameters: Sendable, Sequence {
    public private(set) var pairs: [(name: String, value: String)] = []
    /// Pairs whose escapes did not decode; a strict caller answers `400` when this is non-zero.
    public private(set) var malformedCount = 0

    public init(_ encoded: String) {
        for piece in encoded.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentDecoding.decode(parts[0], plusAsSpace: true),
                  let value = PercentDecoding.decode(parts.count > 1 ? parts[1] : "", plusAsSpace: true) else {
                malformedCount += 1
                continue
            }
            if name.isEmpty { continue }
            pairs.append((name, value))
        }
    }

    /// Decodes a form body; `nil` when it is not UTF-8.
    public init?(body: [UInt8]) {
        guard let text = String(validating: body, as: UTF8.self) else { return nil }
        self.init(text)
    }

    public init(pairs: [(String, String)]) {
        self.pairs = pairs.map { (name: $0.0, value: $0.1) }
    }

    public subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    public func values(for name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    public var isEmpty: Bool { pairs.isEmpty }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { pairs.makeIterator() }

    /// Encodes pairs back into `a=1&b=two+words` form.
    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(PercentDecoding.encode($0.0))=\(PercentDecoding.encode($0.1))" }.joined(separator: "&")
    }
}
