internal import COpenSSL

/// Cryptographically secure random bytes and tokens from OpenSSL's DRBG.
public enum SecureRandom {
    /// `count` random bytes. Throws rather than return predictable bytes if the generator is not seeded.
    public static func bytes(count: Int) throws -> [UInt8] {
        precondition(count >= 0, "negative byte count")
        // RAND_bytes takes an Int32 length; nothing here needs more than a few dozen bytes.
        precondition(count <= Int(Int32.max), "byte count too large for RAND_bytes")
        guard count > 0 else { return [] }
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            // OpenSSL writes every byte on success; on failure we zero them so nothing uninitialised escapes.
            if RAND_bytes(buffer.baseAddress, Int32(count)) != 1 {
                failed = true
                buffer.initialize(repeating: 0)
            }
            initialized = count
        }
        if failed { throw CryptoError.openSSL("RAND_bytes") }
        return bytes
    }

    /// A random token of `bytes` bytes (256 bits by default) as URL-safe base64 without padding, so it can
    /// go into URLs, cookies and HTML attributes unescaped. 32 bytes give 43 characters.
    public static func token(bytes: Int = 32) throws -> String {
        Base64.encode(try self.bytes(count: bytes), alphabet: .urlSafe, padded: false)
    }
}
