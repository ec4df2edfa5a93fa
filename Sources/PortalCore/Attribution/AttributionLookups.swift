/// The program's settings and the reads attribution needs, given as closures so the decision stays pure and
/// the caller can answer them from the database, a cache or a test table.
public struct AttributionLookups: Sendable {
    /// The program's cookie window, in seconds.
    public var cookieWindow: Int64
    /// The program's attribution model.
    public var model: AttributionModel
    /// A click of this program by its public id.
    public var click: @Sendable (String) -> TrackedClick?
    /// Every click of this program known to belong to the customer, in any order.
    public var customerClicks: @Sendable (String) -> [TrackedClick]
    /// The partner a coupon code belongs to.
    public var couponPartner: @Sendable (String) -> Int64?
    /// The partner a customer is already attributed to from an earlier conversion (renewals).
    public var customerPartner: @Sendable (String) -> Int64?
    /// The partner a link code belongs to.
    public var linkPartner: @Sendable (String) -> Int64?
    /// A partner's status in this program, nil if it is not a partner of this program.
    public var partnerStatus: @Sendable (Int64) -> PartnerStatus?

    public init(
        cookieWindow: Int64,
        model: AttributionModel = .lastClick,
        click: @escaping @Sendable (String) -> TrackedClick? = { _ in nil },
        customerClicks: @escaping @Sendable (String) -> [TrackedClick] = { _ in [] },
        couponPartner: @escaping @Sendable (String) -> Int64? = { _ in nil },
        customerPartner: @escaping @Sendable (String) -> Int64? = { _ in nil },
        linkPartner: @escaping @Sendable (String) -> Int64? = { _ in nil },
        partnerStatus: @escaping @Sendable (Int64) -> PartnerStatus? = { _ in nil }
    ) {
        self.cookieWindow = cookieWindow
        self.model = model
        self.click = click
        self.customerClicks = customerClicks
        self.couponPartner = couponPartner
        self.customerPartner = customerPartner
        self.linkPartner = linkPartner
        self.partnerStatus = partnerStatus
    }
}
