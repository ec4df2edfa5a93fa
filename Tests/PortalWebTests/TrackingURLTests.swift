import Testing
@testable import PortalWeb

@Suite struct TrackingURLTests {
    @Test func addsClickToAURLWithoutQuery() {
        #expect(TrackingURL.appendingClick("c1", to: "https://example.com/landing") == "https://example.com/landing?pp_click=c1")
    }

    @Test func keepsAnExistingQueryAndFragment() {
        #expect(TrackingURL.appendingClick("c1", to: "https://example.com/p?a=1#top") == "https://example.com/p?a=1&pp_click=c1#top")
        #expect(TrackingURL.appendingClick("c1", to: "https://example.com/p?") == "https://example.com/p?pp_click=c1")
    }
}
