import PortalSecurity

/// The review rules of issue 4: which suspicions hold a commission for a person to look at. Pure: the caller
/// fetches the signals, this only decides.
public struct FraudFlags: Sendable, Equatable {
    /// The click-flood rule applied to the attributed visitor's clicks.
    public var floodDetector: ClickFloodDetector
    /// How close two conversions of one customer through different partners must be to flag, in seconds.
    public var multiPartnerWindow: Int64

    public init(floodDetector: ClickFloodDetector = ClickFloodDetector(), multiPartnerWindow: Int64 = 30 * 86_400) {
        self.floodDetector = floodDetector
        self.multiPartnerWindow = multiPartnerWindow
    }

    /// Every flag that applies, in `FraudFlag.Kind` order; empty means nothing to review.
    public func evaluate(_ signals: FraudSignals) -> [FraudFlag] {
        var flags: [FraudFlag] = []
        if let email = signals.customerEmail,
           signals.partnerEmails.contains(where: { EmailIdentity.sameMailbox($0, email) }) {
            flags.append(FraudFlag(kind: .selfReferral, reason: "The customer's e-mail is the partner's own."))
        }
        if let address = signals.conversionAddressHash, !address.isEmpty,
           signals.partnerSignInAddressHashes.contains(where: { ConstantTime.equals($0, address) }) {
            flags.append(FraudFlag(kind: .partnerAddress,
                                   reason: "The conversion came from an address the partner signed in from."))
        }
        if floodDetector.isFlood(clickTimes: signals.visitorClickTimes) {
            flags.append(FraudFlag(kind: .clickFlood, reason: "One visitor clicked the partner's links "
                + "\(floodDetector.threshold) or more times within \(floodDetector.window) seconds."))
        }
        // Either direction counts: a second partner converting the customer shortly *before* is as suspicious
        // as shortly after. The window's edge is inclusive.
        let others = Set(signals.customerConversions.filter {
            $0.partnerID != signals.partnerID && abs($0.occurredAt - signals.occurredAt) <= multiPartnerWindow
        }.map(\.partnerID))
        if !others.isEmpty {
            flags.append(FraudFlag(kind: .multiplePartners, reason: "The same customer converted through "
                + "\(others.count) other partner\(others.count == 1 ? "" : "s") within \(multiPartnerWindow / 86_400) days."))
        }
        return flags
    }
}
