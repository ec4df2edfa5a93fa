import Testing
@testable import PortalWeb

/// Money as the pages show it: symbol, thousands separators, the currency's decimals, a real minus sign.
@Suite struct MoneyTextTests {
    @Test func formatsAmountsInTheirCurrency() {
        #expect(MoneyText.format(0, currency: "USD") == "$0.00")
        #expect(MoneyText.format(5, currency: "USD") == "$0.05")
        #expect(MoneyText.format(1_999, currency: "USD") == "$19.99")
        #expect(MoneyText.format(123_456_789, currency: "EUR") == "€1,234,567.89")
        #expect(MoneyText.format(-2_500, currency: "GBP") == "−£25.00")
        #expect(MoneyText.format(1_500_000, currency: "JPY") == "¥1,500,000")
        #expect(MoneyText.format(1_000, currency: "KWD") == "1.000 KWD")
        #expect(MoneyText.format(12_345, currency: "CHF") == "123.45 CHF")
        #expect(MoneyText.format(Int64.min, currency: "USD") == "−$92,233,720,368,547,758.08")
    }
}
