import Foundation

/// A conversion as the API receives it (CONTRACTS.md `POST /conversions`), before attribution.
public struct NewConversion: Sendable, Equatable {
    public var externalID: String
    public var type: ConversionEvent
    public var amount: Int64?
    public var currency: String?
    public var clickID: String?
    public var coupon: String?
    public var linkCode: String?
    public var partnerID: Int64?
    public var customerID: String?
    public var customerEmail: String?
    /// The customer's IP address, if the company sends it (an addition to the contract): only used, hashed, to
    /// flag a conversion from an address the partner signed in from. Never stored.
    public var customerIP: String?
    public var productSKU: String?
    /// Unix seconds; nil means now.
    public var occurredAt: Int64?
    /// SHA-256 of the request body in canonical form: a replay must send the same body.
    public var requestHash: [UInt8]

    public init(externalID: String, type: ConversionEvent, amount: Int64? = nil, currency: String? = nil, clickID: String? = nil,
                coupon: String? = nil, linkCode: String? = nil, partnerID: Int64? = nil, customerID: String? = nil,
                customerEmail: String? = nil, customerIP: String? = nil, productSKU: String? = nil, occurredAt: Int64? = nil,
                requestHash: [UInt8] = []) {
        self.externalID = externalID
        self.type = type
        self.amount = amount
        self.currency = currency
        self.clickID = clickID
        self.coupon = coupon
        self.linkCode = linkCode
        self.partnerID = partnerID
        self.customerID = customerID
        self.customerEmail = customerEmail
        self.customerIP = customerIP
        self.productSKU = productSKU
        self.occurredAt = occurredAt
        self.requestHash = requestHash
    }

    /// The largest amount accepted: 10^13 minor units (100 billion dollars), far from Int64 overflow in any sum.
    public static let maximumAmount: Int64 = 10_000_000_000_000

    /// Field → messages that need no database (the program's currency is checked by the recorder).
    public func problems(now: Int64) -> [String: [String]] {
        var errors: [String: [String]] = [:]
        let id = externalID.trimmingCharacters(in: .whitespaces)
        if id.isEmpty || externalID.utf8.count > 200 { errors["external_id", default: []].append("must be 1 to 200 characters") }
        if type == .sale && amount == nil { errors["amount", default: []].append("is required for a sale") }
        if let amount, amount < 0 || amount > Self.maximumAmount {
            errors["amount", default: []].append("must be between 0 and \(Self.maximumAmount) minor units")
        }
        if let currency, !Currency.isWellFormed(currency) { errors["currency", default: []].append("must be an ISO 4217 code in upper case") }
        for (name, value) in [("click_id", clickID), ("coupon", coupon), ("link_code", linkCode), ("customer_id", customerID),
                              ("customer_email", customerEmail), ("customer_ip", customerIP), ("product_sku", productSKU)] {
            if let value, value.utf8.count > 200 { errors[name, default: []].append("must be at most 200 characters") }
        }
        if let occurredAt {
            // A little clock skew is fine; a sale from the future is a mistake in the caller's clock or data.
            if occurredAt > now + 300 { errors["occurred_at", default: []].append("must not be in the future") }
            if occurredAt < 946_684_800 { errors["occurred_at", default: []].append("must be after 2000-01-01") }
        }
        return errors
    }
}
