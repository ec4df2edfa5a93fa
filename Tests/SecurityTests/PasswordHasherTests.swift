import Foundation
import Testing
@testable import PortalSecurity

@Suite struct PasswordHasherTests {
    /// Cheap parameters so that the suite stays fast; production uses `.owasp`.
    static let fast = ScryptParameters(logN: 4, r: 1, p: 1)
    let hasher = PasswordHasher(parameters: fast)

    @Test func hashVerifies() throws {
        let stored = try hasher.hash("correct horse battery staple")
        #expect(stored.hasPrefix("$scrypt$ln=4,r=1,p=1$"))
        #expect(hasher.verify("correct horse battery staple", against: stored))
        #expect(!hasher.verify("correct horse battery stapler", against: stored))
        #expect(!hasher.verify("", against: stored))
    }

    @Test func saltDiffersEachTime() throws {
        #expect(try hasher.hash("same") != hasher.hash("same"))
    }

    @Test func emptyAndUnicodePasswords() throws {
        let empty = try hasher.hash("")
        #expect(hasher.verify("", against: empty))
        #expect(!hasher.verify(" ", against: empty))
        let unicode = try hasher.hash("pässwörd🔑")
        #expect(hasher.verify("pässwörd🔑", against: unicode))
    }

    /// Composed and decomposed "é" are the same password once normalised (NFKC).
    @Test func passwordsAreNormalised() throws {
        let stored = try hasher.hash("caf\u{E9}")
        #expect(hasher.verify("cafe\u{301}", against: stored))
    }

    /// A hash made elsewhere with the same scheme (RFC 7914's second vector, truncated to 32 bytes and laid
    /// out as a PHC string) verifies: the stored format is what other scrypt tools read and write.
    @Test func verifiesKnownPHCString() throws {
        let salt = Base64.encode(Array("NaCl".utf8), padded: false)
        let key = Hex.decode("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162")!
        let hasher = PasswordHasher(limits: .init(
            maxLogN: 20, maxR: 32, maxP: 16, maxMemoryBytes: 256 << 20, maxWork: 1 << 22,
            saltLengths: 4...64, keyLengths: 16...64
        ))
        let stored = "$scrypt$ln=10,r=8,p=16$\(salt)$\(Base64.encode(key, padded: false))"
        #expect(hasher.verify("password", against: stored))
        #expect(!hasher.verify("Password", against: stored))
    }

    @Test func phcRoundTrip() throws {
        let stored = try hasher.hash("secret")
        let parsed = try PasswordHash(phc: stored, limits: .standard)
        #expect(parsed.parameters == Self.fast)
        #expect(parsed.salt.count == 16)
        #expect(parsed.hash.count == 32)
        #expect(parsed.phcString == stored)

        let made = PasswordHash(
            parameters: ScryptParameters(logN: 17, r: 8, p: 1), salt: Array(0..<16), hash: Array(100..<132)
        )
        #expect(try PasswordHash(phc: made.phcString, limits: .standard) == made)
        #expect(made.phcString == "$scrypt$ln=17,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoM")
    }

    static let validSalt = "AAECAwQFBgcICQoLDA0ODw"
    static let validHash = "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoM"

    @Test(arguments: [
        "",
        "plain text password",
        "$scrypt$",
        "$argon2id$v=19$m=65536,t=3,p=4$\(validSalt)$\(validHash)",
        "scrypt$ln=4,r=1,p=1$\(validSalt)$\(validHash)",
        "$scrypt$ln=4,r=1,p=1$\(validSalt)$\(validHash)$",
        "$scrypt$ln=4,r=1$\(validSalt)$\(validHash)",
        "$scrypt$r=1,ln=4,p=1$\(validSalt)$\(validHash)",
        "$scrypt$ln=4,r=1,p=1,x=2$\(validSalt)$\(validHash)",
        "$scrypt$ln=04,r=1,p=1$\(validSalt)$\(validHash)",
        "$scrypt$ln=-4,r=1,p=1$\(validSalt)$\(validHash)",
        "$scrypt$ln=+4,r=1,p=1$\(validSalt)$\(validHash)",
        "$scrypt$ln=,r=1,p=1$\(validSalt)$\(validHash)",
        "$scrypt$ln=0,r=1,p=1$\(validSalt)$\(validHash)",
        "$scrypt$ln=4,r=0,p=1$\(validSalt)$\(validHash)",
        "$scrypt$ln=4,r=1,p=0$\(validSalt)$\(validHash)",
        "$scrypt$ln=4,r=1,p=1$\(validSalt)==$\(validHash)",
        "$scrypt$ln=4,r=1,p=1$\(validSalt)$\(validHash)=",
        "$scrypt$ln=4,r=1,p=1$not*base64$\(validHash)",
        "$scrypt$ln=4,r=1,p=1$\(validSalt)$",
        "$scrypt$ln=4,r=1,p=1$$\(validHash)",
        "$scrypt$ln=4,r=1,p=1$AAAA$\(validHash)",
        "$scrypt$ln=4,r=1,p=1$\(validSalt)$AAAA",
        "$scrypt$ln=4,r=1,p=1$\(validSalt)$\(validHash)" + String(repeating: "A", count: 300),
        "$SCRYPT$ln=4,r=1,p=1$\(validSalt)$\(validHash)",
        " $scrypt$ln=4,r=1,p=1$\(validSalt)$\(validHash)",
    ])
    func malformedIsRejected(_ stored: String) {
        #expect(throws: PasswordHash.ParseError.self) { try PasswordHash(phc: stored, limits: .standard) }
        #expect(!hasher.verify("anything", against: stored))
        #expect(hasher.needsRehash(stored))
    }

    /// Each would take from seconds to hours, or gigabytes, if it were run. The test finishing at all shows
    /// they were refused before scrypt started; the clock makes it explicit.
    @Test(arguments: [
        "$scrypt$ln=21,r=8,p=1$\(validSalt)$\(validHash)",       // 2 GiB: over the memory and logN caps
        "$scrypt$ln=20,r=8,p=1$\(validSalt)$\(validHash)",       // 1 GiB
        "$scrypt$ln=17,r=33,p=1$\(validSalt)$\(validHash)",      // r over cap
        "$scrypt$ln=17,r=8,p=17$\(validSalt)$\(validHash)",      // p over cap
        "$scrypt$ln=17,r=8,p=16$\(validSalt)$\(validHash)",      // work 2^24 over 2^22
        "$scrypt$ln=9999,r=8,p=1$\(validSalt)$\(validHash)",
        "$scrypt$ln=99999,r=8,p=1$\(validSalt)$\(validHash)",    // more digits than any real value
        "$scrypt$ln=17,r=9999,p=9999$\(validSalt)$\(validHash)",
        "$scrypt$ln=16,r=1,p=1$\(validSalt)$\(validHash)",       // N ≥ 2^(16r): invalid per RFC 7914
    ])
    func overLimitIsRejectedQuickly(_ stored: String) {
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(throws: PasswordHash.ParseError.self) { try PasswordHash(phc: stored, limits: .standard) }
            #expect(!hasher.verify("anything", against: stored))
        }
        #expect(elapsed < .milliseconds(50))
    }

    @Test func productionParametersAreWithinLimits() {
        #expect(ScryptLimits.standard.allow(.owasp))
        #expect(ScryptParameters.owasp.memoryBytes! < 129 << 20)
    }

    @Test func refusesToHashWithParametersItCouldNotVerify() {
        let hasher = PasswordHasher(parameters: ScryptParameters(logN: 21, r: 8, p: 1))
        #expect(throws: PasswordHasher.HashError.parametersOverLimit) { try hasher.hash("x") }
    }

    @Test func needsRehashWhenWeakerThanCurrent() throws {
        let current = PasswordHasher(parameters: ScryptParameters(logN: 5, r: 2, p: 1))
        #expect(!current.needsRehash(try current.hash("x")))
        #expect(current.needsRehash(try PasswordHasher(parameters: .init(logN: 4, r: 2, p: 1)).hash("x")))
        #expect(current.needsRehash(try PasswordHasher(parameters: .init(logN: 5, r: 1, p: 1)).hash("x")))
        #expect(current.needsRehash(try PasswordHasher(parameters: .init(logN: 5, r: 2, p: 1, saltLength: 8)).hash("x")))
        #expect(current.needsRehash(try PasswordHasher(parameters: .init(logN: 5, r: 2, p: 1, keyLength: 16)).hash("x")))
        // Stronger than current is left alone: rehashing would weaken it.
        #expect(!current.needsRehash(try PasswordHasher(parameters: .init(logN: 6, r: 2, p: 2)).hash("x")))
        // The production hasher wants every test-sized hash upgraded.
        #expect(PasswordHasher().needsRehash(try current.hash("x")))
    }

    @Test func simulateVerificationRuns() {
        hasher.simulateVerification("no such user")
    }

    /// Not an assertion: the cost of one production hash, for BENCHMARKS.md. Prints one line. Three runs,
    /// because the first also pays for faulting in 128 MiB of fresh memory.
    @Test func measureProductionHash() throws {
        let hasher = PasswordHasher()
        let clock = ContinuousClock()
        var stored = ""
        var hashing: [Duration] = []
        for _ in 0..<3 {
            hashing.append(try clock.measure { stored = try hasher.hash("correct horse battery staple") })
        }
        var verified = false
        let verifying = clock.measure { verified = hasher.verify("correct horse battery staple", against: stored) }
        #expect(verified)
        let runs = hashing.map { $0.formatted(.units(allowed: [.milliseconds], fractionalPart: .hide)) }
        print("scrypt ln=17 r=8 p=1 (128 MiB): hash \(runs.joined(separator: ", ")); "
            + "verify \(verifying.formatted(.units(allowed: [.milliseconds], fractionalPart: .hide)))")
    }
}
