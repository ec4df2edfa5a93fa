/// Why migrating stopped. Every case names the file concerned, so the fix is obvious from the message.
public enum MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The migrations folder is missing or unreadable.
    case unreadableDirectory(path: String, reason: String)
    /// A `.sql` file whose name is not `NNNN_name.sql`.
    case badFileName(String)
    /// A file that is not valid UTF-8 or cannot be read.
    case unreadableFile(String, reason: String)
    /// Two files with one number.
    case duplicateVersion(Int, files: [String])
    /// A number missing from the sequence 1, 2, 3, …
    case gap(missing: Int, next: String)
    /// An applied file whose contents changed since.
    case checksumMismatch(file: String, recorded: String, current: String)
    /// An applied migration renamed since, or the database recorded under another name.
    case renamed(version: Int, recorded: String, current: String)
    /// A file numbered below one already applied, so it cannot run in order.
    case outOfOrder(file: String, latestApplied: String)
    /// The database records a migration this build does not have: it was migrated by newer code.
    case unknownApplied(String)
    /// A migration's SQL failed; nothing of it was kept.
    case failed(file: String, DatabaseError)
    /// A migration left rows that break a foreign key; nothing of it was kept.
    case foreignKeyViolation(file: String, table: String, rowid: Int64?, parent: String)
    /// `migrate` was called inside a transaction; each migration needs its own.
    case insideTransaction

    public var description: String {
        switch self {
        case .unreadableDirectory(let path, let reason):
            "cannot read the migrations folder \(path): \(reason)"
        case .badFileName(let file):
            "migration file \(file) is not named NNNN_name.sql (four digits, an underscore, a name)"
        case .unreadableFile(let file, let reason):
            "cannot read migration \(file): \(reason)"
        case .duplicateVersion(let version, let files):
            "migration number \(version) is used by more than one file: \(files.joined(separator: ", "))"
        case .gap(let missing, let next):
            "migration number \(missing) is missing (the next file is \(next)); numbers must run 1, 2, 3, … without gaps"
        case .checksumMismatch(let file, let recorded, let current):
            "migration \(file) was changed after it was applied (recorded checksum \(recorded.prefix(12))…, "
                + "file now \(current.prefix(12))…); add a new migration instead of editing an applied one"
        case .renamed(let version, let recorded, let current):
            "migration \(version) was applied as \(recorded) but the file is now \(current)"
        case .outOfOrder(let file, let latestApplied):
            "migration \(file) is not applied but \(latestApplied) already is; renumber it after the last applied one"
        case .unknownApplied(let file):
            "the database has migration \(file) applied, but there is no such file: it was migrated by a newer version"
        case .failed(let file, let error):
            "migration \(file) failed and was rolled back: \(error)"
        case .foreignKeyViolation(let file, let table, let rowid, let parent):
            "migration \(file) was rolled back: a row of \(table)\(rowid.map { " (rowid \($0))" } ?? "") "
                + "refers to a missing row of \(parent)"
        case .insideTransaction:
            "migrations cannot run inside a transaction: each one runs in its own"
        }
    }
}
