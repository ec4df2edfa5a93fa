import Foundation

/// One request case of llhttp's test suite: the bytes it sends and what llhttp's log says it made of them.
struct LLHTTPCase: Sendable, CustomStringConvertible {
    var file: String
    var title: String
    /// Line of the case's heading in its file, to tell apart the few titles a file uses twice.
    var line: Int
    /// The `type` of the case's meta: `request`, `request-finish`, `request-lenient-…`.
    var type: String
    var noScan: Bool
    var pause: String?
    var skipBody: Bool
    var bytes: [UInt8]
    var log: LLHTTPLog

    var description: String { "\(file):\(line) “\(title)” [\(type)]" }
    var isLenient: Bool { type.hasPrefix("request-lenient-") }
}

/// What a case's `log` block reports, reduced to what a server sees.
struct LLHTTPLog: Sendable {
    struct Field: Sendable, Equatable, CustomStringConvertible {
        var name: [UInt8]
        var value: [UInt8]
        var description: String { "\(LLHTTPVectors.show(name)): \(LLHTTPVectors.show(value))" }
    }

    /// One `message begin` and what followed it.
    struct Message: Sendable {
        var method: [UInt8] = []
        var url: [UInt8] = []
        var protocolName: [UInt8] = []
        var version: [UInt8] = []
        var headers: [Field] = []
        /// Fields after `headers complete`: the trailer section of a chunked body.
        var trailers: [Field] = []
        var body: [UInt8] = []
        var headersComplete = false
        /// `flags=` of `headers complete` (hex in the log).
        var flags = 0
        /// `content_length=` of `headers complete`.
        var contentLength: Int64 = 0
        var complete = false
    }

    struct Failure: Sendable {
        var offset: Int
        var code: Int
        var reason: String
        /// Codes 22 and 23 are llhttp pausing for CONNECT/Upgrade and the HTTP/2 preface, not parse errors.
        var isPause: Bool { code == 22 || code == 23 }
    }

    var messages: [Message] = []
    /// Number of `message complete` lines.
    var completeCount = 0
    /// The `error code=` line, when the log ends with one.
    var error: Failure?
    /// `finish=N` of `request-finish` cases: 0 means llhttp_finish() found the input safe to end there.
    var finish: Int?

    var endsWithError: Bool { error != nil }
    /// The first message's request line, as the brief of a single-request vector reads.
    var method: [UInt8] { messages.first?.method ?? [] }
    var url: [UInt8] { messages.first?.url ?? [] }
    var version: [UInt8] { messages.first?.version ?? [] }
    var headers: [Field] { messages.flatMap(\.headers) }
    var body: [UInt8] { messages.flatMap(\.body) }
}

struct LLHTTPVectorError: Error, CustomStringConvertible {
    var description: String
}

/// Reads llhttp's request vectors (`test/request/*.md` of nodejs/llhttp) from `shared/vectors/llhttp`.
enum LLHTTPVectors {
    /// `$LLHTTP_VECTORS`, or `../shared/vectors/llhttp` from the package root (found from this file's path,
    /// so it works wherever the repository is cloned as long as `shared/` sits beside it).
    static var directory: URL {
        if let path = ProcessInfo.processInfo.environment["LLHTTP_VECTORS"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()   // Support
            .deletingLastPathComponent()   // HTTPServerTests
            .deletingLastPathComponent()   // Tests
            .deletingLastPathComponent()   // package root
        return packageRoot.appendingPathComponent("../shared/vectors/llhttp", isDirectory: true).standardizedFileURL
    }

    /// Every case of every `.md` file, read once per test run.
    static let all: Result<[LLHTTPCase], LLHTTPVectorError> = Result { () throws(LLHTTPVectorError) in try load() }

    static func load(from directory: URL = directory) throws(LLHTTPVectorError) -> [LLHTTPCase] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw LLHTTPVectorError(description: """
                llhttp test vectors are missing: no folder at \(directory.path). They live in shared/vectors/llhttp \
                beside the repository (or set LLHTTP_VECTORS to their folder).
                """)
        }
        let files = names.filter { $0.hasSuffix(".md") && $0 != "README.md" }.sorted()
        if files.isEmpty {
            throw LLHTTPVectorError(description: "llhttp test vectors are missing: no .md files in \(directory.path)")
        }
        var cases: [LLHTTPCase] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(file).path) else {
                throw LLHTTPVectorError(description: "Cannot read \(file) in \(directory.path)")
            }
            cases += try parseFile(name: file, bytes: [UInt8](data))
        }
        return cases
    }

    // MARK: - Markdown

    /// Splits a file into cases: a heading, a `<!-- meta=… -->` comment, an ```` ```http ```` block and a
    /// ```` ```log ```` block. Headings without an `http` block only group cases.
    static func parseFile(name: String, bytes: [UInt8]) throws(LLHTTPVectorError) -> [LLHTTPCase] {
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
        var cases: [LLHTTPCase] = []
        var title = ""
        var titleLine = 0
        var meta: [String: Any]?
        var http: [UInt8]?
        var index = 0

        func fail(_ message: String) -> LLHTTPVectorError {
            LLHTTPVectorError(description: "\(name):\(index + 1): \(message)")
        }

        while index < lines.count {
            let line = lines[index]
            let text = String(decoding: line, as: UTF8.self)
            if text.hasPrefix("```") {
                let kind = text.dropFirst(3).trimmingCharacters(in: .whitespaces)
                // A fenced block's content runs to the closing fence; each of its lines ends with a newline.
                var content: [UInt8] = []
                index += 1
                while index < lines.count, !lines[index].starts(with: Array("```".utf8)) {
                    content += lines[index] + [0x0A]
                    index += 1
                }
                guard index < lines.count else { throw fail("unterminated ``` block") }
                switch kind {
                case "http":
                    guard http == nil else { throw fail("two http blocks under “\(title)”") }
                    http = content
                case "log":
                    guard let input = http else { throw fail("log block without an http block under “\(title)”") }
                    guard let meta, let type = meta["type"] as? String else { throw fail("case “\(title)” has no meta type") }
                    let caseBytes = try bytesFromHTTPBlock(input)
                    let log: LLHTTPLog
                    do { log = try parseLog(String(decoding: content, as: UTF8.self), input: caseBytes) } catch {
                        throw fail("“\(title)”: \(error.description)")
                    }
                    cases.append(LLHTTPCase(file: name, title: title, line: titleLine, type: type,
                                            noScan: meta["noScan"] as? Bool ?? false, pause: meta["pause"] as? String,
                                            skipBody: meta["skipBody"] as? Bool ?? false, bytes: caseBytes, log: log))
                    http = nil
                default:
                    throw fail("unknown block kind “\(kind)”")
                }
            } else if text.hasPrefix("#") {
                let hashes = text.prefix { $0 == "#" }
                if hashes.count >= 2, text.dropFirst(hashes.count).hasPrefix(" ") {
                    if http != nil { throw fail("http block without a log block before “\(text)”") }
                    title = text.dropFirst(hashes.count + 1).trimmingCharacters(in: .whitespaces)
                    titleLine = index + 1
                    meta = nil
                }
            } else if let range = text.range(of: "<!-- meta="), let end = text.range(of: " -->", options: .backwards) {
                let json = text[range.upperBound..<end.lowerBound]
                guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
                    throw fail("unreadable meta \(json)")
                }
                meta = object
            }
            index += 1
        }
        return cases
    }

    // MARK: - The http block's bytes

    /// The bytes llhttp's test runner sends for an `http` block:
    /// 1. drop the block's final newline;
    /// 2. a backslash at the end of a line joins it to the next (no newline between);
    /// 3. every remaining newline becomes CRLF;
    /// 4. then `\r`, `\n`, `\t`, `\f`, `\xHH` and octal `\NNN` (1-3 digits) become those characters.
    ///
    /// One detail the vectors' README leaves out: llhttp's runner builds a JavaScript string and sends it as
    /// UTF-8, so an escape for a value of 0x80 or more (`\xff`) arrives as that character's two UTF-8 bytes.
    /// The logs were recorded that way (“255 ASCII in header value” logs `len=8` for `\xffValue2`), so this
    /// reader does the same; all other escapes give exactly one byte. A raw 0xFF byte in a value is tested in
    /// RequestParserTests instead.
    static func bytesFromHTTPBlock(_ block: [UInt8]) throws(LLHTTPVectorError) -> [UInt8] {
        var text = block
        // 1. Drop the final newline.
        if text.last == 0x0A { text.removeLast() }

        // 2 and 3. Backslash-newline joins lines; other newlines (LF, CRLF or a lone CR) become CRLF.
        var joined: [UInt8] = []
        joined.reserveCapacity(text.count + 16)
        var i = 0
        while i < text.count {
            let byte = text[i]
            if byte == 0x5C, i + 1 < text.count, text[i + 1] == 0x0A || text[i + 1] == 0x0D {
                i += 2
                if text[i - 1] == 0x0D, i < text.count, text[i] == 0x0A { i += 1 }
                continue
            }
            if byte == 0x0D || byte == 0x0A {
                joined += [0x0D, 0x0A]
                i += 1
                if byte == 0x0D, i < text.count, text[i] == 0x0A { i += 1 }
                continue
            }
            joined.append(byte)
            i += 1
        }

        // 4. Escapes, left to right.
        var out: [UInt8] = []
        out.reserveCapacity(joined.count)
        i = 0
        func emit(_ value: UInt32) {
            if value < 0x80 {
                out.append(UInt8(value))
            } else {
                // A character U+0080…U+00FF, encoded as UTF-8 the way llhttp's runner sends it.
                out.append(UInt8(0xC0 | (value >> 6)))
                out.append(UInt8(0x80 | (value & 0x3F)))
            }
        }
        while i < joined.count {
            let byte = joined[i]
            guard byte == 0x5C, i + 1 < joined.count else { out.append(byte); i += 1; continue }
            let next = joined[i + 1]
            switch next {
            case UInt8(ascii: "r"): out.append(0x0D); i += 2
            case UInt8(ascii: "n"): out.append(0x0A); i += 2
            case UInt8(ascii: "t"): out.append(0x09); i += 2
            case UInt8(ascii: "f"): out.append(0x0C); i += 2
            case UInt8(ascii: "x"):
                if i + 3 < joined.count, let high = hexValue(joined[i + 2]), let low = hexValue(joined[i + 3]) {
                    emit(UInt32(high) << 4 | UInt32(low))
                    i += 4
                } else {
                    out.append(byte); i += 1
                }
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value: UInt32 = 0
                var j = i + 1
                while j < joined.count, j < i + 4, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(joined[j]) {
                    value = value * 8 + UInt32(joined[j] - UInt8(ascii: "0"))
                    j += 1
                }
                emit(value)
                i = j
            default:
                out.append(byte); i += 1
            }
        }
        return out
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    // MARK: - The log block

    /// Reads the events of a log. Span contents are taken from the input bytes at `off`/`len` (exact whatever
    /// the bytes are), and checked against the quoted text the log prints, which catches any slip in the byte
    /// rules above.
    static func parseLog(_ text: String, input: [UInt8]) throws(LLHTTPVectorError) -> LLHTTPLog {
        var log = LLHTTPLog()
        // Header spans may be split (obs-fold in lenient cases); consecutive spans of one kind are joined.
        var fieldName: [UInt8]?
        var fieldValue: [UInt8] = []
        var lastSpan = ""

        func fail(_ line: Substring, _ why: String) -> LLHTTPVectorError {
            LLHTTPVectorError(description: "\(why) in log line “\(line)”")
        }

        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        for (lineIndex, line) in lines.enumerated() {
            guard line.hasPrefix("off=") else { throw fail(line, "expected off=") }
            let afterOff = line.dropFirst(4)
            guard let space = afterOff.firstIndex(of: " ") else { throw fail(line, "no event") }
            let offText = afterOff[..<space]
            let event = afterOff[afterOff.index(after: space)...]
            if offText == "NULL" {
                guard event.hasPrefix("finish="), let value = Int(event.dropFirst(7)) else { throw fail(line, "unknown NULL event") }
                log.finish = value
                continue
            }
            guard let off = Int(offText) else { throw fail(line, "bad offset") }

            if event.hasPrefix("len=") {
                // off=N len=L span[kind]="text"
                let rest = event.dropFirst(4)
                guard let gap = rest.firstIndex(of: " "), let length = Int(rest[..<gap]) else { throw fail(line, "bad len") }
                let spanPart = rest[rest.index(after: gap)...]
                guard spanPart.hasPrefix("span["), let close = spanPart.firstIndex(of: "]") else { throw fail(line, "bad span") }
                let kind = String(spanPart[spanPart.index(spanPart.startIndex, offsetBy: 5)..<close])
                let shown = spanPart[spanPart.index(after: close)...]
                guard off >= 0, length >= 0, off + length <= input.count else { throw fail(line, "span outside the input") }
                let bytes = Array(input[off..<(off + length)])
                guard shown.hasPrefix("=") else { throw fail(line, "bad span text") }
                if let expected = spanText(shown.dropFirst()), expected != bytes {
                    throw fail(line, "span text differs from input bytes \(show(bytes))")
                }
                guard !log.messages.isEmpty else { throw fail(line, "span before message begin") }
                let m = log.messages.count - 1
                switch kind {
                case "method": log.messages[m].method += bytes
                case "url": log.messages[m].url += bytes
                case "protocol": log.messages[m].protocolName += bytes
                case "version": log.messages[m].version += bytes
                case "header_field":
                    if lastSpan == "header_field", fieldName != nil { fieldName! += bytes } else { fieldName = bytes; fieldValue = [] }
                case "header_value":
                    fieldValue += bytes
                case "body": log.messages[m].body += bytes
                case "chunk_extension_name", "chunk_extension_value": break
                default: throw fail(line, "unknown span kind \(kind)")
                }
                lastSpan = kind
                continue
            }
            lastSpan = ""
            if event == "message begin" {
                log.messages.append(LLHTTPLog.Message())
            } else if event == "header_value complete" {
                guard let name = fieldName, !log.messages.isEmpty else { throw fail(line, "value without a field") }
                let field = LLHTTPLog.Field(name: name, value: fieldValue)
                let m = log.messages.count - 1
                if log.messages[m].headersComplete { log.messages[m].trailers.append(field) } else { log.messages[m].headers.append(field) }
                fieldName = nil
                fieldValue = []
            } else if event.hasPrefix("headers complete") {
                guard !log.messages.isEmpty else { throw fail(line, "headers before message begin") }
                let m = log.messages.count - 1
                log.messages[m].headersComplete = true
                for part in event.split(separator: " ") {
                    if part.hasPrefix("flags="), let flags = Int(part.dropFirst(6), radix: 16) { log.messages[m].flags = flags }
                    if part.hasPrefix("content_length="), let length = Int64(part.dropFirst(15)) { log.messages[m].contentLength = length }
                }
            } else if event == "message complete" {
                guard !log.messages.isEmpty else { throw fail(line, "complete before message begin") }
                log.messages[log.messages.count - 1].complete = true
                log.completeCount += 1
            } else if event.hasPrefix("error code=") {
                guard lineIndex == lines.count - 1 else { throw fail(line, "error before the end of the log") }
                let parts = event.dropFirst(11)
                guard let gap = parts.firstIndex(of: " "), let code = Int(parts[..<gap]) else { throw fail(line, "bad error") }
                var reason = String(parts[parts.index(after: gap)...])
                if reason.hasPrefix("reason=\"") && reason.hasSuffix("\"") { reason = String(reason.dropFirst(8).dropLast()) }
                log.error = LLHTTPLog.Failure(offset: off, code: code, reason: reason)
            }
            // Other events (method/url/version/header_field complete, chunk header, chunk complete, pause, reset,
            // skip body) carry nothing a server acts on beyond the spans above.
        }
        return log
    }

    /// The bytes a span's printed text stands for, or nil where the log prints no text to check (`cr`, `lf`).
    /// llhttp's runner prints the span's bytes raw between quotes, with only tab and form feed escaped.
    static func spanText(_ shown: Substring) -> [UInt8]? {
        if shown == "cr" { return [0x0D] }
        if shown == "lf" { return [0x0A] }
        guard shown.count >= 2, shown.hasPrefix("\""), shown.hasSuffix("\"") else { return nil }
        let inner = Array(shown.dropFirst().dropLast().utf8)
        var out: [UInt8] = []
        var i = 0
        while i < inner.count {
            if inner[i] == 0x5C, i + 1 < inner.count, inner[i + 1] == UInt8(ascii: "t") { out.append(0x09); i += 2; continue }
            if inner[i] == 0x5C, i + 1 < inner.count, inner[i + 1] == UInt8(ascii: "f") { out.append(0x0C); i += 2; continue }
            out.append(inner[i])
            i += 1
        }
        return out
    }

    /// Bytes for a failure message: printable ASCII as is, anything else as \xHH.
    static func show(_ bytes: [UInt8]) -> String {
        bytes.map { (0x20..<0x7F).contains($0) ? String(UnicodeScalar($0)) : String(format: "\\x%02X", $0) }.joined()
    }
}
