/// The references a conversion arrives with (CONTRACTS.md JSON API), each optional.
public struct ConversionReferences: Sendable, Equatable {
    public var clickID: String?
    public var coupon: String?
    public var customerID: String?
    public var linkCode: String?
    public var partnerID: Int64?
    /// When the sale or lead happened, unix seconds; the cookie window is measured back from here.
    public var occurredAt: Int64

    public init(clickID: String? = nil, coupon: String? = nil, customerID: String? = nil, linkCode: String? = nil,
                partnerID: Int64? = nil, occurredAt: Int64) {
        self.clickID = clickID
        self.coupon = coupon
        self.customerID = customerID
        self.linkCode = linkCode
        self.partnerID = partnerID
        self.occurredAt = occurredAt
    }
}
