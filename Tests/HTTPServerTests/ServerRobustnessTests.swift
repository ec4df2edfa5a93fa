import Foundation
import Glibc
import Synchronization
import Testing
@testable import HTTPServer

/// Limits, timeouts and hostile clients, live on port 0.
@Suite struct ServerRobustnessTests {
    static func router(_ router: Router) {
        router.get("/hello", options: .eventLoop) { _, _ in .text("hello") }
        router.post("/echo") { request, _ in .text(String(decoding: try request.body.readAll(), as: UTF8.self)) }
        router.post("/small", options: RouteOptions(maxBodySize: 8)) { request, _ in .text("\(request.body.count)") }
        router.get("/slow") { request, _ in
            let millis = UInt32(request.queryParameters["ms"] ?? "300") ?? 300
            usleep(millis * 1000)
            return .text("slow done")
        }
    }

    /// Sends `request` on a fresh connection and expects `status`, then the connection closed.
    func expectRejected(_ server: TestServer, _ request: String, status: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let client = try server.connect()
        try client.send(request)
        let response = try client.readResponse()
        #expect(response.status == status, "\(request.debugDescription)", sourceLocation: sourceLocation)
        #expect(response.header("connection") == "close", sourceLocation: sourceLocation)
        #expect(client.waitForClose(), sourceLocation: sourceLocation)
    }

    @Test func framingErrorsAre400AndClose() throws {
        let server = try TestServer(router: Self.router)
        defer { server.stop() }
        try expectRejected(server, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", status: 400)
        try expectRejected(server, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", status: 400)
        try expectRejected(server, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: -3\r\n\r\nabc", status: 400)
        try expectRejected(server, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", status: 501)
        try expectRejected(server, "GET /hello HTTP/1.1\r\nHost : t\r\n\r\n", status: 400)
        try expectRejected(server, "GET /hello HTTP/1.1\r\nHost: t\r\nX-A: b\r\n c\r\n\r\n", status: 400)
        try expectRejected(server, "GET /hello HTTP/1.1\r\n\r\n", status: 400)
        try expectRejected(server, "GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400)
        try expectRejected(server, "GET /hello HTTP/1.1\nHost: t\n\n", status: 400)
        try expectRejected(server, "GET /hello HTTP/2.0\r\nHost: t\r\n\r\n", status: 505)
        try expectRejected(server, "BREW /hello HTTP/1.1\r\nHost: t\r\n\r\n", status: 501)
        try expectRejected(server, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", status: 400)
        try expectRejected(server, "GET /hello HTTP/1.1\r\nHost: t\r\nX: a\u{0}b\r\n\r\n", status: 400)
        // The server is still healthy afterwards.
        let client = try server.connect()
        try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().status == 200)
    }

    @Test func sizeLimitsAnswer414And431And413() throws {
        let server = try TestServer(router: Self.router)
        defer { server.stop() }
        try expectRejected(server, "GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\nHost: t\r\n\r\n", status: 414)
        try expectRejected(server, "GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "b", count: 17_000))\r\n\r\n", status: 431)
        let many = (0..<101).map { "X-\($0): v\r\n" }.joined()
        try expectRejected(server, "GET /hello HTTP/1.1\r\nHost: t\r\n\(many)\r\n", status: 431)
        // Per-route body limit, checked from Content-Length before the body is read.
        try expectRejected(server, "POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 9\r\n\r\n", status: 413)
        // A chunked body has no length up front: it is cut off when it passes the limit.
        try expectRejected(server, "POST /small HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n5\r\n67890\r\n0\r\n\r\n", status: 413)
        let client = try server.connect()
        try client.send("POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 8\r\n\r\n12345678")
        #expect(try client.readResponse().text == "8")
    }

    @Test func slowHeadersGet408() throws {
        let server = try TestServer({ $0.headerReadTimeout = .milliseconds(300) }, router: Self.router)
        defer { server.stop() }
        let client = try server.connect()
        try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n") // never finishes the header block
        let response = try client.readResponse()
        #expect(response.status == 408)
        #expect(client.waitForClose())
        // A connection that sends nothing at all is just closed.
        let silent = try server.connect()
        #expect(silent.waitForClose())
    }

    @Test func slowBodyGets408() throws {
        let server = try TestServer({ $0.bodyReadTimeout = .milliseconds(300) }, router: Self.router)
        defer { server.stop() }
        let client = try server.connect()
        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        let response = try client.readResponse()
        #expect(response.status == 408)
        #expect(client.waitForClose())
    }

    @Test func idleKeepAliveConnectionsAreClosed() throws {
        let server = try TestServer({ $0.keepAliveTimeout = .milliseconds(300) }, router: Self.router)
        defer { server.stop() }
        let client = try server.connect()
        try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        let start = Date()
        #expect(client.waitForClose())
        #expect(Date().timeIntervalSince(start) < 2)
        #expect(server.waitForNoConnections())
    }

    @Test func handlerDeadlineAnswers503() throws {
        let server = try TestServer({ $0.handlerTimeout = .milliseconds(200) }, router: Self.router)
        defer { server.stop() }
        let client = try server.connect()
        try client.send("GET /slow?ms=800 HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 503)
        #expect(client.waitForClose())
    }

    @Test func connectionsOverTheLimitGet503() throws {
        let server = try TestServer({ $0.maxConnections = 2; $0.eventLoops = 1 }, router: Self.router)
        defer { server.stop() }
        let first = try server.connect()
        let second = try server.connect()
        try first.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        try second.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try first.readResponse().status == 200)
        #expect(try second.readResponse().status == 200)
        let third = try server.connect()
        let refused = try third.readResponse()
        #expect(refused.status == 503)
        #expect(refused.header("retry-after") == "1")
        #expect(third.waitForClose())
        // Once one closes, a new connection is accepted again.
        first.close()
        #expect(server.server.connectionCount <= 2)
        usleep(100_000)
        let fourth = try server.connect()
        try fourth.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try fourth.readResponse().status == 200)
    }

    @Test func fullWorkerQueueAnswers503() throws {
        let server = try TestServer({ $0.workerThreads = 1; $0.workerQueueCapacity = 1 }, router: Self.router)
        defer { server.stop() }
        let clients = try (0..<4).map { _ in try server.connect() }
        for client in clients { try client.send("GET /slow?ms=300 HTTP/1.1\r\nHost: t\r\n\r\n") }
        let statuses = try clients.map { try $0.readResponse().status }.sorted()
        #expect(statuses.filter { $0 == 200 }.count >= 1)
        #expect(statuses.contains(503))
    }

    @Test func clientVanishingMidRequestOrMidResponseLeavesTheServerHealthy() throws {
        let server = try TestServer { router in
            Self.router(router)
            router.get("/big") { _, _ in
                Response(body: .stream(length: nil) { writer in
                    for _ in 0..<1000 { try writer.write([UInt8](repeating: 0x61, count: 64 * 1024)) }
                })
            }
        }
        defer { server.stop() }
        // Mid-request: half a header block, then gone.
        let partial = try server.connect()
        try partial.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Len")
        partial.close()
        // Mid-body.
        let body = try server.connect()
        try body.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc")
        body.close()
        // Mid-response: ask for 64 MB, read a little, vanish.
        let download = try server.connect()
        try download.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n")
        var scratch = [UInt8](repeating: 0, count: 1000)
        _ = recv(download.fd, &scratch, scratch.count, 0)
        download.close()
        #expect(server.waitForNoConnections(timeout: 5))
        let client = try server.connect()
        try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().status == 200)
    }

    @Test func gracefulShutdownFinishesInFlightRequests() throws {
        let server = try TestServer(router: Self.router)
        let idle = try server.connect()
        try idle.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try idle.readResponse().status == 200)
        let busy = try server.connect()
        try busy.send("GET /slow?ms=400 HTTP/1.1\r\nHost: t\r\n\r\n")
        usleep(100_000)
        let started = Date()
        server.server.shutdown()
        // The idle keep-alive connection is closed at once.
        #expect(idle.waitForClose())
        // The in-flight request still gets its answer, marked as the connection's last.
        let response = try busy.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "slow done")
        #expect(response.header("connection") == "close")
        server.server.wait()
        #expect(Date().timeIntervalSince(started) < 3)
        // No longer listening.
        #expect(throws: (any Error).self) { try server.connect() }
        server.server.stopWorkers()
    }

    @Test func shutdownClosesConnectionsThatOverrunTheGracePeriod() throws {
        let server = try TestServer({ $0.shutdownGracePeriod = .milliseconds(200) }, router: Self.router)
        let busy = try server.connect()
        try busy.send("GET /slow?ms=2000 HTTP/1.1\r\nHost: t\r\n\r\n")
        usleep(100_000)
        let started = Date()
        server.server.shutdown()
        server.server.wait()
        #expect(Date().timeIntervalSince(started) < 1.5)
        #expect(busy.waitForClose())
        server.server.stopWorkers()
    }

    @Test func halfClosedClientGetsEveryPipelinedAnswer() throws {
        let server = try TestServer(router: Self.router)
        defer { server.stop() }
        let client = try server.connect()
        try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\nPOST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhiGET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        client.shutdownWrite()
        #expect(try client.readResponse().text == "hello")
        #expect(try client.readResponse().text == "hi")
        #expect(try client.readResponse().text == "hello")
        #expect(client.waitForClose())
    }

    @Test func headErrorResponsesCarryNoBody() throws {
        let server = try TestServer({ $0.maxBodySize = 4 }, router: Self.router)
        defer { server.stop() }
        let client = try server.connect()
        try client.send("HEAD /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n")
        let response = try client.readResponse(head: true)
        #expect(response.status == 413)
        // Nothing but the close may follow the head.
        #expect(client.waitForClose())
        #expect(client.remainingBytes == 0)
    }

    @Test func streamedResponseWithNoFreeProducerIs503NotATruncated200() throws {
        let server = try TestServer({ $0.streamThreads = 1; $0.streamQueueCapacity = 0 }) { router in
            router.get("/stream") { _, _ in Response(body: .stream(length: 5) { writer in try writer.write(Array("hello".utf8)) }) }
        }
        defer { server.stop() }
        let client = try server.connect()
        try client.send("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 503)
    }

    @Test func timeoutsOfForeverDoNotOverflowTheClock() throws {
        let server = try TestServer({
            $0.keepAliveTimeout = .seconds(Int64.max)
            $0.headerReadTimeout = .seconds(Int64.max / 2)
            $0.handlerTimeout = .seconds(Int64.max)
        }, router: Self.router)
        defer { server.stop() }
        let client = try server.connect()
        try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().text == "hello")
    }

    @Test func blankLinesBetweenRequestsAreNotAStartedRequest() throws {
        let server = try TestServer({ $0.headerReadTimeout = .milliseconds(200); $0.keepAliveTimeout = .seconds(5) }, router: Self.router)
        defer { server.stop() }
        let client = try server.connect()
        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok\r\n")
        #expect(try client.readResponse().text == "ok")
        // The stray CRLF must not earn a 408: the connection is closed quietly or kept, never answered.
        #expect(client.waitForClose())
        #expect(client.remainingBytes == 0)
    }

    @Test func randomBytesNeverCrashTheServer() throws {
        let server = try TestServer({ $0.headerReadTimeout = .milliseconds(300) }, router: Self.router)
        defer { server.stop() }
        var generator = SplitMix64(seed: 0x5EED)
        let prefixes = ["GET / HTTP/1.1\r\n", "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n", "", "GET /hello HTTP/1.1\r\nHost: t\r\nContent-Length: "]
        for round in 0..<60 {
            let client = try server.connect()
            client.setTimeout(seconds: 2)
            var bytes = Array(prefixes[round % prefixes.count].utf8)
            for _ in 0..<Int(generator.next() % 300) { bytes.append(UInt8(truncatingIfNeeded: generator.next())) }
            if round % 3 == 0 { bytes += Array("\r\n\r\n".utf8) }
            try? client.send(bytes)
            if let response = try? client.readResponse() {
                // Garbage may happen to form a valid request; anything else must be refused, not crash.
                #expect((200..<600).contains(response.status))
            }
            client.close()
        }
        let client = try server.connect()
        try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().text == "hello")
    }
}

/// A small deterministic generator so a failing random test can be replayed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
