/// What the commission rules need to know about one conversion, gathered by the caller so the rules stay pure.
public struct ConversionFacts: Sendable, Hashable {
    public var event: ConversionEvent
    /// Sale amount in minor units; nil for a lead without an amount.
    public var amount: Int64?
    public var partnerID: Int64
    public var partnerGroup: String?
    public var productSKU: String?
    /// The partner's sales volume earlier in the current calendar month, NOT counting this conversion.
    public var monthlyVolumeBefore: Int64
    /// Whole months elapsed since the customer's first conversion: 0 for the first conversion and for anything
    /// less than a month after it. A rule recurring for N months pays while this is below N.
    public var monthsSinceFirstConversion: Int

    public init(
        event: ConversionEvent, amount: Int64?, partnerID: Int64, partnerGroup: String? = nil,
        productSKU: String? = nil, monthlyVolumeBefore: Int64 = 0, monthsSinceFirstConversion: Int = 0
    ) {
        self.event = event
        self.amount = amount
        self.partnerID = partnerID
        self.partnerGroup = partnerGroup
        self.productSKU = productSKU
        self.monthlyVolumeBefore = monthlyVolumeBefore
        self.monthsSinceFirstConversion = monthsSinceFirstConversion
    }
}
