import Testing
@testable import HTTPServer

@Suite struct FormAndCookieTests {
    @Test func formParametersKeepOrderAndRepeats() {
        let form = FormParameters("a=1&b=two+words&a=3&empty=&flag&%3D=%26")
        #expect(form["a"] == "1")
        #expect(form.values(for: "a") == ["1", "3"])
        #expect(form["b"] == "two words")
        #expect(form["empty"] == "")
        #expect(form["flag"] == "")
        #expect(form["="] == "&")
        #expect(form.malformedCount == 0)
    }

    @Test func malformedPairsAreCountedNotGuessed() {
        let form = FormParameters("ok=1&bad=%G1&worse=%")
        #expect(form["ok"] == "1")
        #expect(form["bad"] == nil)
        #expect(form.malformedCount == 2)
        #expect(FormParameters(body: [0x61, 0x3D, 0xFF]) == nil)
    }

    @Test func encodeRoundTrips() {
        let pairs = [("name", "Ada Lovelace"), ("next", "/portal?x=1&y=2")]
        let form = FormParameters(FormParameters.encode(pairs))
        #expect(form["name"] == "Ada Lovelace")
        #expect(form["next"] == "/portal?x=1&y=2")
    }

    @Test func cookiesParseAndFirstWins() {
        let cookies = Cookies.parse(["a=1; b=\"quoted\"; junk; =nameless", "a=2; c=3"])
        #expect(cookies == ["a": "1", "b": "quoted", "c": "3"])
    }

    @Test func setCookieDefaultsAreSafe() {
        #expect(SetCookie(name: "sid", value: "abc").headerValue == "sid=abc; Path=/; HttpOnly; SameSite=Lax")
        #expect(SetCookie(name: "x", value: "a b;c", maxAge: 60, secure: true, sameSite: .strict).headerValue
            == "x=a%20b%3Bc; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Strict")
        #expect(SetCookie.expired("sid").headerValue.contains("Max-Age=0"))
        // SameSite=None is only valid with Secure.
        #expect(SetCookie(name: "x", value: "1", sameSite: SetCookie.SameSite.none).headerValue.contains("Secure"))
    }

    @Test func headersAreCaseInsensitiveAndOrdered() {
        var headers = HTTPHeaders([("Content-Type", "text/html"), ("Set-Cookie", "a=1"), ("set-cookie", "b=2")])
        #expect(headers["content-type"] == "text/html")
        #expect(headers.values("SET-COOKIE") == ["a=1", "b=2"])
        headers["Content-Type"] = "text/plain"
        #expect(headers.values("content-type") == ["text/plain"])
        headers.remove("set-cookie")
        #expect(headers.count == 1)
        #expect(HTTPHeaders([("Accept", "a, b,, c")]).listValues("accept") == ["a", "b", "c"])
    }
}
