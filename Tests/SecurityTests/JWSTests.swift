import Foundation
import Testing
@testable import PortalSecurity

/// JWS verification (ID tokens of single sign-on) with keys generated in the test.
@Suite struct JWSTests {
    static let payload = Array(#"{"iss":"https://idp.example","sub":"42","aud":"client"}"#.utf8)

    static func publicKey(_ signer: JWSSigningKey) throws -> JWK {
        try JWK(json: try signer.publicJWK())
    }

    @Test(arguments: JWSAlgorithm.allCases)
    func validTokenVerifies(_ algorithm: JWSAlgorithm) throws {
        let signer = try JWSSigningKey(algorithm, keyID: "k1")
        let token = try signer.sign(payload: Self.payload)
        let jws = try JWS.parse(token)
        #expect(jws.algorithm == algorithm)
        #expect(jws.keyID == "k1")
        #expect(jws.payload == Self.payload)
        try JWSVerifier.verify(jws, with: try Self.publicKey(signer))
    }

    @Test(arguments: JWSAlgorithm.allCases)
    func tamperedPayloadIsRefused(_ algorithm: JWSAlgorithm) throws {
        let signer = try JWSSigningKey(algorithm, keyID: "k1")
        let parts = try signer.sign(payload: Self.payload).split(separator: ".").map(String.init)
        let forged = parts[0] + "." + Base64URL.encode(#"{"iss":"https://idp.example","sub":"1","aud":"client"}"#) + "." + parts[2]
        #expect(throws: JWSError.badSignature) { try JWSVerifier.verify(try JWS.parse(forged), with: try Self.publicKey(signer)) }
    }

    @Test(arguments: JWSAlgorithm.allCases)
    func wrongKeyIsRefused(_ algorithm: JWSAlgorithm) throws {
        let signer = try JWSSigningKey(algorithm, keyID: "k1")
        let other = try JWSSigningKey(algorithm, keyID: "k1")
        let jws = try JWS.parse(try signer.sign(payload: Self.payload))
        #expect(throws: JWSError.badSignature) { try JWSVerifier.verify(jws, with: try Self.publicKey(other)) }
    }

    @Test func keyOfTheOtherTypeIsRefused() throws {
        let rsa = try JWSSigningKey(.rs256, keyID: "r")
        let ec = try JWSSigningKey(.es256, keyID: "e")
        let jws = try JWS.parse(try rsa.sign(payload: Self.payload))
        #expect(throws: JWSError.keyMismatch) { try JWSVerifier.verify(jws, with: try Self.publicKey(ec)) }
    }

    @Test func algNoneAndHMACAreRefused() throws {
        let body = Base64URL.encode(Self.payload)
        let none = Base64URL.encode(#"{"alg":"none"}"#) + "." + body + "."
        #expect(throws: JWSError.unsupportedAlgorithm("none")) { try JWS.parse(none) }
        let hs = Base64URL.encode(#"{"alg":"HS256"}"#) + "." + body + "." + Base64URL.encode([UInt8](repeating: 1, count: 32))
        #expect(throws: JWSError.unsupportedAlgorithm("HS256")) { try JWS.parse(hs) }
        let missing = Base64URL.encode(#"{"typ":"JWT"}"#) + "." + body + "." + Base64URL.encode([1])
        #expect(throws: JWSError.malformed("no alg")) { try JWS.parse(missing) }
    }

    @Test func malformedTokensAreRefused() throws {
        #expect(throws: JWSError.self) { try JWS.parse("a.b") }
        #expect(throws: JWSError.self) { try JWS.parse("a.b.c.d") }
        #expect(throws: JWSError.self) { try JWS.parse("!!!.e30.AA") }
        let header = Base64URL.encode(#"{"alg":"ES256"}"#)
        // Padding is not base64url in a JWS.
        #expect(throws: JWSError.self) { try JWS.parse(header + "=." + Base64URL.encode(Self.payload) + "." + Base64URL.encode([UInt8](repeating: 1, count: 64))) }
        #expect(throws: JWSError.malformed("critical header extensions are not supported")) {
            try JWS.parse(Base64URL.encode(#"{"alg":"ES256","crit":["x"]}"#) + "." + Base64URL.encode(Self.payload) + "."
                          + Base64URL.encode([UInt8](repeating: 1, count: 64)))
        }
    }

    @Test func rawSignatureLengthIsChecked() throws {
        let signer = try JWSSigningKey(.es256, keyID: "k1")
        let parts = try signer.sign(payload: Self.payload).split(separator: ".").map(String.init)
        let signature = try #require(Base64URL.decode(parts[2]))
        #expect(signature.count == 64)
        // A DER-encoded signature (what OpenSSL produces) or a truncated one is not a JWS ES256 signature.
        let der = DER.ecdsaSignature(raw: signature)
        #expect(throws: JWSError.malformed("an ES256 signature is 64 bytes")) { try JWS.parse(parts[0] + "." + parts[1] + "." + Base64URL.encode(der)) }
        #expect(throws: JWSError.malformed("an ES256 signature is 64 bytes")) {
            try JWS.parse(parts[0] + "." + parts[1] + "." + Base64URL.encode(Array(signature.prefix(63))))
        }
        // Raw → DER → raw is the identity, including values with high bits and leading zeros.
        let edge = [UInt8](repeating: 0, count: 31) + [0x80] + [0xFF] + [UInt8](repeating: 0x01, count: 31)
        #expect(DER.rawECDSASignature(der: DER.ecdsaSignature(raw: edge)) == edge)
        #expect(DER.rawECDSASignature(der: DER.ecdsaSignature(raw: signature)) == signature)
        // Not an ECDSA-Sig-Value: trailing bytes, a missing s, an oversized r.
        #expect(DER.rawECDSASignature(der: der + [0]) == nil)
        #expect(DER.rawECDSASignature(der: [0x30, 0x02, 0x02, 0x00]) == nil)
        #expect(DER.rawECDSASignature(der: DER.sequence(DER.integer([UInt8](repeating: 1, count: 33)) + DER.integer([1]))) == nil)
    }

    /// Review finding: the size was counted in bytes (2,041 bits passed) and the exponent not at all (e = 1 lets
    /// anyone "sign").
    @Test func rsaKeysAreMeasuredInBitsAndNeedASaneExponent() throws {
        func key(_ modulus: [UInt8], _ exponent: [UInt8]) -> [String: Any] {
            ["kty": "RSA", "n": Base64URL.encode(modulus), "e": Base64URL.encode(exponent)]
        }
        let short = [UInt8(0x01)] + [UInt8](repeating: 0xFF, count: 255)   // 2,041 bits
        let full = [UInt8(0x80)] + [UInt8](repeating: 0x01, count: 255)    // 2,048 bits
        #expect(throws: JWSError.self) { try JWK(json: key(short, [1, 0, 1])) }
        #expect(throws: JWSError.self) { try JWK(json: key(full, [1])) }
        #expect(throws: JWSError.self) { try JWK(json: key(full, [1, 0, 0])) }               // even
        #expect(throws: JWSError.self) { try JWK(json: key(full, [1, 0, 0, 0, 0, 1])) }      // over 2^32
        #expect(try JWK(json: key(full, [1, 0, 1])).algorithm == .rs256)
    }

    @Test func jwkImport() throws {
        let rsa = try JWSSigningKey(.rs256, keyID: "r1").publicJWK()
        let key = try JWK(json: rsa)
        #expect(key.keyID == "r1")
        #expect(key.algorithm == .rs256)
        // The alg a JWK declares must match its type.
        var lying = rsa
        lying["alg"] = "ES256"
        #expect(throws: JWSError.unsupportedAlgorithm("ES256")) { try JWK(json: lying) }
        var hmac: [String: Any] = ["kty": "oct", "k": "c2VjcmV0"]
        #expect(throws: JWSError.self) { try JWK(json: hmac) }
        hmac = ["kty": "RSA", "n": Base64URL.encode([UInt8](repeating: 0xC1, count: 128)), "e": "AQAB"]
        #expect(throws: JWSError.badKey("RSA modulus must be 2048 to 8192 bits")) { try JWK(json: hmac) }
        var encryption = rsa
        encryption["use"] = "enc"
        #expect(throws: JWSError.self) { try JWK(json: encryption) }

        let ec = try JWSSigningKey(.es256, keyID: "e1").publicJWK()
        #expect(try JWK(json: ec).algorithm == .es256)
        // A point that is not on the curve is refused by OpenSSL.
        var offCurve = ec
        offCurve["y"] = Base64URL.encode([UInt8](repeating: 7, count: 32))
        #expect(throws: JWSError.self) { try JWK(json: offCurve) }
        var otherCurve = ec
        otherCurve["crv"] = "P-384"
        #expect(throws: JWSError.self) { try JWK(json: otherCurve) }

        // A key set keeps the usable keys and skips the rest.
        let set: [String: Any] = ["keys": [rsa, ec, ["kty": "oct", "k": "c2VjcmV0"], encryption]]
        let keys = try JWK.set(json: Array(try JSONSerialization.data(withJSONObject: set)))
        #expect(keys.map(\.keyID) == ["r1", "e1"])
        #expect(throws: JWSError.self) { try JWK.set(json: Array("[]".utf8)) }
    }

    @Test func keySelection() throws {
        let a = try JWSSigningKey(.es256, keyID: "a")
        let b = try JWSSigningKey(.es256, keyID: "b")
        let keys = [try Self.publicKey(a), try Self.publicKey(b)]
        let jws = try JWS.parse(try b.sign(payload: Self.payload))
        #expect(JWSVerifier.key(for: jws, in: keys)?.keyID == "b")
        #expect(JWSVerifier.key(for: jws, in: [try Self.publicKey(a)]) == nil)
    }
}
