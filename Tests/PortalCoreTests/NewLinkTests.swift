import Testing
@testable import PortalCore

/// What a link may point to, and what its code may be.
@Suite struct NewLinkTests {
    @Test(arguments: [
        ("https://acme.example/x", nil),
        ("https://shop.acme.example/x?y=1", nil),
        ("http://acme.example", nil),
        ("https://acme.example.evil.com/", "must point to one of the program's domains: acme.example"),
        ("https://notacme.example/", "must point to one of the program's domains: acme.example"),
        ("javascript:alert(1)", "must be an absolute http or https URL"),
        ("//acme.example/x", "must be an absolute http or https URL"),
        ("https://user:pw@acme.example/", "must be an absolute http or https URL"),
        ("ftp://acme.example/", "must be an absolute http or https URL"),
    ] as [(String, String?)])
    func destinationsStayOnTheProgramsDomains(url: String, problem: String?) {
        #expect(NewLink.destinationProblem(url, allowedDomains: ["acme.example"]) == problem)
    }

    @Test func anyWebDestinationWhenNoDomainsAreSet() {
        #expect(NewLink.destinationProblem("https://anything.example/", allowedDomains: []) == nil)
        #expect(NewLink.destinationProblem("data:text/html,hi", allowedDomains: []) != nil)
    }

    @Test func codesAndDefaults() throws {
        #expect(NewLink.isValidCode("ada-spring_2"))
        #expect(!NewLink.isValidCode("a"))
        #expect(!NewLink.isValidCode("has space"))
        #expect(!NewLink.isValidCode("ünï"))
        #expect(NewLink().problems(defaultURL: "", allowedDomains: [])["destination_url"] == ["is required: the program has no default landing page"])
        #expect(NewLink().problems(defaultURL: "https://acme.example/", allowedDomains: ["acme.example"]).isEmpty)
        let code = try NewLink.randomCode()
        #expect(code.count == 7 && NewLink.isValidCode(code))
    }
}
