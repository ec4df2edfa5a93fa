import Foundation
import Glibc

/// Sends mail to an SMTP relay given as `PORTAL_SMTP_URL` (`smtp://host:port`), in plain text: the relay is
/// expected on the local network or machine (a local Postfix, or a relay container). Blocking, with
/// timeouts on every read and write; called from background jobs, never from a request.
public struct SMTPClient: Sendable {
    public let host: String
    public let port: Int
    public var heloName = "partnerportal.local"
    public var timeoutSeconds = 10

    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// Parses `smtp://host[:port]` (port 25 by default).
    public init(url: String) throws {
        guard let components = URLComponents(string: url), components.scheme == "smtp", let host = components.host, !host.isEmpty else {
            throw Failure(description: "PORTAL_SMTP_URL must look like smtp://host:port, got \(url)")
        }
        self.host = host
        self.port = components.port ?? 25
    }

    public func send(_ message: EmailMessage, date: Date = Date(), messageID: String) throws {
        let message = try message.validated()
        let connection = try Connection(host: host, port: port, timeoutSeconds: timeoutSeconds)
        defer { connection.close() }
        try connection.expect(220)
        try connection.command("EHLO \(heloName)", expect: 250)
        try connection.command("MAIL FROM:<\(message.from)>", expect: 250)
        try connection.command("RCPT TO:<\(message.to)>", expect: 250)
        try connection.command("DATA", expect: 354)
        try connection.command(message.rendered(date: date, messageID: messageID) + "\r\n.", expect: 250)
        try? connection.command("QUIT", expect: 221)
    }

    /// One SMTP session over a blocking socket.
    final class Connection {
        private let fd: Int32
        private var buffer: [UInt8] = []

        init(host: String, port: Int, timeoutSeconds: Int) throws {
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &result) == 0, let info = result else {
                throw Failure(description: "SMTP host \(host) not found")
            }
            defer { freeaddrinfo(result) }
            fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
            var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
                let reason = String(cString: strerror(errno))
                Glibc.close(fd)
                throw Failure(description: "SMTP connect to \(host):\(port) failed: \(reason)")
            }
        }

        func close() { Glibc.close(fd) }

        func command(_ line: String, expect code: Int) throws {
            let bytes = Array((line + "\r\n").utf8)
            var offset = 0
            while offset < bytes.count {
                let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
                guard sent > 0 else { throw Failure(description: "SMTP send failed") }
                offset += sent
            }
            try expect(code)
        }

        /// Reads a (possibly multi-line) reply and checks its code.
        func expect(_ code: Int) throws {
            while true {
                let line = try readLine()
                guard line.count >= 3, let replyCode = Int(line.prefix(3)) else { throw Failure(description: "SMTP: malformed reply \(line)") }
                let more = line.count > 3 && line[line.index(line.startIndex, offsetBy: 3)] == "-"
                if more { continue }
                guard replyCode == code else { throw Failure(description: "SMTP: expected \(code), got \(line)") }
                return
            }
        }

        private func readLine() throws -> String {
            while true {
                if let newline = buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[..<newline], as: UTF8.self).trimmingCharacters(in: .init(charactersIn: "\r"))
                    buffer.removeFirst(newline + 1)
                    return line
                }
                if buffer.count > 4096 { throw Failure(description: "SMTP: reply line too long") }
                var chunk = [UInt8](repeating: 0, count: 1024)
                let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { throw Failure(description: count == 0 ? "SMTP: connection closed" : "SMTP: read timed out") }
                buffer.append(contentsOf: chunk[0..<count])
            }
        }
    }
}
