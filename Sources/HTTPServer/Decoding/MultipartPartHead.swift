/// The header block of one `multipart/form-data` part and what RFC 7578 §4.2 makes of it.
public struct MultipartPartHead: Sendable {
    /// Every header line of the part, in order.
    public var headers: HTTPHeaders
    /// The `name` parameter of `Content-Disposition: form-data`: the form field this part belongs to.
    public var name: String
    /// The `filename` parameter exactly as the client sent it (unsafe as a path); nil for a text field.
    public var filename: String?
    /// The part's `Content-Type`, if it had one.
    public var contentType: String?

    public var isFile: Bool { filename != nil }

    /// Parses a header block: CRLF-terminated `Name: value` lines, the blank line excluded.
    /// Throws `400` for a malformed line, a folded line, or a missing or invalid `Content-Disposition`.
    static func parse(_ block: ArraySlice<UInt8>) throws -> MultipartPartHead {
        var headers = HTTPHeaders()
        var lineStart = block.startIndex
        var index = block.startIndex
        while index < block.endIndex {
            guard block[index] == 0x0A else { index += 1; continue }
            // The parser only hands over blocks whose every LF follows a CR.
            let line = block[lineStart..<(index - 1)]
            index += 1
            lineStart = index
            if line.isEmpty { continue }
            // Obsolete line folding (RFC 9112 §5.2) is refused, as for request headers.
            if line.first == 0x20 || line.first == 0x09 { throw malformed("a folded part header line") }
            guard let colon = line.firstIndex(of: 0x3A) else { throw malformed("a part header line without a colon") }
            let name = line[line.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy({ ASCII.token[Int($0)] }) else {
                throw malformed("an invalid part header name")
            }
            var value = line[(colon + 1)...]
            while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
            while let last = value.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
            guard value.allSatisfy({ ASCII.fieldValue[Int($0)] }) else { throw malformed("a control character in a part header") }
            headers.append(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
        }

        let dispositions = headers.values("content-disposition")
        guard dispositions.count == 1 else {
            throw malformed(dispositions.isEmpty ? "a part without Content-Disposition" : "a part with two Content-Disposition headers")
        }
        guard let disposition = ParameterizedHeaderValue.parse(dispositions[0]) else {
            throw malformed("a malformed Content-Disposition")
        }
        guard disposition.value.equalsIgnoringCase("form-data") else {
            throw malformed("a part whose Content-Disposition is not form-data")
        }
        guard let name = disposition.parameter("name"), !name.isEmpty else {
            throw malformed("a part without a field name")
        }
        return MultipartPartHead(headers: headers, name: name, filename: disposition.parameter("filename"),
                                 contentType: headers.first("content-type"))
    }

    static func malformed(_ what: String) -> HTTPError {
        HTTPError(.badRequest, "Malformed multipart body: \(what)")
    }
}
