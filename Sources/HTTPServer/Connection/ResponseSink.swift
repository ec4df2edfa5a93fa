import Synchronization

/// Identifies one request–response exchange on one connection, so a response that arrives after its
/// connection closed (or after a deadline answered for it) is dropped rather than sent to a stranger.
struct ExchangeID: Sendable, Equatable {
    let fd: Int32
    let generation: UInt64
    let exchange: UInt64
}

/// Where a responder delivers its answer. `send` may be called from any thread; the first call wins.
public final class ResponseSink: Sendable {
    let loop: EventLoop
    let id: ExchangeID
    /// The bounded pool for work that may block; a responder that cannot queue there answers `503`.
    public let workers: WorkerPool
    private let sent = Atomic<Bool>(false)

    init(loop: EventLoop, id: ExchangeID, workers: WorkerPool) {
        self.loop = loop
        self.id = id
        self.workers = workers
    }

    public func send(_ response: Response) {
        guard !sent.exchange(true, ordering: .acquiringAndReleasing) else { return }
        loop.deliver(response, to: id)
    }

    /// Runs `work` on a worker thread and sends what it returns; answers `503` when the pool is full.
    public func sendFromWorker(_ work: @escaping @Sendable () -> Response) {
        let accepted = workers.submit { [self] in self.send(work()) }
        if !accepted {
            var response = Response.text("Server busy, try again shortly.\n", status: .serviceUnavailable)
            response.headers.append("Retry-After", "1")
            send(response)
        }
    }
}
