/// Who is paid in a new batch (CONTRACTS.md `POST /payouts/batches`). Pure: the caller supplies balances and
/// settings; this decides.
public enum PayoutPlanner {
    public struct Candidate: Sendable, Equatable {
        public var partnerID: Int64
        public var status: PartnerStatus
        public var available: Int64
        public var threshold: Int64
        public var method: PayoutMethod?

        public init(partnerID: Int64, status: PartnerStatus, available: Int64, threshold: Int64, method: PayoutMethod?) {
            self.partnerID = partnerID
            self.status = status
            self.available = available
            self.threshold = threshold
            self.method = method
        }
    }

    public struct Skipped: Sendable, Equatable {
        public let partnerID: Int64
        public let reason: String
    }

    public struct Plan: Sendable, Equatable {
        /// Partners to pay their whole available balance, by id.
        public var paid: [Candidate] = []
        public var skipped: [Skipped] = []
    }

    /// One payout per partner whose available balance reaches both the program minimum and the partner's own
    /// threshold, who has a payout method and who is approved (a suspended partner's money waits until they are
    /// reinstated). Partners with nothing available are neither paid nor listed; a negative balance (refunds after
    /// a payout) is listed as skipped so an admin sees the debt.
    public static func plan(_ candidates: [Candidate], programMinimum: Int64, currency: String) -> Plan {
        var plan = Plan()
        for candidate in candidates.sorted(by: { $0.partnerID < $1.partnerID }) {
            let available = candidate.available
            if available == 0 { continue }
            let minimum = max(1, programMinimum, candidate.threshold)
            let reason: String? =
                if available < 0 { "owes \(Currency.majorUnits(-available, currency: currency)) \(currency) from refunds after an earlier payout" }
                else if candidate.status != .approved { "partner is \(candidate.status.rawValue)" }
                else if candidate.method == nil { "no payout method" }
                else if available < max(1, programMinimum) { "below the program minimum of \(Currency.majorUnits(programMinimum, currency: currency)) \(currency)" }
                else if available < minimum { "below the partner's threshold of \(Currency.majorUnits(candidate.threshold, currency: currency)) \(currency)" }
                else { nil }
            if let reason {
                plan.skipped.append(Skipped(partnerID: candidate.partnerID, reason: reason))
            } else {
                plan.paid.append(candidate)
            }
        }
        return plan
    }
}
