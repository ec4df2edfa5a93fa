internal import COpenSSL

/// The raw scrypt key derivation function (RFC 7914). Callers check parameters against limits first:
/// this runs whatever it is given, up to the memory those parameters need.
enum Scrypt {
    /// Bytes of memory OpenSSL needs for these parameters: its V array of `128·r·(N+2)` bytes plus the
    /// B array of `128·r·p` bytes. Nil when that does not fit in 64 bits.
    static func memoryBytes(n: UInt64, r: UInt64, p: UInt64) -> UInt64? {
        let (blocks, overflow1) = n.addingReportingOverflow(2)
        let (blocksAndP, overflow2) = blocks.addingReportingOverflow(p)
        let (perBlock, overflow3) = r.multipliedReportingOverflow(by: 128)
        let (total, overflow4) = perBlock.multipliedReportingOverflow(by: blocksAndP)
        return overflow1 || overflow2 || overflow3 || overflow4 ? nil : total
    }

    static func derive(
        password: [UInt8], salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, keyLength: Int
    ) throws -> [UInt8] {
        precondition(keyLength > 0, "scrypt key length must be positive")
        guard let memory = memoryBytes(n: n, r: r, p: p) else { throw CryptoError(operation: "EVP_PBE_scrypt", reasons: ["parameters overflow"]) }
        // EVP_PBE_scrypt refuses anything above `maxmem` (32 MiB when given 0), which is below what the
        // production parameters need; the caller has already capped the parameters, so allow exactly this.
        let maxMemory = memory + 64 * 1024
        // As with HMAC, an empty array may have no base address, which OpenSSL would read as "no input".
        let passwordBuffer = password.isEmpty ? [0] : password
        let saltBuffer = salt.isEmpty ? [0] : salt
        var key = [UInt8](repeating: 0, count: keyLength)
        let ok = passwordBuffer.withUnsafeBytes { passwordPointer in
            saltBuffer.withUnsafeBufferPointer { saltPointer in
                EVP_PBE_scrypt(
                    passwordPointer.baseAddress?.assumingMemoryBound(to: CChar.self), password.count,
                    saltPointer.baseAddress, salt.count,
                    n, r, p, maxMemory, &key, keyLength
                )
            }
        }
        guard ok == 1 else { throw CryptoError.openSSL("EVP_PBE_scrypt") }
        return key
    }
}
