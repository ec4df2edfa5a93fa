import PortalCore
import Testing

/// The 1099-NEC year summary: payments inside the calendar year (UTC) only, the $600.00 threshold inclusive and
/// only in USD programs, masked tax ids and a CSV safe to open in a spreadsheet.
@Suite struct NECYearTotalsTests {
    static let start2025 = YearlyEarningsStatement.start(of: 2025)
    static let start2026 = YearlyEarningsStatement.start(of: 2026)

    func payee(_ id: Int64, _ name: String, kind: TaxID.Kind = .ssn, last4: String = "6789") -> NECYearTotals.Payee {
        NECYearTotals.Payee(partnerID: id, partnerName: name, legalName: name, taxIDType: kind, taxIDLast4: last4, addressLine1: "1 Main St",
                            city: "Springfield", region: "IL", postalCode: "62701")
    }

    @Test func totalsOnlyTheYearAndFlagFromSixHundredDollars() {
        let payees = [payee(1, "Ada"), payee(2, "Bob"), payee(3, "Cy")]
        let payments = [
            NECYearTotals.Payment(partnerID: 1, at: Self.start2025, amount: 30_000),           // first second of the year
            NECYearTotals.Payment(partnerID: 1, at: Self.start2026 - 1, amount: 30_000),       // last second of the year
            NECYearTotals.Payment(partnerID: 1, at: Self.start2026, amount: 99_999),           // next year: ignored
            NECYearTotals.Payment(partnerID: 2, at: Self.start2025 + 100, amount: 59_999),     // one cent short
            NECYearTotals.Payment(partnerID: 2, at: Self.start2025 - 1, amount: 10_000),       // last year: ignored
            NECYearTotals.Payment(partnerID: 9, at: Self.start2025 + 100, amount: 90_000),     // no W-9: not listed
        ]
        let totals = NECYearTotals.make(year: 2025, currency: "USD", payees: payees, payments: payments)
        #expect(totals.lines.map(\.payee.partnerID) == [1, 2, 3])
        #expect(totals.lines.map(\.totalPaid) == [60_000, 59_999, 0])
        #expect(totals.lines.map(\.payouts) == [2, 1, 0])
        #expect(totals.lines.map(\.reportable) == [true, false, false])
        #expect(totals.reportableCount == 1 && totals.thresholdApplies)
    }

    @Test func otherCurrenciesAreListedButNeverFlagged() {
        let totals = NECYearTotals.make(year: 2025, currency: "EUR", payees: [payee(1, "Ada")],
                                        payments: [NECYearTotals.Payment(partnerID: 1, at: Self.start2025, amount: 1_000_000)])
        #expect(totals.lines.first?.totalPaid == 1_000_000)
        #expect(totals.lines.first?.reportable == false)
        #expect(!totals.thresholdApplies && totals.reportableCount == 0)
    }

    @Test func csvMasksTheTaxIDAndGuardsFormulas() {
        let payees = [payee(1, "=HYPERLINK(\"x\")", kind: .ein, last4: "4321"), payee(2, "Doe, Jane")]
        let totals = NECYearTotals.make(year: 2025, currency: "USD", payees: payees,
                                        payments: [NECYearTotals.Payment(partnerID: 1, at: Self.start2025, amount: 123_456)])
        let lines = totals.csv.split(separator: "\r\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[1] == "1,\"'=HYPERLINK(\"\"x\"\")\",,ein,**-***4321,1 Main St,,Springfield,IL,62701,US,submitted,1,1234.56,USD,yes")
        #expect(lines[2] == "2,\"Doe, Jane\",,ssn,***-**-6789,1 Main St,,Springfield,IL,62701,US,submitted,0,0.00,USD,no")
        #expect(payees[1].address == "1 Main St, Springfield, IL, 62701")
    }
}
