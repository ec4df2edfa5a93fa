/// The most expensive scrypt parameters a stored hash may ask for. A hash string comes from the
/// database, so a tampered or corrupted row must not make one login attempt take minutes or gigabytes:
/// anything above these is rejected before scrypt runs.
public struct ScryptLimits: Sendable, Hashable {
    public var maxLogN: Int
    public var maxR: Int
    public var maxP: Int
    /// Memory cap for one hash, in bytes.
    public var maxMemoryBytes: UInt64
    /// Cap on N·r·p, which is proportional to the CPU time of one hash.
    public var maxWork: UInt64
    /// Accepted salt lengths in bytes.
    public var saltLengths: ClosedRange<Int>
    /// Accepted derived-key lengths in bytes.
    public var keyLengths: ClosedRange<Int>

    public init(
        maxLogN: Int, maxR: Int, maxP: Int, maxMemoryBytes: UInt64, maxWork: UInt64,
        saltLengths: ClosedRange<Int>, keyLengths: ClosedRange<Int>
    ) {
        self.maxLogN = maxLogN
        self.maxR = maxR
        self.maxP = maxP
        self.maxMemoryBytes = maxMemoryBytes
        self.maxWork = maxWork
        self.saltLengths = saltLengths
        self.keyLengths = keyLengths
    }

    /// Room for one or two upgrades beyond `ScryptParameters.owasp` (2^17·8·1 = 2^20 work, 128 MiB) and no
    /// more: four times its work and twice its memory.
    public static let standard = ScryptLimits(
        maxLogN: 20, maxR: 32, maxP: 16, maxMemoryBytes: 256 << 20, maxWork: 1 << 22,
        saltLengths: 8...64, keyLengths: 16...64
    )

    /// Whether a hash with these parameters may be computed.
    public func allow(_ parameters: ScryptParameters) -> Bool {
        guard parameters.logN >= 1, parameters.logN <= maxLogN, parameters.r >= 1, parameters.r <= maxR,
              parameters.p >= 1, parameters.p <= maxP,
              saltLengths.contains(parameters.saltLength), keyLengths.contains(parameters.keyLength),
              // RFC 7914 §2 requires N < 2^(128·r/8); OpenSSL refuses the rest, so refuse them here first.
              parameters.logN < 16 * parameters.r,
              let memory = parameters.memoryBytes, memory <= maxMemoryBytes
        else { return false }
        let (nr, overflow1) = parameters.n.multipliedReportingOverflow(by: UInt64(parameters.r))
        let (work, overflow2) = nr.multipliedReportingOverflow(by: UInt64(parameters.p))
        return !overflow1 && !overflow2 && work <= maxWork
    }
}
