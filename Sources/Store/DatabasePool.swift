import Dispatch
import Synchronization

/// The application's access to one database file: one writer connection behind a lock, plus a pool of
/// read-only connections, all in WAL mode, so reads never wait for the writer (they see the last commit
/// made before they began) and writes queue one at a time without ever surfacing `SQLITE_BUSY`.
///
/// `read` and `write` are synchronous and block the calling thread while they wait: call them from the
/// HTTP server's worker threads, never from an event loop. Do not call `write` from inside `write` (the
/// lock is not reentrant); nest with `db.write { … }`, which becomes a savepoint. Likewise query through
/// the `db` a `read` gives rather than calling `read` again: with every reader taken, that would wait forever.
public final class DatabasePool: Sendable {
    /// The database file.
    public let path: String
    private let writer: ConnectionLock
    private let readers: [ConnectionLock]
    /// Indices of readers nobody holds. The semaphore counts them, so a reader that finds none waits
    /// instead of spinning.
    private let idleReaders: Mutex<[Int]>
    private let readerAvailable: DispatchSemaphore
    private let checkpointer: Checkpointer?

    /// Opens the file (creating it if needed), the writer first so WAL mode is set before readers attach.
    public init(path: String, configuration: DatabaseConfiguration = DatabaseConfiguration()) throws {
        precondition(configuration.readerCount > 0, "a pool needs at least one reader")
        precondition(path != ":memory:" && !path.isEmpty, "readers cannot share an in-memory database; use Database")
        self.path = path
        let writerConnection = try Database(path: path, readOnly: false, configuration: configuration)
        if configuration.backgroundCheckpoints {
            try writerConnection.execute("PRAGMA wal_autocheckpoint = \(configuration.writerAutocheckpointPages)")
        }
        writer = ConnectionLock(writerConnection)
        readers = try (0..<configuration.readerCount).map { _ in
            ConnectionLock(try Database(path: path, readOnly: true, configuration: configuration))
        }
        idleReaders = Mutex(Array(readers.indices))
        readerAvailable = DispatchSemaphore(value: configuration.readerCount)
        checkpointer = configuration.backgroundCheckpoints ? try Checkpointer(path: path, configuration: configuration) : nil
    }

    deinit {
        checkpointer?.stop()
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction on the writer and commits; a thrown error rolls
    /// everything back and is rethrown. Writers from all threads are served one at a time.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        defer { checkpointer?.committed() }
        return try writer.withConnection { db in try db.write(body) }
    }

    /// Runs `body` on the writer outside any transaction, for what a transaction forbids or must not
    /// wrap: migrations (which manage their own transactions and `foreign_keys`), `VACUUM`, checkpoints.
    /// A transaction `body` leaves open is rolled back.
    public func writeWithoutTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.withConnection { db in
            defer {
                if db.isInTransaction { try? db.execute("ROLLBACK") }
            }
            return try body(db)
        }
    }

    /// Runs `body` on a read-only connection inside one read transaction, so all its queries see the same
    /// snapshot. It waits only when every reader is busy, never for the writer.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try withReader { db in try db.read(body) }
    }

    /// An online, consistent copy of the database at `destination` (see `Database.backup(to:)`), taken
    /// from a reader so the writer carries on meanwhile.
    public func backup(to destination: String) throws {
        try withReader { db in try db.backup(to: destination) }
    }

    private func withReader<T>(_ body: (Database) throws -> T) throws -> T {
        readerAvailable.wait()
        defer { readerAvailable.signal() }
        // The semaphore guarantees an idle index is there.
        let index = idleReaders.withLock { $0.removeLast() }
        defer { idleReaders.withLock { $0.append(index) } }
        return try readers[index].withConnection(body)
    }
}
