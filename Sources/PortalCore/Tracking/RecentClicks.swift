/// The click writer's memory of who clicked what lately: for each (visitor, link) pair, the time of its latest
/// click, so deciding whether a click is unique (`ClickUniqueness`) needs no database query.
///
/// *Coverage.* The map is complete from `coveredFrom` on: every recorded click at or after that time has its
/// pair here, with a time at least as late. A pair that is missing (or last seen a window ago or more) is
/// therefore unique as long as the click's whole window lies in the covered span; if part of the window is
/// older than the coverage, `check` answers `.unknown` and the caller asks the database about that part.
///
/// *Bounded memory.* At most `capacity` pairs (16 bytes each in a hash table, so about 16 MiB at the default).
/// Pairs older than the window (plus a margin for late clocks) are pruned every ten minutes of click time; when
/// the map is full anyway, the oldest tenth is evicted and `coveredFrom` moves up past it, so only clicks whose
/// window reaches back before that point pay for a database look-up.
///
/// *Keys.* A pair is kept as a 64-bit SipHash (Swift's `Hasher`, seeded at random per process) of the visitor
/// hash and link id, not the 32-byte hash itself. Two pairs share a key with probability 2⁻⁶⁴ per stored pair:
/// at the full default capacity about one click in 2.5·10¹³ could be wrongly counted as a repeat. Nobody can
/// aim for a collision without the process's seed.
///
/// Not thread-safe: the click writer's thread owns it.
struct RecentClicks {
    /// How much later than the window a pair is kept, so clicks stamped a little late (two event loops' clocks,
    /// a batch that straddles a second) stay within the coverage.
    static let margin: Int64 = 3_600
    /// Time between prunes of expired pairs, in click-time seconds.
    static let pruneInterval: Int64 = 600

    enum Answer: Equatable {
        case unique
        case repeated
        /// The window reaches back before the coverage: ask the database about clicks before `coveredFrom`.
        case unknown
    }

    let capacity: Int
    private(set) var lastSeen: [UInt64: Int64] = [:]
    private(set) var coveredFrom: Int64
    /// The latest click time recorded, the clock for pruning (a click stamped in the future is not).
    private var latest: Int64 = .min
    private var nextPrune: Int64 = .min
    /// How many times the map was full and dropped its oldest pairs (for tests and diagnostics).
    private(set) var evictions = 0

    /// An empty map that knows every click from `coveredFrom` on (nothing was recorded since).
    init(capacity: Int = ClickRecorder.defaultUniquenessCapacity, coveredFrom: Int64) {
        precondition(capacity > 0, "the recent-clicks map needs room for at least one pair")
        self.capacity = capacity
        self.coveredFrom = coveredFrom
    }

    static func key(visitor: [UInt8], linkID: Int64) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(linkID)
        visitor.withUnsafeBytes { hasher.combine(bytes: $0) }
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    /// Whether a click at `at` on the pair `key` is unique, as far as the map knows.
    func check(_ key: UInt64, at: Int64) -> Answer {
        if let seen = lastSeen[key], !ClickUniqueness.isUnique(now: at, lastSeen: seen) { return .repeated }
        // The window is (at - window, at]; the map alone decides if all of it is covered.
        return at - ClickUniqueness.window + 1 >= coveredFrom ? .unique : .unknown
    }

    /// Notes a committed click.
    mutating func record(_ key: UInt64, at: Int64) {
        if at > latest { latest = at }
        if let seen = lastSeen[key] {
            if at > seen { lastSeen[key] = at }
        } else {
            if lastSeen.count >= capacity { makeRoom() }
            lastSeen[key] = at
        }
        if latest >= nextPrune {
            nextPrune = latest + Self.pruneInterval
            prune()
        }
    }

    /// Drops pairs last seen more than a window (and the margin) before the latest click.
    mutating func prune() {
        guard latest > .min + ClickUniqueness.window + Self.margin else { return }
        drop(before: latest - ClickUniqueness.window - Self.margin + 1)
    }

    /// Makes room for at least one pair: prunes, and if that frees less than a tenth, drops the oldest tenth.
    private mutating func makeRoom() {
        prune()
        guard lastSeen.count >= capacity - capacity / 10 else { return }
        evictions += 1
        var times = Array(lastSeen.values)
        times.sort()
        var cutoff = times[min(times.count - 1, max(capacity / 10, 1))]
        // Many pairs at one second: drop that second too, so room is made whatever the spread.
        if cutoff == times[0] { cutoff += 1 }
        drop(before: cutoff)
    }

    /// Forgets every pair last seen before `cutoff`. Every click at or after `cutoff` keeps its pair (its
    /// pair's time is at least its own), so the coverage starts at `cutoff` at the latest.
    private mutating func drop(before cutoff: Int64) {
        if cutoff > coveredFrom { coveredFrom = cutoff }
        let old = lastSeen.compactMap { $0.value < cutoff ? $0.key : nil }
        for key in old { lastSeen.removeValue(forKey: key) }
    }
}
