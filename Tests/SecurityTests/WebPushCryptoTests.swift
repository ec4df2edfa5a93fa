import Testing
@testable import PortalSecurity

/// P-256, HKDF, RFC 8291 payload encryption and RFC 8292 VAPID against published vectors and round trips.
@Suite struct WebPushCryptoTests {
    static func b64(_ text: String) -> [UInt8] { WebPushEncryption.base64URLDecode(text)! }

    @Test func hkdfMatchesRFC5869TestCase1() {
        let ikm = [UInt8](repeating: 0x0b, count: 22)
        let salt: [UInt8] = Array(0x00 ... 0x0c)
        let info: [UInt8] = Array(0xf0 ... 0xf9)
        let prk = HKDF.extract(salt: salt, inputKeyMaterial: ikm)
        #expect(Hex.encode(prk) == "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5")
        let okm = HKDF.expand(pseudorandomKey: prk, info: info, length: 42)
        #expect(Hex.encode(okm) == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    }

    /// RFC 8291 Appendix A: the fixed keys and salt give exactly the published body, and it decrypts.
    @Test func rfc8291AppendixAVector() throws {
        let server = try P256.PrivateKey(
            rawPrivateKey: Self.b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"),
            publicKey: Self.b64("BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"))
        let userAgent = try P256.PrivateKey(
            rawPrivateKey: Self.b64("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"),
            publicKey: Self.b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"))
        let auth = Self.b64("BTBZMqHH6r4Tts7J_aSIgg")
        let plaintext = Array("When I grow up, I want to be a watermelon".utf8)
        let body = try WebPushEncryption.encrypt(plaintext, userAgentPublicKey: userAgent.publicKey, authSecret: auth,
                                                 salt: Self.b64("DGv6ra1nlYgDCS1FRnbzlw"), serverKey: server)
        let expected = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_"
            + "yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
        #expect(WebPushEncryption.base64URL(body) == expected)
        #expect(try WebPushEncryption.decrypt(body, userAgentKey: userAgent, authSecret: auth) == plaintext)
    }

    @Test func encryptionRoundTripsWithRandomKeysAndRefusesTampering() throws {
        let userAgent = try P256.PrivateKey.generate()
        let auth = try SecureRandom.bytes(count: 16)
        let message = Array(#"{"title":"Payout sent","body":"€12.00","url":"/portal/earnings"}"#.utf8)
        var body = try WebPushEncryption.encrypt(message, userAgentPublicKey: userAgent.publicKey, authSecret: auth)
        #expect(body.count == 16 + 4 + 1 + 65 + message.count + 1 + 16)
        #expect(try WebPushEncryption.decrypt(body, userAgentKey: userAgent, authSecret: auth) == message)
        #expect(throws: WebPushEncryption.Failure.authenticationFailed) {
            try WebPushEncryption.decrypt(body, userAgentKey: userAgent, authSecret: [UInt8](repeating: 1, count: 16))
        }
        body[body.count - 20] ^= 1
        #expect(throws: WebPushEncryption.Failure.authenticationFailed) {
            try WebPushEncryption.decrypt(body, userAgentKey: userAgent, authSecret: auth)
        }
        #expect(throws: WebPushEncryption.Failure.payloadTooLarge) {
            try WebPushEncryption.encrypt([UInt8](repeating: 65, count: 4000), userAgentPublicKey: userAgent.publicKey, authSecret: auth)
        }
    }

    @Test func p256KeysRefuseBadPointsAndMismatchedScalars() throws {
        let key = try P256.PrivateKey.generate()
        #expect(key.publicKey.count == 65 && key.publicKey[0] == 0x04)
        #expect(P256.isValidPublicKey(key.publicKey))
        var offCurve = key.publicKey
        offCurve[64] ^= 1
        #expect(!P256.isValidPublicKey(offCurve))
        #expect(!P256.isValidPublicKey(Array(key.publicKey.prefix(33))))
        let other = try P256.PrivateKey.generate()
        #expect(throws: P256.KeyError.invalidKey) { try P256.PrivateKey(rawPrivateKey: other.rawPrivateKey, publicKey: key.publicKey) }
        let reloaded = try P256.PrivateKey(rawPrivateKey: key.rawPrivateKey, publicKey: key.publicKey)
        #expect(reloaded == key)
        #expect(!key.description.contains(Hex.encode(key.rawPrivateKey)))
        // ECDH agrees both ways.
        #expect(try key.sharedSecret(with: other.publicKey) == other.sharedSecret(with: key.publicKey))
    }

    @Test func es256SignVerifyRoundTrip() throws {
        let key = try P256.PrivateKey.generate()
        let message = Array("header.claims".utf8)
        let signature = try key.signature(for: message)
        #expect(signature.count == 64)
        #expect(P256.isValidSignature(signature, for: message, publicKey: key.publicKey))
        #expect(!P256.isValidSignature(signature, for: Array("header.claimz".utf8), publicKey: key.publicKey))
        #expect(!P256.isValidSignature(signature, for: message, publicKey: try P256.PrivateKey.generate().publicKey))
        var altered = signature
        altered[10] ^= 0x80
        #expect(!P256.isValidSignature(altered, for: message, publicKey: key.publicKey))
    }

    @Test func vapidHeaderShapeAndVerification() throws {
        let key = try P256.PrivateKey.generate()
        #expect(VAPID.audience(of: "https://fcm.googleapis.com/fcm/send/abc") == "https://fcm.googleapis.com")
        #expect(VAPID.audience(of: "https://push.example:8443/x?y=1") == "https://push.example:8443")
        #expect(VAPID.audience(of: "http://127.0.0.1:80/p") == "http://127.0.0.1")
        #expect(VAPID.audience(of: "not a url") == nil)
        let claims = VAPID.Claims(audience: "https://push.example", expiresAt: 1_800_000_000, subject: "mailto:ops@example.test")
        let header = try VAPID.authorization(claims, key: key)
        #expect(header.hasPrefix("vapid t="))
        #expect(header.hasSuffix(", k=" + WebPushEncryption.base64URL(key.publicKey)))
        let token = String(header.dropFirst("vapid t=".count).prefix { $0 != "," })
        let parts = token.split(separator: ".")
        #expect(parts.count == 3)
        #expect(WebPushEncryption.base64URLDecode(parts[2])?.count == 64)
        #expect(String(decoding: WebPushEncryption.base64URLDecode(parts[0])!, as: UTF8.self) == #"{"typ":"JWT","alg":"ES256"}"#)
        let verified = try #require(VAPID.verify(authorization: header))
        #expect(verified.claims == claims)
        #expect(verified.publicKey == key.publicKey)
        // Another key's k= does not verify the token.
        let swapped = "vapid t=\(token), k=" + WebPushEncryption.base64URL(try P256.PrivateKey.generate().publicKey)
        #expect(VAPID.verify(authorization: swapped) == nil)
    }
}
