import Dispatch
import Synchronization

/// Carries a streamed response body from its producer (on a worker thread) to the event loop, with
/// back-pressure: the producer blocks while more than `highWatermark` bytes wait to be sent, and is
/// woken with an error if the connection goes away.
final class StreamChannel: Sendable {
    private struct State {
        var chunks: [[UInt8]] = []
        var buffered = 0
        var finished = false
        var failed = false
        var cancelled = false
        var producerWaiting = false
        var loopNotified = false
    }

    struct Batch {
        var chunks: [[UInt8]]
        var finished: Bool
        var failed: Bool
    }

    struct Cancelled: Error {}

    private let state = Mutex(State())
    private let resume = DispatchSemaphore(value: 0)
    private let loop: EventLoop
    private let id: ExchangeID
    private let highWatermark: Int

    init(loop: EventLoop, id: ExchangeID, highWatermark: Int) {
        self.loop = loop
        self.id = id
        self.highWatermark = highWatermark
    }

    // Producer side.

    func write(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        let (notify, wait) = try state.withLock { state throws -> (Bool, Bool) in
            if state.cancelled { throw Cancelled() }
            state.chunks.append(bytes)
            state.buffered += bytes.count
            let notify = !state.loopNotified
            state.loopNotified = true
            let wait = state.buffered > highWatermark
            if wait { state.producerWaiting = true }
            return (notify, wait)
        }
        if notify { loop.post(.streamActivity(id)) }
        if wait {
            resume.wait()
            if state.withLock({ $0.cancelled }) { throw Cancelled() }
        }
    }

    func finish(failed: Bool) {
        let notify = state.withLock { state -> Bool in
            state.finished = true
            state.failed = failed
            let notify = !state.loopNotified
            state.loopNotified = true
            return notify
        }
        if notify { loop.post(.streamActivity(id)) }
    }

    // Event loop side.

    /// Takes everything written so far; wakes the producer once the backlog is low again.
    func take() -> Batch {
        let (batch, wake) = state.withLock { state -> (Batch, Bool) in
            let batch = Batch(chunks: state.chunks, finished: state.finished, failed: state.failed)
            state.chunks.removeAll()
            state.buffered = 0
            state.loopNotified = false
            let wake = state.producerWaiting
            state.producerWaiting = false
            return (batch, wake)
        }
        if wake { resume.signal() }
        return batch
    }

    func cancel() {
        let wake = state.withLock { state -> Bool in
            state.cancelled = true
            let wake = state.producerWaiting
            state.producerWaiting = false
            return wake
        }
        if wake { resume.signal() }
    }
}

/// The `BodyWriter` a producer sees.
struct StreamBodyWriter: BodyWriter {
    let channel: StreamChannel
    func write(_ bytes: [UInt8]) throws { try channel.write(bytes) }
}
