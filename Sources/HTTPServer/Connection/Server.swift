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
    public let logger: Logger
    private let loops = Mutex<[EventLoop]>([])
    private let openConnections = Atomic<Int>(0)
    private let boundPort = Atomic<Int>(0)
    private let finished = DispatchGroup()
    private let nextAdopter = Atomic<Int>(0)

    public init(configuration: ServerConfiguration = ServerConfiguration(), responder: any HTTPResponder,
                logger: Logger = Logger(label: "portal.http")) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        self.workers = WorkerPool(threads: configuration.workerThreads, capacity: configuration.workerQueueCapacity)
    }

    /// The port the server listens on (useful after binding port 0).
    public var port: Int { boundPort.load(ordering: .acquiring) }

    /// Connections open right now.
    public var connectionCount: Int { openConnections.load(ordering: .relaxed) }

    /// Binds one listener per event loop on the same port and starts the loop threads.
    /// With `listen: false` no socket is bound: connections come only through `adopt(fd:)` (tests).
    public func start(listen: Bool = true) throws {
        var listeners: [Int32] = []
        if listen {
            // The first listener picks the port (it may be 0); the others join it with SO_REUSEPORT.
            let first = try Socket.listen(host: configuration.host, port: configuration.port, backlog: configuration.listenBacklog)
            listeners.append(first)
            let port = Socket.localPort(first)
            boundPort.store(port, ordering: .releasing)
            for _ in 1..<max(1, configuration.eventLoops) {
                listeners.append(try Socket.listen(host: configuration.host, port: port, backlog: configuration.listenBacklog))
            }
        }
        let count = max(1, configuration.eventLoops)
        var created: [EventLoop] = []
        for index in 0..<count {
            created.append(try EventLoop(index: index, server: self, listenFD: listen ? listeners[index] : -1))
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

    /// Hands a connected socket (for instance one end of a socketpair) to an event loop.
    public func adopt(fd: Int32, remote: String = "local") {
        let all = loops.withLock { $0 }
        guard !all.isEmpty else { close(fd); return }
        let index = nextAdopter.add(1, ordering: .relaxed).newValue % all.count
        all[index].post(.adopt(fd: fd, remote: remote))
    }

    /// Stops accepting, closes idle connections, lets in-flight requests finish within the grace period,
    /// then closes whatever is left. Returns at once; `wait()` blocks until it is done.
    public func shutdown() {
        let deadline = monotonicNanoseconds() + configuration.shutdownGracePeriod.nanoseconds
        for loop in loops.withLock({ $0 }) { loop.post(.shutdown(deadline: deadline)) }
    }

    /// Blocks until every event loop has stopped.
    public func wait() {
        finished.wait()
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
