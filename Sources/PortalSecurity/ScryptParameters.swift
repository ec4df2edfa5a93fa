/// The cost parameters of a scrypt password hash and the sizes of its salt and derived key.
public struct ScryptParameters: Sendable, Hashable {
    /// log2 of the CPU/memory cost N (the PHC string's `ln`).
    public var logN: Int
    /// Block size r; memory and work grow linearly with it.
    public var r: Int
    /// Parallelisation p; work grows linearly with it, memory barely.
    public var p: Int
    /// Bytes of random salt per hash.
    public var saltLength: Int
    /// Bytes of derived key stored in the hash.
    public var keyLength: Int

    public init(logN: Int, r: Int, p: Int, saltLength: Int = 16, keyLength: Int = 32) {
        self.logN = logN
        self.r = r
        self.p = p
        self.saltLength = saltLength
        self.keyLength = keyLength
    }

    /// OWASP Password Storage Cheat Sheet (scrypt section, current since 2023): "use scrypt with a minimum
    /// CPU/memory cost parameter of (2^17), a minimum block size of 8 (1024 bytes), and a parallelization
    /// parameter of 1" — https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html.
    /// That is 128 MiB and about half a second per hash on one core of the 2-core EPYC build machine. A 16-byte salt
    /// and a 32-byte key follow the same sheet's and RFC 7914's usual sizes.
    public static let owasp = ScryptParameters(logN: 17, r: 8, p: 1, saltLength: 16, keyLength: 32)

    /// N itself; 0 when `logN` is outside 0..<64 (such parameters are refused by every check).
    public var n: UInt64 { (0..<64).contains(logN) ? 1 << UInt64(logN) : 0 }

    /// Bytes of memory one hash with these parameters needs (nil if absurd enough to overflow).
    public var memoryBytes: UInt64? {
        guard (1...62).contains(logN), r > 0, p > 0 else { return nil }
        return Scrypt.memoryBytes(n: n, r: UInt64(r), p: UInt64(p))
    }
}
