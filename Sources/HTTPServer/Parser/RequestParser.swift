/// One step of parsing: what the bytes fed so far have produced.
public enum ParseStep: Sendable {
    /// Every byte given was consumed; feed more.
    case needMore
    /// The request line and headers are complete.
    case head(RequestHead)
    /// Body bytes: this range of the buffer just passed to `parse` (de-chunked).
    case body(Range<Int>)
    /// The message is complete (trailers, if any, are in `trailers`). The parser is ready for the next one.
    case end
}

/// An incremental HTTP/1.1 request parser: a pure state machine fed with byte buffers of any size,
/// in the manner of llhttp. It never reads ahead of what it is given, keeps no pointer into it, and
/// stops after each head and each message so a server can apply back-pressure and pipeline correctly.
///
/// It is strict where leniency has caused request smuggling: CRLF line endings only, no obs-fold, no
/// whitespace before a colon, a single non-negative decimal `Content-Length`, `Transfer-Encoding` only as a
/// single final `chunked`, never both, and exactly one `Host` on HTTP/1.1. After a request that ends the
/// connection (`close`, HTTP/1.0 without keep-alive, CONNECT, Upgrade) it refuses anything but blank lines.
public struct RequestParser: Sendable {
    enum State: Sendable, Equatable {
        case messageStart
        case leadingLF
        case method
        case target
        case version
        case requestLineLF
        case fieldStart
        case headEndLF
        case fieldName
        case valueLeadingSpace
        case value
        case valueLF
        case headComplete
        case bodyLength
        case chunkSize
        case chunkExtName
        case chunkExtValueStart
        case chunkExtToken
        case chunkExtQuoted
        case chunkExtQuotedEscape
        case chunkExtAfterQuoted
        case chunkSizeLF
        case chunkData
        case chunkDataCR
        case chunkDataLF
        case messageEnd
        case closed
        case failed
    }

    public let limits: ParserLimits
    var state: State = .messageStart
    var failure: HTTPParseError?

    // The message being read.
    var line: [UInt8] = []          // method SP target SP version, as read
    var methodEnd = 0
    var targetEnd = 0
    var lineLength = 0
    var headers = HTTPHeaders()
    var trailerHeaders = HTTPHeaders()
    var inTrailers = false
    var blockBytes = 0              // bytes of the current header or trailer block
    var nameStart = 0
    var nameEnd = 0
    var valueStart = 0
    var version = HTTPVersion.http1_1
    var contentLength: Int64?
    var transferEncodings: [Substring] = []
    var hostCount = 0
    var connectionClose = false
    var connectionKeepAlive = false
    var connectionUpgrade = false
    var hasUpgradeHeader = false
    var expectsContinue = false
    var endsConnection = false      // the message being read is the connection's last (close, CONNECT, Upgrade)
    var remaining: Int64 = 0        // body bytes left in a Content-Length body or the current chunk
    var chunkSizeDigits = 0
    var extensionLength = 0

    /// The trailer fields of the last chunked message, once `.end` has been returned.
    public var trailers: HTTPHeaders { trailerHeaders }

    public init(limits: ParserLimits = ParserLimits()) {
        self.limits = limits
        line.reserveCapacity(64)
    }

    /// Whether the parser is between messages with nothing of the next one read yet, or past the message
    /// that ended the connection: the input may end here without cutting a request short.
    public var isIdle: Bool { (state == .messageStart && lineLength == 0) || state == .closed }

    /// Whether the parser is reading a body (after `.head`, before `.end`).
    public var isInBody: Bool {
        switch state {
        case .bodyLength, .chunkSize, .chunkExtName, .chunkExtValueStart, .chunkExtToken, .chunkExtQuoted,
             .chunkExtQuotedEscape, .chunkExtAfterQuoted, .chunkSizeLF, .chunkData, .chunkDataCR, .chunkDataLF:
            return !inTrailers
        case .fieldStart, .fieldName, .valueLeadingSpace, .value, .valueLF, .headEndLF:
            return inTrailers
        default:
            return false
        }
    }

    /// Parses as far as the next event. `consumed` is how many bytes of `input` this call used; call again
    /// with the rest until the answer is `.needMore`.
    public mutating func parse(_ input: UnsafeBufferPointer<UInt8>, consumed: inout Int) throws(HTTPParseError) -> ParseStep {
        consumed = 0
        if let failure { throw failure }
        do {
            return try step(input, &consumed)
        } catch {
            state = .failed
            failure = error
            throw error
        }
    }

    /// Convenience for tests and small inputs.
    public mutating func parse(_ bytes: [UInt8], consumed: inout Int) throws(HTTPParseError) -> ParseStep {
        var result: Result<ParseStep, HTTPParseError> = .success(.needMore)
        var used = 0
        bytes.withUnsafeBufferPointer { buffer in
            do { result = .success(try parse(buffer, consumed: &used)) } catch let error as HTTPParseError { result = .failure(error) } catch {}
        }
        consumed = used
        return try result.get()
    }

    private mutating func step(_ p: UnsafeBufferPointer<UInt8>, _ i: inout Int) throws(HTTPParseError) -> ParseStep {
        let n = p.count
        while true {
            // States that produce an event without needing input come first.
            switch state {
            case .headComplete:
                let head = try finishHead()
                return .head(head)
            case .messageEnd:
                let last = endsConnection
                reset()
                if last { state = .closed }
                return .end
            case .bodyLength:
                if remaining == 0 { state = .messageEnd; continue }
                guard i < n else { return .needMore }
                let take = Int(min(Int64(n - i), remaining))
                remaining -= Int64(take)
                let range = i..<(i + take)
                i += take
                if remaining == 0 { state = .messageEnd }
                return .body(range)
            case .chunkData:
                guard i < n else { return .needMore }
                let take = Int(min(Int64(n - i), remaining))
                remaining -= Int64(take)
                let range = i..<(i + take)
                i += take
                if remaining == 0 { state = .chunkDataCR }
                return .body(range)
            case .failed:
                throw failure ?? .bad("Parser failed")
            default:
                break
            }

            guard i < n else { return .needMore }
            let byte = p[i]

            switch state {
            case .messageStart:
                // RFC 9112 §2.2: ignore empty lines before a request line.
                if byte == 0x0D { try countLine(1); state = .leadingLF; i += 1; continue }
                if byte == 0x0A { throw .bad("Bare LF before request line") }
                guard ASCII.token[Int(byte)] else { throw .bad("Invalid method character") }
                lineLength = 0
                state = .method

            case .leadingLF:
                guard byte == 0x0A else { throw .bad("Expected LF after CR") }
                i += 1
                lineLength = 0
                state = .messageStart

            case .method:
                let start = i
                while i < n, ASCII.token[Int(p[i])] { i += 1 }
                try appendLine(p, start, i)
                guard i < n else { return .needMore }
                guard p[i] == 0x20 else { throw .bad("Expected space after method") }
                if line.isEmpty { throw .bad("Empty method") }
                methodEnd = line.count
                try appendLine(p, i, i + 1)
                i += 1
                state = .target

            case .target:
                let start = i
                while i < n, ASCII.target[Int(p[i])] { i += 1 }
                try appendLine(p, start, i)
                guard i < n else { return .needMore }
                guard p[i] == 0x20 else {
                    if p[i] == 0x0D || p[i] == 0x0A { throw .bad("Missing HTTP version") }
                    throw .bad("Invalid character in request target")
                }
                if line.count == methodEnd + 1 { throw .bad("Empty request target") }
                targetEnd = line.count
                try appendLine(p, i, i + 1)
                i += 1
                state = .version

            case .version:
                // HTTP-version = "HTTP/" DIGIT "." DIGIT, checked byte by byte: a wrong protocol or an
                // unsupported version is refused the moment it shows, not after buffering up to the line limit.
                let position = line.count - targetEnd - 1
                switch position {
                case 0...4:
                    guard byte == Self.httpName[position] else { throw .bad("Expected HTTP/ and a version") }
                case 5, 7:
                    guard byte >= 0x30 && byte <= 0x39 else { throw .bad("Invalid HTTP version") }
                case 6:
                    guard byte == 0x2E else { throw .bad("Invalid HTTP version") }
                default:
                    if byte == 0x0D { try countLine(1); i += 1; state = .requestLineLF; continue }
                    if byte == 0x0A { throw .bad("Bare LF after request line") }
                    if byte == 0x20 || byte == 0x09 { throw .bad("Unexpected space after start line") }
                    throw .bad("Expected CRLF after HTTP version")
                }
                try appendLine(p, i, i + 1)
                i += 1
                if position == 7 {
                    version = HTTPVersion(major: line[targetEnd + 6] - 0x30, minor: byte - 0x30)
                    // RFC 9110 §6.2: this server implements HTTP/1.0 and HTTP/1.1 only.
                    guard version == .http1_1 || version == .http1_0 else {
                        throw HTTPParseError(.httpVersionNotSupported, "HTTP version \(version.major).\(version.minor) not supported")
                    }
                }

            case .requestLineLF:
                guard byte == 0x0A else { throw .bad("Expected LF after request line") }
                i += 1
                blockBytes = 0
                state = .fieldStart

            case .fieldStart:
                if byte == 0x0D { try countBlock(1); i += 1; state = .headEndLF; continue }
                if byte == 0x0A { throw .bad("Bare LF in header block") }
                if byte == 0x20 || byte == 0x09 { throw .bad("Obsolete line folding or whitespace before a header name") }
                guard ASCII.token[Int(byte)] else { throw .bad("Invalid header name character") }
                if currentFieldCount >= limits.maxHeaderCount {
                    throw HTTPParseError(.requestHeaderFieldsTooLarge, "Too many header fields")
                }
                nameStart = currentByteCount
                state = .fieldName

            case .fieldName:
                let start = i
                while i < n, ASCII.token[Int(p[i])] { i += 1 }
                try appendField(p, start, i)
                guard i < n else { return .needMore }
                let stop = p[i]
                if stop == 0x20 || stop == 0x09 { throw .bad("Whitespace between header name and colon") }
                guard stop == 0x3A else { throw .bad("Invalid header name character") }
                nameEnd = currentByteCount
                try countBlock(1)
                i += 1
                valueStart = nameEnd
                state = .valueLeadingSpace

            case .valueLeadingSpace:
                let start = i
                while i < n, p[i] == 0x20 || p[i] == 0x09 { i += 1 }
                try countBlock(i - start)
                guard i < n else { return .needMore }
                state = .value

            case .value:
                let start = i
                while i < n, ASCII.fieldValue[Int(p[i])] { i += 1 }
                try appendField(p, start, i)
                guard i < n else { return .needMore }
                if p[i] == 0x0A { throw .bad("Bare LF in header value") }
                guard p[i] == 0x0D else { throw .bad("Invalid character in header value") }
                try countBlock(1)
                i += 1
                state = .valueLF

            case .valueLF:
                guard byte == 0x0A else { throw .bad("Expected LF after header value") }
                try countBlock(1)
                i += 1
                try completeField()
                state = .fieldStart

            case .headEndLF:
                guard byte == 0x0A else { throw .bad("Expected LF after header block") }
                try countBlock(1)
                i += 1
                state = inTrailers ? .messageEnd : .headComplete

            case .chunkSize:
                if let digit = ASCII.hexValue(byte) {
                    if remaining > (Int64.max >> 4) { throw .bad("Chunk size overflow") }
                    remaining = remaining << 4 | Int64(digit)
                    chunkSizeDigits += 1
                    i += 1
                    continue
                }
                guard chunkSizeDigits > 0 else { throw .bad("Invalid character in chunk size") }
                if byte == 0x3B {
                    // Each chunk's extensions start afresh: a name seen on an earlier chunk doesn't count.
                    extensionLength = 0
                    extensionNameEmpty = true
                    try countExtension(1)
                    i += 1
                    state = .chunkExtName
                    continue
                }
                guard byte == 0x0D else { throw .bad("Invalid character in chunk size") }
                i += 1
                state = .chunkSizeLF

            case .chunkExtName:
                let start = i
                while i < n, ASCII.token[Int(p[i])] { i += 1 }
                try countExtension(i - start)
                // A name can arrive over several calls: remember that some of it has been seen.
                if i > start { extensionNameEmpty = false }
                guard i < n else { return .needMore }
                if extensionNameEmpty { throw .bad("Empty chunk extension name") }
                switch p[i] {
                case 0x3D: state = .chunkExtValueStart
                case 0x3B: extensionNameEmpty = true
                case 0x0D: state = .chunkSizeLF
                default: throw .bad("Invalid character in chunk extensions")
                }
                try countExtension(1)
                i += 1

            case .chunkExtValueStart:
                if byte == 0x22 { state = .chunkExtQuoted; try countExtension(1); i += 1; continue }
                guard ASCII.token[Int(byte)] else { throw .bad("Invalid character in chunk extensions") }
                state = .chunkExtToken

            case .chunkExtToken:
                let start = i
                while i < n, ASCII.token[Int(p[i])] { i += 1 }
                try countExtension(i - start)
                guard i < n else { return .needMore }
                switch p[i] {
                case 0x3B: extensionNameEmpty = true; state = .chunkExtName
                case 0x0D: state = .chunkSizeLF
                default: throw .bad("Invalid character in chunk extensions")
                }
                try countExtension(1)
                i += 1

            case .chunkExtQuoted:
                // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
                try countExtension(1)
                i += 1
                switch byte {
                case 0x22: state = .chunkExtAfterQuoted
                case 0x5C: state = .chunkExtQuotedEscape
                case 0x09, 0x20, 0x21, 0x23...0x5B, 0x5D...0x7E, 0x80...0xFF: break
                default: throw .bad("Invalid character in chunk extensions quoted value")
                }

            case .chunkExtQuotedEscape:
                guard byte == 0x09 || byte >= 0x20 && byte != 0x7F else {
                    throw .bad("Invalid character in chunk extensions quoted value")
                }
                try countExtension(1)
                i += 1
                state = .chunkExtQuoted

            case .chunkExtAfterQuoted:
                switch byte {
                case 0x3B: extensionNameEmpty = true; state = .chunkExtName
                case 0x0D: state = .chunkSizeLF
                default: throw .bad("Invalid character in chunk extensions")
                }
                try countExtension(1)
                i += 1

            case .chunkSizeLF:
                guard byte == 0x0A else { throw .bad("Expected LF after chunk size") }
                i += 1
                chunkSizeDigits = 0
                if remaining == 0 {
                    inTrailers = true
                    blockBytes = 0
                    state = .fieldStart
                } else {
                    state = .chunkData
                }

            case .chunkDataCR:
                guard byte == 0x0D else { throw .bad("Expected CRLF after chunk data") }
                i += 1
                state = .chunkDataLF

            case .chunkDataLF:
                guard byte == 0x0A else { throw .bad("Expected LF after chunk data") }
                i += 1
                state = .chunkSize

            case .closed:
                // RFC 9112 §9.6: no request after one that closes the connection may be processed, and after
                // CONNECT or an Upgrade the bytes are not HTTP at all. Blank lines are ignored as between
                // requests; anything else is refused rather than parsed as a request nobody may answer.
                guard byte == 0x0D || byte == 0x0A else { throw .bad("Data after the last request of the connection") }
                i += 1

            case .headComplete, .messageEnd, .bodyLength, .chunkData, .failed:
                break // handled above
            }
        }
    }

    var extensionNameEmpty = true

    private static let httpName: [UInt8] = Array("HTTP/".utf8)

    // MARK: - Pieces

    private var currentByteCount: Int { inTrailers ? trailerHeaders.bytes.count : headers.bytes.count }
    private var currentFieldCount: Int { inTrailers ? trailerHeaders.fields.count : headers.fields.count }

    private mutating func countLine(_ count: Int) throws(HTTPParseError) {
        lineLength += count
        if lineLength > limits.maxRequestLineLength { throw HTTPParseError(.uriTooLong, "Request line too long") }
    }

    private mutating func appendLine(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws(HTTPParseError) {
        guard end > start else { return }
        try countLine(end - start)
        line.append(contentsOf: UnsafeBufferPointer(rebasing: p[start..<end]))
    }

    private mutating func countBlock(_ count: Int) throws(HTTPParseError) {
        blockBytes += count
        if blockBytes > limits.maxHeaderBytes {
            throw HTTPParseError(.requestHeaderFieldsTooLarge, inTrailers ? "Trailer block too large" : "Header block too large")
        }
    }

    private mutating func countExtension(_ count: Int) throws(HTTPParseError) {
        extensionLength += count
        if extensionLength > limits.maxChunkExtensionLength { throw .bad("Chunk extension too long") }
    }

    private mutating func appendField(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws(HTTPParseError) {
        guard end > start else { return }
        try countBlock(end - start)
        let slice = UnsafeBufferPointer(rebasing: p[start..<end])
        if inTrailers { trailerHeaders.bytes.append(contentsOf: slice) } else { headers.bytes.append(contentsOf: slice) }
    }

    /// Records the field just read (trimming trailing whitespace) and applies the framing headers' rules.
    private mutating func completeField() throws(HTTPParseError) {
        if inTrailers {
            trailerHeaders.fields.append(Self.trimmedField(&trailerHeaders.bytes, nameStart, nameEnd, valueStart))
            return
        }
        let field = Self.trimmedField(&headers.bytes, nameStart, nameEnd, valueStart)
        headers.fields.append(field)
        try applySpecialField(field)
    }

    private static func trimmedField(_ bytes: inout [UInt8], _ nameStart: Int, _ nameEnd: Int, _ valueStart: Int) -> HTTPHeaders.Field {
        while bytes.count > valueStart, bytes[bytes.count - 1] == 0x20 || bytes[bytes.count - 1] == 0x09 { bytes.removeLast() }
        return HTTPHeaders.Field(nameStart: Int32(nameStart), nameEnd: Int32(nameEnd),
                                 valueStart: Int32(valueStart), valueEnd: Int32(bytes.count))
    }

    private mutating func applySpecialField(_ field: HTTPHeaders.Field) throws(HTTPParseError) {
        // Only a handful of lengths can be a framing header; skip the rest without comparing bytes.
        switch field.nameEnd - field.nameStart {
        case 14 where headers.nameMatches(field, "content-length"):
            guard contentLength == nil else { throw .bad("Duplicate Content-Length") }
            contentLength = try Self.parseContentLength(headers.bytes[Int(field.valueStart)..<Int(field.valueEnd)])
        case 17 where headers.nameMatches(field, "transfer-encoding"):
            let value = headers.value(of: field)
            let items = value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
            if items.contains(where: \.isEmpty) { throw .bad("Invalid Transfer-Encoding header value") }
            transferEncodings.append(contentsOf: items)
        case 4 where headers.nameMatches(field, "host"):
            hostCount += 1
        case 10 where headers.nameMatches(field, "connection"):
            for token in headers.value(of: field).split(separator: ",") {
                let option = token.trimmingWhitespace()
                if option.equalsIgnoringCase("close") { connectionClose = true }
                else if option.equalsIgnoringCase("keep-alive") { connectionKeepAlive = true }
                else if option.equalsIgnoringCase("upgrade") { connectionUpgrade = true }
            }
        case 7 where headers.nameMatches(field, "upgrade"):
            hasUpgradeHeader = true
        case 6 where headers.nameMatches(field, "expect"):
            guard headers.value(of: field).equalsIgnoringCase("100-continue") else {
                throw HTTPParseError(.expectationFailed, "Unsupported expectation")
            }
            expectsContinue = true
        default:
            break
        }
    }

    /// `Content-Length = 1*DIGIT`: no sign, no spaces, no list, no overflow.
    static func parseContentLength(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> Int64 {
        guard !bytes.isEmpty else { throw .bad("Empty Content-Length") }
        var value: Int64 = 0
        for byte in bytes {
            guard byte >= 0x30 && byte <= 0x39 else { throw .bad("Invalid character in Content-Length") }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int64(byte - 0x30))
            if overflow1 || overflow2 { throw .bad("Content-Length overflow") }
            value = sum
        }
        return value
    }

    /// Decides the framing and connection rules once the header block is complete.
    private mutating func finishHead() throws(HTTPParseError) -> RequestHead {
        let method: HTTPMethod? = line.withUnsafeBufferPointer { HTTPMethod.lookup(UnsafeBufferPointer(rebasing: $0[0..<methodEnd])) }
        guard let method else { throw HTTPParseError(.notImplemented, "Unknown method") }
        let target = String(decoding: line[(methodEnd + 1)..<targetEnd], as: UTF8.self)

        if limits.requireHost {
            if hostCount > 1 { throw .bad("Duplicate Host header") }
            if hostCount == 0 && version == .http1_1 { throw .bad("Missing Host header") }
        }

        var framing = BodyFraming.none
        if !transferEncodings.isEmpty {
            if contentLength != nil { throw .bad("Transfer-Encoding can't be present with Content-Length") }
            // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means its framing is faulty.
            if version == .http1_0 { throw .bad("Transfer-Encoding in an HTTP/1.0 request") }
            guard let last = transferEncodings.last, last.equalsIgnoringCase("chunked") else {
                throw .bad("Request has invalid Transfer-Encoding: chunked must be the final coding")
            }
            if transferEncodings.count > 1 {
                if transferEncodings.dropLast().contains(where: { $0.equalsIgnoringCase("chunked") }) {
                    throw .bad("Request has invalid Transfer-Encoding: chunked applied twice")
                }
                throw HTTPParseError(.notImplemented, "Unsupported transfer coding")
            }
            framing = .chunked
        } else if let contentLength, contentLength > 0 {
            framing = .length(contentLength)
        }
        // RFC 9110 §9.3.6: a CONNECT request has no content; what follows its head is the tunnel (as llhttp).
        if method == .connect { framing = .none }

        let keepAlive = version == .http1_1 ? !connectionClose : (connectionKeepAlive && !connectionClose)
        let head = RequestHead(method: method, target: target, version: version, headers: headers, framing: framing,
                               keepAlive: keepAlive, expectsContinue: expectsContinue && version == .http1_1,
                               upgrade: (connectionUpgrade && hasUpgradeHeader) || method == .connect)
        endsConnection = !head.keepAlive || head.upgrade
        switch framing {
        case .none: state = .messageEnd
        case .length(let length): remaining = length; state = .bodyLength
        case .chunked: remaining = 0; chunkSizeDigits = 0; state = .chunkSize
        }
        headers = HTTPHeaders()
        trailerHeaders = HTTPHeaders()
        return head
    }

    /// Gets ready for the next message on the same connection, keeping buffer capacity.
    private mutating func reset() {
        state = .messageStart
        line.removeAll(keepingCapacity: true)
        methodEnd = 0
        targetEnd = 0
        lineLength = 0
        inTrailers = false
        blockBytes = 0
        version = .http1_1
        contentLength = nil
        transferEncodings.removeAll()
        hostCount = 0
        connectionClose = false
        connectionKeepAlive = false
        connectionUpgrade = false
        hasUpgradeHeader = false
        expectsContinue = false
        endsConnection = false
        remaining = 0
        chunkSizeDigits = 0
        extensionLength = 0
        extensionNameEmpty = true
    }
}
