import Store

/// One partner's calendar year (UTC) for their tax return: what the program PAID them (payouts marked paid, by the
/// date they were marked paid) and what they EARNED (commissions approved that year, by approval date, not
/// reversed since), month by month. `make` is pure; `load` reads the rows for it.
public struct YearlyEarningsStatement: Sendable, Equatable {
    public struct Month: Sendable, Equatable {
        /// 1…12.
        public let month: Int
        public let paid: Int64
        public let payouts: Int
        public let earned: Int64
        public let commissions: Int
    }

    /// Something with a time and an amount: a paid payout or an approved commission.
    public struct Event: Sendable, Equatable {
        public let at: Int64
        public let amount: Int64

        public init(at: Int64, amount: Int64) {
            self.at = at
            self.amount = amount
        }
    }

    public let year: Int
    public let currency: String
    public let months: [Month]

    public var totalPaid: Int64 { months.reduce(0) { $0 + $1.paid } }
    public var totalEarned: Int64 { months.reduce(0) { $0 + $1.earned } }

    /// The years a statement may be asked for: anything else is "not found".
    public static let supportedYears = 2000...2100

    /// Parses exactly four digits within `supportedYears`.
    public static func year(from text: String) -> Int? {
        guard text.count == 4, text.allSatisfy({ $0.isASCII && $0.isNumber }), let year = Int(text), supportedYears.contains(year) else { return nil }
        return year
    }

    /// Unix seconds of 1 January 00:00 UTC of `year`.
    public static func start(of year: Int) -> Int64 { CivilDate.days(year: Int64(year), month: 1, day: 1) * 86_400 }

    /// Totals `payouts` and `commissions` falling within `year`, month by month; events outside the year are ignored.
    public static func make(year: Int, currency: String, payouts: [Event], commissions: [Event]) -> YearlyEarningsStatement {
        var paid = [Int64](repeating: 0, count: 13), paidCount = [Int](repeating: 0, count: 13)
        var earned = [Int64](repeating: 0, count: 13), earnedCount = [Int](repeating: 0, count: 13)
        func month(_ at: Int64) -> Int? {
            let (y, m, _) = CivilDate.ymd(days: DailyStats.day(of: at))
            return y == Int64(year) ? Int(m) : nil
        }
        for event in payouts { if let m = month(event.at) { paid[m] += event.amount; paidCount[m] += 1 } }
        for event in commissions { if let m = month(event.at) { earned[m] += event.amount; earnedCount[m] += 1 } }
        return YearlyEarningsStatement(year: year, currency: currency, months: (1...12).map {
            Month(month: $0, paid: paid[$0], payouts: paidCount[$0], earned: earned[$0], commissions: earnedCount[$0])
        })
    }

    /// The statement of `partnerID` for `year`, from its paid payouts and approved commissions.
    public static func load(in db: Database, programID: Int64, partnerID: Int64, year: Int, currency: String) throws -> YearlyEarningsStatement {
        let from = start(of: year), to = start(of: year + 1)
        let payouts = try db.query("""
            SELECT settled_at, amount FROM payouts
            WHERE program_id = ? AND partner_id = ? AND status = 'paid' AND settled_at >= ? AND settled_at < ?
            """, [programID, partnerID, from, to]).map { Event(at: try $0["settled_at"], amount: try $0["amount"]) }
        let commissions = try db.query("""
            SELECT approved_at, amount FROM commissions
            WHERE program_id = ? AND partner_id = ? AND status IN ('approved', 'paid') AND approved_at >= ? AND approved_at < ?
            """, [programID, partnerID, from, to]).map { Event(at: try $0["approved_at"], amount: try $0["amount"]) }
        return make(year: year, currency: currency, payouts: payouts, commissions: commissions)
    }

    /// The years, newest first, in which the partner was paid or had a commission approved.
    public static func activeYears(in db: Database, programID: Int64, partnerID: Int64) throws -> [Int] {
        let times: [Int64] = try db.query("""
            SELECT settled_at AS at FROM payouts WHERE program_id = ? AND partner_id = ? AND status = 'paid' AND settled_at IS NOT NULL
            UNION SELECT approved_at FROM commissions WHERE program_id = ? AND partner_id = ? AND status IN ('approved', 'paid') AND approved_at IS NOT NULL
            """, [programID, partnerID, programID, partnerID]).map { try $0["at"] }
        let years = Set(times.map { Int(CivilDate.ymd(days: DailyStats.day(of: $0)).year) }).filter { supportedYears.contains($0) }
        return years.sorted(by: >)
    }

    static let monthNames = ["", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
                             "December"]

    /// `partner,year,month,payouts,paid,commissions,earned,currency`, amounts in major units, ending with the year's
    /// total. The partner's name goes through `PayoutExport.field` (quoting and the formula-injection guard).
    public func csv(partnerName: String) -> String {
        let name = PayoutExport.field(partnerName)
        var out = "partner,year,month,payouts,paid,commissions,earned,currency\r\n"
        for m in months {
            out += [name, String(year), Self.monthNames[m.month], String(m.payouts), Currency.majorUnits(m.paid, currency: currency),
                    String(m.commissions), Currency.majorUnits(m.earned, currency: currency), currency].joined(separator: ",") + "\r\n"
        }
        out += [name, String(year), "Total", String(months.reduce(0) { $0 + $1.payouts }), Currency.majorUnits(totalPaid, currency: currency),
                String(months.reduce(0) { $0 + $1.commissions }), Currency.majorUnits(totalEarned, currency: currency), currency]
            .joined(separator: ",") + "\r\n"
        return out
    }
}
