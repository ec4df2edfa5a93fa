import Testing
@testable import PortalSecurity

/// Test cases 13, 14 and 16 of McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", Appendix B
/// (AES-256, 96-bit IV); the same values appear in NIST's CAVP gcmEncryptExtIV256 set.
@Suite struct AESGCMTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let key: String
        let nonce: String
        let plaintext: String
        let associatedData: String
        let ciphertext: String
        let tag: String
        var testDescription: String { name }
    }

    static let vectors: [Vector] = [
        Vector(name: "test case 13", key: String(repeating: "00", count: 32), nonce: String(repeating: "00", count: 12),
               plaintext: "", associatedData: "", ciphertext: "", tag: "530f8afbc74536b9a963b4f1c4cb738b"),
        Vector(name: "test case 14", key: String(repeating: "00", count: 32), nonce: String(repeating: "00", count: 12),
               plaintext: String(repeating: "00", count: 16), associatedData: "",
               ciphertext: "cea7403d4d606b6e074ec5d3baf39d18", tag: "d0d1c8a799996bf0265b98b5d48ab919"),
        Vector(name: "test case 16",
               key: "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
               nonce: "cafebabefacedbaddecaf888",
               plaintext: "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                   + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
               associatedData: "feedfacedeadbeeffeedfacedeadbeefabaddad2",
               ciphertext: "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                   + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
               tag: "76fc6ece0f4e1768cddf8853bb2d551b"),
    ]

    @Test(arguments: vectors)
    func encryptsKnownAnswer(_ vector: Vector) throws {
        let sealed = try AESGCM.seal(
            key: Hex.decode(vector.key)!, nonce: Hex.decode(vector.nonce)!,
            plaintext: Hex.decode(vector.plaintext)!, associatedData: Hex.decode(vector.associatedData)!
        )
        #expect(Hex.encode(sealed.ciphertext) == vector.ciphertext)
        #expect(Hex.encode(sealed.tag) == vector.tag)
    }

    @Test(arguments: vectors)
    func decryptsKnownAnswer(_ vector: Vector) throws {
        let plaintext = try AESGCM.open(
            key: Hex.decode(vector.key)!, nonce: Hex.decode(vector.nonce)!,
            ciphertext: Hex.decode(vector.ciphertext)!, tag: Hex.decode(vector.tag)!,
            associatedData: Hex.decode(vector.associatedData)!
        )
        #expect(Hex.encode(plaintext) == vector.plaintext)
    }

    @Test func refusesAlteredTag() throws {
        let vector = Self.vectors[2]
        var tag = Hex.decode(vector.tag)!
        tag[0] ^= 0x80
        #expect(throws: AESGCM.AuthenticationFailure.self) {
            try AESGCM.open(
                key: Hex.decode(vector.key)!, nonce: Hex.decode(vector.nonce)!,
                ciphertext: Hex.decode(vector.ciphertext)!, tag: tag,
                associatedData: Hex.decode(vector.associatedData)!
            )
        }
    }
}
