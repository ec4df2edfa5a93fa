import Testing
@testable import HTTPServer

/// Runs llhttp's request vectors (shared/vectors/llhttp) through RequestParser, whole, one byte at a time and
/// cut in two at every offset, and holds it to llhttp's strict mode:
/// - a strict `request` case llhttp parses must come out the same: request line, header fields in order,
///   framing, keep-alive, body bytes, trailers, and the number of complete messages;
/// - a case llhttp rejects, and every `request-lenient-*` case, must be rejected before any message llhttp
///   did not complete;
/// - `Deviations.table` lists, with a reason each, where this server deliberately differs, and asserts the
///   difference itself.
/// Host is not required here (many vectors omit it); RequestParserTests covers it.
@Suite struct LLHTTPVectorTests {
    // MARK: - Deliberate deviations from llhttp

    enum Expectation: Sendable {
        /// llhttp parses the request; we answer it with this status and close.
        case rejected(Int)
        /// llhttp parses the request and then pauses (error 22 “Pause on CONNECT/Upgrade”). We parse the
        /// same head and body, end the message with `head.upgrade == true`, and refuse any byte after it: the
        /// connection is no longer HTTP, so the server answers and closes.
        case upgrade
    }

    struct Deviation: Sendable {
        var file: String
        var title: String
        var expectation: Expectation
        var reason: String
        init(_ file: String, _ title: String, _ expectation: Expectation, _ reason: String) {
            self.file = file
            self.title = title
            self.expectation = expectation
            self.reason = reason
        }
    }

    enum Deviations {
        static let onlyHTTP1 = "we speak HTTP/1.0 and HTTP/1.1 only; llhttp also parses this protocol"
        static let upgrade = "CONNECT/Upgrade: llhttp pauses; we end the message with head.upgrade set and close after answering"

        /// The one list of differences. Every entry must match exactly one vector.
        static let table: [Deviation] = [
            Deviation("sample.md", "No HTTP version", .rejected(400),
                      "HTTP/0.9 request line (no version): \(onlyHTTP1)"),
            Deviation("method.md", "SOURCE request with ICE", .rejected(400), "ICE/1.0: \(onlyHTTP1)"),
            Deviation("method.md", "OPTIONS request with RTSP", .rejected(400), "RTSP/1.0: \(onlyHTTP1)"),
            Deviation("method.md", "ANNOUNCE request with RTSP", .rejected(400), "RTSP/1.0: \(onlyHTTP1)"),
            Deviation("transfer-encoding.md", "POST with `chunked` as last transfer-encoding", .rejected(501),
                      "deflate before chunked: we implement no transfer coding but chunked, so RFC 9112 §6.1 asks for 501"),
            Deviation("transfer-encoding.md", "POST with `chunked` as last transfer-encoding (multiple headers)", .rejected(501),
                      "deflate before chunked, in two fields: as above, 501"),
            Deviation("connection.md", "Multiple tokens with folding and LWS", .upgrade, upgrade),
            Deviation("connection.md", "Setting a flag and pausing", .upgrade, upgrade),
            Deviation("connection.md", "Emitting part of body and pausing", .upgrade, upgrade),
            Deviation("connection.md", "Upgrade GET request", .upgrade, upgrade),
            Deviation("connection.md", "Upgrade POST request", .upgrade, upgrade),
            Deviation("method.md", "CONNECT request", .upgrade, upgrade),
            Deviation("method.md", "CONNECT request with CAPS", .upgrade, upgrade),
            Deviation("method.md", "CONNECT with body", .upgrade, upgrade),
            Deviation("uri.md", "Underscore in hostname", .upgrade, upgrade),
        ]

        static func find(_ vector: LLHTTPCase) -> Deviation? {
            table.first { $0.file == vector.file && $0.title == vector.title }
        }
    }

    // MARK: - Classification

    enum Kind {
        /// llhttp accepts it in strict mode: we must produce exactly the same messages.
        case accept
        /// llhttp rejects it, or accepts it only with a leniency flag: we must reject it.
        case reject
        case deviation(Deviation)
    }

    static func kind(of vector: LLHTTPCase) -> Kind? {
        if let deviation = Deviations.find(vector) { return .deviation(deviation) }
        if vector.isLenient { return .reject }
        guard vector.type == "request" || vector.type == "request-finish" else { return nil }
        return vector.log.endsWithError ? .reject : .accept
    }

    static func vectors() throws -> [LLHTTPCase] { try LLHTTPVectors.all.get() }

    // MARK: - Tests

    @Test func vectorsArePresentAndEveryCaseIsClassified() throws {
        let cases = try Self.vectors()
        #expect(cases.count > 150, "only \(cases.count) llhttp request vectors read")
        for vector in cases {
            #expect(Self.kind(of: vector) != nil, "unhandled vector type: \(vector)")
        }
        // Each deviation names exactly one vector, so the table can't silently go stale.
        for deviation in Deviations.table {
            let matches = cases.filter { $0.file == deviation.file && $0.title == deviation.title }
            #expect(matches.count == 1, "deviation “\(deviation.title)” in \(deviation.file) matches \(matches.count) vectors")
        }
        let accepted = cases.filter { if case .accept = Self.kind(of: $0) { true } else { false } }.count
        let rejected = cases.filter { if case .reject = Self.kind(of: $0) { true } else { false } }.count
        print("llhttp vectors: \(cases.count) read, \(accepted) parsed as llhttp does, \(rejected) rejected, "
              + "\(Deviations.table.count) deliberate deviations")
    }

    @Test func readerFollowsTheByteRules() throws {
        func bytes(_ block: String) throws -> [UInt8] { try LLHTTPVectors.bytesFromHTTPBlock(Array(block.utf8)) }
        #expect(try bytes("GET / HTTP/1.1\n\n\n") == Array("GET / HTTP/1.1\r\n\r\n".utf8))
        #expect(try bytes("a\\\nb\n") == Array("ab".utf8))
        #expect(try bytes("a\\r\\n\\t\\f\\x41\\101\\7z\n") == [0x61, 0x0D, 0x0A, 0x09, 0x0C, 0x41, 0x41, 0x07, 0x7A])
        #expect(try bytes("\\\\e\\\"\n") == Array("\\\\e\\\"".utf8))
        // An escape at 0x80 or above arrives as UTF-8, as llhttp's runner sends it (see bytesFromHTTPBlock).
        #expect(try bytes("\\xff\n") == [0xC3, 0xBF])

        // Every span of every log was checked against the input bytes while reading; spot-check a few facts.
        let cases = try Self.vectors()
        let simple = try #require(cases.first { $0.file == "sample.md" && $0.title == "Simple request" })
        #expect(simple.log.method == Array("OPTIONS".utf8))
        #expect(simple.log.url == Array("/url".utf8))
        #expect(simple.log.version == Array("1.1".utf8))
        #expect(simple.log.headers == [LLHTTPLog.Field(name: Array("Header1".utf8), value: Array("Value1".utf8)),
                                       LLHTTPLog.Field(name: Array("Header2".utf8), value: Array("Value2".utf8))])
        #expect(simple.log.completeCount == 1 && !simple.log.endsWithError)
        let trailing = try #require(cases.first { $0.title == "Trailing headers" })
        #expect(trailing.log.body == Array("hello world".utf8))
        #expect(trailing.log.messages.first?.trailers.map(\.name) == [Array("Vary".utf8), Array("Content-Type".utf8)])
    }

    /// Strict cases llhttp parses: the same messages, event for event.
    @Test func acceptsWhatLLHTTPAccepts() throws {
        var checked = 0, heads = 0, fields = 0, bodyBytes = 0
        for vector in try Self.vectors() {
            guard case .accept = Self.kind(of: vector) else { continue }
            let ours = Self.outcome(vector)
            if vector.skipBody {
                // llhttp was told to skip the body (as for a response to HEAD); a request parser can't be, so
                // only the first head is compared and the parser must be reading its body.
                let theirs = vector.log.messages[0]
                #expect(ours.error == nil, "\(vector): \(ours)")
                if let first = ours.messages.first {
                    let differences = Self.differences(first, theirs, compareBody: false)
                    #expect(differences.isEmpty, "\(vector): \(differences)")
                } else {
                    Issue.record("\(vector): no head\(ours)")
                }
                #expect(ours.inBodyAtEnd, "\(vector)")
            } else {
                #expect(ours.error == nil, "\(vector): llhttp accepts it, we threw\(ours)")
                Self.expectSameMessages(ours, vector)
            }
            heads += ours.messages.count
            fields += ours.messages.reduce(0) { $0 + $1.headers.count + $1.trailers.count }
            bodyBytes += ours.messages.reduce(0) { $0 + $1.body.count }
            if vector.type == "request-finish" {
                // llhttp_finish() returns 0 where ending the input is safe; we tell it with isIdle.
                let finish = try #require(vector.log.finish, "\(vector): no finish= line")
                #expect(ours.idleAtEnd == (finish == 0), "\(vector): finish=\(finish) but isIdle=\(ours.idleAtEnd)")
            }
            checked += 1
        }
        print("llhttp vectors parsed exactly as llhttp does: \(checked) (\(heads) heads, \(fields) fields, \(bodyBytes) body bytes compared)")
        #expect(checked > 60)
        #expect(heads > 60 && fields > 70 && bodyBytes > 200)
    }

    /// Cases llhttp rejects (strict) or accepts only with a leniency flag: we must reject them, and never
    /// before that hand out a message llhttp did not complete.
    @Test func rejectsWhatLLHTTPRejects() throws {
        var checked = 0, lenient = 0, later: [String] = []
        for vector in try Self.vectors() {
            guard case .reject = Self.kind(of: vector) else { continue }
            let ours = Self.outcome(vector)
            // For the record: where we refuse later in the input than llhttp (still before handing anything
            // out), typically because a method or the framing is judged once the head is complete.
            if let theirs = vector.log.error, !theirs.isPause, let mine = ours.errorOffset, mine > theirs.offset + 1 {
                later.append("\(vector.title) (\(mine) vs \(theirs.offset))")
            }
            #expect(ours.error != nil, "\(vector): llhttp rejects it (\(vector.log.error.map { "\($0.code) \($0.reason)" } ?? "lenient only")), we did not\(ours)")
            Self.expectNoMoreThanLLHTTP(ours, vector)
            checked += 1
            if vector.isLenient { lenient += 1 }
        }
        print("llhttp vectors rejected: \(checked) (\(lenient) of them lenient-only); "
              + "refused later in the input than llhttp: \(later.count) \(later)")
        #expect(checked > 60)
        #expect(lenient > 20)
    }

    /// Each deliberate deviation does what its entry says.
    @Test func deviationsAreExactlyAsListed() throws {
        var checked = 0
        for vector in try Self.vectors() {
            guard case .deviation(let deviation) = Self.kind(of: vector) else { continue }
            let ours = Self.outcome(vector)
            switch deviation.expectation {
            case .rejected(let status):
                #expect(!vector.log.endsWithError && vector.log.completeCount > 0,
                        "\(vector): llhttp no longer accepts it; drop the deviation")
                #expect(ours.error?.status.code == status, "\(vector): expected \(status) (\(deviation.reason))\(ours)")
                Self.expectNoMoreThanLLHTTP(ours, vector)
                #expect(ours.completeCount < vector.log.completeCount, "\(vector)")
            case .upgrade:
                let pause = try #require(vector.log.error, "\(vector): llhttp no longer pauses; drop the deviation")
                #expect(pause.code == 22, "\(vector): \(pause)")
                Self.expectSameMessages(ours, vector)
                #expect(ours.messages.last?.upgrade == true, "\(vector): head.upgrade not set\(ours)")
                // What follows the message is another protocol's bytes: refused, not parsed as HTTP.
                let rest = vector.bytes[min(pause.offset, vector.bytes.count)...]
                let moreData = rest.contains { $0 != 0x0D && $0 != 0x0A }
                #expect((ours.error != nil) == moreData, "\(vector): bytes after the upgrade\(ours)")
            }
            checked += 1
        }
        print("llhttp vectors deliberately differing: \(checked) of \(Deviations.table.count) listed")
        #expect(checked == Deviations.table.count)
    }

    // MARK: - Running and comparing

    /// Runs a vector whole, one byte at a time and cut in two at every offset; all runs must agree.
    static func outcome(_ vector: LLHTTPCase) -> ParseOutcome {
        let limits = ParserHarness.lenientLimits
        let whole = ParserHarness.run(vector.bytes, limits: limits)
        #expect(whole.violations.isEmpty, "\(vector): \(whole.violations)")
        let bytewise = ParserHarness.runBytewise(vector.bytes, limits: limits)
        #expect(bytewise == whole, "\(vector): byte-at-a-time differs\(bytewise)\nwhole:\(whole)")
        for cut in 1..<max(1, vector.bytes.count) {
            let split = ParserHarness.run(vector.bytes, cuts: [cut], limits: limits)
            if split != whole {
                Issue.record("\(vector): cut at \(cut) differs\(split)\nwhole:\(whole)")
                break
            }
        }
        return whole
    }

    /// llhttp reports a value's trailing whitespace in its span and leaves trimming to its user (Node trims);
    /// RFC 9110 §5.5 excludes it from the field value, and so does our parser. Compare trimmed values.
    static func trimmed(_ field: LLHTTPLog.Field) -> RawField {
        var value = field.value[...]
        while let last = value.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
        return RawField(field.name, Array(value))
    }

    /// Where our message differs from llhttp's, in words; empty when they agree.
    static func differences(_ ours: ParsedMessage, _ theirs: LLHTTPLog.Message, compareBody: Bool = true) -> [String] {
        var out: [String] = []
        let method = String(decoding: theirs.method, as: UTF8.self)
        if Array(ours.method.utf8) != theirs.method { out.append("method \(ours.method) vs \(LLHTTPVectors.show(theirs.method))") }
        if Array(ours.target.utf8) != theirs.url { out.append("target \(ours.target) vs \(LLHTTPVectors.show(theirs.url))") }
        let version = "\(String(decoding: theirs.protocolName, as: UTF8.self))/\(String(decoding: theirs.version, as: UTF8.self))"
        if ours.version.description != version { out.append("version \(ours.version) vs \(version)") }
        let headers = theirs.headers.map(trimmed)
        if ours.headers != headers { out.append("headers \(ours.headers) vs \(headers)") }

        // llhttp's flags: 0x1 keep-alive, 0x2 close, 0x4 Connection: upgrade, 0x8 chunked, 0x10 Upgrade header.
        let flags = theirs.flags
        let framing: BodyFraming
        if method == "CONNECT" { framing = .none }   // llhttp reads no body after CONNECT (RFC 9110 §9.3.6)
        else if flags & 0x8 != 0 { framing = .chunked }
        else if theirs.contentLength > 0 { framing = .length(theirs.contentLength) }
        else { framing = .none }
        if ours.framing != framing { out.append("framing \(ours.framing) vs \(framing)") }
        // llhttp_should_keep_alive for a request.
        let keepAlive = ours.version == .http1_1 ? flags & 0x2 == 0 : flags & 0x1 != 0 && flags & 0x2 == 0
        if ours.keepAlive != keepAlive { out.append("keepAlive \(ours.keepAlive) vs \(keepAlive)") }
        let upgrade = (flags & 0x4 != 0 && flags & 0x10 != 0) || method == "CONNECT"
        if ours.upgrade != upgrade { out.append("upgrade \(ours.upgrade) vs \(upgrade)") }

        if compareBody {
            if ours.body != theirs.body { out.append("body \(LLHTTPVectors.show(ours.body)) vs \(LLHTTPVectors.show(theirs.body))") }
            if ours.complete != theirs.complete { out.append("complete \(ours.complete) vs \(theirs.complete)") }
            let trailers = theirs.trailers.map(trimmed)
            if ours.complete, ours.trailers != trailers { out.append("trailers \(ours.trailers) vs \(trailers)") }
        }
        return out
    }

    /// Exactly llhttp's messages: as many heads, each the same, the same bodies and completions.
    static func expectSameMessages(_ ours: ParseOutcome, _ vector: LLHTTPCase, sourceLocation: SourceLocation = #_sourceLocation) {
        let theirs = vector.log.messages.filter(\.headersComplete)
        #expect(ours.messages.count == theirs.count,
                "\(vector): \(ours.messages.count) heads, llhttp \(theirs.count)\(ours)", sourceLocation: sourceLocation)
        for (mine, other) in zip(ours.messages, theirs) {
            let differences = differences(mine, other)
            #expect(differences.isEmpty, "\(vector): \(differences)", sourceLocation: sourceLocation)
        }
        #expect(ours.completeCount == vector.log.completeCount,
                "\(vector): \(ours.completeCount) complete, llhttp \(vector.log.completeCount)", sourceLocation: sourceLocation)
    }

    /// Nothing beyond what llhttp produced before its error: every head we return is one llhttp parsed the
    /// same, every body a prefix of llhttp's, every message we complete one llhttp completed.
    static func expectNoMoreThanLLHTTP(_ ours: ParseOutcome, _ vector: LLHTTPCase, sourceLocation: SourceLocation = #_sourceLocation) {
        let theirs = vector.log.messages.filter(\.headersComplete)
        #expect(ours.messages.count <= theirs.count,
                "\(vector): we returned a head llhttp never completed\(ours)", sourceLocation: sourceLocation)
        for (mine, other) in zip(ours.messages, theirs) {
            let differences = differences(mine, other, compareBody: false)
            #expect(differences.isEmpty, "\(vector): \(differences)", sourceLocation: sourceLocation)
            #expect(other.body.starts(with: mine.body), "\(vector): body beyond llhttp's\(ours)", sourceLocation: sourceLocation)
            if mine.complete {
                #expect(other.complete && mine.body == other.body, "\(vector): completed a message llhttp did not\(ours)",
                        sourceLocation: sourceLocation)
            }
        }
        #expect(ours.completeCount <= vector.log.completeCount, "\(vector)", sourceLocation: sourceLocation)
    }
}
