/// Monthly cohorts: the partners approved in month M, and how many of them were active (a click or a conversion) in
/// M and each month after it. Months are day numbers of a month's 1st (`CivilDate`); pure, tested on fixtures.
public struct CohortRetention: Sendable, Equatable {
    public struct Cohort: Sendable, Equatable {
        public var month: Int64
        public var size: Int
        /// Active partners of the cohort in its month (offset 0) and each later month shown, up to the last month.
        public var active: [Int]

        /// The share active at `offset`, 0…1; nil for an empty cohort or a month not reached yet.
        public func rate(_ offset: Int) -> Double? {
            guard size > 0, offset < active.count else { return nil }
            return Double(active[offset]) / Double(size)
        }
    }

    public var months: [Int64]
    public var cohorts: [Cohort]

    /// `months` ascending (consecutive months), `approvals` partner → month of approval (others ignored), `activity`
    /// month → partners active in it.
    public init(months: [Int64], approvals: [Int64: Int64], activity: [Int64: Set<Int64>]) {
        self.months = months
        var members: [Int64: [Int64]] = [:]
        for (partner, month) in approvals { members[month, default: []].append(partner) }
        cohorts = months.enumerated().map { index, month in
            let partners = members[month] ?? []
            let active = months[index...].map { later in
                let set = activity[later] ?? []
                return partners.reduce(0) { $0 + (set.contains($1) ? 1 : 0) }
            }
            return Cohort(month: month, size: partners.count, active: active)
        }
    }

    /// The month (its 1st, as days) holding `day`.
    public static func month(of day: Int64) -> Int64 { PerformanceReport.periodStart(of: day, .month) }

    /// The `count` months ending with the month of `day`, oldest first.
    public static func months(endingAt day: Int64, count: Int) -> [Int64] {
        let (year, month, _) = CivilDate.ymd(days: day)
        let last = year * 12 + month - 1
        return (0..<Int64(max(count, 0))).reversed().map { back in
            let index = last - back
            return CivilDate.days(year: index / 12, month: index % 12 + 1, day: 1)
        }
    }

    /// The first day of the month after `month`.
    public static func nextMonth(_ month: Int64) -> Int64 {
        let (year, m, _) = CivilDate.ymd(days: month)
        return m == 12 ? CivilDate.days(year: year + 1, month: 1, day: 1) : CivilDate.days(year: year, month: m + 1, day: 1)
    }
}
