import Testing
@testable import PortalCore

/// Rounding and the two money multiplications, including every .5 case both ways and the Int64 edges.
@Suite struct CommissionMathTests {
    static let divisions: [(Int64, Int64, Int64)] = [
        // (numerator, denominator, expected)
        (0, 7, 0),
        (5, 2, 2), (7, 2, 4), (1, 2, 0), (3, 2, 2), (9, 2, 4), (11, 2, 6),
        (-5, 2, -2), (-7, 2, -4), (-1, 2, 0), (-3, 2, -2),
        (5, -2, -2), (-5, -2, 2), (7, -2, -4),
        (10, 4, 2), (14, 4, 4), (6, 4, 2),
        (1, 3, 0), (2, 3, 1), (-2, 3, -1), (4, 3, 1), (5, 3, 2),
        (26, 10, 3), (24, 10, 2), (-26, 10, -3), (-24, 10, -2),
        (Int64.max, 1, Int64.max), (Int64.min, 1, Int64.min), (Int64.max, Int64.max, 1), (Int64.min, Int64.min, 1),
        (Int64.max, 2, 4_611_686_018_427_387_904), (Int64.min, 2, -4_611_686_018_427_387_904),
        (Int64.min, Int64.max, -1),
    ]

    @Test(arguments: divisions)
    func halfToEven(numerator: Int64, denominator: Int64, expected: Int64) throws {
        #expect(try Rounding.halfToEven(numerator: numerator, denominator: denominator) == expected)
    }

    @Test func roundingIsSymmetricAroundZero() throws {
        for n in Int64(-300)...300 {
            for d in Int64(1)...12 {
                let positive = try Rounding.halfToEven(numerator: n, denominator: d)
                #expect(try Rounding.halfToEven(numerator: -n, denominator: d) == -positive)
                #expect(try Rounding.halfToEven(numerator: n, denominator: -d) == -positive)
                // Never further than half a unit from the exact quotient: |n - q·d| * 2 <= d.
                #expect(abs(n - positive * d) * 2 <= d)
            }
        }
    }

    @Test func divisionByZeroAndOverflowThrow() {
        #expect(throws: MoneyError.divisionByZero) { try Rounding.halfToEven(numerator: 1, denominator: 0) }
        #expect(throws: MoneyError.overflow) { try Rounding.halfToEven(numerator: Int64.min, denominator: -1) }
        #expect(throws: MoneyError.overflow) {
            try Rounding.halfToEven(multiplying: Int64.max, by: Int64.max, dividedBy: 2)
        }
        #expect(throws: MoneyError.overflow) { try CommissionMath.percentage(of: Int64.max, basisPoints: 20_000) }
    }

    @Test func wideProductDoesNotOverflowBeforeDividing() throws {
        // Int64.max × 10 000 overflows 64 bits; the 128-bit product brings it back.
        #expect(try CommissionMath.percentage(of: Int64.max, basisPoints: 10_000) == Int64.max)
        #expect(try CommissionMath.percentage(of: Int64.min, basisPoints: 10_000) == Int64.min)
        #expect(try CommissionMath.percentage(of: 922_337_203_685_477_580, basisPoints: 5_000) == 461_168_601_842_738_790)
    }

    static let percentages: [(Int64, Int64, Int64)] = [
        // (amount, basis points, expected)
        (1999, 1000, 200),   // 199.9 → 200
        (1995, 1000, 200),                        // 199.5 → 200 (even)
        (1985, 1000, 198),                        // 198.5 → 198 (even)
        (1005, 1000, 100),                        // 100.5 → 100
        (1015, 1000, 102),                        // 101.5 → 102
        (1, 5000, 0), (3, 5000, 2), (5, 5000, 2), (7, 5000, 4),
        (-1995, 1000, -200), (-1985, 1000, -198),
        (0, 2500, 0), (12345, 0, 0), (10_000, 1, 1), (5_000, 1, 0), (15_000, 1, 2),
        (100, 10_000, 100), (100, 15_000, 150),
    ]

    @Test(arguments: percentages)
    func percentage(amount: Int64, basisPoints: Int64, expected: Int64) throws {
        #expect(try CommissionMath.percentage(of: amount, basisPoints: basisPoints) == expected)
    }

    @Test func partsOfACommission() throws {
        #expect(try CommissionMath.part(of: 200, refunded: 1999, of: 1999) == 200)
        #expect(try CommissionMath.part(of: 200, refunded: 0, of: 1999) == 0)
        #expect(try CommissionMath.part(of: 3, refunded: 1, of: 2) == 2)  // 1.5 → 2
        #expect(try CommissionMath.part(of: 5, refunded: 1, of: 2) == 2)  // 2.5 → 2
        #expect(try CommissionMath.part(of: 1, refunded: 1, of: 2) == 0)  // 0.5 → 0
        #expect(try CommissionMath.part(of: 100, refunded: 1, of: 3) == 33)
        #expect(try CommissionMath.part(of: Int64.max, refunded: Int64.max - 1, of: Int64.max) == Int64.max - 1)
        #expect(throws: MoneyError.self) { try CommissionMath.part(of: 100, refunded: 4, of: 3) }
        #expect(throws: MoneyError.self) { try CommissionMath.part(of: 100, refunded: -1, of: 3) }
        #expect(throws: MoneyError.self) { try CommissionMath.part(of: 100, refunded: 0, of: 0) }
    }

    @Test func partsNeverExceedTheCommission() throws {
        for commission in Int64(0)...40 {
            for total in Int64(1)...25 {
                for refunded in Int64(0)...total {
                    let part = try CommissionMath.part(of: commission, refunded: refunded, of: total)
                    #expect(part >= 0 && part <= commission)
                }
            }
        }
    }

    @Test func successiveRefundsReverseExactlyTheCommission() throws {
        // Two refunds of 1 of a 2 sale on a commission of 3: separately rounded they would reverse 2 + 2 = 4.
        let first = try CommissionMath.reversal(of: 3, alreadyRefunded: 0, refunding: 1, of: 2)
        let second = try CommissionMath.reversal(of: 3, alreadyRefunded: 1, refunding: 1, of: 2)
        #expect(first == 2 && second == 1)
        for commission in Int64(0)...30 {
            for total in Int64(1)...12 {
                var refunded: Int64 = 0, reversed: Int64 = 0
                while refunded < total {
                    let step = min(total - refunded, (commission + refunded) % 3 + 1)
                    let reversal = try CommissionMath.reversal(
                        of: commission, alreadyRefunded: refunded, refunding: step, of: total)
                    #expect(reversal >= 0)
                    reversed += reversal
                    refunded += step
                    #expect(reversed <= commission)
                }
                #expect(reversed == commission)
            }
        }
        #expect(throws: MoneyError.self) {
            try CommissionMath.reversal(of: 3, alreadyRefunded: 1, refunding: 2, of: 2)
        }
    }
}
