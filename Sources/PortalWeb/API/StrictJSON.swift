/// A strict RFC 8259 syntax check, run before Foundation parses a request body. Foundation on Linux accepts
/// trailing commas and silently keeps the last of duplicate keys; an API that stores money must not guess what
/// a sloppy body meant. Also bounds nesting, so a hostile body of ten thousand `[` cannot exhaust the stack.
enum StrictJSON {
    static let maximumDepth = 32

    enum Problem: Error, Equatable {
        case syntax(offset: Int)
        case duplicateKey(String)
        case tooDeep
    }

    static func validate(_ bytes: [UInt8]) throws(Problem) {
        var parser = Parser(bytes: bytes)
        parser.whitespace()
        try parser.value(depth: 0)
        parser.whitespace()
        guard parser.index == bytes.count else { throw .syntax(offset: parser.index) }
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func whitespace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(Problem) {
            guard current == byte else { throw .syntax(offset: index) }
            index += 1
        }

        mutating func literal(_ text: String) throws(Problem) {
            for byte in text.utf8 { try expect(byte) }
        }

        mutating func value(depth: Int) throws(Problem) {
            guard depth < StrictJSON.maximumDepth else { throw .tooDeep }
            switch current {
            case UInt8(ascii: "{"): try object(depth: depth)
            case UInt8(ascii: "["): try array(depth: depth)
            case UInt8(ascii: "\""): _ = try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: try number()
            }
        }

        mutating func object(depth: Int) throws(Problem) {
            try expect(UInt8(ascii: "{"))
            whitespace()
            if current == UInt8(ascii: "}") { index += 1; return }
            var keys = Set<[UInt8]>()
            while true {
                whitespace()
                let key = try string()
                guard keys.insert(key).inserted else { throw .duplicateKey(String(decoding: key, as: UTF8.self)) }
                whitespace()
                try expect(UInt8(ascii: ":"))
                whitespace()
                try value(depth: depth + 1)
                whitespace()
                if current == UInt8(ascii: ",") { index += 1; continue }
                try expect(UInt8(ascii: "}"))
                return
            }
        }

        mutating func array(depth: Int) throws(Problem) {
            try expect(UInt8(ascii: "["))
            whitespace()
            if current == UInt8(ascii: "]") { index += 1; return }
            while true {
                whitespace()
                try value(depth: depth + 1)
                whitespace()
                if current == UInt8(ascii: ",") { index += 1; continue }
                try expect(UInt8(ascii: "]"))
                return
            }
        }

        /// The string's decoded bytes (for duplicate-key checks); UTF-8 validity is left to Foundation's parse.
        mutating func string() throws(Problem) -> [UInt8] {
            try expect(UInt8(ascii: "\""))
            var decoded: [UInt8] = []
            while let byte = current {
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return decoded
                case UInt8(ascii: "\\"):
                    guard let escape = current else { throw .syntax(offset: index) }
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
                    case UInt8(ascii: "b"): decoded.append(0x08)
                    case UInt8(ascii: "f"): decoded.append(0x0C)
                    case UInt8(ascii: "n"): decoded.append(0x0A)
                    case UInt8(ascii: "r"): decoded.append(0x0D)
                    case UInt8(ascii: "t"): decoded.append(0x09)
                    case UInt8(ascii: "u"):
                        var value: UInt32 = 0
                        for _ in 0..<4 {
                            guard let digit = current.flatMap(Self.hexValue) else { throw .syntax(offset: index) }
                            value = value << 4 | UInt32(digit)
                            index += 1
                        }
                        // Keys are compared by their escapes' code units: enough to catch `"a"` against `"\u0061"`.
                        decoded.append(contentsOf: String(UnicodeScalar(value).map(Character.init) ?? "\u{FFFD}").utf8)
                    default: throw .syntax(offset: index - 1)
                    }
                case 0..<0x20: throw .syntax(offset: index - 1)
                default: decoded.append(byte)
                }
            }
            throw .syntax(offset: index)
        }

        mutating func number() throws(Problem) {
            let start = index
            if current == UInt8(ascii: "-") { index += 1 }
            if current == UInt8(ascii: "0") {
                index += 1
            } else {
                guard let digit = current, (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(digit) else { throw .syntax(offset: start) }
                digits()
            }
            if current == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { throw .syntax(offset: index) }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw .syntax(offset: index) }
            }
        }

        @discardableResult
        mutating func digits() -> Int {
            let start = index
            while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
            return index - start
        }

        static func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
    }
}
