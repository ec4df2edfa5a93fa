/// What attribution needs to know about a recorded click.
public struct TrackedClick: Sendable, Equatable, Hashable {
    /// The public click id (`pp_click`).
    public var id: String
    /// The partner whose link was clicked.
    public var partnerID: Int64
    /// When the click happened, unix seconds.
    public var time: Int64
    /// The customer this click is known to belong to, once a conversion has tied them together.
    public var customerID: String?

    public init(id: String, partnerID: Int64, time: Int64, customerID: String? = nil) {
        self.id = id
        self.partnerID = partnerID
        self.time = time
        self.customerID = customerID
    }
}
