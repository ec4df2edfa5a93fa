import Foundation
import HTTPServer
import Logging
import Testing
@testable import PortalWeb

/// The application's routes over real sockets on port 0, checked against CONTRACTS.md.
@Suite struct ApplicationLiveTests {
    /// The application with a `Public/` folder of its own holding one stylesheet.
    final class Running {
        let portal: RunningPortal
        let publicDirectory: String

        init() throws {
            publicDirectory = NSTemporaryDirectory() + "portal-public-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: publicDirectory, withIntermediateDirectories: true)
            try Data("body { color: #123; }\n".utf8).write(to: URL(fileURLWithPath: publicDirectory + "/site.css"))
            portal = try RunningPortal(publicDirectory: publicDirectory, seedDemo: false)
        }

        func get(_ path: String) throws -> (status: Int, headers: [String: String], body: String) { try portal.get(path) }

        deinit { try? FileManager.default.removeItem(atPath: publicDirectory) }
    }

    @Test func healthzAnswersJSON() throws {
        let app = try Running()
        let response = try app.get("/healthz")
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "application/json")
        #expect(response.body == #"{"status":"ok"}"#)
    }

    @Test func staticFilesComeFromPublic() throws {
        let app = try Running()
        let response = try app.get("/site.css")
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/css; charset=utf-8")
        #expect(response.headers["etag"] != nil)
        #expect(response.body == "body { color: #123; }\n")
        #expect(try app.get("/../Package.swift").status == 404)
        #expect(try app.get("/missing.css").status == 404)
    }

    @Test func metricsCountRequests() throws {
        let app = try Running()
        _ = try app.get("/healthz")
        // A sign-in form without its CSRF token: a 4xx answered through the routes (and so counted).
        _ = try HTTPGet.request(port: app.portal.port, method: "POST", path: "/login", body: "email=a")
        let metrics = try app.get("/metrics")
        #expect(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(metrics.body.contains(#"portal_http_requests_total{class="2xx"} 1"#))
        #expect(metrics.body.contains(#"portal_http_requests_total{class="4xx"} 1"#))
    }
}

/// One-shot HTTP/1.1 requests over a plain socket (`Connection: close`, read to EOF).
enum HTTPGet {
    struct Failure: Error {}

    static func fetch(port: Int, path: String) throws -> (status: Int, headers: [String: String], body: String) {
        let response = try request(port: port, method: "GET", path: path)
        return (response.status, response.headers, response.body)
    }

    struct Reply {
        let status: Int
        let headers: [String: String]
        let setCookies: [String]
        let body: String
    }

    static func request(port: Int, method: String, path: String, headers: [String: String] = [:], body: String = "") throws -> Reply {
        try request(port: port, method: method, path: path, headers: headers, bytes: Array(body.utf8))
    }

    /// The same with a binary body (multipart uploads of images).
    static func request(port: Int, method: String, path: String, headers: [String: String] = [:], bytes body: [UInt8]) throws -> Reply {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure() }
        var head = "\(method) \(path) HTTP/1.1\r\n\(headers["Host"] == nil ? "Host: test\r\n" : "")Connection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        let bytes = Array((head + "\r\n").utf8) + body
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure() }
            sent += count
        }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count <= 0 { break }
            data.append(contentsOf: chunk[0..<count])
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw Failure() }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        guard let status = Int(lines[0].split(separator: " ")[1]) else { throw Failure() }
        var parsed: [String: String] = [:]
        var cookies: [String] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "set-cookie" { cookies.append(value) }
            parsed[name] = value
        }
        return Reply(status: status, headers: parsed, setCookies: cookies, body: String(text[split.upperBound...]))
    }
}
