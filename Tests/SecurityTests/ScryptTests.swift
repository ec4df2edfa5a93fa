import Testing
@testable import PortalSecurity

/// RFC 7914 §12 test vectors. The fourth (N = 1048576, 1 GiB) is left out: too slow and large for CI.
@Suite struct ScryptTests {
    @Test func emptyPasswordAndSalt() throws {
        let key = try Scrypt.derive(password: [], salt: [], n: 16, r: 1, p: 1, keyLength: 64)
        #expect(Hex.encode(key) == "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
            + "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906")
    }

    @Test func passwordNaCl() throws {
        let key = try Scrypt.derive(
            password: Array("password".utf8), salt: Array("NaCl".utf8), n: 1024, r: 8, p: 16, keyLength: 64
        )
        #expect(Hex.encode(key) == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
            + "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
    }

    /// 16 MiB, within OpenSSL's default 32 MiB cap; `PasswordHasherTests.measureProductionHash` (128 MiB)
    /// is the test that shows the cap is raised for production parameters.
    @Test func pleaseLetMeIn() throws {
        let key = try Scrypt.derive(
            password: Array("pleaseletmein".utf8), salt: Array("SodiumChloride".utf8),
            n: 16384, r: 8, p: 1, keyLength: 64
        )
        #expect(Hex.encode(key) == "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
            + "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887")
    }

    @Test func memoryFormula() {
        // 128·r·(N + 2 + p): the production parameters need just over 128 MiB.
        #expect(Scrypt.memoryBytes(n: 1 << 17, r: 8, p: 1) == 128 * 8 * ((1 << 17) + 3))
        #expect(Scrypt.memoryBytes(n: UInt64.max, r: 8, p: 1) == nil)
        #expect(ScryptParameters(logN: 63, r: 8, p: 1).memoryBytes == nil)
    }
}
