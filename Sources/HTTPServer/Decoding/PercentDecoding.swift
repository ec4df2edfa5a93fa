/// Percent-decoding (RFC 3986 §2.1) and its form variant, where `+` stands for a space.
public enum PercentDecoding {
    /// Decodes `%HH` escapes. Returns nil for a malformed escape or bytes that are not UTF-8, so that a
    /// caller can answer `400` rather than guess.
    public static func decode<S: StringProtocol>(_ text: S, plusAsSpace: Bool = false) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        var changed = false
        while let byte = iterator.next() {
            if byte == 0x25 {
                guard let high = iterator.next().flatMap(ASCII.hexValue), let low = iterator.next().flatMap(ASCII.hexValue) else { return nil }
                bytes.append(high << 4 | low)
                changed = true
            } else if byte == 0x2B && plusAsSpace {
                bytes.append(0x20)
                changed = true
            } else {
                bytes.append(byte)
            }
        }
        if !changed { return String(text) }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    public static func encode<S: StringProtocol>(_ text: S) -> String {
        let utf8 = text.utf8
        if utf8.allSatisfy(isUnreserved) { return String(text) }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count * 3)
        for byte in utf8 {
            if isUnreserved(byte) {
                out.append(byte)
            } else {
                out.append(0x25)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    @inline(__always) private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: true
        default: false
        }
    }
}
