import Testing
@testable import PortalCore

/// Pure helpers of the engine: currency units, payout files, payout planning, calendar days, report periods.
@Suite struct MoneyFormatTests {
    @Test(arguments: [
        (Int64(1999), "USD", "19.99"), (5, "USD", "0.05"), (-5, "USD", "-0.05"), (0, "EUR", "0.00"), (500, "JPY", "500"),
        (1234, "KWD", "1.234"), (Int64.min, "USD", "-92233720368547758.08"),
    ])
    func majorUnitsAreExact(amount: Int64, currency: String, text: String) {
        #expect(Currency.majorUnits(amount, currency: currency) == text)
    }

    @Test func theContractsCSVQuotesAndDefusesFormulas() {
        let rows = [
            PayoutExport.Row(payoutID: 7, partnerID: 3, partnerName: "Smith, \"Ada\"", method: "paypal", recipient: "ada@example.com",
                             amount: 1999, currency: "USD", reference: ""),
            PayoutExport.Row(payoutID: 8, partnerID: 4, partnerName: "=HYPERLINK(\"http://x\")", method: "bank", recipient: "DE89370400440532013000",
                             amount: 5, currency: "USD", reference: "T-1"),
        ]
        let expected = "payout_id,partner_id,partner_name,method,recipient,amount,currency,reference\r\n"
            + "7,3,\"Smith, \"\"Ada\"\"\",paypal,ada@example.com,19.99,USD,\r\n"
            + "8,4,\"'=HYPERLINK(\"\"http://x\"\")\",bank,DE89370400440532013000,0.05,USD,T-1\r\n"
        #expect(PayoutExport.csv(rows) == expected)
        #expect(PayoutExport.paypal(rows, note: "Acme payout") == "ada@example.com,19.99,USD,payout-7,Acme payout\r\n")
    }

    @Test func planningSkipsWithReasonsAndPaysTheRest() {
        let candidates: [PayoutPlanner.Candidate] = [
            .init(partnerID: 1, status: .approved, available: 5_000, threshold: 0, method: .paypal),
            .init(partnerID: 2, status: .approved, available: 4_999, threshold: 0, method: .paypal),
            .init(partnerID: 3, status: .approved, available: 0, threshold: 0, method: .paypal),
            .init(partnerID: 4, status: .approved, available: -10, threshold: 0, method: .paypal),
            .init(partnerID: 5, status: .approved, available: 9_000, threshold: 10_000, method: .bank),
            .init(partnerID: 6, status: .approved, available: 9_000, threshold: 0, method: nil),
        ]
        let plan = PayoutPlanner.plan(candidates, programMinimum: 5_000, currency: "USD")
        #expect(plan.paid.map(\.partnerID) == [1])
        #expect(plan.skipped.map(\.partnerID) == [2, 4, 5, 6])
        // A program minimum of zero still never pays zero.
        #expect(PayoutPlanner.plan([.init(partnerID: 1, status: .approved, available: 1, threshold: 0, method: .manual)],
                                   programMinimum: 0, currency: "USD").paid.count == 1)
    }

    @Test func civilDatesRoundTripAndWeeksStartOnMonday() {
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let (y, m, d) = CivilDate.ymd(days: days)
            #expect(CivilDate.days(year: y, month: m, day: d) == days)
        }
        let nov25 = CivilDate.parse("2026-11-25")
        #expect(nov25 == 20_782)
        #expect(CivilDate.format(days: 20_782) == "2026-11-25")
        #expect(PerformanceReport.periodStart(of: 20_782, .week) == CivilDate.parse("2026-11-23"))  // a Wednesday → Monday
        #expect(PerformanceReport.periodStart(of: 20_782, .month) == CivilDate.parse("2026-11-01"))
        for bad in ["2026-02-29", "2026-13-01", "2026-1-01", "26-01-01", "2026-01-00", "2026-01-32", "abcd-ef-gh", ""] {
            #expect(CivilDate.parse(bad) == nil, "\(bad)")
        }
        #expect(CivilDate.parse("2024-02-29") != nil)
    }

    @Test func ibansAreCheckedByMod97() {
        #expect(PayoutDetails.isValidIBAN("DE89 3704 0044 0532 0130 00"))
        #expect(PayoutDetails.isValidIBAN("GB82WEST12345698765432"))
        #expect(!PayoutDetails.isValidIBAN("GB82WEST12345698765433"))
        #expect(!PayoutDetails.isValidIBAN("DE89"))
        let details = PayoutDetails(method: .bank, fields: ["account_holder": "Ada", "iban": "GB82WEST12345698765432"])
        #expect(details.problems().isEmpty)
        #expect(details.maskedRecipient == "•••• 5432")
        #expect(PayoutDetails(method: .paypal, fields: [:]).problems() == ["payout.paypal_email": ["is required for paypal payouts"]])
        #expect(PayoutDetails(method: .paypal, fields: ["paypal_email": "a@b.co", "iban": "x"]).problems().keys.contains("payout.iban"))
    }
}
