import Foundation
import Store
import Synchronization

/// What the redirect needs to know about a link code.
public struct TrackedLink: Sendable, Equatable {
    public let linkID: Int64
    public let programID: Int64
    public let partnerID: Int64
    public let destination: String
    /// The link's campaign ('' for none), recorded with each click for the daily totals.
    public let campaign: String
    /// Only approved partners' links count clicks; others go to the program's fallback URL.
    public let partnerApproved: Bool
    public let cookieSeconds: Int
    public let fallbackURL: String?
}

/// Link codes looked up in SQLite and kept in memory for a few seconds, so the tracking redirect does not
/// read the database on every click. Unknown codes are remembered too (bounded), so a stream of random codes
/// costs one read each per interval, not one per request. A change (suspension, new destination) shows
/// within `lifetime`, or at once when the writer calls `invalidate(_:)` (the portal does after editing a link).
public final class LinkCache: Sendable {
    private struct Entry {
        let link: TrackedLink?
        let expires: Int64
    }

    private let database: DatabasePool
    private let entries = Mutex<[String: Entry]>([:])
    public let lifetime: Int64
    public let capacity: Int

    public init(database: DatabasePool, lifetimeSeconds: Int64 = 10, capacity: Int = 100_000) {
        self.database = database
        self.lifetime = lifetimeSeconds
        self.capacity = capacity
    }

    public func lookup(_ code: String, now: Int64) throws -> TrackedLink? {
        if let entry = entries.withLock({ $0[code] }), entry.expires > now { return entry.link }
        let link = try database.read { db in
            try db.queryOne("""
                SELECT l.id, l.program_id, l.partner_id, l.destination_url, l.campaign, pa.status, pr.cookie_days, pr.fallback_url
                FROM links l JOIN partners pa ON pa.id = l.partner_id JOIN programs pr ON pr.id = l.program_id
                WHERE l.code = ? AND l.archived_at IS NULL
                """, [code]).map { row in
                TrackedLink(linkID: try row["id"], programID: try row["program_id"], partnerID: try row["partner_id"],
                            destination: try row["destination_url"], campaign: try row["campaign"], partnerApproved: try row["status"] as String == "approved",
                            cookieSeconds: Int(try row["cookie_days"] as Int64) * 86_400, fallbackURL: try row["fallback_url"])
            }
        }
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[code] = Entry(link: link, expires: now + lifetime)
        }
        return link
    }

    /// Forgets what is cached for `code`, so the next redirect reads the link again (after its destination changed).
    public func invalidate(_ code: String) {
        _ = entries.withLock { $0.removeValue(forKey: code) }
    }

    /// Forgets every code (after a program's cookie window or fallback URL changed: every link of it is stale).
    public func invalidateAll() {
        entries.withLock { $0.removeAll(keepingCapacity: true) }
    }
}
