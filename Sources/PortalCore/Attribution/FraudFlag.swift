/// A reason to hold a commission for review instead of approving it when its hold ends.
public struct FraudFlag: Sendable, Equatable, Hashable {
    /// The kind of suspicion, stable for storage and filtering.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// The customer's e-mail is the partner's own.
        case selfReferral = "self_referral"
        /// The conversion came from an address the partner signed in from.
        case partnerAddress = "partner_address"
        /// One visitor clicked the partner's links far faster than a person would.
        case clickFlood = "click_flood"
        /// The same customer converted through several partners within a short time.
        case multiplePartners = "multiple_partners"
    }

    public var kind: Kind
    /// A sentence for the reviewer.
    public var reason: String

    public init(kind: Kind, reason: String) {
        self.kind = kind
        self.reason = reason
    }
}
