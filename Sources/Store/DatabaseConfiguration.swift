import Foundation

/// How connections are opened and how many readers a pool keeps.
public struct DatabaseConfiguration: Sendable {
    /// How long a connection waits for another process's lock (a `portal backup`, `portal migrate` or
    /// `jobs run` beside `serve`) before giving up with `SQLITE_BUSY`. Within one process writers queue on
    /// the pool's lock instead, so this only matters across processes.
    public var busyTimeout: Duration = .seconds(5)

    /// Reader connections in a `DatabasePool`. Reads are CPU-bound, so twice the cores keeps every core busy
    /// while a few readers wait on the disk; at least 4 so small machines still overlap requests.
    public var readerCount: Int = max(4, ProcessInfo.processInfo.activeProcessorCount * 2)

    /// Prepared statements kept per connection. SQL in code is a fixed set, so this is only a guard
    /// against SQL built with a varying shape (an `IN (?, ?, …)` list) growing the cache without bound.
    public var statementCacheLimit: Int = 256

    /// Page cache of the writer connection, in KiB. SQLite's default (2 MiB) is too small for the clicks table's
    /// indexes once it holds millions of rows: every insert then reads index pages back through `pread`. The
    /// cache fills only as pages are used, so a small database stays small in memory.
    public var writerCacheKiB: Int = 65_536

    /// Page cache of each reader connection, in KiB (reports read a few rollup pages; lists a few pages each).
    public var readerCacheKiB: Int = 16_384

    /// Checkpoint the WAL from a background connection (see `Checkpointer`) instead of inside commits.
    public var backgroundCheckpoints = true

    /// How often the background checkpoint runs at most while writes keep coming.
    public var checkpointInterval: Duration = .milliseconds(100)

    /// WAL pages at which a commit checkpoints by itself after all: SQLite's own automatic checkpoint (1,000
    /// pages by default) raised to a safety net under the background checkpointer.
    public var writerAutocheckpointPages = 20_000

    public init() {}

    /// Milliseconds for `sqlite3_busy_timeout`, clamped to what an `Int32` holds.
    var busyTimeoutMilliseconds: Int32 {
        let (seconds, attoseconds) = busyTimeout.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, milliseconds))
    }
}
