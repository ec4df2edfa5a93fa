import Dispatch
import Foundation
import Store
import Synchronization

/// A click about to be recorded (already classified; bots never get here).
public struct ClickRecord: Sendable, Equatable {
    public var programID: Int64
    public var partnerID: Int64
    public var linkID: Int64
    /// The link's campaign when the click was made ('' for none), for the daily totals.
    public var campaign: String
    public var at: Int64
    public var visitor: [UInt8]
    public var device: String
    public var country: String
    public var referrer: String
    /// `sub1`…`sub5` in order (missing ones are ''); `sub1` is also the daily totals' `sub_id`.
    public var subIDs: [String]

    public init(programID: Int64, partnerID: Int64, linkID: Int64, campaign: String = "", at: Int64, visitor: [UInt8],
                device: String = "unknown", country: String = "", referrer: String = "", subIDs: [String] = []) {
        self.programID = programID
        self.partnerID = partnerID
        self.linkID = linkID
        self.campaign = campaign
        self.at = at
        self.visitor = visitor
        self.device = device
        self.country = country
        self.referrer = referrer
        self.subIDs = subIDs
    }
}

/// Records clicks in group commits: many redirects' clicks share one SQLite transaction, and each redirect is
/// answered (through its completion) only once the transaction holding its click has committed. The redirect
/// never waits for a disk sync of its own, and no answered click can be lost: WAL with `synchronous=NORMAL`
/// keeps a committed transaction across a killed process.
///
/// The same transaction adds the clicks to `daily_stats` (one upsert per partner, day, link, campaign and
/// sub id in the batch) and to `daily_click_dimensions` (one upsert per partner, day, dimension and value: the
/// clicks' countries and devices), so the totals always match the clicks table. Whether a click is unique comes from
/// `RecentClicks`, rebuilt from the last day of clicks when the writer starts; only a click whose window
/// reaches back before what the map covers (after a restart with more pairs than it holds, or once it has
/// evicted) costs a query. The recorder must be the only writer of clicks, or the map would miss some.
public final class ClickRecorder: Sendable {
    public typealias Completion = @Sendable (Result<Int64, any Error>) -> Void

    private struct Pending {
        var items: [(ClickRecord, Completion)] = []
        var stopped = false
    }

    private let database: DatabasePool
    private let pending = Mutex(Pending())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    /// Most clicks one transaction takes; the rest wait for the next (bounded commit latency).
    public let maxBatch: Int
    /// Most (visitor, link) pairs kept in memory for uniqueness (see `RecentClicks`).
    public let uniquenessCapacity: Int
    /// Fills a 2²⁰-bucket hash table (16 MiB) to its load limit.
    public static let defaultUniquenessCapacity = 750_000
    private let startedAt: Int64

    /// `startedAt` is the time the last day of clicks is loaded back from (now, outside tests).
    public init(database: DatabasePool, maxBatch: Int = 2000, uniquenessCapacity: Int = ClickRecorder.defaultUniquenessCapacity,
                startedAt: Int64? = nil) {
        self.database = database
        self.maxBatch = maxBatch
        self.uniquenessCapacity = uniquenessCapacity
        self.startedAt = startedAt ?? Int64(Date().timeIntervalSince1970)
        let thread = Thread { [self] in self.run() }
        thread.name = "portal-click-writer"
        thread.start()
    }

    /// Queues a click; `completion` gets its id after the commit (or the error), on the writer thread.
    public func record(_ click: ClickRecord, completion: @escaping Completion) {
        // nil: the recorder has stopped (shutdown); the click is refused rather than dropped silently.
        let first = pending.withLock { state -> Bool? in
            guard !state.stopped else { return nil }
            state.items.append((click, completion))
            return state.items.count == 1
        }
        switch first {
        case .none: completion(.failure(Stopped()))
        case .some(true): wake.signal()
        case .some(false): break
        }
    }

    public struct Stopped: Error {}

    /// Writes everything queued, then stops the writer. Called on graceful shutdown after the HTTP server has
    /// drained, so every click that was answered — and every one still queued — is in the database.
    public func stop() {
        pending.withLock { $0.stopped = true }
        wake.signal()
        finished.wait()
    }

    private func run() {
        var recent = loadRecentClicks()
        while true {
            wake.wait()
            while true {
                let (batch, stopped) = pending.withLock { state -> ([(ClickRecord, Completion)], Bool) in
                    let batch = Array(state.items.prefix(maxBatch))
                    state.items.removeFirst(batch.count)
                    return (batch, state.stopped)
                }
                if batch.isEmpty {
                    if stopped { finished.signal(); return }
                    break
                }
                commit(batch, recent: &recent)
            }
        }
    }

    /// The pairs clicked in the last day (and the margin) before `startedAt`. Read through the partners, so
    /// each partner's part comes from the `(partner_id, at)` index rather than a scan of every click ever made.
    /// If the read fails the map covers nothing, and every click asks the database instead.
    private func loadRecentClicks() -> RecentClicks {
        let from = startedAt - ClickUniqueness.window - RecentClicks.margin + 1
        var recent = RecentClicks(capacity: uniquenessCapacity, coveredFrom: from)
        do {
            try database.read { db in
                let statement = try db.makeStatement("""
                    SELECT c.visitor, c.link_id, c.at FROM partners p CROSS JOIN clicks c ON c.partner_id = p.id
                    WHERE c.at >= ?
                    """)
                try statement.bind(from, at: 1)
                defer { statement.reset() }
                while try statement.step() {
                    recent.record(RecentClicks.key(visitor: try statement[0], linkID: try statement[1]), at: try statement[2])
                }
            }
        } catch {
            recent = RecentClicks(capacity: uniquenessCapacity, coveredFrom: .max)
        }
        return recent
    }

    /// Rows of `daily_stats` touched by one batch.
    private struct RollupKey: Hashable {
        let partnerID: Int64
        let day: Int64
        let linkID: Int64
        let campaign: String
        let subID: String
    }

    /// Rows of `daily_click_dimensions` touched by one batch.
    private struct DimensionKey: Hashable {
        let partnerID: Int64
        let day: Int64
        let dimension: ClickDimensions.Dimension
        let value: String
    }

    private struct Counts {
        var clicks: Int64 = 0
        var uniqueClicks: Int64 = 0
    }

    private struct Rollup {
        let programID: Int64
        var clicks: Int64 = 0
        var uniqueClicks: Int64 = 0
    }

    private func commit(_ batch: [(ClickRecord, Completion)], recent: inout RecentClicks) {
        // Pairs clicked in this batch, kept apart until the commit succeeds: a rolled-back batch leaves the
        // map as it was.
        var batchPairs: [UInt64: Int64] = [:]
        do {
            let firstID = try database.write { db -> Int64 in
                batchPairs.removeAll(keepingCapacity: true)
                var unique: [Bool] = []
                unique.reserveCapacity(batch.count)
                var rollups: [RollupKey: Rollup] = [:]
                var dimensions: [DimensionKey: Counts] = [:]
                for (click, _) in batch {
                    let key = RecentClicks.key(visitor: click.visitor, linkID: click.linkID)
                    let isUnique: Bool
                    if let seen = batchPairs[key], !ClickUniqueness.isUnique(now: click.at, lastSeen: seen) {
                        isUnique = false
                    } else {
                        switch recent.check(key, at: click.at) {
                        case .unique: isUnique = true
                        case .repeated: isUnique = false
                        case .unknown: isUnique = try !Self.clickedBefore(click, coveredFrom: recent.coveredFrom, db)
                        }
                    }
                    batchPairs[key] = max(batchPairs[key] ?? .min, click.at)
                    unique.append(isUnique)
                    let rollupKey = RollupKey(partnerID: click.partnerID, day: VisitorHash.day(of: click.at), linkID: click.linkID,
                                              campaign: click.campaign, subID: click.subIDs.first ?? "")
                    rollups[rollupKey, default: Rollup(programID: click.programID)].clicks += 1
                    if isUnique { rollups[rollupKey, default: Rollup(programID: click.programID)].uniqueClicks += 1 }
                    let uniqueCount: Int64 = isUnique ? 1 : 0
                    let country = DimensionKey(partnerID: click.partnerID, day: rollupKey.day, dimension: .country, value: click.country)
                    dimensions[country, default: Counts()].clicks += 1
                    dimensions[country, default: Counts()].uniqueClicks += uniqueCount
                    let device = DimensionKey(partnerID: click.partnerID, day: rollupKey.day, dimension: .device, value: click.device)
                    dimensions[device, default: Counts()].clicks += 1
                    dimensions[device, default: Counts()].uniqueClicks += uniqueCount
                }
                let firstID = try Self.insert(batch, unique: unique, db)
                for (key, rollup) in rollups {
                    let statement = try db.cachedStatement(Self.rollupSQL)
                    try statement.bind(rollup.programID, at: 1)
                    try statement.bind(key.partnerID, at: 2)
                    try statement.bind(key.day, at: 3)
                    try statement.bind(key.linkID, at: 4)
                    try statement.bind(key.campaign, at: 5)
                    try statement.bind(key.subID, at: 6)
                    try statement.bind(rollup.clicks, at: 7)
                    try statement.bind(rollup.uniqueClicks, at: 8)
                    try statement.run()
                }
                for (key, counts) in dimensions {
                    try ClickDimensions.add(in: db, partnerID: key.partnerID, day: key.day, key.dimension, value: key.value,
                                            clicks: counts.clicks, uniqueClicks: counts.uniqueClicks)
                }
                return firstID
            }
            for (key, at) in batchPairs { recent.record(key, at: at) }
            for (index, (_, completion)) in batch.enumerated() { completion(.success(firstID + Int64(index))) }
        } catch {
            for (_, completion) in batch { completion(.failure(error)) }
        }
    }

    /// Whether the click's visitor clicked its link within the window before the map's coverage begins (the
    /// covered part the map has already answered). Goes through the `(partner_id, at)` index: it reads that
    /// partner's clicks in the uncovered part of the window, so it is slow for a busy partner — which is why
    /// the map exists and this runs only when the map cannot answer.
    private static func clickedBefore(_ click: ClickRecord, coveredFrom: Int64, _ db: Database) throws -> Bool {
        let statement = try db.cachedStatement("""
            SELECT 1 FROM clicks WHERE partner_id = ? AND at > ? AND at < ? AND visitor = ? AND link_id = ? LIMIT 1
            """)
        try statement.bind(click.partnerID, at: 1)
        try statement.bind(click.at - ClickUniqueness.window, at: 2)
        try statement.bind(coveredFrom, at: 3)
        try statement.bind(click.visitor, at: 4)
        try statement.bind(click.linkID, at: 5)
        defer { statement.reset() }
        return try statement.step()
    }

    static let rollupSQL = """
        INSERT INTO daily_stats (program_id, partner_id, day, link_id, campaign, sub_id, clicks, unique_clicks)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (partner_id, day, link_id, campaign, sub_id)
        DO UPDATE SET clicks = clicks + excluded.clicks, unique_clicks = unique_clicks + excluded.unique_clicks
        """

    /// Inserts the batch with ids assigned here, consecutive from the table's largest id + 1 (read inside
    /// this transaction, which holds the write lock), and returns the first. Rows go in through multi-row
    /// statements of 64, 16, 4 and 1 rows, each prepared once and cached.
    private static func insert(_ batch: [(ClickRecord, Completion)], unique: [Bool], _ db: Database) throws -> Int64 {
        let firstID = (try db.queryValue("SELECT coalesce(max(id), 0) + 1 FROM clicks", as: Int64.self)) ?? 1
        var index = 0
        while index < batch.count {
            let (rows, sql) = insertStatements.first { $0.rows <= batch.count - index } ?? insertStatements[insertStatements.count - 1]
            let statement = try db.cachedStatement(sql)
            for row in 0..<rows {
                let click = batch[index + row].0
                let base = row * columnsPerRow
                try statement.bind(firstID + Int64(index + row), at: base + 1)
                try statement.bind(click.programID, at: base + 2)
                try statement.bind(click.partnerID, at: base + 3)
                try statement.bind(click.linkID, at: base + 4)
                try statement.bind(click.at, at: base + 5)
                try statement.bind(click.visitor, at: base + 6)
                try statement.bind(Int64(unique[index + row] ? 1 : 0), at: base + 7)
                try statement.bind(click.device, at: base + 8)
                try statement.bind(click.country, at: base + 9)
                try statement.bind(click.referrer, at: base + 10)
                for sub in 0..<5 {
                    try statement.bind(sub < click.subIDs.count ? click.subIDs[sub] : "", at: base + 11 + sub)
                }
            }
            try statement.run()
            index += rows
        }
        return firstID
    }

    private static let columnsPerRow = 15

    /// The multi-row INSERTs, largest first; the last takes one row, so any remainder fits.
    private static let insertStatements: [(rows: Int, sql: String)] = [64, 16, 4, 1].map { rows in
        let row = "(" + Array(repeating: "?", count: columnsPerRow).joined(separator: ", ") + ")"
        return (rows, """
            INSERT INTO clicks (id, program_id, partner_id, link_id, at, visitor, is_unique, device, country, referrer,
                                sub1, sub2, sub3, sub4, sub5)
            VALUES \(Array(repeating: row, count: rows).joined(separator: ", "))
            """)
    }
}
