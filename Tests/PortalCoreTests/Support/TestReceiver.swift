import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP receiver on 127.0.0.1 for webhook tests: accepts connections on its own thread, reads one request
/// each (headers and a Content-Length body), records it and answers with the status the test set.
final class TestReceiver: Sendable {
    struct Request: Sendable {
        let requestLine: String
        let headers: [String: String]
        let body: [UInt8]
    }

    let port: UInt16
    private let listener: Int32
    private let state = Mutex<(requests: [Request], status: Int, extraHeaders: String)>(([], 200, ""))

    /// `silent`: listens (the kernel completes connections) but never reads or answers.
    init(silent: Bool = false) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(listener, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        port = UInt16(bigEndian: address.sin_port)
        guard port != 0 else { throw POSIXError(.EADDRNOTAVAIL) }
        if !silent {
            let thread = Thread { [self] in self.acceptLoop() }
            thread.start()
        }
    }

    var url: String { "http://127.0.0.1:\(port)/hooks/portal?x=1" }

    var requests: [Request] { state.withLock { $0.requests } }

    func answer(_ status: Int, headers: String = "") { state.withLock { $0.status = status; $0.extraHeaders = headers } }

    /// Closes the listener; the accept loop ends.
    func stop() { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var headerEnd: Int?
        var contentLength = 0
        while true {
            let count = recv(client, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[..<count]
            if headerEnd == nil, let range = find(received, Array("\r\n\r\n".utf8)) {
                headerEnd = range
                let head = String(decoding: received[..<range], as: UTF8.self)
                for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    contentLength = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            if let headerEnd, received.count >= headerEnd + 4 + contentLength { break }
        }
        guard let headerEnd else { return }
        let lines = String(decoding: received[..<headerEnd], as: UTF8.self).components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let request = Request(requestLine: lines.first ?? "", headers: headers, body: Array(received[(headerEnd + 4)...].prefix(contentLength)))
        let (status, extra) = state.withLock { state in
            state.requests.append(request)
            return (state.status, state.extraHeaders)
        }
        let answer = "HTTP/1.1 \(status) Test\r\nContent-Length: 2\r\nConnection: close\r\n\(extra)\r\nok"
        _ = Array(answer.utf8).withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0 ... haystack.count - needle.count where Array(haystack[index ..< index + needle.count]) == needle { return index }
        return nil
    }
}
