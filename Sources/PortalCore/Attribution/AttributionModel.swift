/// How a program chooses between several clicks of the same customer (CONTRACTS.md, "Commission semantics").
public enum AttributionModel: String, Sendable, Equatable, CaseIterable {
    /// The most recent valid click wins; the default.
    case lastClick = "last_click"
    /// The earliest click still inside the cookie window wins.
    case firstClick = "first_click"
}
