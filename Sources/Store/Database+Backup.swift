import CSQLite
import Foundation

extension Database {
    /// Copies the whole database, as of one consistent snapshot, to the file at `path` with SQLite's online
    /// backup API, replacing any file there.
    ///
    /// The copy is written to a temporary file beside `path` and renamed into place, so a crash or a full
    /// disk never leaves a half-written backup under the real name. All pages are copied in one step: in
    /// WAL mode that holds only a read snapshot, which never blocks the writer, and the copy cannot be
    /// restarted by writes made meanwhile.
    public func backup(to path: String) throws {
        let temporary = path + ".partial-\(UUID().uuidString)"
        var opened: OpaquePointer?
        defer {
            sqlite3_close_v2(opened)  // no-op once closed below (nil)
            try? FileManager.default.removeItem(atPath: temporary)
        }
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let openCode = sqlite3_open_v2(temporary, &opened, flags, nil)
        guard openCode == SQLITE_OK, let destination = opened else {
            let error = DatabaseError.from(connection: opened, code: openCode)
            throw DatabaseError(extendedCode: error.extendedCode, message: "cannot create \(temporary): \(error.message)")
        }
        sqlite3_extended_result_codes(destination, 1)
        guard let backup = sqlite3_backup_init(destination, "main", handle, "main") else {
            throw DatabaseError.from(connection: destination, code: sqlite3_errcode(destination))
        }
        let stepCode = sqlite3_backup_step(backup, -1)
        let finishCode = sqlite3_backup_finish(backup)
        guard stepCode == SQLITE_DONE else {
            throw DatabaseError(
                extendedCode: stepCode,
                message: "backup to \(path) failed: \(String(cString: sqlite3_errstr(stepCode)))")
        }
        guard finishCode == SQLITE_OK else {
            throw DatabaseError.from(connection: destination, code: finishCode)
        }
        opened = nil
        let closeCode = sqlite3_close_v2(destination)
        guard closeCode == SQLITE_OK else { throw DatabaseError(extendedCode: closeCode, message: "cannot close \(temporary)") }
        // A -wal left beside an older file of that name (by a crashed reader of the old backup) would be
        // replayed into the new one on open; it belongs to the file being replaced, so it goes with it.
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            throw DatabaseError(extendedCode: SQLITE_IOERR, message: "cannot move the backup to \(path): \(reason)")
        }
    }
}
