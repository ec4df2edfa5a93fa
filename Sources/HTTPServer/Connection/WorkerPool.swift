import Foundation
import Synchronization

/// A fixed set of threads that run handlers which may block (SQLite, hashing, disk), so a slow handler
/// never stalls an event loop. The queue is bounded: when it is full, `submit` refuses and the caller
/// answers `503` instead of letting latency grow without limit.
public final class WorkerPool: Sendable {
    private struct Queue: ~Copyable {
        var jobs: [(@Sendable () -> Void)?] = []
        var head = 0
        var stopped = false
        var count: Int { jobs.count - head }
    }

    private let queue = Mutex(Queue())
    private let available = DispatchSemaphore(value: 0)
    private let capacity: Int
    private let threadCount: Int
    private let finished = DispatchGroup()

    public init(threads: Int, capacity: Int) {
        self.capacity = capacity
        self.threadCount = max(1, threads)
        for index in 0..<threadCount {
            finished.enter()
            let thread = Thread { [self] in
                self.work()
                self.finished.leave()
            }
            thread.name = "portal-worker-\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Queues a job; false when the queue is full or the pool has stopped.
    @discardableResult
    public func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        let accepted = queue.withLock { queue -> Bool in
            guard !queue.stopped, queue.count < capacity else { return false }
            queue.jobs.append(job)
            return true
        }
        if accepted { available.signal() }
        return accepted
    }

    /// Jobs waiting for a thread.
    public var pending: Int { queue.withLock { $0.count } }

    /// Lets queued jobs finish, then ends the threads.
    public func stop() {
        queue.withLock { $0.stopped = true }
        for _ in 0..<threadCount { available.signal() }
        finished.wait()
    }

    private func work() {
        while true {
            available.wait()
            let job = queue.withLock { queue -> (@Sendable () -> Void)?? in
                guard queue.count > 0 else { return queue.stopped ? .some(nil) : nil }
                let job = queue.jobs[queue.head]
                queue.jobs[queue.head] = nil
                queue.head += 1
                if queue.head > 1024 && queue.head * 2 > queue.jobs.count {
                    queue.jobs.removeFirst(queue.head)
                    queue.head = 0
                }
                return .some(job)
            }
            switch job {
            case .none: continue
            case .some(.none): return
            case .some(.some(let run)): run()
            }
        }
    }
}
