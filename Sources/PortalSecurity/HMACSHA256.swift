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

    /// A key set up once for many MACs (the visitor hash computes one per click under the day's key).
    ///
    /// The one-shot `HMAC()` of OpenSSL 3 looks up the HMAC and SHA-256 implementations by name on every call,
    /// taking the provider store's locks, and keys a fresh context each time. This keeps two SHA-256 states
    /// that have already absorbed the padded key (RFC 2104: `K ⊕ ipad` and `K ⊕ opad`), under a SHA-256 fetched
    /// once; a MAC copies them and hashes only the message and the inner digest. The states are never changed
    /// after `init`, so several threads may use one key at once (`EVP_MD_CTX_copy_ex` only reads its source).
    public final class PreparedKey: @unchecked Sendable {
        private let inner: OpaquePointer
        private let outer: OpaquePointer

        public init(key: [UInt8]) {
            // Keys longer than SHA-256's 64-byte block are hashed first; shorter ones are padded with zeros.
            var block = key.count > Self.blockSize ? SHA256.hash(key) : key
            block += [UInt8](repeating: 0, count: Self.blockSize - block.count)
            var innerPad = block.map { $0 ^ 0x36 }
            var outerPad = block.map { $0 ^ 0x5c }
            guard let digest = Self.sha256.pointer, let inner = EVP_MD_CTX_new(), let outer = EVP_MD_CTX_new(),
                  EVP_DigestInit_ex2(inner, digest, nil) == 1, EVP_DigestUpdate(inner, innerPad, Self.blockSize) == 1,
                  EVP_DigestInit_ex2(outer, digest, nil) == 1, EVP_DigestUpdate(outer, outerPad, Self.blockSize) == 1
            else { CryptoError.fatal("HMAC(SHA-256) key set-up") }
            self.inner = inner
            self.outer = outer
            // The padded copies are the key itself in all but name: wipe them (OPENSSL_cleanse is not optimised away).
            block.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
            innerPad.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
            outerPad.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
        }

        deinit {
            EVP_MD_CTX_free(inner)
            EVP_MD_CTX_free(outer)
        }

        /// The MAC of `message`, equal to `HMACSHA256.authenticate(key:message:)` with this key.
        public func authenticate(_ message: [UInt8]) -> [UInt8] {
            var innerDigest = [UInt8](repeating: 0, count: macLength)
            var mac = [UInt8](repeating: 0, count: macLength)
            var innerLength: UInt32 = 0
            var outerLength: UInt32 = 0
            guard let context = EVP_MD_CTX_new() else { CryptoError.fatal("EVP_MD_CTX_new") }
            defer { EVP_MD_CTX_free(context) }
            guard EVP_MD_CTX_copy_ex(context, inner) == 1 else { CryptoError.fatal("EVP_MD_CTX_copy_ex") }
            let absorbed = message.withUnsafeBytes { bytes in
                bytes.isEmpty || EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1
            }
            guard absorbed, EVP_DigestFinal_ex(context, &innerDigest, &innerLength) == 1, innerLength == macLength,
                  EVP_MD_CTX_copy_ex(context, outer) == 1, EVP_DigestUpdate(context, innerDigest, macLength) == 1,
                  EVP_DigestFinal_ex(context, &mac, &outerLength) == 1, outerLength == macLength
            else { CryptoError.fatal("HMAC(SHA-256) with a prepared key") }
            return mac
        }

        private static let blockSize = 64

        /// SHA-256 fetched once for the process: an explicitly fetched digest is what lets a context be set up
        /// and copied without a name lookup.
        private static let sha256 = FetchedDigest(name: "SHA2-256")
    }
}

/// An `EVP_MD` fetched from the default provider and kept for the life of the process. Immutable and
/// reference-counted by OpenSSL itself, so sharing it between threads is safe.
private struct FetchedDigest: @unchecked Sendable {
    let pointer: OpaquePointer?
    init(name: String) { pointer = EVP_MD_fetch(nil, name, nil) }
}
