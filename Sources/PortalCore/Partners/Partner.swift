/// A partner of a program as the engine and the API see it (payout details stay sealed; see `PayoutDetails`).
public struct Partner: Sendable, Equatable {
    public let id: Int64
    public let programID: Int64
    public var email: String
    public var name: String
    public var company: String
    public var website: String
    public var status: PartnerStatus
    public var statusReason: String
    public var group: String
    public var parentPartnerID: Int64?
    public var payoutMethod: PayoutMethod?
    public var payoutThreshold: Int64
    public let createdAt: Int64
}
