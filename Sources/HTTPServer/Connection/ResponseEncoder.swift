/// Turns a response head into bytes. Pure: the same inputs give the same bytes, so it is tested directly.
enum ResponseEncoder {
    /// How the body that follows the head is framed on the wire.
    enum Framing: Equatable {
        case none
        case length(Int64)
        case chunked
        /// HTTP/1.0 with no known length: the body ends when the connection closes.
        case untilClose
    }

    /// Decides the framing for a response to a request of `method` and `version`.
    static func framing(for response: Response, method: HTTPMethod, version: HTTPVersion) -> Framing {
        if response.status.forbidsBody { return .none }
        switch response.body {
        case .empty: return .length(0)
        case .bytes(let bytes): return .length(Int64(bytes.count))
        case .stream(let length, _):
            if let length { return .length(length) }
            return version == .http1_1 ? .chunked : .untilClose
        }
    }

    /// Writes the status line and headers. `Content-Length`/`Transfer-Encoding`, `Connection` and `Date`
    /// are the server's to set: any a handler set are dropped so they can never disagree with the body.
    static func encodeHead(_ response: Response, framing: Framing, version: HTTPVersion, keepAlive: Bool,
                           date: [UInt8], requestID: String?, into out: inout [UInt8]) {
        out.append(contentsOf: version == .http1_0 ? "HTTP/1.0 ".utf8 : "HTTP/1.1 ".utf8)
        appendStatus(response.status, into: &out)
        out.append(contentsOf: date)
        switch framing {
        case .length(let length):
            // 304 keeps no length; a 204 or 1xx must not have one.
            out.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(length, into: &out)
            out.append(0x0D); out.append(0x0A)
        case .chunked:
            out.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8)
        case .none, .untilClose:
            break
        }
        if !keepAlive {
            out.append(contentsOf: "Connection: close\r\n".utf8)
        } else if version == .http1_0 {
            out.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        if let requestID {
            out.append(contentsOf: "X-Request-Id: ".utf8)
            out.append(contentsOf: requestID.utf8)
            out.append(0x0D); out.append(0x0A)
        }
        var headers = response.headers
        if headers.count > 0 {
            for name in ["content-length", "transfer-encoding", "connection", "date"] where headers.contains(name) {
                headers.remove(name)
            }
            headers.serialize(into: &out)
        }
        out.append(0x0D); out.append(0x0A)
    }

    static func appendStatus(_ status: HTTPStatus, into out: inout [UInt8]) {
        appendDecimal(Int64(status.code), into: &out)
        out.append(0x20)
        for byte in status.reason.utf8 where byte >= 0x20 && byte != 0x7F { out.append(byte) }
        out.append(0x0D); out.append(0x0A)
    }

    static func appendDecimal(_ value: Int64, into out: inout [UInt8]) {
        if value == 0 { out.append(0x30); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[count] = UInt8(0x30 + rest % 10)
                rest /= 10
                count += 1
            }
            while count > 0 { count -= 1; out.append(buffer[count]) }
        }
    }

    static func appendHex(_ value: Int, into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        var shift = (Int.bitWidth - value.leadingZeroBitCount + 3) / 4 * 4 - 4
        if value == 0 { out.append(0x30); return }
        while shift >= 0 {
            out.append(hex[(value >> shift) & 0xF])
            shift -= 4
        }
    }

    /// A minimal response the server itself sends for protocol errors and limits, before any handler runs.
    static func errorResponse(_ status: HTTPStatus, _ reason: String, date: [UInt8], extraHeaders: String = "",
                              includeBody: Bool = true, custom: (contentType: String, body: [UInt8])? = nil) -> [UInt8] {
        let body = custom?.body ?? Array("\(status.code) \(status.reason): \(reason)\n".utf8)
        // The custom type comes from our own code, but a header line must never be split by it.
        let contentType = (custom?.contentType ?? "text/plain; charset=utf-8").filter { $0 != "\r" && $0 != "\n" }
        var out: [UInt8] = []
        out.reserveCapacity(256)
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        appendStatus(status, into: &out)
        out.append(contentsOf: date)
        out.append(contentsOf: "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\(extraHeaders)\r\n".utf8)
        if includeBody { out.append(contentsOf: body) } // HEAD: the length of the body it would have had
        return out
    }
}

/// The `Date: …\r\n` header line, formatted at most once a second per event loop.
struct DateCache {
    private var second = -1
    private(set) var line: [UInt8] = []

    mutating func current() -> [UInt8] {
        let now = Int(Glibc.time(nil))
        if now != second {
            second = now
            line = Array("Date: \(HTTPDate.format(Int64(now)))\r\n".utf8)
        }
        return line
    }
}

import Glibc
