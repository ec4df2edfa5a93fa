import CSystemLinux
import Foundation
import Glibc
import Logging

/// One client connection, owned by one event loop and touched only on its thread.
///
/// Its life is a loop of phases: `idle` (keep-alive, waiting for a request) → `head` → `body` → `waiting`
/// (a handler has the request) → `writing` → back to `idle`, or `lingering` and closed. Each phase has one
/// deadline. All progress goes through `drive()`, which is re-entrancy safe: events only set flags and ask
/// it to run again.
final class Connection {
    enum Phase: Equatable {
        case idle, head, body, waiting, writing, lingering, closed
    }

    let fd: Int32
    private let transport: ConnectionTransport
    let generation: UInt64
    let remote: String
    unowned let loop: EventLoop
    private let configuration: ServerConfiguration

    private(set) var phase: Phase = .head
    private(set) var deadline: Int64
    private var parser: RequestParser
    /// Bytes read but not parsed yet (a pipelined request that waits for the one before it).
    private var pendingInput: [UInt8] = []
    private var readable = true
    private var peerClosed = false

    // The exchange in progress.
    private var exchange: UInt64 = 0
    private var head: RequestHead?
    private var bodyLimit: Int64 = 0
    private var body = BodyAccumulator()
    private var requestID = ""
    private var requestStart: Int64 = 0
    private var receivedAny = false
    private var inDispatch = false
    /// True while this connection's handler runs inline on the loop (its response may arrive synchronously).
    var isDispatching: Bool { inDispatch }
    private var earlyResponse: Response?
    private var keepAliveAfter = true
    private var status = 0
    private var accessMethod = "-"
    private var accessTarget = "-"
    private var bodyBytesSent: Int64 = 0

    // Writing.
    private var outbound: [UInt8] = []
    private var outboundOffset = 0
    private var stream: StreamChannel?
    private var streamFraming: ResponseEncoder.Framing = .none
    private var streamRemaining: Int64 = 0
    private var streamFailed = false

    private var driving = false
    private var again = false

    init(fd: Int32, generation: UInt64, remote: String, loop: EventLoop, transport: ConnectionTransport? = nil) {
        self.fd = fd
        self.transport = transport ?? .plain(SocketTransport(fd: fd))
        self.generation = generation
        self.remote = remote
        self.loop = loop
        self.configuration = loop.configuration
        self.parser = RequestParser(limits: loop.configuration.parser)
        // A new connection must send its first request within the header timeout (slowloris); over TLS the
        // handshake counts against the same deadline.
        self.deadline = monotonicNanoseconds().addingSaturating(loop.configuration.headerReadTimeout.nanoseconds)
    }

    // MARK: - Events

    func handleEvents(_ flags: UInt32) {
        if flags & (CSL_EPOLLERR | CSL_EPOLLHUP) != 0 && flags & CSL_EPOLLIN == 0 {
            close()
            return
        }
        if flags & (CSL_EPOLLIN | CSL_EPOLLRDHUP | CSL_EPOLLHUP) != 0 { readable = true }
        // TLS may need to write before it can read (a handshake flight that did not fit, a key update): its
        // reads wait for writability too, so try again when the socket drains.
        if flags & CSL_EPOLLOUT != 0 && transport.isSecure && isParsing { readable = true }
        // The client shut its sending side: answer what it sent, then close rather than keep alive.
        if flags & CSL_EPOLLRDHUP != 0 { peerClosed = true }
        drive()
    }

    func receive(_ response: Response, exchange id: UInt64) {
        guard id == exchange, phase == .waiting else { return }
        if inDispatch {
            earlyResponse = response
        } else {
            startResponse(response)
            drive()
        }
    }

    func streamActivity(exchange id: UInt64) {
        guard id == exchange, phase == .writing, stream != nil else { return }
        drive()
    }

    /// The server is shutting down: idle connections close now, busy ones after their current response.
    func drain() {
        keepAliveAfter = false
        if phase == .idle || (phase == .head && !receivedAny) { close() }
    }

    func deadlinePassed() {
        switch phase {
        case .idle, .lingering, .writing:
            close()
        case .head:
            // Only a started request earns a 408; a silent connection, or one that sent just the blank lines
            // RFC 9112 §2.2 lets clients send between requests, is simply closed.
            if receivedAny && !parser.isIdle { fail(.requestTimeout, "Request headers not received in time") } else { close() }
        case .body:
            fail(.requestTimeout, "Request body not received in time")
        case .waiting:
            // The handler overran its deadline: answer for it; its late response will be dropped.
            exchange += 1
            loop.server.logger.warning("handler deadline exceeded", metadata: ["request_id": "\(requestID)"])
            fail(.serviceUnavailable, "The request took too long")
        case .closed:
            break
        }
    }

    /// Now plus `duration`, saturating: a timeout of "forever" must not overflow the clock.
    private func deadline(after duration: Duration) -> Int64 {
        monotonicNanoseconds().addingSaturating(duration.nanoseconds)
    }

    // MARK: - Driving

    private func drive() {
        if driving { again = true; return }
        driving = true
        defer { driving = false }
        repeat {
            again = false
            switch phase {
            case .idle, .head, .body: readAndParse()
            case .waiting: break
            case .writing: write()
            case .lingering: drainLinger()
            case .closed: return
            }
        } while again && phase != .closed
    }

    private var isParsing: Bool { phase == .idle || phase == .head || phase == .body }

    private func readAndParse() {
        // A `100 Continue` that did not fit in the socket at once goes out before we read on.
        if outboundOffset < outbound.count {
            flushOutbound()
            if phase == .closed { return }
        }
        if !pendingInput.isEmpty {
            let input = pendingInput
            pendingInput.removeAll(keepingCapacity: true)
            let used = input.withUnsafeBufferPointer { parse($0) }
            if used < input.count, isPipelineKept {
                pendingInput.append(contentsOf: input[used...])
            }
            if !isParsing { return }
        }
        while isParsing && readable {
            switch transport.receive(into: loop.readBuffer) {
            case .bytes(let count):
                let buffer = UnsafeBufferPointer(start: loop.readBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count)
                let used = parse(buffer)
                if used < count && isPipelineKept {
                    pendingInput.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[used...]))
                }
                // A short read means the socket is drained: new data raises a new edge, so the EAGAIN
                // read that would confirm it is a wasted syscall per request. Not so once the peer has shut
                // its side: its FIN came with this edge, and only reading on finds it.
                if count < loop.readBuffer.count && !peerClosed { readable = false }
            case .closed:
                peerClosed = true
                readable = false
                // A clean close between requests, or a truncated request: either way nothing to answer.
                close()
                return
            case .wouldBlock:
                readable = false
            case .failed:
                close()
                return
            }
        }
    }

    /// Whether unparsed bytes after a complete request are worth keeping (not when we will close).
    /// (An inline handler may already have answered, so `writing` counts too while the connection stays open.)
    private var isPipelineKept: Bool { isParsing || phase == .waiting || (phase == .writing && keepAliveAfter) }

    /// Feeds bytes to the parser until it pauses; returns how many it used.
    private func parse(_ buffer: UnsafeBufferPointer<UInt8>) -> Int {
        if phase == .idle && !buffer.isEmpty {
            phase = .head
            requestStart = monotonicNanoseconds()
            deadline = requestStart.addingSaturating(configuration.headerReadTimeout.nanoseconds)
        }
        if !buffer.isEmpty { receivedAny = true }
        var offset = 0
        do {
            while isParsing {
                var used = 0
                let step = try parser.parse(UnsafeBufferPointer(rebasing: buffer[offset...]), consumed: &used)
                let base = offset
                offset += used
                switch step {
                case .needMore:
                    return offset
                case .head(let head):
                    beginBody(head)
                case .body(let range):
                    appendBody(UnsafeBufferPointer(rebasing: buffer[(base + range.lowerBound)..<(base + range.upperBound)]))
                case .end:
                    dispatch()
                    return offset
                }
            }
        } catch {
            fail(error.status, error.reason)
            return buffer.count
        }
        return offset
    }

    // MARK: - Requests

    private func beginBody(_ head: RequestHead) {
        self.head = head
        accessMethod = head.method.rawValue
        accessTarget = head.target
        phase = .body
        requestID = loop.nextRequestID()
        if requestStart == 0 { requestStart = monotonicNanoseconds() }
        deadline = deadline(after: configuration.bodyReadTimeout)
        body = BodyAccumulator()
        guard head.framing != .none else { return }
        bodyLimit = loop.server.responder.maxBodySize(for: head) ?? configuration.maxBodySize
        if case .length(let length) = head.framing, length > bodyLimit {
            fail(.contentTooLarge, "Request body larger than \(bodyLimit) bytes")
            return
        }
        if head.expectsContinue {
            // The client waits for this before it sends the body (RFC 9110 §10.1.1).
            queue(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
            flushOutbound()
        }
    }

    private func appendBody(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard phase == .body else { return }
        deadline = deadline(after: configuration.bodyReadTimeout)
        if body.count + Int64(bytes.count) > bodyLimit {
            fail(.contentTooLarge, "Request body larger than \(bodyLimit) bytes")
            return
        }
        do {
            try body.append(bytes, spoolThreshold: configuration.bodySpoolThreshold, directory: configuration.temporaryDirectory)
        } catch {
            loop.server.logger.error("could not spool request body: \(error)")
            fail(.internalServerError, "Could not store the request body")
        }
    }

    private func dispatch() {
        guard let head else { return }
        phase = .waiting
        deadline = deadline(after: configuration.handlerTimeout)
        exchange += 1
        let request = Request(head: head, body: body.finish(), remoteAddress: remote, requestID: requestID, isSecure: transport.isSecure)
        let sink = ResponseSink(loop: loop, id: ExchangeID(fd: fd, generation: generation, exchange: exchange), workers: loop.server.workers)
        inDispatch = true
        loop.server.responder.respond(to: request, sink: sink)
        inDispatch = false
        if let response = earlyResponse {
            earlyResponse = nil
            startResponse(response)
        }
    }

    // MARK: - Responses

    private func startResponse(_ response: Response) {
        guard let head else { return }
        var response = response
        // Over TLS every answer tells the browser to stay on HTTPS (unless the handler chose its own policy).
        if transport.isSecure, let policy = configuration.strictTransportSecurity, response.headers.first("strict-transport-security") == nil {
            response.headers.append("Strict-Transport-Security", policy)
        }
        status = response.status.code
        // A client that half-closed after pipelining still gets every answer: the connection closes when a
        // read finds its EOF with nothing left to parse, not after the first response.
        keepAliveAfter = keepAliveAfter && head.keepAlive && !head.upgrade && !loop.isDraining
        if let connection = response.headers.first("connection"), connection.equalsIgnoringCase("close") { keepAliveAfter = false }
        let framing = ResponseEncoder.framing(for: response, method: head.method, version: head.version)
        if framing == .untilClose { keepAliveAfter = false }
        let sendsBody = head.method != .head && framing != .none
        // A streamed body needs a producer thread; find one before promising a 200 and a length.
        if case .stream(let length, let producer) = response.body, sendsBody,
           !startStream(length: length, framing: framing, producer: producer) {
            fail(.serviceUnavailable, "Server busy, try again shortly")
            return
        }
        ResponseEncoder.encodeHead(response, framing: framing, version: head.version, keepAlive: keepAliveAfter,
                                   date: loop.currentDate(), requestID: requestID, into: &outbound)
        if case .bytes(let bytes) = response.body, sendsBody {
            outbound.append(contentsOf: bytes)
            bodyBytesSent = Int64(bytes.count)
        }
        phase = .writing
        deadline = deadline(after: configuration.writeTimeout)
        again = true
    }

    /// Starts the producer on the stream pool (not the handler pool: a slow reader holds its producer
    /// thread, and must not starve handlers). False when that pool is full.
    private func startStream(length: Int64?, framing: ResponseEncoder.Framing, producer: @escaping BodyProducer) -> Bool {
        let channel = StreamChannel(loop: loop, id: ExchangeID(fd: fd, generation: generation, exchange: exchange),
                                    highWatermark: configuration.streamHighWatermark)
        let writer = StreamBodyWriter(channel: channel)
        let accepted = loop.server.streamWorkers.submit {
            do {
                try producer(writer)
                channel.finish(failed: false)
            } catch {
                channel.finish(failed: true)
            }
        }
        guard accepted else { return false }
        stream = channel
        streamFraming = framing
        streamRemaining = length ?? .max
        streamFailed = false
        return true
    }

    private func write() {
        flushOutbound()
        guard phase == .writing, outboundOffset == outbound.count else { return }
        if let stream {
            let batch = stream.take()
            for chunk in batch.chunks { appendStreamChunk(chunk) }
            if batch.finished {
                self.stream = nil
                if batch.failed || (streamRemaining != .max && streamRemaining > 0) {
                    // The body is incomplete: only closing tells the client so.
                    streamFailed = true
                    keepAliveAfter = false
                } else if streamFraming == .chunked {
                    outbound.append(contentsOf: "0\r\n\r\n".utf8)
                }
            }
            if outbound.count > outboundOffset { again = true }
            if self.stream != nil || outbound.count > outboundOffset { return }
        }
        finishExchange()
    }

    private func appendStreamChunk(_ chunk: [UInt8]) {
        var bytes = chunk[...]
        if streamRemaining != .max {
            if Int64(bytes.count) > streamRemaining {
                // A producer that writes past its declared length would corrupt the next response.
                bytes = bytes.prefix(Int(streamRemaining))
                streamFailed = true
                keepAliveAfter = false
            }
            streamRemaining -= Int64(bytes.count)
        }
        guard !bytes.isEmpty else { return }
        bodyBytesSent += Int64(bytes.count)
        if streamFraming == .chunked {
            ResponseEncoder.appendHex(bytes.count, into: &outbound)
            outbound.append(0x0D); outbound.append(0x0A)
            outbound.append(contentsOf: bytes)
            outbound.append(0x0D); outbound.append(0x0A)
        } else {
            outbound.append(contentsOf: bytes)
        }
    }

    private func queue(_ bytes: [UInt8]) {
        outbound.append(contentsOf: bytes)
    }

    /// Sends what it can without blocking; the next EPOLLOUT edge resumes it.
    private func flushOutbound() {
        while outboundOffset < outbound.count {
            let result = outbound.withUnsafeBytes { raw in
                transport.send(UnsafeRawBufferPointer(rebasing: raw[outboundOffset...]))
            }
            switch result {
            case .bytes(let sent):
                outboundOffset += sent
                deadline = deadline(after: configuration.writeTimeout)
            case .wouldBlock:
                return // the next EPOLLOUT edge resumes
            case .closed, .failed:
                close() // EPIPE, ECONNRESET: the client is gone.
                return
            }
        }
        // Keep the buffer for the rest of this exchange (a stream reuses it); idle connections give it back.
        outbound.removeAll(keepingCapacity: true)
        outboundOffset = 0
    }

    private func finishExchange() {
        logAccess()
        body.discard()
        head = nil
        requestStart = 0
        exchange += 1
        if !keepAliveAfter {
            lingeringClose()
            return
        }
        // An idle keep-alive connection should cost almost nothing: give back what a large exchange grew.
        if outbound.capacity > 4096 { outbound = [] }
        if pendingInput.isEmpty && pendingInput.capacity > 4096 { pendingInput = [] }
        phase = .idle
        deadline = deadline(after: configuration.keepAliveTimeout)
        again = true
    }

    /// Answers with a server error page and closes: used for protocol errors, limits and timeouts.
    private func fail(_ status: HTTPStatus, _ reason: String) {
        self.status = status.code
        if head == nil { requestID = loop.nextRequestID() }
        if requestStart == 0 { requestStart = monotonicNanoseconds() }
        keepAliveAfter = false
        pendingInput.removeAll()
        stream?.cancel()
        stream = nil
        outbound.append(contentsOf: ResponseEncoder.errorResponse(status, reason, date: loop.currentDate(),
                                                                  includeBody: head?.method != .head,
                                                                  custom: loop.server.responder.connectionErrorBody(status, reason: reason, head: head)))
        bodyBytesSent = 0
        phase = .writing
        deadline = deadline(after: configuration.writeTimeout)
        again = true
        if !driving { drive() }
    }

    // MARK: - Closing

    /// Half-closes and reads what the client still sends for a moment, so it receives our last response
    /// instead of a reset caused by unread data (RFC 9112 §9.6).
    private func lingeringClose() {
        transport.shutdownWrite()
        phase = .lingering
        deadline = deadline(after: configuration.lingerTimeout)
        again = true
    }

    private func drainLinger() {
        while true {
            switch transport.receive(into: loop.readBuffer) {
            case .bytes: continue
            case .wouldBlock: return
            case .closed, .failed: close(); return
            }
        }
    }

    func close() {
        guard phase != .closed else { return }
        phase = .closed
        stream?.cancel()
        stream = nil
        body.discard()
        transport.close()
        loop.connectionClosed(self)
    }

    private func logAccess() {
        let logger = loop.server.logger
        defer { accessMethod = "-"; accessTarget = "-" }
        guard logger.logLevel <= .info else { return }
        let micros = (monotonicNanoseconds() - requestStart) / 1000
        logger.info("\(accessMethod) \(accessTarget) \(status) \(bodyBytesSent)B \(micros / 1000).\(String(format: "%03d", Int(micros % 1000)))ms",
                    metadata: ["request_id": "\(requestID)", "remote": "\(remote)"])
    }
}
