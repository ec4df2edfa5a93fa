/// HKDF with HMAC-SHA256 (RFC 5869), as Web Push's payload encryption derives its keys (RFC 8291 §3.4).
public enum HKDF {
    /// PRK = HMAC-SHA256(salt, ikm). An empty salt stands for 32 zero bytes (RFC 5869 §2.2).
    public static func extract(salt: [UInt8], inputKeyMaterial: [UInt8]) -> [UInt8] {
        HMACSHA256.authenticate(key: salt.isEmpty ? [UInt8](repeating: 0, count: 32) : salt, message: inputKeyMaterial)
    }

    /// T(1) || T(2) || … truncated to `length` (at most 255 × 32 bytes).
    public static func expand(pseudorandomKey: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        precondition(length >= 0 && length <= 255 * 32, "HKDF output too long")
        let key = HMACSHA256.PreparedKey(key: pseudorandomKey)
        var output: [UInt8] = []
        output.reserveCapacity(length + 32)
        var block: [UInt8] = []
        var counter: UInt8 = 1
        while output.count < length {
            block = key.authenticate(block + info + [counter])
            output += block
            counter &+= 1
        }
        return Array(output.prefix(length))
    }

    /// Extract then expand.
    public static func deriveKey(salt: [UInt8], inputKeyMaterial: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        expand(pseudorandomKey: extract(salt: salt, inputKeyMaterial: inputKeyMaterial), info: info, length: length)
    }
}
