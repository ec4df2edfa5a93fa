/// A partner's standing in a program, as far as earning commissions is concerned.
public enum PartnerStatus: String, Sendable, Equatable, CaseIterable {
    case pending
    case approved
    case rejected
    case suspended

    /// Only approved partners are credited with conversions. Pending and rejected partners never were in the
    /// program, and a suspended one is out of it for now; crediting any of them would either pay someone the
    /// program turned away or strand the commission, so attribution passes over them (see `Attribution`).
    public var canEarn: Bool { self == .approved }
}
