import Testing
@testable import HTTPServer

/// Our own cases for every framing and syntax rule of RequestParser, each with the exact status it answers.
/// Every input is parsed whole and one byte at a time, and the two runs must agree.
@Suite struct RequestParserTests {
    // MARK: - Helpers

    /// Parses `bytes` whole and byte by byte; the outcomes must be equal and the API contract kept.
    static func parse(_ bytes: [UInt8], limits: ParserLimits = ParserLimits(),
                      sourceLocation: SourceLocation = #_sourceLocation) -> ParseOutcome {
        let whole = ParserHarness.run(bytes, limits: limits)
        let bytewise = ParserHarness.runBytewise(bytes, limits: limits)
        #expect(whole.violations.isEmpty, "\(whole.violations)", sourceLocation: sourceLocation)
        #expect(bytewise == whole, "byte-at-a-time:\(bytewise)\nwhole:\(whole)", sourceLocation: sourceLocation)
        return whole
    }

    static func parse(_ text: String, limits: ParserLimits = ParserLimits(),
                      sourceLocation: SourceLocation = #_sourceLocation) -> ParseOutcome {
        parse(Array(text.utf8), limits: limits, sourceLocation: sourceLocation)
    }

    /// The request must be refused with `status`, before any head is handed out.
    static func expectRejected(_ status: Int, _ bytes: [UInt8], limits: ParserLimits = ParserLimits(),
                               sourceLocation: SourceLocation = #_sourceLocation) {
        let outcome = parse(bytes, limits: limits, sourceLocation: sourceLocation)
        #expect(outcome.error?.status.code == status,
                "expected \(status) for \(LLHTTPVectors.show(Array(bytes.prefix(200))))\(outcome)", sourceLocation: sourceLocation)
        #expect(outcome.messages.isEmpty, "a head was handed out before the rejection\(outcome)", sourceLocation: sourceLocation)
    }

    static func expectRejected(_ status: Int, _ text: String, limits: ParserLimits = ParserLimits(),
                               sourceLocation: SourceLocation = #_sourceLocation) {
        expectRejected(status, Array(text.utf8), limits: limits, sourceLocation: sourceLocation)
    }

    /// The request must parse as exactly one complete message, which is returned.
    static func single(_ text: String, limits: ParserLimits = ParserLimits(),
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> ParsedMessage {
        try single(Array(text.utf8), limits: limits, sourceLocation: sourceLocation)
    }

    static func single(_ bytes: [UInt8], limits: ParserLimits = ParserLimits(),
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> ParsedMessage {
        let outcome = parse(bytes, limits: limits, sourceLocation: sourceLocation)
        #expect(outcome.error == nil, "\(outcome)", sourceLocation: sourceLocation)
        #expect(outcome.messages.count == 1 && outcome.completeCount == 1, "\(outcome)", sourceLocation: sourceLocation)
        return try #require(outcome.messages.first, sourceLocation: sourceLocation)
    }

    static func post(_ headers: String, body: String = "", version: String = "HTTP/1.1") -> String {
        "POST /submit \(version)\r\nHost: example.com\r\n\(headers)\r\n\(body)"
    }

    // MARK: - Content-Length and Transfer-Encoding

    @Test func contentLengthAndTransferEncodingTogetherIs400() {
        Self.expectRejected(400, Self.post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", body: "5\r\nhello\r\n0\r\n\r\n"))
        Self.expectRejected(400, Self.post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", body: "hello"))
        Self.expectRejected(400, Self.post("Content-Length: 0\r\nTransfer-Encoding: chunked\r\n"))
    }

    @Test func duplicateContentLengthIs400EvenWithTheSameValue() {
        Self.expectRejected(400, Self.post("Content-Length: 1\r\nContent-Length: 2\r\n", body: "ab"))
        Self.expectRejected(400, Self.post("Content-Length: 1\r\nContent-Length: 1\r\n", body: "a"))
        Self.expectRejected(400, Self.post("Content-Length: 1\r\ncontent-length: 1\r\n", body: "a"))
    }

    @Test func listValuedContentLengthIs400() {
        Self.expectRejected(400, Self.post("Content-Length: 1, 1\r\n", body: "a"))
        Self.expectRejected(400, Self.post("Content-Length: 1,1\r\n", body: "a"))
        Self.expectRejected(400, Self.post("Content-Length: 1 1\r\n", body: "a"))
    }

    @Test func signedOrNonDigitContentLengthIs400() {
        for value in ["+1", "-1", "abc", "1a", "0x10", "1.0", "1e3", "١"] {
            Self.expectRejected(400, Self.post("Content-Length: \(value)\r\n", body: "a"))
        }
    }

    @Test func overflowingContentLengthIs400() {
        Self.expectRejected(400, Self.post("Content-Length: 9223372036854775808\r\n"))
        Self.expectRejected(400, Self.post("Content-Length: 1000000000000000000000\r\n"))
        // The largest representable length is accepted; the body is then simply awaited.
        let outcome = Self.parse(Self.post("Content-Length: 9223372036854775807\r\n"))
        #expect(outcome.error == nil && outcome.messages.first?.framing == .length(Int64.max) && outcome.inBodyAtEnd)
    }

    @Test func emptyContentLengthIs400() {
        Self.expectRejected(400, Self.post("Content-Length:\r\n"))
        Self.expectRejected(400, Self.post("Content-Length:   \r\n"))
    }

    @Test func contentLengthFraming() throws {
        let message = try Self.single(Self.post("Content-Length: 005\r\n", body: "hello"))
        #expect(message.framing == .length(5) && message.body == Array("hello".utf8))
        let empty = try Self.single(Self.post("Content-Length: 0\r\n"))
        #expect(empty.framing == .none && empty.body.isEmpty)
        let none = try Self.single("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(none.framing == .none)
    }

    @Test func unsupportedTransferCodingBeforeChunkedIs501() {
        Self.expectRejected(501, Self.post("Transfer-Encoding: gzip, chunked\r\n", body: "0\r\n\r\n"))
        Self.expectRejected(501, Self.post("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", body: "0\r\n\r\n"))
    }

    @Test func chunkedNotLastIs400() {
        Self.expectRejected(400, Self.post("Transfer-Encoding: chunked, gzip\r\n", body: "0\r\n\r\n"))
        Self.expectRejected(400, Self.post("Transfer-Encoding: gzip\r\n", body: "hello"))
        Self.expectRejected(400, Self.post("Transfer-Encoding: identity\r\n", body: "hello"))
        Self.expectRejected(400, Self.post("Transfer-Encoding: chunkedchunked\r\n", body: "0\r\n\r\n"))
    }

    @Test func chunkedTwiceIs400() {
        Self.expectRejected(400, Self.post("Transfer-Encoding: chunked, chunked\r\n", body: "0\r\n\r\n"))
        Self.expectRejected(400, Self.post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", body: "0\r\n\r\n"))
    }

    @Test func emptyTransferCodingIs400() {
        Self.expectRejected(400, Self.post("Transfer-Encoding:\r\n", body: "0\r\n\r\n"))
        Self.expectRejected(400, Self.post("Transfer-Encoding: chunked,\r\n", body: "0\r\n\r\n"))
        Self.expectRejected(400, Self.post("Transfer-Encoding: , chunked\r\n", body: "0\r\n\r\n"))
    }

    @Test func transferEncodingInHTTP10Is400() {
        Self.expectRejected(400, Self.post("Transfer-Encoding: chunked\r\n", body: "0\r\n\r\n", version: "HTTP/1.0"))
    }

    @Test func chunkedIsCaseInsensitiveAndTrimmed() throws {
        let message = try Self.single(Self.post("Transfer-Encoding:  Chunked \r\n", body: "3\r\nabc\r\n0\r\n\r\n"))
        #expect(message.framing == .chunked && message.body == Array("abc".utf8))
    }

    // MARK: - Header syntax

    @Test func whitespaceBeforeColonIs400() {
        Self.expectRejected(400, "GET / HTTP/1.1\r\nHost : a\r\n\r\n")
        Self.expectRejected(400, "GET / HTTP/1.1\r\nHost: a\r\nX-A\t: b\r\n\r\n")
    }

    @Test func obsFoldIs400() {
        Self.expectRejected(400, "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n")
        Self.expectRejected(400, "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tc\r\n\r\n")
        // Whitespace before the first field name is the same thing.
        Self.expectRejected(400, "GET / HTTP/1.1\r\n Host: a\r\n\r\n")
    }

    @Test func controlBytesInNamesOrValuesAre400() {
        for bad in ["\r", "\n", "\0"] {
            Self.expectRejected(400, "GET / HTTP/1.1\r\nHost: a\r\nX-\(bad)A: b\r\n\r\n")
            Self.expectRejected(400, "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\(bad)c\r\n\r\n")
            Self.expectRejected(400, "GET / HTTP/1.1\r\nHost: a\r\nX-A: \(bad)\r\n\r\n")
        }
        for byte: UInt8 in [0x01, 0x0B, 0x0C, 0x1F, 0x7F] {
            Self.expectRejected(400, Array("GET / HTTP/1.1\r\nHost: a\r\nX-A: b".utf8) + [byte] + Array("c\r\n\r\n".utf8))
        }
    }

    @Test func invalidTokenCharactersInNameAre400() {
        for name in ["Fo@", "X(y)", "X/y", "X\"y", "X[y]", "X{y}", "X,y", "X;y", "X=y", "X?y", "X\\y", "Xé", ":", ""] {
            Self.expectRejected(400, "GET / HTTP/1.1\r\nHost: a\r\n\(name): b\r\n\r\n")
        }
        Self.expectRejected(400, Array("GET / HTTP/1.1\r\nHost: a\r\nX".utf8) + [0x80] + Array(": b\r\n\r\n".utf8))
        // Every tchar is fine.
        let message = try? Self.single("GET / HTTP/1.1\r\nHost: a\r\n!#$%&'*+-.^_`|~09AZaz: b\r\n\r\n")
        #expect(message?.headers.last == RawField("!#$%&'*+-.^_`|~09AZaz", "b"))
    }

    @Test func valueWhitespaceIsTrimmed() throws {
        let message = try Self.single("GET / HTTP/1.1\r\nHost: a\r\nX-A:  \t b  c \t \r\nX-B:\r\nX-C: \t \r\nX-D:d\r\n\r\n")
        #expect(message.headers == [RawField("Host", "a"), RawField("X-A", "b  c"), RawField("X-B", ""),
                                    RawField("X-C", ""), RawField("X-D", "d")])
    }

    @Test func obsTextInValuesIsAllowed() throws {
        let bytes = Array("GET / HTTP/1.1\r\nHost: a\r\nX-A: ".utf8) + [0xFF, 0x80, 0x41] + Array("\r\nX-B: Düsseldorf\r\n\r\n".utf8)
        let message = try Self.single(bytes)
        #expect(message.headers == [RawField("Host", "a"), RawField(Array("X-A".utf8), [0xFF, 0x80, 0x41]),
                                    RawField("X-B", "Düsseldorf")])
    }

    @Test func headersKeepTheirOrderAndCase() throws {
        let message = try Self.single("GET / HTTP/1.1\r\nHost: a\r\naccept: x\r\nACCEPT: y\r\nCookie: c=1\r\n\r\n")
        #expect(message.headers == [RawField("Host", "a"), RawField("accept", "x"), RawField("ACCEPT", "y"), RawField("Cookie", "c=1")])
    }

    // MARK: - Host

    @Test func missingHostOnHTTP11Is400() {
        Self.expectRejected(400, "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n")
    }

    @Test func duplicateHostIs400() {
        Self.expectRejected(400, "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n")
        Self.expectRejected(400, "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n")
        Self.expectRejected(400, "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n")
    }

    @Test func http10WithoutHostIsFine() throws {
        let message = try Self.single("GET / HTTP/1.0\r\n\r\n")
        #expect(message.version == .http1_0 && message.headers.isEmpty)
    }

    @Test func hostCanBeLeftOptional() throws {
        var limits = ParserLimits()
        limits.requireHost = false
        _ = try Self.single("GET / HTTP/1.1\r\n\r\n", limits: limits)
    }

    // MARK: - Line endings

    @Test func bareLFAnywhereIs400() {
        let cases = [
            "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",                                    // before the request line
            "GET / HTTP/1.1\nHost: a\r\n\r\n",                                         // after the request line
            "GET / HTTP/1.1\r\nHost: a\n\r\n",                                         // after a field
            "GET / HTTP/1.1\r\nHost: a\r\n\n",                                         // ending the head
            "GET / HTTP/1.1\r\nHost: a\r\n\r\n\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",    // between requests
            Self.post("Transfer-Encoding: chunked\r\n", body: "5\nhello\r\n0\r\n\r\n"),        // after a chunk size
            Self.post("Transfer-Encoding: chunked\r\n", body: "5;a=b\nhello\r\n0\r\n\r\n"),    // after an extension
            Self.post("Transfer-Encoding: chunked\r\n", body: "5\r\nhello\n0\r\n\r\n"),        // after chunk data
            Self.post("Transfer-Encoding: chunked\r\n", body: "0\n\r\n"),                      // after the last chunk
            Self.post("Transfer-Encoding: chunked\r\n", body: "0\r\nX: y\n\r\n"),              // after a trailer
            Self.post("Transfer-Encoding: chunked\r\n", body: "0\r\n\n"),                      // ending the trailers
        ]
        for text in cases {
            let outcome = Self.parse(text)
            #expect(outcome.error?.status.code == 400, "\(LLHTTPVectors.show(Array(text.utf8)))\(outcome)")
            #expect(outcome.completeCount == (text.hasPrefix("GET / HTTP/1.1\r\nHost: a\r\n\r\n\n") ? 1 : 0))
        }
        // A CR not followed by LF is refused the same way.
        Self.expectRejected(400, "GET / HTTP/1.1\rHost: a\r\n\r\n")
        Self.expectRejected(400, "GET / HTTP/1.1\r\nHost: a\r\r\n\r\n")
        Self.expectRejected(400, "GET / HTTP/1.1\r\nHost: a\r\n\rX")
    }

    @Test func leadingEmptyLinesAreIgnored() throws {
        let one = try Self.single("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(one.method == "GET")
        let several = try Self.single("\r\n\r\n\r\nHEAD /x HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(several.method == "HEAD" && several.target == "/x")
    }

    // MARK: - Chunked bodies

    @Test func badChunkSizesAre400() {
        for size in ["g", "5g", "", " 5", "5 ", "5\t", "-5", "+5", "0x5", "10000000000000000", "8000000000000000", "5 ;a"] {
            let outcome = Self.parse(Self.post("Transfer-Encoding: chunked\r\n", body: "\(size)\r\nhello\r\n0\r\n\r\n"))
            #expect(outcome.error?.status.code == 400, "chunk size “\(size)”\(outcome)")
            #expect(outcome.completeCount == 0)
        }
        // The largest chunk size that fits is read, and its data awaited.
        let big = Self.parse(Self.post("Transfer-Encoding: chunked\r\n", body: "7fffffffffffffff\r\nabc"))
        #expect(big.error == nil && big.messages.first?.body == Array("abc".utf8) && big.inBodyAtEnd)
    }

    @Test func missingCRLFAfterChunkDataIs400() {
        Self.expectRejectedAfterHead(Self.post("Transfer-Encoding: chunked\r\n", body: "5\r\nhelloX\r\n0\r\n\r\n"))
        Self.expectRejectedAfterHead(Self.post("Transfer-Encoding: chunked\r\n", body: "5\r\nhello\rX0\r\n\r\n"))
    }

    static func expectRejectedAfterHead(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let outcome = parse(text, sourceLocation: sourceLocation)
        #expect(outcome.error?.status.code == 400, "\(outcome)", sourceLocation: sourceLocation)
        #expect(outcome.completeCount == 0, "\(outcome)", sourceLocation: sourceLocation)
    }

    @Test func chunkExtensionsWithTokenAndQuotedValues() throws {
        let body = "5;name\r\nhello\r\n"
            + "6;a=b;c=\"d; e\\\"f\\\\\";g\r\n world\r\n"
            + "1;q=\"\"\r\n!\r\n"
            + "0;last=1\r\n\r\n"
        let message = try Self.single(Self.post("Transfer-Encoding: chunked\r\n", body: body))
        #expect(message.body == Array("hello world!".utf8))
    }

    @Test func malformedChunkExtensionsAre400() {
        for extensions in [";", ";;a", ";=b", ";a=", ";a=;", ";a b", ";a=b c", ";a=\"b", ";a=\"b\"c", ";a=\"b\rc\"", ";a=\"\u{7F}\"", ";a=@"] {
            Self.expectRejectedAfterHead(Self.post("Transfer-Encoding: chunked\r\n", body: "5\(extensions)\r\nhello\r\n0\r\n\r\n"))
        }
        // An extension name on one chunk does not excuse an empty one on the next.
        Self.expectRejectedAfterHead(Self.post("Transfer-Encoding: chunked\r\n", body: "1;a\r\nx\r\n1;\r\ny\r\n0\r\n\r\n"))
    }

    @Test func chunkExtensionTooLongIs400() throws {
        var limits = ParserLimits()
        limits.maxChunkExtensionLength = 64
        let fits = ";" + String(repeating: "a", count: 40) + "=" + String(repeating: "b", count: 20)
        let message = try Self.single(Self.post("Transfer-Encoding: chunked\r\n", body: "1\(fits)\r\nx\r\n0\r\n\r\n"), limits: limits)
        #expect(message.body == [0x78])
        let tooLong = ";" + String(repeating: "a", count: 40) + "=\"" + String(repeating: "b", count: 40) + "\""
        let outcome = Self.parse(Self.post("Transfer-Encoding: chunked\r\n", body: "1\(tooLong)\r\nx\r\n0\r\n\r\n"), limits: limits)
        #expect(outcome.error?.status.code == 400 && outcome.completeCount == 0, "\(outcome)")
        // With the default limit too.
        Self.expectRejectedAfterHead(Self.post("Transfer-Encoding: chunked\r\n",
                                               body: "1;" + String(repeating: "a", count: 2000) + "\r\nx\r\n0\r\n\r\n"))
    }

    @Test func trailersAreKeptApart() throws {
        let text = Self.post("Transfer-Encoding: chunked\r\n", body: "5\r\nhello\r\n0\r\nX-Checksum: abc \r\nX-Other:\tdef\r\n\r\n")
        let message = try Self.single(text)
        #expect(message.body == Array("hello".utf8))
        #expect(message.trailers == [RawField("X-Checksum", "abc"), RawField("X-Other", "def")])
        #expect(!message.headers.contains { $0.name == Array("X-Checksum".utf8) })

        // Directly from the parser: `trailers` after `.end`.
        var parser = RequestParser()
        var events: [String] = []
        var input = Array(text.utf8)[...]
        while !input.isEmpty {
            var consumed = 0
            let step = try parser.parse(Array(input), consumed: &consumed)
            input = input.dropFirst(consumed)
            switch step {
            case .head: events.append("head")
            case .body: events.append("body")
            case .end: events.append("end")
            case .needMore: events.append("needMore")
            }
            if case .end = step { break }
        }
        #expect(events == ["head", "body", "end"])
        #expect(parser.trailers.first("x-checksum") == "abc" && parser.trailers.count == 2)
    }

    @Test func invalidTrailersAre400() {
        Self.expectRejectedAfterHead(Self.post("Transfer-Encoding: chunked\r\n", body: "0\r\nX : y\r\n\r\n"))
        Self.expectRejectedAfterHead(Self.post("Transfer-Encoding: chunked\r\n", body: "0\r\nX: y\r\n z\r\n\r\n"))
        Self.expectRejectedAfterHead(Self.post("Transfer-Encoding: chunked\r\n", body: "0\r\nX@: y\r\n\r\n"))
    }

    // MARK: - Limits

    @Test func requestLineOverTheLimitIs414() throws {
        Self.expectRejected(414, "GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: a\r\n\r\n")
        Self.expectRejected(414, String(repeating: "G", count: 9000) + " / HTTP/1.1\r\nHost: a\r\n\r\n")
        var limits = ParserLimits()
        limits.maxRequestLineLength = 40
        _ = try Self.single("GET /" + String(repeating: "a", count: 20) + " HTTP/1.1\r\nHost: a\r\n\r\n", limits: limits)
        Self.expectRejected(414, "GET /" + String(repeating: "a", count: 40) + " HTTP/1.1\r\nHost: a\r\n\r\n", limits: limits)
    }

    @Test func headerBlockOverTheLimitIs431() throws {
        Self.expectRejected(431, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "v", count: 17 * 1024) + "\r\n\r\n")
        let many = (0..<200).map { "X-\($0): \(String(repeating: "v", count: 100))\r\n" }.joined()
        Self.expectRejected(431, "GET / HTTP/1.1\r\nHost: a\r\n" + many + "\r\n")
        var limits = ParserLimits()
        limits.maxHeaderBytes = 64
        _ = try Self.single("GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "v", count: 30) + "\r\n\r\n", limits: limits)
        Self.expectRejected(431, "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "v", count: 60) + "\r\n\r\n", limits: limits)
    }

    @Test func moreThan100FieldsIs431() throws {
        func request(_ count: Int) -> String {
            "GET / HTTP/1.1\r\nHost: a\r\n" + (1..<count).map { "X-\($0): v\r\n" }.joined() + "\r\n"
        }
        let hundred = try Self.single(request(100))
        #expect(hundred.headers.count == 100)
        Self.expectRejected(431, request(101))
    }

    @Test func trailersOverTheLimitAre431() {
        let big = "0\r\nX-Big: " + String(repeating: "v", count: 17 * 1024) + "\r\n\r\n"
        var outcome = Self.parse(Self.post("Transfer-Encoding: chunked\r\n", body: big))
        #expect(outcome.error?.status.code == 431 && outcome.completeCount == 0, "\(outcome)")
        let many = "0\r\n" + (0..<101).map { "X-\($0): v\r\n" }.joined() + "\r\n"
        outcome = Self.parse(Self.post("Transfer-Encoding: chunked\r\n", body: many))
        #expect(outcome.error?.status.code == 431 && outcome.completeCount == 0, "\(outcome)")
        // The trailer block has its own budget: a large header block does not eat into it.
        let headers = (0..<97).map { "X-\($0): v\r\n" }.joined()
        let fine = Self.parse(Self.post(headers + "Transfer-Encoding: chunked\r\n", body: "0\r\n" + (0..<50).map { "T-\($0): v\r\n" }.joined() + "\r\n"))
        #expect(fine.error == nil && fine.completeCount == 1 && fine.messages.first?.trailers.count == 50, "\(fine)")
    }

    // MARK: - Request line

    @Test func unsupportedVersionsAre505() {
        for version in ["HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/3.0", "HTTP/9.9"] {
            Self.expectRejected(505, "GET / \(version)\r\nHost: a\r\n\r\n")
        }
        // The HTTP/2 connection preface is refused at its version.
        Self.expectRejected(505, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
    }

    @Test func malformedVersionsAre400() {
        for version in ["http/1.1", "HTTP/1", "HTTP/1.10", "HTTP/11.1", "HTTP/1.1 ", "HTTP/1.1\t", "HTTP/1,1", "HTTPS/1.1", "RTSP/1.0",
                        "ICE/1.0", "HTTP/a.b", ""] {
            Self.expectRejected(400, "GET / \(version)\r\nHost: a\r\n\r\n")
        }
        // No version at all (HTTP/0.9).
        Self.expectRejected(400, "GET /\r\n\r\n")
        // A version is refused as soon as it is wrong, without waiting for the line to end.
        let early = Self.parse("GET / HTTP/5.6")
        #expect(early.error?.status.code == 505)
        let wrongProtocol = Self.parse("GET / RTSP")
        #expect(wrongProtocol.error?.status.code == 400)
    }

    @Test func malformedRequestLinesAre400() {
        for line in ["GET  / HTTP/1.1", "GET / HTTP/1.1 extra", " GET / HTTP/1.1", "GET\t/ HTTP/1.1", "GET /a b HTTP/1.1",
                     "GE(T / HTTP/1.1", "GET /\u{7F} HTTP/1.1", "GET /é HTTP/1.1"] {
            Self.expectRejected(400, "\(line)\r\nHost: a\r\n\r\n")
        }
        Self.expectRejected(400, Array("GET /".utf8) + [0x00] + Array(" HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
    }

    @Test func unknownMethodIs501() {
        Self.expectRejected(501, "FOO / HTTP/1.1\r\nHost: a\r\n\r\n")
        Self.expectRejected(501, "get / HTTP/1.1\r\nHost: a\r\n\r\n")
        Self.expectRejected(501, "MKCOLA / HTTP/1.1\r\nHost: a\r\n\r\n")
    }

    @Test func knownMethodsAndTargetForms() throws {
        for method in ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "M-SEARCH", "PROPFIND", "QUERY"] {
            let message = try Self.single("\(method) /x?y=1 HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(message.method == method && message.target == "/x?y=1")
        }
        #expect(try Self.single("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").target == "*")
        #expect(try Self.single("GET http://a.example:8080/p?q#f HTTP/1.1\r\nHost: a\r\n\r\n").target == "http://a.example:8080/p?q#f")
    }

    @Test func headRequest() throws {
        let message = try Self.single("HEAD /index.html HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(message.method == "HEAD" && message.framing == .none && message.keepAlive)
    }

    // MARK: - Expect

    @Test func expectOtherThan100ContinueIs417() {
        Self.expectRejected(417, Self.post("Expect: 200-ok\r\nContent-Length: 1\r\n", body: "a"))
        Self.expectRejected(417, Self.post("Expect: 100-continue, foo\r\nContent-Length: 1\r\n", body: "a"))
    }

    @Test func expect100Continue() throws {
        let message = try Self.single(Self.post("Expect: 100-Continue\r\nContent-Length: 1\r\n", body: "a"))
        #expect(message.expectsContinue)
        // RFC 9110 §10.1.1: ignored in an HTTP/1.0 request.
        let old = try Self.single(Self.post("Expect: 100-continue\r\nContent-Length: 1\r\n", body: "a", version: "HTTP/1.0"))
        #expect(!old.expectsContinue)
    }

    // MARK: - Connection

    @Test func keepAliveDefaultsAndConnectionTokens() throws {
        func keepAlive(_ version: String, _ headers: String) throws -> Bool {
            try Self.single("GET / \(version)\r\nHost: a\r\n\(headers)\r\n").keepAlive
        }
        #expect(try keepAlive("HTTP/1.1", ""))
        #expect(try !keepAlive("HTTP/1.1", "Connection: close\r\n"))
        #expect(try !keepAlive("HTTP/1.1", "Connection: CLOSE\r\n"))
        #expect(try !keepAlive("HTTP/1.1", "Connection: foo, close\r\n"))
        #expect(try !keepAlive("HTTP/1.1", "Connection: foo\r\nConnection: close\r\n"))
        #expect(try keepAlive("HTTP/1.1", "Connection: keep-alive\r\n"))
        #expect(try keepAlive("HTTP/1.1", "Connection: closed\r\n"))
        #expect(try !keepAlive("HTTP/1.0", ""))
        #expect(try keepAlive("HTTP/1.0", "Connection: Keep-Alive\r\n"))
        #expect(try keepAlive("HTTP/1.0", "Connection: foo,keep-alive\r\n"))
        #expect(try !keepAlive("HTTP/1.0", "Connection: keep-alive, close\r\n"))
    }

    @Test func upgradeNeedsBothHeadersAndConnectIsAlwaysOne() throws {
        let upgrade = try Self.single("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n")
        #expect(upgrade.upgrade)
        #expect(try !Self.single("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n").upgrade)
        #expect(try !Self.single("GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\n\r\n").upgrade)
        // CONNECT has no content (RFC 9110 §9.3.6), whatever it says: what follows is the tunnel.
        let connect = Self.parse("CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\nContent-Length: 4\r\n\r\nabcd")
        #expect(connect.messages.count == 1 && connect.messages[0].upgrade && connect.messages[0].framing == .none)
        #expect(connect.completeCount == 1 && connect.messages[0].body.isEmpty)
        #expect(connect.error?.status.code == 400, "tunnel bytes must not be parsed as HTTP\(connect)")
    }

    @Test func nothingIsParsedAfterARequestThatEndsTheConnection() throws {
        let next = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"
        for first in ["GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "GET / HTTP/1.0\r\n\r\n",
                      "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n"] {
            let outcome = Self.parse(first + next)
            #expect(outcome.completeCount == 1 && outcome.messages.count == 1, "\(outcome)")
            #expect(outcome.error?.status.code == 400, "\(outcome)")
            // Blank lines after it are harmless, and the input may end there.
            let blank = Self.parse(first + "\r\n\r\n")
            #expect(blank.error == nil && blank.completeCount == 1 && blank.idleAtEnd, "\(blank)")
        }
        // A keep-alive HTTP/1.0 connection goes on.
        let kept = Self.parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" + next)
        #expect(kept.error == nil && kept.completeCount == 2)
    }

    // MARK: - Pipelining and state

    @Test func pipelinedRequestsPauseAfterEachEnd() throws {
        let first = "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
        let second = "GET /b HTTP/1.1\r\nHost: a\r\n\r\n"
        let bytes = Array((first + second).utf8)
        var parser = RequestParser()
        var offset = 0
        var consumed = 0

        guard case .head(let head1) = try parser.parse(Array(bytes[offset...]), consumed: &consumed) else {
            Issue.record("expected the first head"); return
        }
        offset += consumed
        #expect(head1.method == .post && head1.target == "/a")
        guard case .body(let range) = try parser.parse(Array(bytes[offset...]), consumed: &consumed) else {
            Issue.record("expected the body"); return
        }
        #expect(Array(Array(bytes[offset...])[range]) == Array("abc".utf8))
        offset += consumed
        guard case .end = try parser.parse(Array(bytes[offset...]), consumed: &consumed) else {
            Issue.record("expected the end of the first request"); return
        }
        offset += consumed
        // Paused exactly at the end of the first request: not one byte of the second is consumed.
        #expect(offset == first.utf8.count)
        #expect(parser.isIdle)
        guard case .head(let head2) = try parser.parse(Array(bytes[offset...]), consumed: &consumed) else {
            Issue.record("expected the second head"); return
        }
        offset += consumed
        #expect(head2.method == .get && head2.target == "/b")
        guard case .end = try parser.parse(Array(bytes[offset...]), consumed: &consumed) else {
            Issue.record("expected the end of the second request"); return
        }
        offset += consumed
        #expect(offset == bytes.count)
        guard case .needMore = try parser.parse([UInt8](), consumed: &consumed) else {
            Issue.record("expected needMore once everything is read"); return
        }

        let outcome = Self.parse(first + "\r\n" + second + first)
        #expect(outcome.error == nil && outcome.completeCount == 3 && outcome.idleAtEnd)
        #expect(outcome.messages.map(\.target) == ["/a", "/b", "/a"])
    }

    @Test func idleAndInBodyTellWhetherEOFIsSafe() throws {
        var parser = RequestParser()
        #expect(parser.isIdle && !parser.isInBody)
        var consumed = 0
        _ = try parser.parse(Array("\r\n".utf8), consumed: &consumed)
        #expect(parser.isIdle)
        _ = try parser.parse(Array("PUT / HTTP/1.1\r\nHost: a\r\nContent-Len".utf8), consumed: &consumed)
        #expect(!parser.isIdle && !parser.isInBody)
        let step = try parser.parse(Array("gth: 3\r\n\r\nab".utf8), consumed: &consumed)
        guard case .head = step else { Issue.record("expected head, got \(step)"); return }
        #expect(!parser.isIdle && parser.isInBody)

        let chunked = Self.parse(Self.post("Transfer-Encoding: chunked\r\n", body: "5\r\nhel"))
        #expect(chunked.inBodyAtEnd && !chunked.idleAtEnd)
        let inTrailers = Self.parse(Self.post("Transfer-Encoding: chunked\r\n", body: "0\r\nX: y\r\n"))
        #expect(inTrailers.inBodyAtEnd && !inTrailers.idleAtEnd)
        let done = Self.parse(Self.post("Transfer-Encoding: chunked\r\n", body: "0\r\n\r\n"))
        #expect(done.idleAtEnd && !done.inBodyAtEnd && done.completeCount == 1)
    }

    @Test func errorsAreSticky() {
        var parser = RequestParser()
        var consumed = 0
        var first: HTTPParseError?
        do { _ = try parser.parse(Array("GET / HTTP/1.1\r\nHost : a\r\n".utf8), consumed: &consumed) } catch { first = error }
        #expect(first?.status.code == 400)
        do {
            _ = try parser.parse(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8), consumed: &consumed)
            Issue.record("a failed parser parsed again")
        } catch {
            #expect(error == first && consumed == 0)
        }
    }

    // MARK: - Any split gives the same result

    static let splitSamples: [String] = [
        "GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nX-Spaces:  a b \t\r\n\r\n",
        "\r\nPOST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\nConnection: keep-alive\r\n\r\nhello world"
            + "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
        "PUT /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;ext;name=value;q=\"a \\\"b\\\" c\"\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
        "GET / HTTP/1.0\r\nConnection: close\r\n\r\n\r\nGET / HTTP/1.1\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b;;c\r\nhello\r\n0\r\n\r\n",
    ]

    @Test(arguments: splitSamples)
    func everySplitGivesTheSameResult(_ text: String) {
        let bytes = Array(text.utf8)
        let whole = ParserHarness.run(bytes)
        #expect(whole.violations.isEmpty)
        #expect(ParserHarness.runBytewise(bytes) == whole)
        var runs = 0
        for cut in 0...bytes.count {
            let outcome = ParserHarness.run(bytes, cuts: [cut])
            #expect(outcome == whole, "cut at \(cut)\(outcome)\nwhole:\(whole)")
            runs += 1
        }
        // Three pieces, every pair of cut points.
        for first in 1..<bytes.count {
            for second in (first + 1)..<max(first + 1, bytes.count) {
                let outcome = ParserHarness.run(bytes, cuts: [first, second])
                if outcome != whole {
                    Issue.record("cuts at \(first), \(second)\(outcome)\nwhole:\(whole)")
                    return
                }
                runs += 1
            }
        }
        #expect(runs > bytes.count)
    }

    @Test func splitSamplesCoverSuccessAndFailure() {
        let outcomes = Self.splitSamples.map { ParserHarness.run(Array($0.utf8)) }
        #expect(outcomes[0].completeCount == 1 && outcomes[0].messages[0].headers.last == RawField("X-Spaces", "a b"))
        #expect(outcomes[1].completeCount == 2 && outcomes[1].messages[0].body == Array("hello world".utf8))
        #expect(outcomes[2].completeCount == 1 && outcomes[2].messages[0].trailers == [RawField("X-Trailer", "t")])
        #expect(outcomes[3].completeCount == 1 && outcomes[3].error?.status.code == 400)
        #expect(outcomes[4].error?.status.code == 400 && outcomes[4].messages.isEmpty)
        #expect(outcomes[5].error?.status.code == 400 && outcomes[5].completeCount == 0)
    }
}
