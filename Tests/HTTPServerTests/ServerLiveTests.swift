import Foundation
import Glibc
import Synchronization
import Testing
@testable import HTTPServer

/// The server live on 127.0.0.1 port 0: keep-alive, pipelining, bodies, Expect, HEAD, HTTP/1.0.
@Suite struct ServerLiveTests {
    static func echoRouter(_ router: Router) {
        router.get("/hello", options: .eventLoop) { _, _ in .text("hello") }
        router.post("/echo") { request, _ in
            Response(contentType: "application/octet-stream", body: try request.body.readAll())
        }
        router.get("/stream") { request, _ in
            let count = Int(request.queryParameters["count"] ?? "3") ?? 3
            return Response(body: .stream(length: nil) { writer in
                for index in 0..<count { try writer.write(Array("part \(index)\n".utf8)) }
            })
        }
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() throws {
        let server = try TestServer(router: Self.echoRouter)
        defer { server.stop() }
        let client = try server.connect()
        for _ in 0..<3 {
            try client.send("GET /hello HTTP/1.1\r\nHost: test\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "hello")
            #expect(response.header("connection") == nil)
            #expect(response.header("date") != nil)
            #expect(response.header("x-request-id") != nil)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let server = try TestServer(router: Self.echoRouter)
        defer { server.stop() }
        let client = try server.connect()
        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nonePOST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\ntwoGET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().text == "one")
        #expect(try client.readResponse().text == "two")
        #expect(try client.readResponse().text == "hello")
    }

    @Test func chunkedRequestBodyIsDechunked() throws {
        let server = try TestServer(router: Self.echoRouter)
        defer { server.stop() }
        let client = try server.connect()
        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "hello world")
    }

    @Test func streamedResponseIsChunkedOnHTTP11AndCloseDelimitedOnHTTP10() throws {
        let server = try TestServer(router: Self.echoRouter)
        defer { server.stop() }
        let client = try server.connect()
        try client.send("GET /stream?count=3 HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.header("transfer-encoding") == "chunked")
        #expect(response.text == "part 0\npart 1\npart 2\n")
        // The connection stays usable after a chunked response.
        try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().text == "hello")

        let old = try server.connect()
        try old.send("GET /stream?count=2 HTTP/1.0\r\n\r\n")
        let legacy = try old.readResponse()
        #expect(legacy.header("transfer-encoding") == nil)
        #expect(legacy.text == "part 0\npart 1\n")
        #expect(old.closedByPeer)
    }

    @Test func expectContinueGetsA100BeforeTheBody() throws {
        let server = try TestServer(router: Self.echoRouter)
        defer { server.stop() }
        let client = try server.connect()
        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        let interim = try client.readResponse()
        #expect(interim.status == 100)
        try client.send("data")
        let final = try client.readResponse()
        #expect(final.status == 200)
        #expect(final.text == "data")
    }

    @Test func expectContinueWithATooLargeBodyGets413WithoutA100() throws {
        let server = try TestServer({ $0.maxBodySize = 10 }, router: Self.echoRouter)
        defer { server.stop() }
        let client = try server.connect()
        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 413)
        #expect(response.header("connection") == "close")
        #expect(client.waitForClose())
    }

    @Test func headResponseHasLengthButNoBody() throws {
        let server = try TestServer(router: Self.echoRouter)
        defer { server.stop() }
        let client = try server.connect()
        try client.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse(head: true)
        #expect(response.status == 200)
        #expect(response.header("content-length") == "5")
        // If a body had been sent, it would be read as the next status line and fail here.
        try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().text == "hello")
    }

    @Test func http10ClosesUnlessKeepAliveIsAsked() throws {
        let server = try TestServer(router: Self.echoRouter)
        defer { server.stop() }
        let plain = try server.connect()
        try plain.send("GET /hello HTTP/1.0\r\n\r\n")
        let first = try plain.readResponse()
        #expect(first.status == 200)
        #expect(first.header("connection") == "close")
        #expect(plain.waitForClose())

        let kept = try server.connect()
        try kept.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try kept.readResponse().header("connection") == "keep-alive")
        try kept.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try kept.readResponse().status == 200)
    }

    @Test func connectionCloseIsHonoured() throws {
        let server = try TestServer(router: Self.echoRouter)
        defer { server.stop() }
        let client = try server.connect()
        try client.send("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(try client.readResponse().header("connection") == "close")
        #expect(client.waitForClose())
    }

    @Test func largeBodiesAreSpooledToDiskAndRemovedAfterwards() throws {
        let seenPath = Mutex<String?>(nil)
        let server = try TestServer({ $0.bodySpoolThreshold = 1024; $0.maxBodySize = 1 << 20 }) { router in
            router.post("/upload") { request, _ in
                if case .file(let path, _) = request.body { seenPath.withLock { $0 = path } }
                let bytes = try request.body.readAll()
                return .text("\(bytes.count) \(bytes.reduce(0) { ($0 &+ Int($1)) % 65521 })")
            }
        }
        defer { server.stop() }
        let payload = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let client = try server.connect()
        try client.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: \(payload.count)\r\n\r\n")
        try client.send(payload)
        let response = try client.readResponse()
        #expect(response.text == "\(payload.count) \(payload.reduce(0) { ($0 &+ Int($1)) % 65521 })")
        let path = try #require(seenPath.withLock { $0 })
        // The spool file goes once the response is written.
        usleep(100_000)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func largeStreamedResponseArrivesWholeThroughBackPressure() throws {
        let server = try TestServer({ $0.streamHighWatermark = 64 * 1024 }) { router in
            router.get("/big") { _, _ in
                Response(body: .stream(length: 8 << 20) { writer in
                    for index in 0..<128 { try writer.write([UInt8](repeating: UInt8(index), count: 64 * 1024)) }
                })
            }
        }
        defer { server.stop() }
        let client = try server.connect()
        try client.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n")
        usleep(200_000) // let the server hit back-pressure before we read
        let response = try client.readResponse()
        #expect(response.header("content-length") == "\(8 << 20)")
        #expect(response.body.count == 8 << 20)
        #expect(response.body[64 * 1024 * 5] == 5)
        #expect(response.body.last == 127)
    }

    @Test func socketpairConnectionIsServed() throws {
        let server = try TestServer(router: Self.echoRouter)
        defer { server.stop() }
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        server.server.adopt(fd: fds[0])
        let client = RawClient(fd: fds[1])
        try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "hello")
    }

    @Test func methodNotAllowedListsAllowedMethods() throws {
        let server = try TestServer(router: Self.echoRouter)
        defer { server.stop() }
        let client = try server.connect()
        try client.send("DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 405)
        #expect(response.header("allow") == "GET, HEAD, OPTIONS")
        try client.send("OPTIONS /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        let options = try client.readResponse()
        #expect(options.status == 204)
        #expect(options.header("allow") == "GET, HEAD, OPTIONS")
    }

    @Test func servesOverIPv6Loopback() throws {
        let server = try TestServer({ $0.host = "::1" }, router: Self.echoRouter)
        defer { server.stop() }
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = in_port_t(UInt16(server.port).bigEndian)
        address.sin6_addr = in6addr_loopback
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
        #expect(connected == 0)
        let client = RawClient(fd: fd)
        try client.send("GET /hello HTTP/1.1\r\nHost: [::1]\r\n\r\n")
        #expect(try client.readResponse().text == "hello")
    }

    @Test func pipelinedRequestsAndAnErrorOverASocketpair() throws {
        let server = try TestServer(router: Self.echoRouter)
        defer { server.stop() }
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        server.server.adopt(fd: fds[0])
        let client = RawClient(fd: fds[1])
        // Two good requests, then one with both framings: answered in order, then 400 and close.
        try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\nPOST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi"
            + "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n")
        #expect(try client.readResponse().text == "hello")
        #expect(try client.readResponse().text == "hi")
        #expect(try client.readResponse().status == 400)
        #expect(client.waitForClose())
    }
}
