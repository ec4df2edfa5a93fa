/// An ordered list of header fields kept as raw bytes with an index of where each name and value lies.
///
/// The parser appends straight into `bytes`, so a request's headers cost one buffer and one index array;
/// Strings are made only when a handler asks for a value. Names compare case-insensitively (ASCII).
public struct HTTPHeaders: Sendable, Sequence, CustomStringConvertible {
    struct Field: Sendable {
        var nameStart: Int32
        var nameEnd: Int32
        var valueStart: Int32
        var valueEnd: Int32
    }

    var bytes: [UInt8] = []
    var fields: [Field] = []

    public init() {}

    public init(_ pairs: [(String, String)]) {
        for (name, value) in pairs { append(name, value) }
    }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    /// Appends a field. The caller is responsible for valid names and values; response headers set by
    /// handlers pass through `sanitized` on the way out so a stray CR or LF can never split a response.
    public mutating func append(_ name: String, _ value: String) {
        let nameStart = Int32(bytes.count)
        bytes.append(contentsOf: name.utf8)
        let nameEnd = Int32(bytes.count)
        bytes.append(contentsOf: value.utf8)
        fields.append(Field(nameStart: nameStart, nameEnd: nameEnd, valueStart: nameEnd, valueEnd: Int32(bytes.count)))
    }

    /// Replaces every field of this name with one field holding `value` (or removes them for nil).
    public mutating func set(_ name: String, _ value: String?) {
        remove(name)
        if let value { append(name, value) }
    }

    public mutating func remove(_ name: String) {
        let matching = fields.indices.filter { nameMatches(fields[$0], name) }
        for index in matching.reversed() { fields.remove(at: index) }
    }

    public subscript(name: String) -> String? {
        get { first(name) }
        set { set(name, newValue) }
    }

    public func first(_ name: String) -> String? {
        for field in fields where nameMatches(field, name) { return value(of: field) }
        return nil
    }

    public func values(_ name: String) -> [String] {
        fields.filter { nameMatches($0, name) }.map { value(of: $0) }
    }

    public func contains(_ name: String) -> Bool {
        fields.contains { nameMatches($0, name) }
    }

    /// All values of a list-valued header (RFC 9110 §5.6.1), split on commas and trimmed, empty items dropped.
    public func listValues(_ name: String) -> [Substring] {
        values(name).flatMap { $0.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty } }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.map { (name: string(Int($0.nameStart), Int($0.nameEnd)), value: value(of: $0)) }.makeIterator()
    }

    public var description: String {
        map { "\($0.name): \($0.value)" }.joined(separator: "\n")
    }

    func value(of field: Field) -> String { string(Int(field.valueStart), Int(field.valueEnd)) }

    func string(_ start: Int, _ end: Int) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self) }
    }

    func nameMatches(_ field: Field, _ name: String) -> Bool {
        let length = Int(field.nameEnd - field.nameStart)
        guard length == name.utf8.count else { return false }
        return bytes.withUnsafeBufferPointer { buffer in
            var index = Int(field.nameStart)
            for expected in name.utf8 {
                if ASCII.lower(buffer[index]) != ASCII.lower(expected) { return false }
                index += 1
            }
            return true
        }
    }

    /// Writes `Name: value\r\n` for each field, dropping CR, LF and NUL so that no handler-supplied value can
    /// inject a header or split the response.
    func serialize(into out: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            for field in fields {
                Self.appendSanitized(UnsafeBufferPointer(rebasing: buffer[Int(field.nameStart)..<Int(field.nameEnd)]), to: &out)
                out.append(0x3A); out.append(0x20)
                Self.appendSanitized(UnsafeBufferPointer(rebasing: buffer[Int(field.valueStart)..<Int(field.valueEnd)]), to: &out)
                out.append(0x0D); out.append(0x0A)
            }
        }
    }

    private static func appendSanitized(_ part: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        if !part.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) {
            out.append(contentsOf: part)
        } else {
            for byte in part where byte != 0x0D && byte != 0x0A && byte != 0 { out.append(byte) }
        }
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}

extension StringProtocol {
    /// ASCII case-insensitive equality, for header values such as `chunked` or `close`.
    func equalsIgnoringCase(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        return zip(utf8, other.utf8).allSatisfy { ASCII.lower($0) == ASCII.lower($1) }
    }
}

/// Byte classes of RFC 9110 and 9112, as lookup tables for the parser's hot loops.
enum ASCII {
    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }

    /// tchar: "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    static let token: [Bool] = (0..<256).map { value in
        let byte = UInt8(value)
        if (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) { return true }
        return "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }

    /// field-vchar, SP and HTAB: what may stand inside a header value (obs-text allowed, CTLs not).
    static let fieldValue: [Bool] = (0..<256).map { value in
        value == 0x09 || value == 0x20 || (value >= 0x21 && value != 0x7F)
    }

    /// What may stand in a request-target: visible ASCII only (no CTL, space or obs-text).
    static let target: [Bool] = (0..<256).map { value in value > 0x20 && value < 0x7F }

    static func isHexDigit(_ byte: UInt8) -> Bool { hexValue(byte) != nil }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
