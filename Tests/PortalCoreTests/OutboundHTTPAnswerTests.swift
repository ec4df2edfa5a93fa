import Foundation
import Testing
@testable import PortalCore

/// The client's answer parsing for callers that read bodies (OpenID discovery, JWKS, token exchanges).
@Suite struct OutboundHTTPAnswerTests {
    @Test func contentLengthBodyIsCutAtItsLength() throws {
        let answer = Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}trailing".utf8)
        let response = try WebhookHTTPClient.parse(answer, status: 200)
        #expect(response.header("Content-Type") == "application/json")
        #expect(String(decoding: response.body, as: UTF8.self) == "{\"a\":1}")
    }

    @Test func chunkedBodyIsJoined() throws {
        let answer = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n".utf8)
        let response = try WebhookHTTPClient.parse(answer, status: 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "Wikipedia")
    }

    @Test func truncatedAnswersAreMalformed() {
        #expect(throws: WebhookHTTPClient.Failure.malformedResponse) {
            try WebhookHTTPClient.parse(Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort".utf8), status: 200)
        }
        #expect(throws: WebhookHTTPClient.Failure.malformedResponse) {
            try WebhookHTTPClient.parse(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nff\r\nabc".utf8), status: 200)
        }
        #expect(throws: WebhookHTTPClient.Failure.malformedResponse) {
            try WebhookHTTPClient.parse(Array("HTTP/1.1 200 OK\r\nno-colon\r\n\r\n".utf8), status: 200)
        }
    }

    @Test func bodyReadToCloseWithoutLength() throws {
        let answer = Array("HTTP/1.0 200 OK\r\nServer: x\r\n\r\nall of it".utf8)
        #expect(String(decoding: try WebhookHTTPClient.parse(answer, status: 200).body, as: UTF8.self) == "all of it")
    }
}
