/// An inclusive range of byte offsets into a representation (RFC 9110 §14.1.2).
public struct ByteRange: Equatable, Sendable {
    public var first: Int64
    public var last: Int64

    public init(first: Int64, last: Int64) {
        self.first = first
        self.last = last
    }

    public var length: Int64 { last - first + 1 }

    /// What a `Range` header asks of a representation.
    public enum Selection: Equatable, Sendable {
        /// Send the whole representation: no usable single range (another unit, several ranges, bad syntax).
        case whole
        case partial(ByteRange)
        /// `416`: a valid range that lies wholly past the end.
        case unsatisfiable
    }

    /// Interprets a `Range` header for a representation of `size` bytes. Several ranges are answered with
    /// the whole representation (allowed by RFC 9110 §14.2) rather than `multipart/byteranges`: it is simpler
    /// and denies the many-small-ranges amplification trick. Syntax errors likewise mean `.whole`.
    public static func select(_ header: String, size: Int64) -> Selection {
        guard let equals = header.firstIndex(of: "=") else { return .whole }
        guard header[..<equals].trimmingWhitespace().equalsIgnoringCase("bytes") else { return .whole }
        let specs = header[header.index(after: equals)...].split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        guard specs.count == 1, let dash = specs[0].firstIndex(of: "-") else { return .whole }
        let spec = specs[0]
        let before = spec[..<dash]
        let after = spec[spec.index(after: dash)...]

        if before.isEmpty {
            // Suffix range: the last n bytes.
            guard let suffix = digits(after) else { return .whole }
            if suffix == 0 { return .unsatisfiable }
            // An empty file has no last byte to point at; sending it whole (empty) is the honest answer.
            if size == 0 { return .whole }
            return .partial(ByteRange(first: max(0, size - suffix), last: size - 1))
        }
        guard let first = digits(before) else { return .whole }
        var last = Int64.max
        if !after.isEmpty {
            guard let value = digits(after) else { return .whole }
            last = value
        }
        if last < first { return .whole }
        if first >= size { return .unsatisfiable }
        return .partial(ByteRange(first: first, last: min(last, size - 1)))
    }

    /// `bytes first-last/size` for `Content-Range`.
    public func contentRange(size: Int64) -> String { "bytes \(first)-\(last)/\(size)" }

    /// A non-negative decimal; values too large for Int64 saturate, since any of them is past every file's end.
    static func digits(_ text: Substring) -> Int64? {
        guard !text.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in text.utf8 {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int64(byte - 0x30))
            value = (overflow1 || overflow2) ? Int64.max : sum
        }
        return value
    }
}
