/// A stored conversion and its commissions, as the API answers them.
public struct RecordedConversion: Sendable, Equatable {
    public struct Commission: Sendable, Equatable {
        public let id: Int64
        public let partnerID: Int64
        public let amount: Int64
        public let currency: String
        public let status: String
        public let level: Int
        public let rule: String
    }

    public let id: Int64
    public let externalID: String
    public let partnerID: Int64?
    public let type: ConversionEvent
    public let amount: Int64?
    public let currency: String
    public let refundedAmount: Int64
    /// Whether refunds took back everything: the whole amount of a sale, or a lead refunded at all.
    public let fullyRefunded: Bool
    public let occurredAt: Int64
    public let commissions: [Commission]

    /// `unattributed` (no partner), `refunded`, `partially_refunded` or `attributed`.
    public var status: String {
        if partnerID == nil { return "unattributed" }
        if fullyRefunded { return "refunded" }
        if refundedAmount > 0 { return "partially_refunded" }
        return "attributed"
    }
}
