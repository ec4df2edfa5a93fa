import Testing
@testable import PortalSecurity

@Suite struct SecureRandomTests {
    @Test func bytesHaveTheRequestedCount() throws {
        #expect(try SecureRandom.bytes(count: 0) == [])
        #expect(try SecureRandom.bytes(count: 1).count == 1)
        #expect(try SecureRandom.bytes(count: 4096).count == 4096)
    }

    /// 32 random bytes all zero would mean the generator is not writing the buffer.
    @Test func bytesAreNotConstant() throws {
        let a = try SecureRandom.bytes(count: 32)
        let b = try SecureRandom.bytes(count: 32)
        #expect(a != b)
        #expect(a != [UInt8](repeating: 0, count: 32))
    }

    @Test(arguments: [(16, 22), (24, 32), (32, 43), (1, 2)])
    func tokenLength(bytes: Int, characters: Int) throws {
        #expect(try SecureRandom.token(bytes: bytes).count == characters)
    }

    @Test func tokenIsURLSafeBase64WithoutPadding() throws {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for _ in 0..<200 {
            let token = try SecureRandom.token()
            #expect(token.count == 43)
            #expect(token.allSatisfy { alphabet.contains($0) })
            #expect(Base64.decode(token, alphabet: .urlSafe)?.count == 32)
        }
    }

    @Test func tokensAreUnique() throws {
        var seen = Set<String>()
        for _ in 0..<10_000 { seen.insert(try SecureRandom.token()) }
        #expect(seen.count == 10_000)
    }

    /// Over many tokens every symbol of the alphabet turns up, including the two URL-safe ones.
    @Test func tokensUseTheWholeAlphabet() throws {
        var symbols = Set<Character>()
        for _ in 0..<500 { symbols.formUnion(try SecureRandom.token()) }
        #expect(symbols.count == 64)
    }
}
