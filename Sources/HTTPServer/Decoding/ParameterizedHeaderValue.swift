/// A header value followed by `; name=value` parameters (RFC 9110 §5.6.6), as in `Content-Type` and
/// `Content-Disposition`.
struct ParameterizedHeaderValue: Sendable {
    /// What stands before the first `;`, trimmed. Compare it case-insensitively.
    var value: String
    /// Parameters in the order sent; names as sent, values with their quotes removed.
    var parameters: [(name: String, value: String)]

    /// The value of parameter `name` (case-insensitive), if present.
    func parameter(_ name: String) -> String? {
        parameters.first { $0.name.equalsIgnoringCase(name) }?.value
    }

    /// Parses `type; a=b; c="quoted \" value"`. Returns nil for an unterminated quote, a parameter
    /// without `=`, stray bytes after a quoted value, or a repeated parameter name: each of those is
    /// ambiguous, and two readers guessing differently is how filters get bypassed.
    ///
    /// Inside quotes, only `\"` and `\\` are treated as escapes; any other backslash stays as it is,
    /// because old browsers send Windows paths (`C:\Users\a.txt`) unescaped as filenames.
    static func parse(_ text: String) -> ParameterizedHeaderValue? {
        let bytes = Array(text.utf8)
        let count = bytes.count
        var index = 0

        func skipWhitespace() {
            while index < count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
        }
        func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

        while index < count, bytes[index] != 0x3B { index += 1 }
        let value = String(Substring(string(0..<index)).trimmingWhitespace())

        var parameters: [(name: String, value: String)] = []
        while index < count {
            // At a `;` (or just after a parameter's trailing whitespace, which is also a `;`).
            index += 1
            skipWhitespace()
            if index == count { break }
            if bytes[index] == 0x3B { continue }

            let nameStart = index
            while index < count, ASCII.token[Int(bytes[index])] { index += 1 }
            let name = string(nameStart..<index)
            skipWhitespace()
            guard !name.isEmpty, index < count, bytes[index] == 0x3D else { return nil }
            index += 1
            skipWhitespace()

            var parameterValue: String
            if index < count, bytes[index] == 0x22 {
                index += 1
                var unquoted: [UInt8] = []
                var closed = false
                while index < count {
                    let byte = bytes[index]
                    if byte == 0x22 { closed = true; index += 1; break }
                    if byte == 0x5C, index + 1 < count, bytes[index + 1] == 0x22 || bytes[index + 1] == 0x5C {
                        unquoted.append(bytes[index + 1])
                        index += 2
                    } else {
                        unquoted.append(byte)
                        index += 1
                    }
                }
                guard closed else { return nil }
                parameterValue = String(decoding: unquoted, as: UTF8.self)
                skipWhitespace()
                guard index == count || bytes[index] == 0x3B else { return nil }
            } else {
                let valueStart = index
                while index < count, bytes[index] != 0x3B { index += 1 }
                parameterValue = String(Substring(string(valueStart..<index)).trimmingWhitespace())
            }
            if parameters.contains(where: { $0.name.equalsIgnoringCase(name) }) { return nil }
            parameters.append((name: name, value: parameterValue))
        }
        return ParameterizedHeaderValue(value: value, parameters: parameters)
    }
}
