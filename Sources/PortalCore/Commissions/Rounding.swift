/// Exact integer division rounded half-to-even ("banker's rounding"), so that rounding errors do not drift in
/// one direction over many commissions. No floating point anywhere: money is Int64 minor units.
public enum Rounding {
    /// `numerator / denominator` rounded half-to-even. Signs are handled symmetrically:
    /// `halfToEven(-5, 2) == -halfToEven(5, 2)`. Throws on a zero denominator or an unrepresentable result.
    public static func halfToEven(numerator: Int64, denominator: Int64) throws(MoneyError) -> Int64 {
        try halfToEven(multiplying: numerator, by: 1, dividedBy: denominator)
    }

    /// `a × b / divisor` rounded half-to-even, with a 128-bit intermediate product so `amount × basisPoints`
    /// cannot overflow before the division brings it back into range.
    public static func halfToEven(multiplying a: Int64, by b: Int64, dividedBy divisor: Int64) throws(MoneyError) -> Int64 {
        guard divisor != 0 else { throw .divisionByZero }
        // A zero product gives quotient 0, so its sign does not matter.
        let resultNegative = ((a < 0) != (b < 0)) != (divisor < 0)
        // Work on magnitudes (UInt64 holds |Int64.min|) so rounding is symmetric around zero.
        let product = a.magnitude.multipliedFullWidth(by: b.magnitude)
        let d = divisor.magnitude
        // dividingFullWidth traps when the quotient does not fit in 64 bits; refuse that case first.
        guard product.high < d else { throw .overflow }
        let (exact, remainder) = d.dividingFullWidth(product)
        var quotient = exact
        // remainder < d <= 2^63, so remainder * 2 cannot overflow UInt64.
        let twice = remainder &* 2
        if twice > d || (twice == d && quotient & 1 == 1) {
            guard quotient < UInt64.max else { throw .overflow }
            quotient += 1
        }
        if resultNegative {
            guard quotient <= Int64.min.magnitude else { throw .overflow }
            return quotient == Int64.min.magnitude ? Int64.min : -Int64(quotient)
        }
        guard quotient <= UInt64(Int64.max) else { throw .overflow }
        return Int64(quotient)
    }
}
