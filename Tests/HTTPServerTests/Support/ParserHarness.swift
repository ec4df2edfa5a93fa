@testable import HTTPServer

/// A header or trailer field as raw bytes, so obs-text and odd bytes compare exactly.
struct RawField: Equatable, Sendable, CustomStringConvertible {
    var name: [UInt8]
    var value: [UInt8]
    init(_ name: [UInt8], _ value: [UInt8]) { self.name = name; self.value = value }
    init(_ name: String, _ value: String) { self.init(Array(name.utf8), Array(value.utf8)) }
    var description: String { "\(LLHTTPVectors.show(name)): \(LLHTTPVectors.show(value))" }

    static func fields(of headers: HTTPHeaders) -> [RawField] {
        headers.fields.map { field in
            RawField(Array(headers.bytes[Int(field.nameStart)..<Int(field.nameEnd)]),
                     Array(headers.bytes[Int(field.valueStart)..<Int(field.valueEnd)]))
        }
    }
}

/// One request as the parser reported it: its head, its body bytes, and whether `.end` came.
struct ParsedMessage: Equatable, Sendable, CustomStringConvertible {
    var method: String
    var target: String
    var version: HTTPVersion
    var headers: [RawField]
    var framing: BodyFraming
    var keepAlive: Bool
    var expectsContinue: Bool
    var upgrade: Bool
    var body: [UInt8] = []
    var trailers: [RawField] = []
    var complete = false

    init(_ head: RequestHead) {
        method = head.method.rawValue
        target = head.target
        version = head.version
        headers = RawField.fields(of: head.headers)
        framing = head.framing
        keepAlive = head.keepAlive
        expectsContinue = head.expectsContinue
        upgrade = head.upgrade
    }

    var description: String {
        "\(method) \(target) \(version) headers=\(headers) framing=\(framing) keepAlive=\(keepAlive) upgrade=\(upgrade) "
            + "body=\(LLHTTPVectors.show(body)) trailers=\(trailers) complete=\(complete)"
    }
}

/// Everything a run of the parser over some input produced. Two runs over the same bytes split differently
/// must give equal outcomes.
struct ParseOutcome: Equatable, Sendable, CustomStringConvertible {
    var messages: [ParsedMessage] = []
    var error: HTTPParseError?
    /// Whether the parser was between messages when the input ran out (safe to see EOF there).
    var idleAtEnd = false
    /// Whether the parser was inside a body when the input ran out.
    var inBodyAtEnd = false
    /// Breaches of the parser's API contract seen by the harness; always empty for a correct parser.
    var violations: [String] = []

    /// Input offset of the byte the parser stopped at when it threw. Not part of equality: a limit can be
    /// noticed at the end of a run of bytes read in one go rather than at the first byte past it.
    var errorOffset: Int?

    var completeCount: Int { messages.filter(\.complete).count }

    static func == (a: ParseOutcome, b: ParseOutcome) -> Bool {
        a.messages == b.messages && a.error == b.error && a.idleAtEnd == b.idleAtEnd && a.inBodyAtEnd == b.inBodyAtEnd
            && a.violations == b.violations
    }

    var description: String {
        var lines = messages.enumerated().map { "  [\($0.offset)] \($0.element)" }
        if let error { lines.append("  error: \(error) at offset \(errorOffset.map(String.init) ?? "?")") }
        lines.append("  idleAtEnd=\(idleAtEnd) inBodyAtEnd=\(inBodyAtEnd)")
        if !violations.isEmpty { lines.append("  VIOLATIONS: \(violations)") }
        return "\n" + lines.joined(separator: "\n")
    }
}

enum ParserHarness {
    static let lenientLimits: ParserLimits = {
        var limits = ParserLimits()
        limits.requireHost = false
        return limits
    }()

    /// Feeds `bytes` in one piece.
    static func run(_ bytes: [UInt8], limits: ParserLimits = ParserLimits()) -> ParseOutcome {
        run(chunks: [bytes], limits: limits)
    }

    static func run(_ text: String, limits: ParserLimits = ParserLimits()) -> ParseOutcome {
        run(Array(text.utf8), limits: limits)
    }

    /// Feeds `bytes` one byte per call.
    static func runBytewise(_ bytes: [UInt8], limits: ParserLimits = ParserLimits()) -> ParseOutcome {
        run(chunks: bytes.map { [$0] }, limits: limits)
    }

    /// Feeds `bytes` cut at the given offsets (ascending).
    static func run(_ bytes: [UInt8], cuts: [Int], limits: ParserLimits = ParserLimits()) -> ParseOutcome {
        var chunks: [[UInt8]] = []
        var start = 0
        for cut in cuts + [bytes.count] {
            chunks.append(Array(bytes[start..<cut]))
            start = cut
        }
        return run(chunks: chunks, limits: limits)
    }

    /// Feeds each chunk as its own buffer, the way reads from a socket arrive, and records every event.
    /// Also checks the API contract: `.needMore` means the whole buffer was used, a body range lies in the
    /// part just consumed, and a parser that threw keeps throwing the same error.
    static func run(chunks: [[UInt8]], limits: ParserLimits) -> ParseOutcome {
        var parser = RequestParser(limits: limits)
        var outcome = ParseOutcome()
        var base = 0
        var steps = 0
        let stepBudget = chunks.reduce(0) { $0 + $1.count } * 4 + 64

        feeding: for chunk in chunks {
            var offset = 0
            while true {
                steps += 1
                if steps > stepBudget {
                    outcome.violations.append("no progress: more than \(stepBudget) steps")
                    break feeding
                }
                var consumed = 0
                var step: ParseStep = .needMore
                var failure: HTTPParseError?
                chunk.withUnsafeBufferPointer { whole in
                    let rest = UnsafeBufferPointer(rebasing: whole[offset...])
                    do throws(HTTPParseError) {
                        step = try parser.parse(rest, consumed: &consumed)
                    } catch {
                        failure = error
                    }
                }
                if let failure {
                    outcome.error = failure
                    outcome.errorOffset = base + offset + consumed
                    var again = 0
                    do throws(HTTPParseError) {
                        _ = try parser.parse([0x0D, 0x0A], consumed: &again)
                        outcome.violations.append("parser accepted input after throwing")
                    } catch {
                        if error != failure { outcome.violations.append("parser threw \(error) after \(failure)") }
                    }
                    break feeding
                }
                if consumed < 0 || offset + consumed > chunk.count {
                    outcome.violations.append("consumed \(consumed) of \(chunk.count - offset) bytes")
                    break feeding
                }
                switch step {
                case .needMore:
                    if offset + consumed != chunk.count {
                        outcome.violations.append("needMore with \(chunk.count - offset - consumed) bytes unconsumed")
                    }
                    base += chunk.count
                    continue feeding
                case .head(let head):
                    if let last = outcome.messages.last, !last.complete {
                        outcome.violations.append("head before the previous message ended")
                    }
                    outcome.messages.append(ParsedMessage(head))
                case .body(let range):
                    if outcome.messages.isEmpty || outcome.messages[outcome.messages.count - 1].complete {
                        outcome.violations.append("body outside a message")
                        break feeding
                    }
                    if range.lowerBound < 0 || range.upperBound > consumed || range.isEmpty {
                        outcome.violations.append("body range \(range) outside the \(consumed) bytes consumed")
                        break feeding
                    }
                    outcome.messages[outcome.messages.count - 1].body += chunk[(offset + range.lowerBound)..<(offset + range.upperBound)]
                case .end:
                    if outcome.messages.isEmpty || outcome.messages[outcome.messages.count - 1].complete {
                        outcome.violations.append("end without a head")
                        break feeding
                    }
                    outcome.messages[outcome.messages.count - 1].complete = true
                    outcome.messages[outcome.messages.count - 1].trailers = RawField.fields(of: parser.trailers)
                }
                offset += consumed
            }
        }
        outcome.idleAtEnd = parser.isIdle
        outcome.inBodyAtEnd = parser.isInBody
        return outcome
    }
}
