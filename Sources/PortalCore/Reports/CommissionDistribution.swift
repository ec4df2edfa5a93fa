/// How commission is spread over partners in a period: the top earners, the share the top 10 % of earning partners
/// took, and a histogram of partner earnings in buckets. Pure: tested on small fixtures.
public struct CommissionDistribution: Sendable, Equatable {
    public struct Earner: Sendable, Equatable {
        public var partnerID: Int64
        public var commission: Int64
        public init(partnerID: Int64, commission: Int64) {
            self.partnerID = partnerID
            self.commission = commission
        }
    }

    /// Partners with `lower <= commission < upper` (no upper bound for the last bucket).
    public struct Bucket: Sendable, Equatable {
        public var lower: Int64
        public var upper: Int64?
        public var partners: Int
    }

    /// Earners (commission > 0), largest first (ties by partner id).
    public var earners: [Earner]
    public var total: Int64
    /// How many partners make the top 10 %: a tenth of the earners, rounded up (1 of 1…10).
    public var topDecileCount: Int
    public var topDecileCommission: Int64
    public var buckets: [Bucket]

    /// The top 10 % share, 0…1; nil when nothing was earned.
    public var topDecileShare: Double? { total > 0 ? Double(topDecileCommission) / Double(total) : nil }

    public func top(_ count: Int) -> [Earner] { Array(earners.prefix(count)) }

    /// `commissions` per partner (minor units); partners at zero or below are not earners. `edges` are the buckets'
    /// lower bounds, ascending, the first normally 1 (one minor unit).
    public init(commissions: [Int64: Int64], edges: [Int64]) {
        earners = commissions.filter { $0.value > 0 }.map { Earner(partnerID: $0.key, commission: $0.value) }
            .sorted { $0.commission != $1.commission ? $0.commission > $1.commission : $0.partnerID < $1.partnerID }
        total = earners.reduce(0) { $0 + $1.commission }
        topDecileCount = (earners.count + 9) / 10
        topDecileCommission = earners.prefix(topDecileCount).reduce(0) { $0 + $1.commission }
        buckets = Self.histogram(earners.map(\.commission), edges: edges)
    }

    /// Counts of `amounts` per bucket `[edges[i], edges[i+1])`, the last open-ended; amounts below the first edge
    /// are not counted.
    public static func histogram(_ amounts: [Int64], edges: [Int64]) -> [Bucket] {
        var buckets = edges.enumerated().map { index, lower in
            Bucket(lower: lower, upper: index + 1 < edges.count ? edges[index + 1] : nil, partners: 0)
        }
        for amount in amounts {
            // The last edge at or below the amount.
            var chosen: Int?
            for (index, lower) in edges.enumerated() where amount >= lower { chosen = index }
            if let chosen { buckets[chosen].partners += 1 }
        }
        return buckets
    }

    /// Bucket edges in minor units for a currency with `exponent` decimals: 0.01, 10, 50, 100, 250, 500, 1,000,
    /// 2,500, 5,000 and 10,000 in major units (the first edge is one minor unit, so every earner is counted).
    public static func standardEdges(exponent: Int) -> [Int64] {
        var unit: Int64 = 1
        for _ in 0..<max(0, exponent) { unit *= 10 }
        return [1] + [10, 50, 100, 250, 500, 1000, 2500, 5000, 10_000].map { $0 * unit }
    }
}
