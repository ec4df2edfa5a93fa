import Testing
@testable import PortalSecurity

@Suite struct SecretBoxTests {
    let box = SecretBox(key: try! SecretKey(bytes: Array(0..<32)))

    @Test(arguments: ["", "x", "smtp-password-with-ünïcode", String(repeating: "long secret ", count: 1000)])
    func roundTrips(_ secret: String) throws {
        let sealed = try box.encrypt(secret, associatedData: "smtp_settings.password:1")
        #expect(try box.decryptString(sealed, associatedData: "smtp_settings.password:1") == secret)
    }

    @Test func formatIsVersionNonceCiphertextTag() throws {
        let sealed = try box.encrypt([1, 2, 3])
        let bytes = try #require(Base64.decode(sealed))
        #expect(bytes.count == 1 + 12 + 3 + 16)
        #expect(bytes[0] == 1)
    }

    @Test func freshNonceEachTime() throws {
        #expect(try box.encrypt("same") != box.encrypt("same"))
    }

    /// Every bit of the sealed value is covered: version, nonce, ciphertext and tag.
    @Test func anyFlippedBitIsRefused() throws {
        let sealed = try #require(Base64.decode(try box.encrypt("webhook secret", associatedData: "row:7")))
        for index in sealed.indices {
            for bit in [0, 7] {
                var altered = sealed
                altered[index] ^= UInt8(1 << bit)
                #expect(throws: SecretBox.OpenError.self) {
                    try box.decrypt(Base64.encode(altered), associatedData: Array("row:7".utf8))
                }
            }
        }
    }

    @Test func tamperingGivesTheRightError() throws {
        let sealed = try #require(Base64.decode(try box.encrypt("secret", associatedData: "row:7")))
        var version = sealed
        version[0] = 2
        #expect(throws: SecretBox.OpenError.unsupportedVersion(2)) {
            try box.decrypt(Base64.encode(version), associatedData: Array("row:7".utf8))
        }
        for index in [1, 12, 13, sealed.count - 1] {
            var altered = sealed
            altered[index] ^= 1
            #expect(throws: SecretBox.OpenError.authenticationFailed) {
                try box.decrypt(Base64.encode(altered), associatedData: Array("row:7".utf8))
            }
        }
    }

    @Test func associatedDataMustMatch() throws {
        let sealed = try box.encrypt("secret", associatedData: "partners.api_key:1")
        #expect(throws: SecretBox.OpenError.authenticationFailed) {
            try box.decryptString(sealed, associatedData: "partners.api_key:2")
        }
        #expect(throws: SecretBox.OpenError.authenticationFailed) { try box.decryptString(sealed) }
        #expect(try box.decryptString(sealed, associatedData: "partners.api_key:1") == "secret")
    }

    @Test func otherKeyIsRefused() throws {
        let sealed = try box.encrypt("secret")
        let other = SecretBox(key: try SecretKey.generate())
        #expect(throws: SecretBox.OpenError.authenticationFailed) { try other.decrypt(sealed) }
    }

    @Test(arguments: ["", "not base64!", "AQ==", Base64.encode([UInt8](repeating: 1, count: 28))])
    func malformedIsRefused(_ sealed: String) {
        #expect(throws: SecretBox.OpenError.malformed) { try box.decrypt(sealed) }
    }

    @Test func truncatedIsRefused() throws {
        let sealed = try #require(Base64.decode(try box.encrypt("secret")))
        #expect(throws: SecretBox.OpenError.self) { try box.decrypt(Base64.encode(Array(sealed.dropLast()))) }
    }

    @Test func nonUTF8PlaintextIsReported() throws {
        let sealed = try box.encrypt([0xff, 0xfe])
        #expect(try box.decrypt(sealed) == [0xff, 0xfe])
        #expect(throws: SecretBox.OpenError.notUTF8) { try box.decryptString(sealed) }
    }

    @Test func keyIsNeverPrinted() throws {
        let key = try SecretKey.generate()
        #expect(String(describing: key) == "SecretKey(redacted)")
        var dumped = ""
        dump(key, to: &dumped)
        #expect(!dumped.contains(key.base64))
        #expect(!dumped.contains("bytes"))
    }
}

@Suite struct SecretKeyDerivationTests {
    @Test func derivedKeysDifferByPurposeAndAreStable() throws {
        let key = try SecretKey(bytes: Array(repeating: 7, count: 32))
        #expect(key.derive("visitors") == key.derive("visitors"))
        #expect(key.derive("visitors") != key.derive("webhooks"))
        #expect(key.derive("visitors").count == 32)
        #expect(key.derive("visitors") == HMACSHA256.authenticate(key: Array(repeating: 7, count: 32), message: "portal-subkey:visitors"))
    }
}
