/// Everything the fraud checks look at for one conversion credited to one partner, already fetched.
public struct FraudSignals: Sendable {
    /// The partner credited with the conversion.
    public var partnerID: Int64
    /// When the conversion happened, unix seconds.
    public var occurredAt: Int64
    /// The customer's e-mail from the conversion, if sent.
    public var customerEmail: String?
    /// E-mail addresses of the partner's owner and team members.
    public var partnerEmails: [String]
    /// The conversion's client address as an `AddressHash`, if known. Both sides must be `AddressHash`es
    /// under the same secret (not `VisitorHash`es, which rotate daily), or nothing will ever match.
    public var conversionAddressHash: [UInt8]?
    /// `AddressHash`es of the addresses the partner's team signed in from.
    public var partnerSignInAddressHashes: [[UInt8]]
    /// Times of the clicks on this partner's links from the visitor hash behind the attributed click.
    public var visitorClickTimes: [Int64]
    /// Earlier or later conversions by the same customer in this program: who was credited, and when.
    public var customerConversions: [(partnerID: Int64, occurredAt: Int64)]

    public init(partnerID: Int64, occurredAt: Int64, customerEmail: String? = nil, partnerEmails: [String] = [],
                conversionAddressHash: [UInt8]? = nil, partnerSignInAddressHashes: [[UInt8]] = [],
                visitorClickTimes: [Int64] = [], customerConversions: [(partnerID: Int64, occurredAt: Int64)] = []) {
        self.partnerID = partnerID
        self.occurredAt = occurredAt
        self.customerEmail = customerEmail
        self.partnerEmails = partnerEmails
        self.conversionAddressHash = conversionAddressHash
        self.partnerSignInAddressHashes = partnerSignInAddressHashes
        self.visitorClickTimes = visitorClickTimes
        self.customerConversions = customerConversions
    }
}
