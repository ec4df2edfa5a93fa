import COpenSSL
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 client for webhook deliveries, over POSIX sockets and OpenSSL: one `POST` per connection,
/// no redirects followed (a 3xx is an answer like any other non-2xx), a cap on the answer read, and deadlines for
/// connecting and answering. The host is resolved once, every address is checked by `AddressPolicy`, and the
/// connection goes to a checked address (no second lookup an attacker's DNS could answer differently).
/// HTTPS verifies the certificate against the system CA store, with SNI and host-name (or IP) verification.
public struct WebhookHTTPClient: Sendable {
    public var connectTimeout: Double = 5
    /// CONTRACTS.md: a delivery fails after 10 s without an answer.
    public var answerTimeout: Double = 10
    /// Only the status line and headers matter; a longer answer is cut off here.
    public var maxResponseBytes = 16 * 1024
    public var allowPrivate: Bool
    /// A PEM file of CA certificates trusted beside the system store (`PORTAL_WEBHOOKS_CA_FILE`): receivers behind a
    /// company's own CA. Nil: the system store only.
    public var trustedCAFile: String?

    public init(allowPrivate: Bool = AddressPolicy.allowsPrivate(),
                trustedCAFile: String? = ProcessInfo.processInfo.environment["PORTAL_WEBHOOKS_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }) {
        self.allowPrivate = allowPrivate
        self.trustedCAFile = trustedCAFile
    }

    public struct Response: Sendable, Equatable {
        public let status: Int
        /// Header names lower-cased, in order (only filled by `send(…, readBody: true)`).
        public var headers: [(name: String, value: String)] = []
        /// The body, de-chunked, at most `maxResponseBytes` (only filled by `send(…, readBody: true)`).
        public var body: [UInt8] = []

        public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        public func header(_ name: String) -> String? {
            let lowered = name.lowercased()
            return headers.first { $0.name == lowered }?.value
        }

        public static func == (lhs: Response, rhs: Response) -> Bool {
            lhs.status == rhs.status && lhs.body == rhs.body
                && lhs.headers.map { "\($0.name):\($0.value)" } == rhs.headers.map { "\($0.name):\($0.value)" }
        }
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case invalidURL
        case resolve(String)
        case refusedAddress(String, AddressPolicy.Kind)
        case connect(String)
        case timeout
        case tls(String)
        case malformedResponse

        public var description: String {
            switch self {
            case .invalidURL: "invalid URL"
            case .resolve(let message): "could not resolve host: \(message)"
            case .refusedAddress(let address, let kind): "refused address \(address) (\(kind.rawValue)); set PORTAL_WEBHOOKS_ALLOW_PRIVATE=1 for development"
            case .connect(let message): "connection failed: \(message)"
            case .timeout: "no answer within the time limit"
            case .tls(let message): "TLS failed: \(message)"
            case .malformedResponse: "malformed HTTP answer"
            }
        }
    }

    /// Sends `body` as JSON and returns the answer's status code (any status: the caller decides what is success).
    public func post(url text: String, headers: [(String, String)], body: [UInt8]) throws(Failure) -> Response {
        try send(method: "POST", url: text, headers: headers, contentType: "application/json", body: body, readBody: false)
    }

    /// One request on its own connection (`Connection: close`). With `readBody` the answer is read to its end
    /// (Content-Length, chunked, or the peer closing) up to `maxResponseBytes` and returned with its headers —
    /// for callers that need the body (OpenID discovery and JWKS, token exchanges); without it only the status.
    /// `contentType` nil sends no Content-Type (a GET).
    public func send(method: String, url text: String, headers: [(String, String)], contentType: String?, body: [UInt8],
                     readBody: Bool) throws(Failure) -> Response {
        guard let url = WebhookURL(text) else { throw .invalidURL }
        let deadline = Date().addingTimeInterval(connectTimeout + answerTimeout)
        let addresses = try resolve(url)
        let socket = try connect(addresses, deadline: Date().addingTimeInterval(connectTimeout))
        defer { close(socket) }
        var request = "\(method) \(url.pathAndQuery) HTTP/1.1\r\nHost: \(url.hostHeader)\r\nUser-Agent: PartnerPortal/1\r\n"
        if let contentType { request += "Content-Type: \(contentType)\r\n" }
        if contentType != nil || !body.isEmpty || method == "POST" || method == "PUT" { request += "Content-Length: \(body.count)\r\n" }
        request += "Connection: close\r\n"
        for (name, value) in headers where !name.contains(where: \.isNewline) && !value.contains(where: \.isNewline) {
            request += "\(name): \(value)\r\n"
        }
        request += "\r\n"
        let bytes = Array(request.utf8) + body
        let answerDeadline = Date().addingTimeInterval(answerTimeout)
        let answer: [UInt8]
        if url.secure {
            answer = try TLSChannel(socket: socket, host: url.host, caFile: trustedCAFile)
                .exchange(bytes, limit: maxResponseBytes, untilEnd: readBody, deadline: min(deadline, answerDeadline))
        } else {
            try Self.setTimeout(socket, until: answerDeadline)
            try Self.sendAll(socket, bytes)
            answer = try Self.readAnswer(limit: maxResponseBytes, untilEnd: readBody) { (buffer) throws(Failure) -> Int in
                try Self.setTimeout(socket, until: answerDeadline)
                let count = recv(socket, buffer.baseAddress, buffer.count, 0)
                if count < 0 { throw errno == EAGAIN || errno == EWOULDBLOCK ? Failure.timeout : Failure.connect(Self.errorText()) }
                return count
            }
        }
        guard let status = Self.status(of: answer) else { throw .malformedResponse }
        guard readBody else { return Response(status: status) }
        return try Self.parse(answer, status: status)
    }

    /// Splits a whole answer into headers and body, undoing chunked transfer coding.
    static func parse(_ answer: [UInt8], status: Int) throws(Failure) -> Response {
        let terminator: [UInt8] = Array("\r\n\r\n".utf8)
        guard answer.count >= 4, let split = (0 ... answer.count - 4).first(where: { Array(answer[$0 ..< $0 + 4]) == terminator })
        else { throw .malformedResponse }
        let lines = String(decoding: answer[..<split], as: UTF8.self).components(separatedBy: "\r\n").dropFirst()
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw .malformedResponse }
            headers.append((line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var body = Array(answer[(split + 4)...])
        let response = Response(status: status, headers: headers)
        if response.header("transfer-encoding")?.lowercased().contains("chunked") == true {
            body = try dechunk(body)
        } else if let length = response.header("content-length").flatMap({ Int($0) }), length >= 0 {
            guard body.count >= length else { throw .malformedResponse }
            body = Array(body.prefix(length))
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// The payload of a chunked body (extensions and trailers ignored); a truncated body is malformed.
    static func dechunk(_ bytes: [UInt8]) throws(Failure) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while true {
            guard let lineEnd = (index ..< max(index, bytes.count - 1)).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 })
            else { throw .malformedResponse }
            let sizeText = String(decoding: bytes[index ..< lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else { throw .malformedResponse }
            index = lineEnd + 2
            if size == 0 { return output }
            guard bytes.count >= index + size + 2 else { throw .malformedResponse }
            output += bytes[index ..< index + size]
            index += size + 2
        }
    }

    /// The status code of an answer's status line (`HTTP/1.x NNN …`).
    static func status(of head: [UInt8]) -> Int? {
        guard let end = head.firstIndex(of: UInt8(ascii: "\r")) ?? head.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let parts = String(decoding: head[..<end], as: UTF8.self).split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let code = Int(parts[1]), (100 ... 599).contains(code)
        else { return nil }
        return code
    }

    /// Reads until the end of the headers (or with `untilEnd`, until the peer closes), or `limit` bytes.
    static func readAnswer(limit: Int, untilEnd: Bool = false,
                           _ read: (UnsafeMutableBufferPointer<UInt8>) throws(Failure) -> Int) throws(Failure) -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let terminator: [UInt8] = Array("\r\n\r\n".utf8)
        while received.count < limit {
            let count = try buffer.withUnsafeMutableBufferPointer { (pointer) throws(Failure) -> Int in try read(pointer) }
            if count == 0 { break }
            received += buffer[..<count]
            if untilEnd { continue }
            let tail = received.suffix(count + 3)
            if tail.count >= 4, (0 ... tail.count - 4).contains(where: { Array(tail.dropFirst($0).prefix(4)) == terminator }) { break }
        }
        guard !received.isEmpty else { throw .malformedResponse }
        return Array(received.prefix(limit))
    }

    // MARK: - Resolution and connection

    struct Address {
        var storage: sockaddr_storage
        var length: socklen_t
        var family: Int32
        var text: String
    }

    /// Every address of the host; refuses the lot when any of them is not allowed (a host that resolves to a
    /// public and a private address is treated as private).
    func resolve(_ url: WebhookURL) throws(Failure) -> [Address] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let result = getaddrinfo(url.host, String(url.port), &hints, &list)
        guard result == 0, let first = list else { throw .resolve(String(cString: gai_strerror(result))) }
        defer { freeaddrinfo(list) }
        var addresses: [Address] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            defer { cursor = info.pointee.ai_next }
            guard let socketAddress = info.pointee.ai_addr else { continue }
            let family = info.pointee.ai_family
            var storage = sockaddr_storage()
            let length = info.pointee.ai_addrlen
            withUnsafeMutableBytes(of: &storage) { target in
                target.copyMemory(from: UnsafeRawBufferPointer(start: socketAddress, count: Int(length)))
            }
            let kind: AddressPolicy.Kind
            let text: String
            if family == AF_INET {
                let address = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                kind = AddressPolicy.classify(ipv4: withUnsafeBytes(of: address) { Array($0) })
                text = Self.text(family: AF_INET, address)
            } else if family == AF_INET6 {
                let address = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                kind = AddressPolicy.classify(ipv6: withUnsafeBytes(of: address) { Array($0) })
                text = Self.text(family: AF_INET6, address)
            } else {
                continue
            }
            guard AddressPolicy.permits(kind, allowPrivate: allowPrivate) else { throw .refusedAddress(text, kind) }
            addresses.append(Address(storage: storage, length: length, family: family, text: text))
        }
        guard !addresses.isEmpty else { throw .resolve("no address") }
        return addresses
    }

    static func text(family: Int32, _ address: in_addr) -> String {
        var address = address
        return withUnsafeBytes(of: &address) { text(family: family, bytes: $0) }
    }

    static func text(family: Int32, _ address: in6_addr) -> String {
        var address = address
        return withUnsafeBytes(of: &address) { text(family: family, bytes: $0) }
    }

    private static func text(family: Int32, bytes: UnsafeRawBufferPointer) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        _ = inet_ntop(family, bytes.baseAddress, &buffer, socklen_t(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Connects to the first address that answers before `deadline` (non-blocking connect and poll), and returns
    /// the socket in blocking mode.
    func connect(_ addresses: [Address], deadline: Date) throws(Failure) -> Int32 {
        var lastError = Failure.connect("no address")
        for address in addresses {
            let socket = Glibc.socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard socket >= 0 else { lastError = .connect(Self.errorText()); continue }
            let flags = fcntl(socket, F_GETFL)
            _ = fcntl(socket, F_SETFL, flags | O_NONBLOCK)
            var storage = address.storage
            let started = withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, address.length) }
            }
            if started != 0 && errno != EINPROGRESS {
                lastError = .connect("\(address.text): \(Self.errorText())")
                close(socket)
                continue
            }
            if started != 0 {
                var descriptor = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
                let wait = max(0, Int32(deadline.timeIntervalSinceNow * 1000))
                let ready = poll(&descriptor, 1, wait)
                if ready <= 0 {
                    lastError = ready == 0 ? .timeout : .connect(Self.errorText())
                    close(socket)
                    continue
                }
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &length)
                if error != 0 {
                    lastError = .connect("\(address.text): \(String(cString: strerror(error)))")
                    close(socket)
                    continue
                }
            }
            _ = fcntl(socket, F_SETFL, flags & ~O_NONBLOCK)
            return socket
        }
        throw lastError
    }

    /// Blocking reads and writes give up at `deadline` (at least 1 ms away, so a passed deadline still times out).
    static func setTimeout(_ socket: Int32, until deadline: Date) throws(Failure) {
        let remaining = deadline.timeIntervalSinceNow
        guard remaining > 0 else { throw .timeout }
        var value = timeval(tv_sec: Int(remaining), tv_usec: Int((remaining - remaining.rounded(.down)) * 1_000_000) + 1)
        if value.tv_usec >= 1_000_000 { value.tv_sec += 1; value.tv_usec -= 1_000_000 }
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    static func sendAll(_ socket: Int32, _ bytes: [UInt8]) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR { continue }
                throw errno == EAGAIN || errno == EWOULDBLOCK ? .timeout : .connect(errorText())
            }
            offset += sent
        }
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}

/// One TLS connection over a connected blocking socket.
private struct TLSChannel {
    let socket: Int32
    let host: String
    let caFile: String?

    func exchange(_ request: [UInt8], limit: Int, untilEnd: Bool, deadline: Date) throws(WebhookHTTPClient.Failure) -> [UInt8] {
        guard let context = ClientContext.context(caFile: caFile) else {
            throw .tls(caFile.map { "cannot read the CA file \($0)" } ?? "no TLS client context (CA store not found?)")
        }
        guard let ssl = SSL_new(context) else { throw .tls("SSL_new") }
        defer { SSL_free(ssl) }
        let isAddress = AddressPolicy.classify(host) != nil
        guard portal_tls_client_set_host(ssl, host, isAddress ? 1 : 0) == 1, SSL_set_fd(ssl, socket) == 1 else { throw .tls("set-up") }
        try WebhookHTTPClient.setTimeout(socket, until: deadline)
        ERR_clear_error()
        guard SSL_connect(ssl) == 1 else {
            let verify = portal_tls_verify_result(ssl)
            if verify != X509_V_OK { throw .tls("certificate: \(String(cString: X509_verify_cert_error_string(verify)))") }
            throw .tls(Self.lastError())
        }
        var offset = 0
        while offset < request.count {
            try WebhookHTTPClient.setTimeout(socket, until: deadline)
            ERR_clear_error()
            let written = request[offset...].withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
            guard written > 0 else { throw .tls("write: \(Self.lastError())") }
            offset += Int(written)
        }
        let head = try WebhookHTTPClient.readAnswer(limit: limit, untilEnd: untilEnd) { (buffer) throws(WebhookHTTPClient.Failure) -> Int in
            try WebhookHTTPClient.setTimeout(socket, until: deadline)
            ERR_clear_error()
            let count = SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))
            if count > 0 { return Int(count) }
            let error = SSL_get_error(ssl, count)
            if error == SSL_ERROR_ZERO_RETURN { return 0 }
            if error == SSL_ERROR_SYSCALL, errno == EAGAIN || errno == EWOULDBLOCK { throw .timeout }
            if error == SSL_ERROR_SYSCALL { return 0 }  // closed without close_notify: what was read is the answer
            throw .tls("read: \(Self.lastError())")
        }
        SSL_shutdown(ssl)
        return head
    }

    static func lastError() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        portal_openssl_error(&buffer, buffer.count)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.isEmpty ? "handshake failed" : text
    }
}

/// The client context, set up once per process (it reads the CA store). Only read after `init`; OpenSSL allows
/// creating connections from one context on several threads.
private final class ClientContext: @unchecked Sendable {
    static let shared = ClientContext(caFile: nil)
    /// Contexts with an extra CA file, made once per file (there is one in practice: the environment's).
    private static let withFiles = Mutex<[String: ClientContext]>([:])

    let pointer: OpaquePointer?

    init(caFile: String?) {
        // OpenSSL writes to the socket without MSG_NOSIGNAL: a receiver that hangs up must be EPIPE, not SIGPIPE
        // (the server ignores SIGPIPE already; `portal jobs run` needs it too).
        signal(SIGPIPE, SIG_IGN)
        pointer = caFile.map { portal_tls_client_context_with_ca($0) } ?? portal_tls_client_context_new()
    }

    static func context(caFile: String?) -> OpaquePointer? {
        guard let caFile else { return shared.pointer }
        return withFiles.withLock { contexts in
            if let made = contexts[caFile] { return made.pointer }
            let made = ClientContext(caFile: caFile)
            if made.pointer != nil { contexts[caFile] = made }
            return made.pointer
        }
    }
}
