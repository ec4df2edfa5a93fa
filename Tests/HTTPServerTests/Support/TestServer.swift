import Foundation
import Glibc
@testable import HTTPServer
import Logging

/// A server on 127.0.0.1 port 0 for one test, stopped by `stop()`.
final class TestServer {
    let server: Server
    var port: Int { server.port }

    init(_ configure: (inout ServerConfiguration) -> Void = { _ in }, responder: any HTTPResponder) throws {
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.eventLoops = 2
        configuration.workerThreads = 4
        configuration.streamThreads = 2
        configure(&configuration)
        var logger = Logger(label: "test.http")
        logger.logLevel = .critical
        server = Server(configuration: configuration, responder: responder, logger: logger)
        try server.start()
    }

    convenience init(_ configure: (inout ServerConfiguration) -> Void = { _ in }, router build: (Router) -> Void) throws {
        let router = Router()
        var logger = Logger(label: "test.router")
        logger.logLevel = .critical
        router.logger = logger
        build(router)
        try self.init(configure, responder: router)
    }

    func connect() throws -> RawClient { try RawClient(port: port) }

    func stop() {
        server.shutdown()
        server.wait()
        server.stopWorkers()
    }

    /// Waits (up to `timeout`) until the server has no open connection.
    func waitForNoConnections(timeout: Double = 3) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if server.connectionCount == 0 { return true }
            usleep(10_000)
        }
        return server.connectionCount == 0
    }
}

/// A parsed response as a test sees it.
struct RawResponse {
    var status: Int
    var reason: String
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A blocking TCP (or socketpair) client that speaks raw bytes, with a read timeout so a test never hangs.
final class RawClient {
    let fd: Int32
    private var buffer: [UInt8] = []
    var closedByPeer = false

    init(port: Int, timeoutSeconds: Int = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { Glibc.close(fd); throw ClientError.connectFailed(errno) }
        setTimeout(seconds: timeoutSeconds)
    }

    init(fd: Int32, timeoutSeconds: Int = 5) {
        self.fd = fd
        setTimeout(seconds: timeoutSeconds)
    }

    enum ClientError: Error { case connectFailed(Int32), timedOut, closed, malformed(String) }

    func setTimeout(seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { throw ClientError.closed }
            offset += sent
        }
    }

    /// Reads more bytes into the buffer; false on EOF.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 { buffer.append(contentsOf: chunk[0..<count]); return true }
        if count == 0 { closedByPeer = true; return false }
        if errno == EAGAIN || errno == EWOULDBLOCK { throw ClientError.timedOut }
        if errno == ECONNRESET { closedByPeer = true; return false }
        throw ClientError.closed
    }

    private func readLine() throws -> String {
        while true {
            if let index = buffer.firstIndex(of: 0x0A), index > 0, buffer[index - 1] == 0x0D {
                let line = String(decoding: buffer[0..<(index - 1)], as: UTF8.self)
                buffer.removeFirst(index + 1)
                return line
            }
            guard try fill() else { throw ClientError.closed }
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count < count { guard try fill() else { throw ClientError.closed } }
        let bytes = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return bytes
    }

    /// Reads one response. `head: true` for a response to HEAD (no body whatever the headers say).
    func readResponse(head: Bool = false) throws -> RawResponse {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else { throw ClientError.malformed(statusLine) }
        var headers: [(String, String)] = []
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { throw ClientError.malformed(line) }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = RawResponse(status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers, body: [])
        if head || status < 200 || status == 204 || status == 304 { return response }
        if response.header("transfer-encoding")?.lowercased() == "chunked" {
            while true {
                let sizeLine = try readLine()
                guard let size = Int(sizeLine.split(separator: ";")[0], radix: 16) else { throw ClientError.malformed(sizeLine) }
                if size == 0 {
                    while try !readLine().isEmpty {}
                    break
                }
                response.body += try readExactly(size)
                guard try readLine().isEmpty else { throw ClientError.malformed("chunk end") }
            }
        } else if let length = response.header("content-length").flatMap(Int.init) {
            response.body = try readExactly(length)
        } else {
            while try fill() {}
            response.body = buffer
            buffer.removeAll()
        }
        return response
    }

    /// True when the server has closed the connection (EOF or reset) within the timeout.
    func waitForClose() -> Bool {
        while true {
            do { if try !fill() { return true } } catch { return false }
        }
    }

    /// Bytes received but not consumed by `readResponse` (after `waitForClose`, everything that followed).
    var remainingBytes: Int { buffer.count }

    func shutdownWrite() { Glibc.shutdown(fd, Int32(SHUT_WR)) }

    private var isClosed = false

    func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(fd)
    }

    deinit { close() }
}

/// A responder for tests, from a closure.
struct ClosureResponder: HTTPResponder {
    let limit: Int64?
    let body: @Sendable (Request, ResponseSink) -> Void
    init(maxBodySize: Int64? = nil, _ body: @escaping @Sendable (Request, ResponseSink) -> Void) {
        self.limit = maxBodySize
        self.body = body
    }
    func maxBodySize(for head: RequestHead) -> Int64? { limit }
    func respond(to request: Request, sink: ResponseSink) { body(request, sink) }
}
