import Foundation
internal import COpenSSL

/// A compact JWS (RFC 7515) split and decoded, not yet trusted: `payload` means nothing until `JWSVerifier.verify`
/// has accepted it with a key chosen by the caller.
public struct JWS: Sendable {
    public let algorithm: JWSAlgorithm
    public let keyID: String?
    /// The decoded payload bytes (for an ID token: its JSON claims).
    public let payload: [UInt8]
    let signingInput: [UInt8]
    let signature: [UInt8]

    /// Tokens longer than this are refused before any decoding (an ID token is a few kilobytes at most).
    public static let maxLength = 16 * 1024

    /// Splits and decodes `compact`. Refuses anything but exactly three base64url parts, a JSON header with an
    /// `alg` we support (never `none` or `HS*`), no `crit` extensions, and a signature of the algorithm's size.
    public static func parse(_ compact: String) throws(JWSError) -> JWS {
        guard compact.utf8.count <= maxLength else { throw .malformed("too long") }
        let parts = compact.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("a JWS has three parts") }
        guard let headerBytes = Base64URL.decode(parts[0]), let payload = Base64URL.decode(parts[1]),
              let signature = Base64URL.decode(parts[2]) else { throw .malformed("not base64url") }
        guard let header = (try? JSONSerialization.jsonObject(with: Data(headerBytes))) as? [String: Any] else {
            throw .malformed("the header is not a JSON object")
        }
        guard let alg = header["alg"] as? String else { throw .malformed("no alg") }
        guard let algorithm = JWSAlgorithm(rawValue: alg) else { throw .unsupportedAlgorithm(alg) }
        if header["crit"] != nil { throw .malformed("critical header extensions are not supported") }
        switch algorithm {
        case .es256: guard signature.count == 64 else { throw .malformed("an ES256 signature is 64 bytes") }
        case .rs256: guard signature.count >= 256, signature.count <= 1024 else { throw .malformed("an RS256 signature is 256 to 1024 bytes") }
        }
        return JWS(algorithm: algorithm, keyID: header["kid"] as? String, payload: payload,
                   signingInput: Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8), signature: signature)
    }
}

/// Signature verification over OpenSSL (`EVP_DigestVerify` with SHA-256).
public enum JWSVerifier {
    /// Verifies `jws` with `key`. The key's type must match the token's algorithm (an RSA key never verifies an
    /// ES256 token and the other way round), whatever the token's header claims.
    public static func verify(_ jws: JWS, with key: JWK) throws(JWSError) {
        guard key.algorithm == jws.algorithm else { throw .keyMismatch }
        let signature = jws.algorithm == .es256 ? DER.ecdsaSignature(raw: jws.signature) : jws.signature
        guard let context = EVP_MD_CTX_new() else { throw .badSignature }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, key.handle.pointer) == 1 else {
            ERR_clear_error()
            throw .keyMismatch
        }
        let result = signature.withUnsafeBufferPointer { sig in
            jws.signingInput.withUnsafeBufferPointer { data in
                EVP_DigestVerify(context, sig.baseAddress, sig.count, data.baseAddress, data.count)
            }
        }
        ERR_clear_error()
        guard result == 1 else { throw .badSignature }
    }

    /// Picks the key for `jws` from a key set: the one with its `kid` (and algorithm), or — when the token names
    /// no `kid` — the only key of its algorithm. Nil when none or several could apply (the caller may refetch).
    public static func key(for jws: JWS, in keys: [JWK]) -> JWK? {
        let candidates = keys.filter { $0.algorithm == jws.algorithm }
        if let kid = jws.keyID { return candidates.first { $0.keyID == kid } }
        return candidates.count == 1 ? candidates[0] : nil
    }
}

/// A private key that signs compact JWS: what the SSO tests' OpenID provider uses to issue ID tokens (and what an
/// installation could use to sign its own tokens later). Keys are generated fresh; they are never stored.
public final class JWSSigningKey: @unchecked Sendable {
    public let algorithm: JWSAlgorithm
    public let keyID: String
    private let pointer: OpaquePointer

    public init(_ algorithm: JWSAlgorithm, keyID: String) throws {
        self.algorithm = algorithm
        self.keyID = keyID
        guard let context = EVP_PKEY_CTX_new_id(algorithm == .rs256 ? EVP_PKEY_RSA : EVP_PKEY_EC, nil) else {
            throw CryptoError.openSSL("EVP_PKEY_CTX_new_id")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else { throw CryptoError.openSSL("EVP_PKEY_keygen_init") }
        switch algorithm {
        case .rs256: guard EVP_PKEY_CTX_set_rsa_keygen_bits(context, 2048) == 1 else { throw CryptoError.openSSL("set_rsa_keygen_bits") }
        case .es256:
            guard EVP_PKEY_CTX_set_ec_paramgen_curve_nid(context, NID_X9_62_prime256v1) == 1 else { throw CryptoError.openSSL("set_ec_curve") }
        }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen(context, &key) == 1, let key else { throw CryptoError.openSSL("EVP_PKEY_keygen") }
        pointer = key
    }

    deinit { EVP_PKEY_free(pointer) }

    /// The public half as a JWK object (`kty`, `kid`, `alg`, `use` and the key's numbers).
    public func publicJWK() throws -> [String: String] {
        var jwk: [String: String] = ["kid": keyID, "alg": algorithm.rawValue, "use": "sig", "kty": algorithm.keyType]
        switch algorithm {
        case .rs256:
            jwk["n"] = Base64URL.encode(try bigNumber("n"))
            jwk["e"] = Base64URL.encode(try bigNumber("e"))
        case .es256:
            var point = [UInt8](repeating: 0, count: 65)
            var length = 0
            guard EVP_PKEY_get_octet_string_param(pointer, "encoded-pub-key", &point, point.count, &length) == 1, length == 65 else {
                throw CryptoError.openSSL("EVP_PKEY_get_octet_string_param")
            }
            jwk["crv"] = "P-256"
            jwk["x"] = Base64URL.encode(Array(point[1...32]))
            jwk["y"] = Base64URL.encode(Array(point[33...64]))
        }
        return jwk
    }

    private func bigNumber(_ name: String) throws -> [UInt8] {
        var number: OpaquePointer?
        guard EVP_PKEY_get_bn_param(pointer, name, &number) == 1, let number else { throw CryptoError.openSSL("EVP_PKEY_get_bn_param") }
        defer { BN_free(number) }
        var bytes = [UInt8](repeating: 0, count: Int((BN_num_bits(number) + 7) / 8))
        _ = BN_bn2bin(number, &bytes)
        return bytes
    }

    /// Signs `payload` (JSON bytes) under a header naming this key's `alg` and `kid` plus `extraHeader`.
    public func sign(payload: [UInt8], extraHeader: [String: String] = [:]) throws -> String {
        var header = extraHeader
        header["alg"] = algorithm.rawValue
        header["kid"] = keyID
        header["typ"] = header["typ"] ?? "JWT"
        let headerJSON = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        let input = Base64URL.encode(Array(headerJSON)) + "." + Base64URL.encode(payload)
        return input + "." + Base64URL.encode(try signature(Array(input.utf8)))
    }

    /// The raw JWS signature of `input` (ES256: `r || s`).
    public func signature(_ input: [UInt8]) throws -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw CryptoError.openSSL("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, pointer) == 1 else { throw CryptoError.openSSL("EVP_DigestSignInit") }
        var length = 0
        guard EVP_DigestSign(context, nil, &length, input, input.count) == 1 else { throw CryptoError.openSSL("EVP_DigestSign") }
        var output = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &output, &length, input, input.count) == 1 else { throw CryptoError.openSSL("EVP_DigestSign") }
        output.removeSubrange(length...)
        guard algorithm == .es256 else { return output }
        guard let raw = DER.rawECDSASignature(der: output) else { throw CryptoError(operation: "ECDSA signature", reasons: ["not DER"]) }
        return raw
    }
}
