import Testing
@testable import HTTPServer

@Suite struct PercentDecodingTests {
    @Test func decodesEscapesAndPlus() {
        #expect(PercentDecoding.decode("a%20b+c", plusAsSpace: true) == "a b c")
        #expect(PercentDecoding.decode("a+b") == "a+b")
        #expect(PercentDecoding.decode("%E2%82%AC") == "€")
    }

    @Test func rejectsMalformedEscapesAndInvalidUTF8() {
        #expect(PercentDecoding.decode("%2") == nil)
        #expect(PercentDecoding.decode("%zz") == nil)
        #expect(PercentDecoding.decode("%FF") == nil)
    }

    @Test func encodeRoundTrips() {
        let text = "a b&c=d/é"
        #expect(PercentDecoding.decode(PercentDecoding.encode(text)) == text)
        #expect(PercentDecoding.encode("a-b_c.d~") == "a-b_c.d~")
    }
}
