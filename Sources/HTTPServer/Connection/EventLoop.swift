import CSystemLinux
import Foundation
import Glibc
import Synchronization

/// Messages other threads post to an event loop.
enum LoopMessage: @unchecked Sendable {
    case response(ExchangeID, Response)
    case streamActivity(ExchangeID)
    case adopt(fd: Int32, remote: String, tls: Bool)
    case shutdown(deadline: Int64)
}

/// One thread with its own epoll set (edge-triggered). The first loop also owns the listener and hands
/// accepted connections round-robin to all loops. A loop owns its connections outright: everything about a connection happens on this thread, so connections need no
/// locks. Other threads talk to it only through `post`, which wakes it with an eventfd.
///
/// `@unchecked Sendable`: the only state touched from other threads is `inbox` (a Mutex) and the
/// immutable file descriptors; the rest is confined to the loop thread.
final class EventLoop: @unchecked Sendable {
    let index: Int
    let server: Server
    let configuration: ServerConfiguration
    private let epoll: Int32
    private let wakeFD: Int32
    private var listenFD: Int32
    /// The TLS listener (first loop only, when a TLS port is configured); -1 otherwise.
    private var tlsListenFD: Int32
    private let inbox = Mutex<[LoopMessage]>([])
    private var connections: [Int32: Connection] = [:]
    private var nextGeneration: UInt64 = 0
    private var requestCounter: UInt64 = 0
    private var threadID = pthread_t()
    private var draining = false
    private var drainDeadline: Int64 = .max
    private var nextTimerCheck: Int64 = 0
    private var acceptPending = false
    private(set) var dateCache = DateCache()

    /// One read buffer shared by every connection of this loop: a connection keeps only what it could not
    /// parse yet, so an idle keep-alive connection costs a few hundred bytes rather than a buffer.
    let readBuffer: UnsafeMutableRawBufferPointer
    static let readBufferSize = 64 * 1024

    init(index: Int, server: Server, listenFD: Int32, tlsListenFD: Int32 = -1) throws {
        self.index = index
        self.server = server
        self.configuration = server.configuration
        self.listenFD = listenFD
        self.tlsListenFD = tlsListenFD
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { throw Socket.Failure(call: "epoll_create1", code: errno) }
        wakeFD = eventfd(0, CSL_EFD_NONBLOCK | CSL_EFD_CLOEXEC)
        guard wakeFD >= 0 else { throw Socket.Failure(call: "eventfd", code: errno) }
        readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 16)
        // Listeners are registered for reads only: a listener is never writable in any useful sense.
        if listenFD >= 0 { register(listenFD, events: CSL_EPOLLIN | CSL_EPOLLET) }
        if tlsListenFD >= 0 { register(tlsListenFD, events: CSL_EPOLLIN | CSL_EPOLLET) }
        register(wakeFD, events: CSL_EPOLLIN | CSL_EPOLLET)
    }

    deinit {
        readBuffer.deallocate()
        close(epoll)
        close(wakeFD)
    }

    /// Registers `fd` with a tag (a connection's generation) beside it in the event data, so an event that
    /// was already fetched for a connection that has since closed cannot reach a new one on the same fd.
    private func register(_ fd: Int32, events: UInt32, tag: UInt32 = 0) {
        var event = epoll_event()
        csl_epoll_event_set(&event, events, UInt64(tag) << 32 | UInt64(UInt32(bitPattern: fd)))
        epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event)
    }

    // MARK: - From other threads

    func post(_ message: LoopMessage) {
        let wasEmpty = inbox.withLock { inbox -> Bool in
            inbox.append(message)
            return inbox.count == 1
        }
        if wasEmpty {
            var one: UInt64 = 1
            _ = Glibc.write(wakeFD, &one, 8)
        }
    }

    var isCurrentThread: Bool { pthread_equal(pthread_self(), threadID) != 0 }

    /// Hands a response to its connection: straight away when it comes from that connection's own inline
    /// handler, through the inbox otherwise — even on this thread, since running another connection's
    /// `drive()` in the middle of this one's would let it use the shared read buffer under our feet.
    func deliver(_ response: Response, to id: ExchangeID) {
        if isCurrentThread, let connection = connections[id.fd], connection.generation == id.generation, connection.isDispatching {
            connection.receive(response, exchange: id.exchange)
        } else {
            post(.response(id, response))
        }
    }

    // MARK: - The loop

    func run() {
        threadID = pthread_self()
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        while true {
            let count = epoll_wait(epoll, events, Int32(capacity), timeoutMilliseconds())
            if count < 0 && errno != EINTR { break }
            for position in 0..<Int(max(count, 0)) {
                let data = csl_epoll_event_data(events + position)
                let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: data))
                let tag = UInt32(truncatingIfNeeded: data >> 32)
                let flags = csl_epoll_event_events(events + position)
                if fd == listenFD || fd == tlsListenFD {
                    acceptConnections()
                } else if fd == wakeFD {
                    var value: UInt64 = 0
                    _ = Glibc.read(wakeFD, &value, 8)
                    processInbox()
                } else if let connection = connections[fd], UInt32(truncatingIfNeeded: connection.generation) == tag {
                    connection.handleEvents(flags)
                }
            }
            let now = monotonicNanoseconds()
            if now >= nextTimerCheck {
                nextTimerCheck = now + 100_000_000
                checkDeadlines(now)
                if acceptPending { acceptConnections() }
            }
            if draining {
                if now >= drainDeadline {
                    for connection in Array(connections.values) { connection.close() }
                }
                if connections.isEmpty { break }
            }
        }
        if listenFD >= 0 { close(listenFD); listenFD = -1 }
        if tlsListenFD >= 0 { close(tlsListenFD); tlsListenFD = -1 }
        // Anything still in the inbox is for connections that will never be served: close handed-over fds.
        for message in inbox.withLock({ inbox -> [LoopMessage] in defer { inbox.removeAll() }; return inbox }) {
            if case .adopt(let fd, _, _) = message { close(fd) }
        }
    }

    private func timeoutMilliseconds() -> Int32 {
        connections.isEmpty && !draining ? 1000 : 100
    }

    private func processInbox() {
        let messages = inbox.withLock { inbox -> [LoopMessage] in
            let taken = inbox
            inbox.removeAll(keepingCapacity: true)
            return taken
        }
        for message in messages {
            switch message {
            case .response(let id, let response):
                handleResponse(response, for: id)
            case .streamActivity(let id):
                if let connection = connections[id.fd], connection.generation == id.generation {
                    connection.streamActivity(exchange: id.exchange)
                }
            case .adopt(let fd, let remote, let tls):
                adopt(fd: fd, remote: remote, tls: tls)
            case .shutdown(let deadline):
                beginDrain(deadline: deadline)
            }
        }
    }

    private func handleResponse(_ response: Response, for id: ExchangeID) {
        guard let connection = connections[id.fd], connection.generation == id.generation else { return }
        connection.receive(response, exchange: id.exchange)
    }

    // MARK: - Connections

    private func acceptConnections() {
        acceptPending = false
        accept(from: listenFD, tls: false)
        if tlsListenFD >= 0 { accept(from: tlsListenFD, tls: true) }
    }

    private func accept(from listener: Int32, tls: Bool) {
        while listener >= 0 {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    csl_accept4(listener, $0, &length, CSL_SOCK_NONBLOCK | CSL_SOCK_CLOEXEC)
                }
            }
            if fd < 0 {
                switch errno {
                case EINTR, ECONNABORTED: continue
                case EMFILE, ENFILE:
                    // Out of descriptors: leave the rest in the backlog. With edge triggering no new event
                    // comes for them, so the next timer tick retries.
                    server.logger.warning("accept: out of file descriptors")
                    acceptPending = true
                    return
                default: return // EAGAIN: the backlog is empty.
                }
            }
            Socket.setNoDelay(fd)
            // Round-robin over the loops: keep-alive connections live long, so an even spread matters more
            // than the cost of handing a descriptor to another thread.
            let target = server.nextLoop()
            if target === self {
                adopt(fd: fd, remote: Socket.describe(storage), tls: tls)
            } else {
                target.post(.adopt(fd: fd, remote: Socket.describe(storage), tls: tls))
            }
        }
    }

    /// Takes over a connected socket (accepted here, or handed over, e.g. one end of a socketpair).
    func adopt(fd: Int32, remote: String, tls: Bool = false) {
        _ = csl_set_nonblocking(fd)
        var transport: ConnectionTransport?
        if tls {
            // No store, or OpenSSL out of memory: nothing sensible to say in plain text on a TLS port.
            guard let store = server.tlsCertificates, let secure = TLSTransport(fd: fd, store: store) else { close(fd); return }
            transport = .tls(secure)
        }
        if draining || !server.reserveConnectionSlot() {
            if case .tls(let secure) = transport { secure.close(); return }
            // Over the limit: a short 503 (best effort, the socket is non-blocking) and close.
            let response = ResponseEncoder.errorResponse(.serviceUnavailable, "Too many connections", date: dateCache.current(),
                                                         extraHeaders: "Retry-After: 1\r\n")
            _ = response.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, CSL_MSG_NOSIGNAL) }
            close(fd)
            return
        }
        nextGeneration += 1
        let connection = Connection(fd: fd, generation: nextGeneration, remote: remote, loop: self, transport: transport)
        connections[fd] = connection
        // Edge-triggered, registered once for both directions: no epoll_ctl per request.
        register(fd, events: CSL_EPOLLIN | CSL_EPOLLOUT | CSL_EPOLLRDHUP | CSL_EPOLLET, tag: UInt32(truncatingIfNeeded: nextGeneration))
    }

    func connectionClosed(_ connection: Connection) {
        if connections[connection.fd] === connection {
            connections[connection.fd] = nil
            server.releaseConnectionSlot()
        }
    }

    var isDraining: Bool { draining }

    func nextRequestID() -> String {
        requestCounter += 1
        return String(index, radix: 36) + "-" + String(requestCounter, radix: 36)
    }

    func currentDate() -> [UInt8] { dateCache.current() }

    private func checkDeadlines(_ now: Int64) {
        for connection in Array(connections.values) where connection.deadline <= now {
            connection.deadlinePassed()
        }
    }

    private func beginDrain(deadline: Int64) {
        draining = true
        drainDeadline = deadline
        if listenFD >= 0 {
            epoll_ctl(epoll, EPOLL_CTL_DEL, listenFD, nil)
            close(listenFD)
            listenFD = -1
        }
        if tlsListenFD >= 0 {
            epoll_ctl(epoll, EPOLL_CTL_DEL, tlsListenFD, nil)
            close(tlsListenFD)
            tlsListenFD = -1
        }
        for connection in Array(connections.values) { connection.drain() }
        if index == 0 { server.shutdownOtherLoops(deadline: deadline, from: self) }
    }
}
