import CSQLite

extension Database {
    /// Runs `body` in a write transaction and commits; any thrown error rolls everything back and is
    /// rethrown, so nothing half-written stays.
    ///
    /// The outermost call uses `BEGIN IMMEDIATE`: the write lock is taken up front, so a transaction never
    /// fails half-way on a lock upgrade (`SQLITE_BUSY` after it already read). Calls nested inside an open
    /// transaction use a savepoint instead, so an inner failure can be caught and undone on its own.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        if isInTransaction { return try inSavepoint(body) }
        return try inTransaction(begin: "BEGIN IMMEDIATE", body)
    }

    /// Runs `body` in a read transaction, so every query in it sees one snapshot of the database even
    /// while the writer commits. Inside an open transaction it simply runs `body`.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        if isInTransaction { return try body(self) }
        return try inTransaction(begin: "BEGIN DEFERRED", body)
    }

    /// `begin`, `body`, then `COMMIT` — or a rollback and the error, so nothing half-done stays.
    private func inTransaction<T>(begin: String, _ body: (Database) throws -> T) throws -> T {
        try execute(begin)
        let result: T
        do {
            result = try body(self)
            try execute("COMMIT")
        } catch {
            rollbackIfNeeded()
            throw error
        }
        return result
    }

    private func inSavepoint<T>(_ body: (Database) throws -> T) throws -> T {
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        // Names are ours, never user input; the depth keeps them distinct in error messages and traces.
        let name = Self.savepointName(depth: savepointDepth)
        try execute("SAVEPOINT \(name)")
        let result: T
        do {
            result = try body(self)
        } catch {
            // ROLLBACK TO undoes the work but leaves the savepoint open; RELEASE closes it. If SQLite already
            // rolled the whole transaction back (SQLITE_FULL, an I/O error) both fail, and the outer
            // transaction's own rollback is what remains to happen.
            if isInTransaction {
                try? execute("ROLLBACK TO \(name)")
                try? execute("RELEASE \(name)")
            }
            throw error
        }
        try execute("RELEASE \(name)")
        return result
    }

    /// The savepoint used at a nesting depth (1 for the first `write` inside a transaction).
    static func savepointName(depth: Int) -> String { "store_savepoint_\(depth)" }

    /// Ends the open transaction after a failure. SQLite may already have rolled back by itself (after
    /// SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY, SQLITE_NOMEM), when a second ROLLBACK would be an error.
    private func rollbackIfNeeded() {
        guard isInTransaction else { return }
        do {
            try execute("ROLLBACK")
        } catch {
            // Nothing sensible to do: the original error is the one the caller needs, and the connection
            // is back in autocommit mode whenever ROLLBACK can succeed at all.
        }
    }
}
