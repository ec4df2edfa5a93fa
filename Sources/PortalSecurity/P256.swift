internal import COpenSSL

/// NIST P-256 through OpenSSL, in the raw forms Web Push speaks (RFC 8291, RFC 8292): a public key is the
/// 65-byte uncompressed point `0x04 || x || y`, a private key the 32-byte scalar, an ES256 signature the
/// 64-byte `r || s` of JWS (RFC 7518 §3.4). Keys are kept as bytes (so they are plain Sendable values) and
/// imported into OpenSSL for each operation, which checks that points lie on the curve.
public enum P256 {
    public static let publicKeyLength = 65
    public static let privateKeyLength = 32
    public static let signatureLength = 64

    public enum KeyError: Error, Equatable, Sendable {
        /// Wrong length, not an uncompressed point, not on the curve, or a scalar that does not match its point.
        case invalidKey
    }

    /// A key pair. Its description never shows the private scalar.
    public struct PrivateKey: Sendable, Equatable, CustomStringConvertible {
        let scalar: [UInt8]
        /// The uncompressed public point.
        public let publicKey: [UInt8]

        /// A new random key pair.
        public static func generate() throws -> PrivateKey {
            guard let key = portal_p256_generate() else { throw CryptoError.openSSL("EVP_PKEY_Q_keygen(P-256)") }
            defer { EVP_PKEY_free(key) }
            var scalar = [UInt8](repeating: 0, count: privateKeyLength)
            var point = [UInt8](repeating: 0, count: publicKeyLength)
            guard portal_p256_private_raw(key, &scalar) == 1, portal_p256_public_raw(key, &point) == 1 else {
                throw CryptoError.openSSL("P-256 key export")
            }
            return PrivateKey(scalar: scalar, publicKey: point)
        }

        private init(scalar: [UInt8], publicKey: [UInt8]) {
            self.scalar = scalar
            self.publicKey = publicKey
        }

        /// A stored key pair; refused unless the scalar and the point belong together.
        public init(rawPrivateKey: [UInt8], publicKey: [UInt8]) throws(KeyError) {
            guard rawPrivateKey.count == privateKeyLength, publicKey.count == publicKeyLength, publicKey.first == 0x04 else {
                throw .invalidKey
            }
            guard let key = Self.import(publicKey, rawPrivateKey) else { throw .invalidKey }
            EVP_PKEY_free(key)
            self.scalar = rawPrivateKey
            self.publicKey = publicKey
        }

        /// The private scalar, to store (sealed) and load again with `init(rawPrivateKey:publicKey:)`.
        public var rawPrivateKey: [UInt8] { scalar }

        public var description: String { "P256.PrivateKey(public: \(Hex.encode(publicKey)))" }

        /// ECDH with a peer's public point: the shared x coordinate (32 bytes).
        public func sharedSecret(with peerPublicKey: [UInt8]) throws -> [UInt8] {
            guard let peer = P256.importPublic(peerPublicKey) else { throw KeyError.invalidKey }
            defer { EVP_PKEY_free(peer) }
            guard let key = Self.import(publicKey, scalar) else { throw KeyError.invalidKey }
            defer { EVP_PKEY_free(key) }
            var secret = [UInt8](repeating: 0, count: 32)
            guard portal_p256_ecdh(key, peer, &secret) == 1 else { throw CryptoError.openSSL("ECDH(P-256)") }
            return secret
        }

        /// ES256: ECDSA P-256 over SHA-256 of `message`, as raw `r || s`.
        public func signature(for message: [UInt8]) throws -> [UInt8] {
            guard let key = Self.import(publicKey, scalar) else { throw KeyError.invalidKey }
            defer { EVP_PKEY_free(key) }
            var signature = [UInt8](repeating: 0, count: signatureLength)
            let buffer = message.isEmpty ? [0] : message
            guard portal_p256_sign_raw(key, buffer, message.count, &signature) == 1 else { throw CryptoError.openSSL("ES256 sign") }
            return signature
        }

        fileprivate static func `import`(_ point: [UInt8], _ scalar: [UInt8]) -> OpaquePointer? {
            let key = portal_p256_from_raw(point, point.count, scalar, scalar.count)
            if key == nil { ERR_clear_error() }
            return key
        }
    }

    /// Whether `publicKey` is an uncompressed point on the curve.
    public static func isValidPublicKey(_ publicKey: [UInt8]) -> Bool {
        guard let key = importPublic(publicKey) else { return false }
        EVP_PKEY_free(key)
        return true
    }

    /// Checks a raw `r || s` ES256 signature of `message` under `publicKey`.
    public static func isValidSignature(_ signature: [UInt8], for message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard signature.count == signatureLength, let key = importPublic(publicKey) else { return false }
        defer { EVP_PKEY_free(key) }
        let buffer = message.isEmpty ? [0] : message
        return portal_p256_verify_raw(key, buffer, message.count, signature) == 1
    }

    fileprivate static func importPublic(_ point: [UInt8]) -> OpaquePointer? {
        guard point.count == publicKeyLength, point.first == 0x04 else { return nil }
        let key = portal_p256_from_raw(point, point.count, nil, 0)
        if key == nil { ERR_clear_error() }
        return key
    }
}
