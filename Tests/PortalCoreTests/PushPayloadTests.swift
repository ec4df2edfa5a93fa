import Foundation
import PortalSecurity
import Testing
@testable import PortalCore

/// Push payloads always fit one aes128gcm record, whatever the text: long, four-byte characters, escapes.
@Suite struct PushPayloadTests {
    @Test func longTextIsCutToFitOneRecord() throws {
        let title = String(repeating: "🎉", count: 500)
        let body = String(repeating: "\"\n😀", count: 3000)
        let payload = try PushSubscriptions.payload(title: title, body: body, url: "/portal/messages/1?partner=2")
        #expect(payload.utf8.count <= WebPushEncryption.maxPlaintext)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: String])
        #expect(object["title"]?.count == 120)
        #expect(object["body"]?.hasSuffix("…") == true)
        #expect(object["url"] == "/portal/messages/1?partner=2")
        let key = try P256.PrivateKey.generate()
        let auth = try SecureRandom.bytes(count: 16)
        let sealed = try WebPushEncryption.encrypt(Array(payload.utf8), userAgentPublicKey: key.publicKey, authSecret: auth)
        #expect(try WebPushEncryption.decrypt(sealed, userAgentKey: key, authSecret: auth) == Array(payload.utf8))
    }

    @Test func shortTextIsKeptWhole() throws {
        let payload = try PushSubscriptions.payload(title: "Payout sent", body: "Acme sent you 12.00 USD.", url: "/portal/earnings")
        #expect(payload == #"{"body":"Acme sent you 12.00 USD.","title":"Payout sent","url":"/portal/earnings"}"#)
    }
}
