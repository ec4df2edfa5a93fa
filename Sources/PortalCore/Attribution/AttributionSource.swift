/// Which reference on a conversion decided its partner, in the order CONTRACTS.md tries them.
public enum AttributionSource: String, Sendable, Equatable, CaseIterable {
    case click
    case coupon
    case customer
    case link
    case partner
}
