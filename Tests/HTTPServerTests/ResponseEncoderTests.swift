import Testing
@testable import HTTPServer

/// The response head as bytes: a pure function of the response and the request's method and version.
@Suite struct ResponseEncoderTests {
    let date = Array("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n".utf8)

    func encode(_ response: Response, method: HTTPMethod = .get, version: HTTPVersion = .http1_1, keepAlive: Bool = true) -> String {
        var out: [UInt8] = []
        let framing = ResponseEncoder.framing(for: response, method: method, version: version)
        ResponseEncoder.encodeHead(response, framing: framing, version: version, keepAlive: keepAlive, date: date, requestID: nil, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func fixedBodyGetsContentLength() {
        #expect(encode(.text("hi")) == "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 2\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
    }

    @Test func noContentAndNotModifiedHaveNoLength() {
        #expect(!encode(Response(status: .noContent)).contains("Content-Length"))
        #expect(!encode(Response(status: .notModified, body: .bytes([1, 2]))).contains("Content-Length"))
    }

    @Test func headKeepsTheLengthOfTheBodyItOmits() {
        #expect(encode(.text("hello"), method: .head).contains("Content-Length: 5\r\n"))
    }

    @Test func streamsAreChunkedOn11AndCloseDelimitedOn10() {
        let stream = Response(body: .stream(length: nil) { _ in })
        #expect(encode(stream).contains("Transfer-Encoding: chunked\r\n"))
        #expect(ResponseEncoder.framing(for: stream, method: .get, version: .http1_0) == .untilClose)
        #expect(encode(Response(body: .stream(length: 10) { _ in })).contains("Content-Length: 10\r\n"))
    }

    @Test func connectionHeaderFollowsKeepAlive() {
        #expect(encode(.text(""), keepAlive: false).contains("Connection: close\r\n"))
        #expect(encode(.text(""), version: .http1_0).hasPrefix("HTTP/1.0 200 OK\r\n"))
        #expect(encode(.text(""), version: .http1_0).contains("Connection: keep-alive\r\n"))
        #expect(!encode(.text("")).contains("Connection:"))
    }

    @Test func handlerFramingHeadersAreReplacedAndInjectionIsImpossible() {
        var response = Response.text("abc")
        response.headers.append("Content-Length", "999")
        response.headers.append("Transfer-Encoding", "chunked")
        response.headers.append("X-Evil", "a\r\nSet-Cookie: stolen=1")
        let head = encode(response)
        #expect(!head.contains("999"))
        #expect(!head.contains("Transfer-Encoding"))
        #expect(head.contains("X-Evil: aSet-Cookie: stolen=1\r\n"))
        #expect(head.components(separatedBy: "\r\n").filter { $0.hasPrefix("Set-Cookie") }.isEmpty)
    }

    @Test func decimalAndHexEncoding() {
        for value in [0, 7, 10, 255, 4096, 123_456_789] as [Int64] {
            var out: [UInt8] = []
            ResponseEncoder.appendDecimal(value, into: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(value))
            var hex: [UInt8] = []
            ResponseEncoder.appendHex(Int(value), into: &hex)
            #expect(String(decoding: hex, as: UTF8.self) == String(value, radix: 16))
        }
    }

    @Test func httpDateRoundTrips() {
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        // Recipients must also accept the two obsolete forms (RFC 9110 §5.6.7).
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == 784_111_777)
        #expect(HTTPDate.parse("Sun Nov  6 08:49:37 1994") == 784_111_777)
        #expect(HTTPDate.parse("yesterday") == nil)
    }
}
