import Synchronization

/// A connection that only one thread can use at a time: it is reachable only inside `withConnection`,
/// which holds a mutex for the whole call.
///
/// `Mutex<Database>` alone does not compile here: the region checker cannot see that the caller's closure
/// will not keep the connection (a plain closure type cannot promise that), so it refuses to hand the
/// protected value to it. The promise is made by the API instead (`db` must not escape `read`/`write`, as
/// in GRDB), and the one unchecked declaration is the `nonisolated(unsafe)` connection, used only under
/// the lock.
final class ConnectionLock: Sendable {
    private let lock = Mutex(())
    nonisolated(unsafe) private let database: Database

    init(_ database: Database) {
        self.database = database
    }

    func withConnection<T>(_ body: (Database) throws -> T) throws -> T {
        // The result is carried out through a local rather than returned from `withLock`, whose result
        // must be `sending`: that would force every caller's result type to be Sendable.
        var result: Result<T, any Error>?
        lock.withLock { _ in
            result = Result { try body(database) }
        }
        return try result!.get()
    }
}
