import Foundation
import PortalSecurity
import Store

/// Fills a program with realistic activity: partners (groups, a few sub-affiliates, payout details), links,
/// clicks over a span of days, conversions recorded through the real `ConversionRecorder` (so commissions,
/// ledger entries and rollups are exactly what the API would have produced), released holds and one paid payout
/// batch. Used by `--demo` (months of activity) and by `portal generate` for load figures (BENCHMARKS.md).
public struct ActivityGenerator: Sendable {
    public struct Plan: Sendable {
        public var partners = 20
        public var clicks = 20_000
        public var conversions = 800
        public var days = 180
        public var seed: UInt64 = 2026

        public init() {}
    }

    /// Progress: a phase name, done, total.
    public typealias Progress = (String, Int, Int) -> Void

    let vault: PayoutDetailsVault
    let recorder: ConversionRecorder

    public init(vault: PayoutDetailsVault, addressSecret: [UInt8]) {
        self.vault = vault
        self.recorder = ConversionRecorder(addressSecret: addressSecret)
    }

    /// Returns the ids of the partners it created.
    @discardableResult
    public func generate(_ database: DatabasePool, programID: Int64, plan: Plan, now: Int64, progress: Progress = { _, _, _ in }) throws -> [Int64] {
        var rng = SplitMix(seed: plan.seed)
        let start = now - Int64(plan.days) * 86_400
        let partners = try makePartners(database, programID: programID, count: plan.partners, start: start, rng: &rng)
        let links: [(id: Int64, partner: Int64, code: String, campaign: String)] = try database.read { db in
            try db.query("SELECT id, partner_id, code, campaign FROM links WHERE program_id = ? ORDER BY id", [programID]).map {
                (try $0["id"], try $0["partner_id"], try $0["code"], try $0["campaign"])
            }
        }
        guard !links.isEmpty else { return partners }
        try makeClicks(database, programID: programID, links: links, count: plan.clicks, start: start, now: now, rng: &rng, progress: progress)
        try makeConversions(database, programID: programID, links: links, count: plan.conversions, start: start, now: now, rng: &rng,
                            progress: progress)
        progress("holds", 0, 1)
        try HoldRelease().run(database, now: now)
        try database.write { db in _ = try LedgerStore().snapshot(in: db, now: now) }
        // One batch paid a month ago, so payouts and their statements have history.
        try database.write { db in
            let batch = try PayoutStore(vault: vault).createBatch(in: db, programID: programID, now: now - 30 * 86_400)
            for payout in batch.payouts {
                _ = try PayoutStore(vault: vault).markPaid(in: db, programID: programID, id: payout.id, reference: "DEMO-\(payout.id)",
                                                           now: now - 29 * 86_400)
            }
        }
        progress("holds", 1, 1)
        return partners
    }

    private func makePartners(_ database: DatabasePool, programID: Int64, count: Int, start: Int64, rng: inout SplitMix) throws -> [Int64] {
        let first = ["Ada", "Grace", "Linus", "Margaret", "Alan", "Katherine", "Dennis", "Barbara", "Ken", "Radia", "Tim", "Frances"]
        let last = ["Reviews", "Media", "Deals", "Weekly", "Labs", "Insights", "Digest", "Studio", "Guides", "Network"]
        let groups = ["", "", "gold", "silver", "creators"]
        let store = PartnerStore(vault: vault)
        var ids: [Int64] = []
        try database.write { db in
            let existing: Int64 = try db.queryValue("SELECT count(*) FROM partners WHERE program_id = ?", [programID], as: Int64.self) ?? 0
            for index in 0..<count {
                let number = Int(existing) + index + 1
                let name = "\(first[number % first.count]) \(last[(number / first.count) % last.count])"
                let parent: Int64?? = index > 3 && rng.next() % 5 == 0 ? .some(ids[Int(rng.next() % UInt64(min(ids.count, 4)))]) : .some(nil)
                let partner = try store.create(
                    in: db, programID: programID,
                    PartnerChanges(email: "partner\(number)@generated.partnerportal.test", name: name,
                                   website: "https://partner\(number).example.com", group: groups[Int(rng.next() % UInt64(groups.count))],
                                   parentPartnerID: parent,
                                   payout: PayoutDetails(method: .paypal, fields: ["paypal_email": "partner\(number)@generated.partnerportal.test"])),
                    status: .approved, now: start - 86_400)
                ids.append(partner.id)
                for (suffix, campaign) in [("a", "launch"), ("b", "newsletter")] {
                    try db.execute("""
                        INSERT INTO links (program_id, partner_id, code, destination_url, campaign, created_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """, [programID, partner.id, "g\(programID)p\(number)\(suffix)", "https://example.com/landing", campaign, start - 86_400])
                }
                try db.execute("INSERT INTO coupons (program_id, partner_id, code, created_at) VALUES (?, ?, ?, ?)",
                               [programID, partner.id, "P\(programID)X\(number)", start - 86_400])
            }
        }
        return ids
    }

    private func makeClicks(_ database: DatabasePool, programID: Int64, links: [(id: Int64, partner: Int64, code: String, campaign: String)],
                            count: Int, start: Int64, now: Int64, rng: inout SplitMix, progress: Progress) throws {
        let devices = ["phone", "phone", "desktop", "desktop", "tablet"]
        let countries = ["US", "US", "US", "GB", "DE", "FR", "CA", "IN", "BR", ""]
        let subs = ["", "", "", "yt", "ig", "blog", "email"]
        let batchSize = 50_000
        var done = 0
        while done < count {
            let size = min(batchSize, count - done)
            try database.write { db in
                var stats: [String: (link: Int64, partner: Int64, day: Int64, campaign: String, sub: String, clicks: Int64, unique: Int64)] = [:]
                var dimensions: [String: (partner: Int64, day: Int64, dimension: ClickDimensions.Dimension, value: String, clicks: Int64, unique: Int64)] = [:]
                var inBatch = 0
                for _ in 0..<size {
                    // A skewed choice of link: a few partners bring most of the traffic, as in real programs.
                    let r = Double(rng.next() % 1_000_000) / 1_000_000
                    let link = links[min(links.count - 1, Int(Double(links.count) * r * r * r))]
                    // In time order, as real clicks arrive: the (partner, time) index then grows at its ends instead
                    // of taking inserts on random pages of a large B-tree.
                    let index = Int64(done + inBatch)
                    inBatch += 1
                    let at = start + (now - start) * index / Int64(max(1, count))
                    let visitor = withUnsafeBytes(of: rng.next() % 400_000) { Array($0) }
                    let unique = rng.next() % 100 < 85
                    let sub = subs[Int(rng.next() % UInt64(subs.count))]
                    let device = devices[Int(rng.next() % 5)]
                    let country = countries[Int(rng.next() % UInt64(countries.count))]
                    try db.execute("""
                        INSERT INTO clicks (program_id, partner_id, link_id, at, visitor, is_unique, device, country, sub1)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, [programID, link.partner, link.id, at, visitor, unique, device, country, sub])
                    let day = DailyStats.day(of: at)
                    let key = "\(link.id) \(day) \(sub)"
                    var entry = stats[key] ?? (link.id, link.partner, day, link.campaign, sub, 0, 0)
                    entry.clicks += 1
                    entry.unique += unique ? 1 : 0
                    stats[key] = entry
                    for (dimension, value) in [(ClickDimensions.Dimension.country, country), (.device, device)] {
                        let key = "\(link.partner) \(day) \(dimension.rawValue) \(value)"
                        var entry = dimensions[key] ?? (link.partner, day, dimension, value, 0, 0)
                        entry.clicks += 1
                        entry.unique += unique ? 1 : 0
                        dimensions[key] = entry
                    }
                }
                for entry in stats.values {
                    try DailyStats.add(in: db, programID: programID, partnerID: entry.partner, at: entry.day * 86_400, linkID: entry.link,
                                       campaign: entry.campaign, subID: entry.sub, clicks: entry.clicks, uniqueClicks: entry.unique)
                }
                for entry in dimensions.values {
                    try ClickDimensions.add(in: db, partnerID: entry.partner, day: entry.day, entry.dimension, value: entry.value,
                                            clicks: entry.clicks, uniqueClicks: entry.unique)
                }
            }
            done += size
            progress("clicks", done, count)
        }
    }

    private func makeConversions(_ database: DatabasePool, programID: Int64, links: [(id: Int64, partner: Int64, code: String, campaign: String)],
                                 count: Int, start: Int64, now: Int64, rng: inout SplitMix, progress: Progress) throws {
        let times = (0..<count).map { _ in start + Int64(rng.next() % UInt64(max(1, now - start))) }.sorted()
        let skus = ["starter", "pro", "pro", "team", "enterprise"]
        let batchSize = 1_000
        var done = 0
        let existing: Int64 = try database.read { db in try db.queryValue("SELECT count(*) FROM conversions WHERE program_id = ?", [programID], as: Int64.self) } ?? 0
        while done < count {
            let size = min(batchSize, count - done)
            try database.write { db in
                for index in done..<(done + size) {
                    let r = Double(rng.next() % 1_000_000) / 1_000_000
                    let link = links[min(links.count - 1, Int(Double(links.count) * r * r * r))]
                    let isSale = rng.next() % 10 < 7
                    let customer = "gen-\(rng.next() % UInt64(max(1, count / 2)))"
                    let conversion = NewConversion(
                        externalID: "gen-\(Int(existing) + index + 1)", type: isSale ? .sale : .lead,
                        amount: isSale ? Int64(1_000 + rng.next() % 29_000) : nil, linkCode: link.code, customerID: customer,
                        productSKU: isSale ? skus[Int(rng.next() % UInt64(skus.count))] : nil, occurredAt: times[index],
                        requestHash: SHA256.hash("gen-\(Int(existing) + index + 1)"))
                    _ = try recorder.record(in: db, programID: programID, conversion, now: times[index])
                }
            }
            done += size
            progress("conversions", done, count)
        }
    }
}

/// SplitMix64: small, fast and seeded, so generated data is the same on every run (the tests replay random
/// sequences with it too).
struct SplitMix: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
