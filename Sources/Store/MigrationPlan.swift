/// The decisions of migrating, as pure functions of the files found and the migrations recorded.
enum MigrationPlan {
    /// Checks the files' numbering: each number once, and 1, 2, 3, … without gaps. Returns them in order.
    static func ordered(_ migrations: [Migration]) throws(MigrationError) -> [Migration] {
        let byVersion = Dictionary(grouping: migrations, by: \.version)
        if let (version, files) = byVersion.filter({ $0.value.count > 1 }).min(by: { $0.key < $1.key }) {
            throw .duplicateVersion(version, files: files.map(\.fileName).sorted())
        }
        let sorted = migrations.sorted { $0.version < $1.version }
        for (offset, migration) in sorted.enumerated() where migration.version != offset + 1 {
            throw .gap(missing: offset + 1, next: migration.fileName)
        }
        return sorted
    }

    /// The migrations still to apply, in order, after checking that every applied one is unchanged.
    static func pending(files: [Migration], applied: [AppliedMigration]) throws(MigrationError) -> [Migration] {
        let ordered = try ordered(files)
        let byVersion = Dictionary(uniqueKeysWithValues: ordered.map { ($0.version, $0) })
        for record in applied.sorted(by: { $0.version < $1.version }) {
            guard let file = byVersion[record.version] else { throw .unknownApplied(record.fileName) }
            guard file.name == record.name else {
                throw .renamed(version: record.version, recorded: record.fileName, current: file.fileName)
            }
            guard file.checksum == record.checksum else {
                throw .checksumMismatch(file: file.fileName, recorded: record.checksum, current: file.checksum)
            }
        }
        let appliedVersions = Set(applied.map(\.version))
        let pending = ordered.filter { !appliedVersions.contains($0.version) }
        // A file numbered below an applied one was added late (a merge of two branches): running it now
        // would apply history out of order, so it needs a new number.
        if let latest = applied.max(by: { $0.version < $1.version }), let early = pending.first, early.version < latest.version {
            throw .outOfOrder(file: early.fileName, latestApplied: latest.fileName)
        }
        return pending
    }
}
