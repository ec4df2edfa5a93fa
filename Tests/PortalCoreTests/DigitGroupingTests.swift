import Testing
@testable import PortalCore

@Suite struct DigitGroupingTests {
    @Test func groupsThreesFromTheRight() {
        #expect(DigitGrouping.grouped(0) == "0")
        #expect(DigitGrouping.grouped(7) == "7")
        #expect(DigitGrouping.grouped(999) == "999")
        #expect(DigitGrouping.grouped(1_000) == "1,000")
        #expect(DigitGrouping.grouped(12_345) == "12,345")
        #expect(DigitGrouping.grouped(1_234_567) == "1,234,567")
        #expect(DigitGrouping.grouped(UInt64.max) == "18,446,744,073,709,551,615")
    }

    @Test func agreesWithTheFoundationFreeReferenceOnRandomValues() {
        var random = SplitMix(seed: 42)
        for _ in 0..<2_000 {
            let value = UInt64.random(in: 0...UInt64.max, using: &random) >> UInt64.random(in: 0...63, using: &random)
            // Reference: insert commas into the plain digits.
            let digits = Array(String(value))
            var reference = ""
            for (index, digit) in digits.enumerated() {
                if index > 0 && (digits.count - index) % 3 == 0 { reference.append(",") }
                reference.append(digit)
            }
            #expect(DigitGrouping.grouped(value) == reference)
        }
    }

    @Test func padsFractions() {
        #expect(DigitGrouping.padded(5, width: 2) == "05")
        #expect(DigitGrouping.padded(50, width: 2) == "50")
        #expect(DigitGrouping.padded(7, width: 3) == "007")
        #expect(DigitGrouping.padded(0, width: 2) == "00")
    }
}
