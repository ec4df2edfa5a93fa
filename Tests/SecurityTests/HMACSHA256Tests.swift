import Testing
@testable import PortalSecurity

/// RFC 4231 §4 test cases for HMAC-SHA-256. Case 5 is left out: it checks a truncated MAC, which we never use.
@Suite struct HMACSHA256Tests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let key: [UInt8]
        let message: [UInt8]
        let mac: String
        var testDescription: String { name }
    }

    static let vectors: [Vector] = [
        Vector(name: "case 1", key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8),
               mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        Vector(name: "case 2", key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8),
               mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        Vector(name: "case 3", key: [UInt8](repeating: 0xaa, count: 20), message: [UInt8](repeating: 0xdd, count: 50),
               mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        Vector(name: "case 4", key: Array(1...25), message: [UInt8](repeating: 0xcd, count: 50),
               mac: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        Vector(name: "case 6", key: [UInt8](repeating: 0xaa, count: 131),
               message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
               mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        Vector(name: "case 7", key: [UInt8](repeating: 0xaa, count: 131),
               message: Array(("This is a test using a larger than block-size key and a larger than block-size data. "
                   + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
               mac: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test(arguments: vectors)
    func knownAnswers(_ vector: Vector) {
        #expect(Hex.encode(HMACSHA256.authenticate(key: vector.key, message: vector.message)) == vector.mac)
    }

    @Test(arguments: vectors)
    func preparedKeyKnownAnswers(_ vector: Vector) {
        let key = HMACSHA256.PreparedKey(key: vector.key)
        #expect(Hex.encode(key.authenticate(vector.message)) == vector.mac)
        // Reusable: the prepared states are copied, never consumed.
        #expect(Hex.encode(key.authenticate(vector.message)) == vector.mac)
    }

    /// The prepared key agrees with the one-shot call for keys around the block size and any message length.
    @Test func preparedKeyMatchesOneShot() {
        for keyLength in [0, 1, 32, 63, 64, 65, 200] {
            let keyBytes = (0..<keyLength).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let prepared = HMACSHA256.PreparedKey(key: keyBytes)
            for messageLength in [0, 1, 55, 56, 64, 119, 1000] {
                let message = (0..<messageLength).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ keyLength) }
                #expect(prepared.authenticate(message) == HMACSHA256.authenticate(key: keyBytes, message: message),
                        "key \(keyLength) bytes, message \(messageLength) bytes")
            }
        }
    }

    /// Empty inputs are legal; the values come from Python's `hmac.new(b"", b"", sha256)`.
    @Test func emptyKeyAndMessage() {
        #expect(Hex.encode(HMACSHA256.authenticate(key: [], message: [UInt8]()))
            == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test func isValidChecksEveryByte() {
        let key = Array("key".utf8)
        let mac = HMACSHA256.authenticate(key: key, message: "link:42")
        #expect(HMACSHA256.isValid(mac, key: key, message: Array("link:42".utf8)))
        #expect(!HMACSHA256.isValid(mac, key: key, message: Array("link:43".utf8)))
        var altered = mac
        altered[31] ^= 1
        #expect(!HMACSHA256.isValid(altered, key: key, message: Array("link:42".utf8)))
        #expect(!HMACSHA256.isValid(Array(mac.prefix(16)), key: key, message: Array("link:42".utf8)))
    }
}
