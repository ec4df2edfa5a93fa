import Dispatch
import Foundation
import Synchronization

/// Checkpoints the WAL from its own connection and thread, so a commit never pays for copying pages into the
/// database file. With SQLite's automatic checkpoint, the commit that crosses 1,000 WAL pages runs the checkpoint
/// itself while holding the write lock: every write queued behind it waits, which was most of the tracking
/// redirect's p99 (BENCHMARKS.md). Here the writer only signals after each commit; this thread runs a PASSIVE
/// checkpoint at most every `interval`, which copies what no reader still needs without blocking the writer or
/// readers. The writer's own automatic checkpoint stays on at a much larger size as a safety net, should this
/// thread ever fall behind.
final class Checkpointer: Sendable {
    nonisolated(unsafe) private let database: Database
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = Mutex(false)
    private let finished = DispatchSemaphore(value: 0)
    private let interval: Duration

    init(path: String, configuration: DatabaseConfiguration) throws {
        database = try Database(path: path, readOnly: false, configuration: configuration)
        interval = configuration.checkpointInterval
        let thread = Thread { [self] in self.run() }
        thread.name = "sqlite-checkpoint"
        thread.start()
    }

    /// A commit happened: pages are waiting in the WAL.
    func committed() {
        wake.signal()
    }

    func stop() {
        stopped.withLock { $0 = true }
        wake.signal()
        finished.wait()
    }

    private func run() {
        // `stopped` is checked before every wait as well as after: the drain below may swallow stop()'s signal,
        // but stop() sets the flag before signalling, so the check before the next wait still sees it.
        while !stopped.withLock({ $0 }) {
            wake.wait()
            if stopped.withLock({ $0 }) { break }
            // Several commits may have signalled; one checkpoint covers them all.
            while wake.wait(timeout: .now()) == .success {}
            // Busy or locked only means another checkpoint or a backup is at work; the next commit retries.
            try? database.execute("PRAGMA wal_checkpoint(PASSIVE)")
            let (seconds, attoseconds) = interval.components
            Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
        }
        finished.signal()
    }
}
