internal import COpenSSL

/// HMAC-SHA256 (RFC 2104), e.g. for signing password-reset and invitation links.
public enum HMACSHA256 {
    /// Length of a MAC in bytes.
    public static let macLength = 32

    public static func authenticate(key: [UInt8], message: [UInt8]) -> [UInt8] {
        precondition(key.count <= Int(Int32.max), "HMAC key too large")
        var mac = [UInt8](repeating: 0, count: macLength)
        var length: UInt32 = 0
        // An empty key or message is legal HMAC input, but an empty Swift array may hand out a nil base
        // address, which OpenSSL reads as "no key" rather than "zero-length key": lend it a dummy byte and
        // pass the real length.
        let keyBuffer = key.isEmpty ? [0] : key
        let messageBuffer = message.isEmpty ? [0] : message
        let result = keyBuffer.withUnsafeBufferPointer { keyPointer in
            messageBuffer.withUnsafeBufferPointer { messagePointer in
                HMAC(EVP_sha256(), keyPointer.baseAddress, Int32(key.count),
                     messagePointer.baseAddress, message.count, &mac, &length)
            }
        }
        guard result != nil, length == macLength else { CryptoError.fatal("HMAC(SHA-256)") }
        return mac
    }

    /// The MAC of the string's UTF-8 bytes.
    public static func authenticate(key: [UInt8], message: String) -> [UInt8] {
        authenticate(key: key, message: Array(message.utf8))
    }

    /// Whether `mac` is the MAC of `message` under `key`, compared in constant time.
    public static func isValid(_ mac: [UInt8], key: [UInt8], message: [UInt8]) -> Bool {
        ConstantTime.equals(authenticate(key: key, message: message), mac)
    }

}
