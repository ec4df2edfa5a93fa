import Glibc

/// An incremental `multipart/form-data` parser (RFC 2046 §5.1.1, RFC 7578): a state machine fed with chunks
/// of any size, so a body can be decoded while it is read from a socket or a spooled file.
///
/// It reports each part's head, its content in pieces, and its end. Content is never buffered: the only
/// bytes held back between chunks are a possible start of the next delimiter, and those are always a
/// prefix of the delimiter itself, so they are re-emitted from it rather than stored.
public struct MultipartParser: Sendable {
    /// What the parser found. A `data` buffer is only valid during the call that receives it.
    public enum Event {
        case partBegin(MultipartPartHead)
        case data(UnsafeBufferPointer<UInt8>)
        case partEnd
    }

    enum State: Equatable {
        /// Before the first delimiter: bytes are discarded.
        case preamble
        /// Just after `CRLF--boundary`: either `--` (the end) or optional padding and CRLF (a new part).
        case afterDelimiter
        /// After `--boundary-`: the second `-` must follow.
        case closeDash
        /// Linear whitespace after a delimiter, which RFC 2046 calls transport padding.
        case padding
        /// After the CR that ends a delimiter line.
        case expectLF
        case headers
        case body
        /// After the close delimiter: bytes are discarded.
        case epilogue
    }

    /// `CRLF--boundary`. It contains exactly one CR (boundaries may not hold control characters), which keeps
    /// the search simple: after a mismatch, no suffix of what matched can start a new match except at a CR.
    let delimiter: [UInt8]
    let limits: MultipartLimits
    private(set) var state = State.preamble
    /// How many bytes of `delimiter` the bytes seen last matched.
    private var matched: Int
    private var headerBlock: [UInt8] = []
    private(set) var partCount = 0
    private(set) var totalBytes: Int64 = 0

    /// Creates a parser for `boundary` (as taken from the `Content-Type`, without the leading dashes).
    public init(boundary: String, limits: MultipartLimits = MultipartLimits()) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        self.limits = limits
        // A body may start with the dash-boundary at once: treat it as if a CRLF came first.
        matched = 2
    }

    /// Whether the close delimiter has been seen; everything after it is the ignored epilogue.
    public var isComplete: Bool { state == .epilogue }

    /// Parses the next piece of the body, calling `handler` for each event in order.
    public mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, _ handler: (Event) throws -> Void) throws {
        totalBytes += Int64(chunk.count)
        if totalBytes > limits.maxTotalSize {
            throw HTTPError(.contentTooLarge, "The form is larger than \(limits.maxTotalSize) bytes")
        }
        var index = 0
        while index < chunk.count {
            switch state {
            case .preamble, .body:
                index = try scanForDelimiter(chunk, from: index, handler)
            case .afterDelimiter:
                switch chunk[index] {
                case 0x2D: state = .closeDash
                case 0x20, 0x09: state = .padding
                case 0x0D: state = .expectLF
                default: throw MultipartPartHead.malformed("a boundary followed by other characters")
                }
                index += 1
            case .closeDash:
                guard chunk[index] == 0x2D else { throw MultipartPartHead.malformed("a boundary followed by a single dash") }
                state = .epilogue
                index += 1
            case .padding:
                switch chunk[index] {
                case 0x20, 0x09: break
                case 0x0D: state = .expectLF
                default: throw MultipartPartHead.malformed("a boundary followed by other characters")
                }
                index += 1
            case .expectLF:
                guard chunk[index] == 0x0A else { throw MultipartPartHead.malformed("a boundary line not ended by CRLF") }
                index += 1
                partCount += 1
                if partCount > limits.maxParts {
                    throw HTTPError(.contentTooLarge, "The form has more than \(limits.maxParts) parts")
                }
                headerBlock.removeAll(keepingCapacity: true)
                state = .headers
            case .headers:
                index = try scanHeaders(chunk, from: index, handler)
            case .epilogue:
                index = chunk.count
            }
        }
    }

    /// Convenience for bodies already in an array.
    public mutating func feed(_ chunk: [UInt8], _ handler: (Event) throws -> Void) throws {
        try chunk.withUnsafeBufferPointer { try feed($0, handler) }
    }

    /// Declares the end of the body; throws `400` unless the close delimiter was seen.
    public func finish() throws {
        guard state == .epilogue else {
            throw MultipartPartHead.malformed(state == .preamble ? "no boundary found" : "the closing boundary is missing")
        }
    }

    /// Looks for the delimiter from `start`; in `.body`, everything before it is content. Returns the index
    /// just after the delimiter, or the chunk's end.
    private mutating func scanForDelimiter(_ chunk: UnsafeBufferPointer<UInt8>, from start: Int,
                                           _ handler: (Event) throws -> Void) throws -> Int {
        let count = chunk.count
        let delimiterCount = delimiter.count
        var index = start

        // A match begun at the end of the previous chunk: its bytes were held back, not emitted.
        if matched > 0 {
            while index < count, matched < delimiterCount, chunk[index] == delimiter[matched] {
                matched += 1
                index += 1
            }
            if matched == delimiterCount {
                try delimiterFound(handler)
                return index
            }
            if index == count { return count }
            // Not a delimiter after all: the held bytes were content.
            if state == .body {
                try delimiter.withUnsafeBufferPointer { try handler(.data(UnsafeBufferPointer(rebasing: $0[0..<matched]))) }
            }
            matched = 0
        }

        guard let base = chunk.baseAddress else { return count }
        let dataStart = index
        var matchStart = index
        while index < count {
            if matched == 0 {
                // Fast path: only a CR can start the delimiter.
                guard let found = memchr(base + index, 0x0D, count - index) else {
                    index = count
                    break
                }
                index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                matchStart = index
                matched = 1
                index += 1
            } else if chunk[index] == delimiter[matched] {
                matched += 1
                index += 1
                if matched == delimiterCount {
                    if state == .body, matchStart > dataStart {
                        try handler(.data(UnsafeBufferPointer(rebasing: chunk[dataStart..<matchStart])))
                    }
                    try delimiterFound(handler)
                    return index
                }
            } else {
                // Look at this byte again: it may be the CR of a real delimiter.
                matched = 0
            }
        }
        // Hold back a partial match; the next chunk decides whether it was content.
        let dataEnd = matched > 0 ? matchStart : count
        if state == .body, dataEnd > dataStart {
            try handler(.data(UnsafeBufferPointer(rebasing: chunk[dataStart..<dataEnd])))
        }
        return count
    }

    private mutating func delimiterFound(_ handler: (Event) throws -> Void) throws {
        matched = 0
        if state == .body { try handler(.partEnd) }
        state = .afterDelimiter
    }

    /// Collects header bytes up to the blank line, then parses them and reports the part.
    private mutating func scanHeaders(_ chunk: UnsafeBufferPointer<UInt8>, from start: Int,
                                      _ handler: (Event) throws -> Void) throws -> Int {
        var index = start
        while index < chunk.count {
            let byte = chunk[index]
            index += 1
            headerBlock.append(byte)
            if headerBlock.count > limits.maxHeaderBytesPerPart {
                throw HTTPError(.contentTooLarge, "A form part's headers are larger than \(limits.maxHeaderBytesPerPart) bytes")
            }
            guard byte == 0x0A else { continue }
            let length = headerBlock.count
            guard length >= 2, headerBlock[length - 2] == 0x0D else {
                throw MultipartPartHead.malformed("a part header line not ended by CRLF")
            }
            // The block ends at an empty line: right at the start, or CRLF CRLF.
            if length == 2 || (length >= 4 && headerBlock[length - 4] == 0x0D && headerBlock[length - 3] == 0x0A) {
                let head = try MultipartPartHead.parse(headerBlock[...])
                state = .body
                matched = 0
                try handler(.partBegin(head))
                return index
            }
        }
        return index
    }
}
