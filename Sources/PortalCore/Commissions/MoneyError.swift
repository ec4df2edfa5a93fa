/// Why a money computation was refused: inputs no real program produces, or a result that would not fit in Int64.
public enum MoneyError: Error, Sendable, Equatable {
    /// The exact result does not fit in Int64 minor units.
    case overflow
    /// A division by zero was asked for.
    case divisionByZero
    /// An argument outside its domain, e.g. a refund larger than the sale it refunds.
    case invalidArgument(String)
}
