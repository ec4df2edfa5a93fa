/// A conversion's event type, which decides whether a rule's rate or its flat amount is the natural fit.
public enum ConversionEvent: String, Sendable, Hashable, CaseIterable {
    case sale
    case lead
}

/// How a rule pays: a share of the sale amount, or a fixed amount per conversion.
public enum CommissionKind: Sendable, Hashable {
    case percentage(basisPoints: Int64)
    case flat(amount: Int64)
}

/// Whom a rule applies to, from least to most specific (see `RuleSelector`).
public enum RuleScope: Sendable, Hashable {
    case programDefault
    case partnerGroup(String)
    case productSKU(String)
    case partner(Int64)

    /// Higher wins: partner override → product SKU → partner group → program default (CONTRACTS.md).
    public var specificity: Int {
        switch self {
        case .programDefault: 0
        case .partnerGroup: 1
        case .productSKU: 2
        case .partner: 3
        }
    }
}

/// A volume threshold of a tiered rule: from `minimumVolume` of monthly sales on, the rate is `basisPoints`.
public struct CommissionTier: Sendable, Hashable {
    public var minimumVolume: Int64
    public var basisPoints: Int64

    public init(minimumVolume: Int64, basisPoints: Int64) {
        self.minimumVolume = minimumVolume
        self.basisPoints = basisPoints
    }
}

/// One commission rule of a program: what it pays, for which event, to whom, tiered and recurring or not.
public struct CommissionRule: Sendable, Hashable, Identifiable {
    /// Database id; also the tie-break between equally specific rules (the newest, largest id wins).
    public var id: Int64
    public var event: ConversionEvent
    public var scope: RuleScope
    public var kind: CommissionKind
    /// Rates by the partner's sales volume this calendar month; only percentage rules use them. Below the
    /// lowest threshold the rule's own rate applies.
    public var tiers: [CommissionTier]
    /// Months from the customer's first conversion during which the rule pays; nil pays for the customer's
    /// lifetime.
    public var recurringMonths: Int?

    public init(
        id: Int64, event: ConversionEvent, scope: RuleScope, kind: CommissionKind,
        tiers: [CommissionTier] = [], recurringMonths: Int? = nil
    ) {
        self.id = id
        self.event = event
        self.scope = scope
        self.kind = kind
        self.tiers = tiers
        self.recurringMonths = recurringMonths
    }

    /// Whether the rule applies to a conversion with these facts (event and scope; not tiers or recurrence).
    public func matches(_ facts: ConversionFacts) -> Bool {
        guard event == facts.event else { return false }
        switch scope {
        case .programDefault: return true
        case .partnerGroup(let group): return facts.partnerGroup == group
        case .productSKU(let sku): return facts.productSKU == sku
        case .partner(let partnerID): return facts.partnerID == partnerID
        }
    }
}
