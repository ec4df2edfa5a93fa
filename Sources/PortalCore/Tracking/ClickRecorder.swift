import Dispatch
import Foundation
import Store
import Synchronization

/// A click about to be recorded (already classified; bots never get here).
public struct ClickRecord: Sendable, Equatable {
    public var programID: Int64
    public var partnerID: Int64
    public var linkID: Int64
    public var at: Int64
    public var visitor: [UInt8]
    public var device: String
    public var country: String
    public var referrer: String
    public var subIDs: [String]

    public init(programID: Int64, partnerID: Int64, linkID: Int64, at: Int64, visitor: [UInt8], device: String = "unknown",
                country: String = "", referrer: String = "", subIDs: [String] = []) {
        self.programID = programID
        self.partnerID = partnerID
        self.linkID = linkID
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

    public init(database: DatabasePool, maxBatch: Int = 2000) {
        self.database = database
        self.maxBatch = maxBatch
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
                commit(batch)
            }
        }
    }

    private func commit(_ batch: [(ClickRecord, Completion)]) {
        do {
            let ids = try database.write { db -> [Int64] in
                var ids: [Int64] = []
                ids.reserveCapacity(batch.count)
                for (click, _) in batch {
                    // Unique: not the same visitor on the same link within 24 hours (earlier batches included,
                    // since this transaction sees them).
                    let seen = try db.queryOne("SELECT 1 FROM clicks WHERE visitor = ? AND link_id = ? AND at > ? LIMIT 1",
                                               [click.visitor, click.linkID, click.at - 86_400]) != nil
                    let subs = click.subIDs + Array(repeating: "", count: max(0, 5 - click.subIDs.count))
                    try db.execute("""
                        INSERT INTO clicks (program_id, partner_id, link_id, at, visitor, is_unique, device, country, referrer,
                                            sub1, sub2, sub3, sub4, sub5)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, [click.programID, click.partnerID, click.linkID, click.at, click.visitor, !seen, click.device,
                              click.country, click.referrer, subs[0], subs[1], subs[2], subs[3], subs[4]])
                    ids.append(db.lastInsertRowID)
                }
                return ids
            }
            for (index, (_, completion)) in batch.enumerated() { completion(.success(ids[index])) }
        } catch {
            for (_, completion) in batch { completion(.failure(error)) }
        }
    }
}
