import Foundation
import Testing
@testable import PortalCore

/// The pure parts of webhooks: the Portal-Signature header, the retry schedule, the SSRF address classes and URLs.
@Suite struct WebhookPureTests {
    let body = Array(#"{"id":"evt_1","type":"payout.paid"}"#.utf8)

    @Test func theSignatureIsTheContractsHMACOfTimestampDotBody() {
        // python3: hmac.new(b"whsec_test_secret", b'1794052800.{"id":"evt_1","type":"payout.paid"}', sha256).hexdigest()
        let header = WebhookSignature.header(body: body, timestamp: 1_794_052_800, secrets: ["whsec_test_secret"])
        #expect(header == "t=1794052800,v1=1586128dbeb45cc38c33b8c551c630c5f71fb0a06f8cafc8049fdb13a1c27b90")
        #expect(WebhookSignature.verify(header: header, body: body, secret: "whsec_test_secret", now: 1_794_052_800 + 299))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: "whsec_test_secret", now: 1_794_052_800 + 301))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: "whsec_other", now: 1_794_052_800))
        #expect(!WebhookSignature.verify(header: header, body: body + [32], secret: "whsec_test_secret", now: 1_794_052_800))
    }

    @Test func duringARotationBothSecretsSignCurrentFirst() {
        let header = WebhookSignature.header(body: body, timestamp: 1_794_052_800, secrets: ["whsec_test_secret", "whsec_old"])
        #expect(header == "t=1794052800,v1=1586128dbeb45cc38c33b8c551c630c5f71fb0a06f8cafc8049fdb13a1c27b90,"
            + "v1=fec841de7b48f90dddb8327f6add552a0b26989a8ef3e97cd186e8ec73580927")
        #expect(WebhookSignature.verify(header: header, body: body, secret: "whsec_old", now: 1_794_052_800))
        #expect(WebhookSignature.verify(header: header, body: body, secret: "whsec_test_secret", now: 1_794_052_800))
    }

    @Test func retriesFollowTheContractScheduleThenEvery12HoursUntil3Days() {
        let created: Int64 = 1_000_000
        var at = created
        var times: [Int64] = []
        var attempts = 1
        while let next = WebhookRetry.nextAttempt(attempts: attempts, failedAt: at, createdAt: created) {
            times.append(next - at)
            at = next
            attempts += 1
        }
        #expect(Array(times.prefix(6)) == [10, 60, 300, 1_800, 7_200, 21_600])
        #expect(times.dropFirst(6).allSatisfy { $0 == 43_200 })
        #expect(at <= created + 3 * 86_400)
        #expect(at + 43_200 > created + 3 * 86_400)
        #expect(times.count == 11)  // 6 stepped + 5 every 12 h: the last retry at 68.6 h
        #expect(WebhookRetry.nextAttempt(attempts: 1, failedAt: created + 3 * 86_400 - 5, createdAt: created) == nil)
    }

    @Test func anEndpointIsDisabledOnlyWhenNothingReachedItDuringTheWindow() {
        #expect(WebhookRetry.shouldDisable(lastSuccessAt: nil, givenUpDeliveryCreatedAt: 100))
        #expect(WebhookRetry.shouldDisable(lastSuccessAt: 99, givenUpDeliveryCreatedAt: 100))
        #expect(!WebhookRetry.shouldDisable(lastSuccessAt: 100, givenUpDeliveryCreatedAt: 100))
        #expect(!WebhookRetry.shouldDisable(lastSuccessAt: 5_000, givenUpDeliveryCreatedAt: 100))
    }

    @Test func addressesThatAreNotPublicUnicastAreRefused() {
        let cases: [(String, AddressPolicy.Kind)] = [
            ("8.8.8.8", .global), ("1.1.1.1", .global), ("93.184.216.34", .global),
            ("127.0.0.1", .loopback), ("127.255.0.9", .loopback), ("10.1.2.3", .privateUse), ("172.16.0.1", .privateUse),
            ("172.31.255.255", .privateUse), ("172.32.0.1", .global), ("192.168.1.1", .privateUse), ("100.64.0.1", .sharedCGNAT),
            ("100.127.255.254", .sharedCGNAT), ("100.128.0.1", .global), ("169.254.169.254", .linkLocal), ("224.0.0.1", .multicast),
            ("239.255.255.250", .multicast), ("0.0.0.0", .unspecified), ("0.1.2.3", .unspecified), ("255.255.255.255", .reserved),
            ("240.0.0.1", .reserved), ("192.0.2.1", .reserved), ("198.18.0.1", .reserved),
            ("::", .unspecified), ("::1", .loopback), ("fe80::1", .linkLocal), ("fc00::1", .privateUse), ("fd12:3456::1", .privateUse),
            ("ff02::1", .multicast), ("::ffff:127.0.0.1", .loopback), ("::ffff:10.0.0.1", .privateUse), ("::ffff:8.8.8.8", .global),
            ("64:ff9b::a9fe:a9fe", .linkLocal), ("2001:db8::1", .reserved), ("2606:4700:4700::1111", .global),
            ("2002:7f00:1::", .reserved), ("::127.0.0.1", .reserved),
        ]
        for (literal, kind) in cases {
            #expect(AddressPolicy.classify(literal) == kind, "\(literal)")
            #expect(AddressPolicy.permits(kind, allowPrivate: false) == (kind == .global), "\(literal)")
            #expect(AddressPolicy.permits(kind, allowPrivate: true))
        }
        #expect(AddressPolicy.classify("example.com") == nil)
        #expect(AddressPolicy.allowsPrivate(["PORTAL_WEBHOOKS_ALLOW_PRIVATE": "1"]))
        #expect(!AddressPolicy.allowsPrivate(["PORTAL_WEBHOOKS_ALLOW_PRIVATE": "yes"]))
        #expect(!AddressPolicy.allowsPrivate([:]))
    }

    @Test func urlsAreHttpOrHttpsWithAHostAndNoCredentials() {
        let url = WebhookURL("https://hooks.example.com/in?a=1")
        #expect(url == WebhookURL(text: "https://hooks.example.com/in?a=1", secure: true, host: "hooks.example.com", port: 443, path: "/in?a=1"))
        #expect(WebhookURL("http://[::1]:8080")?.host == "::1")
        #expect(WebhookURL("http://[::1]:8080")?.hostHeader == "[::1]:8080")
        #expect(WebhookURL("http://example.com")?.pathAndQuery == "/")
        #expect(WebhookURL("ftp://example.com/") == nil)
        #expect(WebhookURL("https://user:pw@example.com/") == nil)
        #expect(WebhookURL("https:///nohost") == nil)
        #expect(WebhookURL("example.com/hook") == nil)
        #expect(WebhookStore.problems(url: "https://ok.example/", events: ["payout.paid", "nope"]) == ["events": ["unknown event types: nope"]])
    }

    @Test func theStatusLineIsParsedStrictly() {
        #expect(WebhookHTTPClient.status(of: Array("HTTP/1.1 204 No Content\r\n\r\n".utf8)) == 204)
        #expect(WebhookHTTPClient.status(of: Array("HTTP/1.0 302 Found\r\nLocation: /x\r\n\r\n".utf8)) == 302)
        #expect(WebhookHTTPClient.status(of: Array("SSH-2.0-OpenSSH\r\n".utf8)) == nil)
        #expect(WebhookHTTPClient.status(of: Array("HTTP/1.1 99999 x\r\n".utf8)) == nil)
    }
}

extension WebhookURL {
    init(text: String, secure: Bool, host: String, port: UInt16, path: String) {
        self.init(text)!
        precondition(self.secure == secure && self.host == host && self.port == port && pathAndQuery == path)
    }
}
