import CSystemLinux
import Foundation
import Glibc
import Logging
import Synchronization

/// The HTTP/1.1 server: event loops on their own threads, a worker pool, and one responder.
///
/// `start()` binds and returns at once; `shutdown()` drains gracefully; `wait()` blocks until every loop
/// has finished. Tests run it on port 0 and read `port`.
public final class Server: Sendable {
    public let configuration: ServerConfiguration
    public let responder: any HTTPResponder
    public let workers: WorkerPool
    /// Producers of streamed bodies (see `ServerConfiguration.streamThreads`).
    let streamWorkers: WorkerPool
    public let logger: Logger
    /// Certificates for the TLS port (`configuration.tlsPort`), chosen by SNI; reloadable at runtime.
    public let tlsCertificates: TLSCertificateStore?
    private let loops = Mutex<[EventLoop]>([])
    private let openConnections = Atomic<Int>(0)
    private let boundPort = Atomic<Int>(0)
    private let boundTLSPort = Atomic<Int>(0)
    private let finished = DispatchGroup()
    private let nextAdopter = Atomic<Int>(0)

    public init(configuration: ServerConfiguration = ServerConfiguration(), responder: any HTTPResponder,
                logger: Logger = Logger(label: "portal.http"), tlsCertificates: TLSCertificateStore? = nil) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        self.tlsCertificates = tlsCertificates
        self.workers = WorkerPool(threads: configuration.workerThreads, capacity: configuration.workerQueueCapacity)
        self.streamWorkers = WorkerPool(threads: configuration.streamThreads, capacity: configuration.streamQueueCapacity)
    }

    /// The port the server listens on (useful after binding port 0).
    public var port: Int { boundPort.load(ordering: .acquiring) }

    /// The TLS port after binding (0 when there is none).
    public var tlsPort: Int { boundTLSPort.load(ordering: .acquiring) }

    /// Connections open right now.
    public var connectionCount: Int { openConnections.load(ordering: .relaxed) }

    /// Binds the listener and starts the loop threads. The first loop accepts; every loop serves.
    /// With `listen: false` no socket is bound: connections come only through `adopt(fd:)` (tests).
    public func start(listen: Bool = true) throws {
        var listener: Int32 = -1
        if listen {
            listener = try Socket.listen(host: configuration.host, port: configuration.port, backlog: configuration.listenBacklog)
            boundPort.store(Socket.localPort(listener), ordering: .releasing)
        }
        var tlsListener: Int32 = -1
        if listen, let tlsPort = configuration.tlsPort {
            guard tlsCertificates != nil else { close(listener); throw Socket.Failure(call: "TLS port without a certificate store", code: EINVAL) }
            // OpenSSL writes to the socket without MSG_NOSIGNAL: a vanished client must be EPIPE, not SIGPIPE.
            signal(SIGPIPE, SIG_IGN)
            do {
                tlsListener = try Socket.listen(host: configuration.host, port: tlsPort, backlog: configuration.listenBacklog)
            } catch {
                close(listener)
                throw error
            }
            boundTLSPort.store(Socket.localPort(tlsListener), ordering: .releasing)
        }
        let count = max(1, configuration.eventLoops)
        var created: [EventLoop] = []
        for index in 0..<count {
            created.append(try EventLoop(index: index, server: self, listenFD: index == 0 ? listener : -1,
                                         tlsListenFD: index == 0 ? tlsListener : -1))
        }
        loops.withLock { $0 = created }
        for loop in created {
            finished.enter()
            let thread = Thread { [finished] in
                loop.run()
                finished.leave()
            }
            thread.name = "portal-loop-\(loop.index)"
            thread.start()
        }
    }

    /// The loop the next connection goes to (round-robin).
    func nextLoop() -> EventLoop {
        let all = loops.withLock { $0 }
        return all[nextAdopter.add(1, ordering: .relaxed).newValue % all.count]
    }

    /// Hands a connected socket (for instance one end of a socketpair) to an event loop.
    public func adopt(fd: Int32, remote: String = "local", tls: Bool = false) {
        guard !loops.withLock({ $0.isEmpty }) else { close(fd); return }
        nextLoop().post(.adopt(fd: fd, remote: remote, tls: tls))
    }

    /// Stops accepting, closes idle connections, lets in-flight requests finish within the grace period,
    /// then closes whatever is left. Returns at once; `wait()` blocks until it is done.
    public func shutdown() {
        let deadline = monotonicNanoseconds().addingSaturating(configuration.shutdownGracePeriod.nanoseconds)
        // Only the accepting loop is told; it closes the listener and then tells the others. Its hand-offs
        // of connections it had accepted are then ahead of the shutdown in every inbox, so none is lost.
        loops.withLock { $0.first }?.post(.shutdown(deadline: deadline))
    }

    func shutdownOtherLoops(deadline: Int64, from first: EventLoop) {
        for loop in loops.withLock({ $0 }) where loop !== first { loop.post(.shutdown(deadline: deadline)) }
    }

    /// Blocks until every event loop has stopped.
    public func wait() {
        finished.wait()
    }

    /// Ends the handler and stream threads once their queued work is done (after `wait()`).
    public func stopWorkers() {
        workers.stop()
        streamWorkers.stop()
    }

    func reserveConnectionSlot() -> Bool {
        while true {
            let current = openConnections.load(ordering: .relaxed)
            if current >= configuration.maxConnections { return false }
            if openConnections.compareExchange(expected: current, desired: current + 1, ordering: .relaxed).exchanged { return true }
        }
    }

    func releaseConnectionSlot() {
        openConnections.subtract(1, ordering: .relaxed)
    }
}
