import Foundation
internal import COpenSSL

/// The signature algorithms we accept on ID tokens. Nothing else: no `none`, no HMAC (`HS*`, whose "key" would be
/// the public client secret or, worse, a public key read as a secret), no RSA-PSS or other curves for now.
public enum JWSAlgorithm: String, Sendable, CaseIterable {
    case rs256 = "RS256"
    case es256 = "ES256"

    /// The JWK key type (`kty`) that goes with the algorithm.
    public var keyType: String { self == .rs256 ? "RSA" : "EC" }
}

/// Why a token or key was refused. Each case's description is safe to show (it names no secret).
public enum JWSError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case unsupportedAlgorithm(String)
    case badKey(String)
    case keyMismatch
    case badSignature

    public var description: String {
        switch self {
        case .malformed(let why): "malformed token: \(why)"
        case .unsupportedAlgorithm(let alg): "unsupported signature algorithm \"\(alg)\""
        case .badKey(let why): "unusable key: \(why)"
        case .keyMismatch: "the key does not match the token's algorithm"
        case .badSignature: "the signature does not verify"
        }
    }
}

/// Base64url without padding (RFC 7515 §2), strict: the canonical encoding only.
public enum Base64URL {
    public static func encode(_ bytes: [UInt8]) -> String { Base64.encode(bytes, alphabet: .urlSafe, padded: false) }
    public static func encode(_ text: String) -> String { encode(Array(text.utf8)) }
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        // JWS forbids padding; refusing it keeps one spelling per value.
        if text.contains("=") { return nil }
        return Base64.decode(text, alphabet: .urlSafe)
    }
}

/// An OpenSSL public key, freed with its owner. Immutable after creation, so sharing it across threads is safe
/// (EVP_PKEY is reference-counted and only read by verification).
final class PublicKeyHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { EVP_PKEY_free(pointer) }
}

/// A public key from a JSON Web Key (RFC 7517): RSA (`n`, `e`, at least 2048 bits) for RS256 or EC P-256 (`x`, `y`)
/// for ES256. The key is imported by building its DER SubjectPublicKeyInfo and letting OpenSSL parse it (`d2i_PUBKEY`),
/// which also checks that an EC point lies on the curve.
public struct JWK: Sendable {
    public let keyID: String?
    public let algorithm: JWSAlgorithm
    let handle: PublicKeyHandle

    public init(json object: [String: Any]) throws(JWSError) {
        guard let kty = object["kty"] as? String else { throw .badKey("no kty") }
        if let use = object["use"] as? String, use != "sig" { throw .badKey("use is \(use), not sig") }
        let declared = object["alg"] as? String
        let der: [UInt8]
        switch kty {
        case "RSA":
            if let declared, declared != JWSAlgorithm.rs256.rawValue { throw .unsupportedAlgorithm(declared) }
            guard let n = (object["n"] as? String).flatMap(Base64URL.decode), let e = (object["e"] as? String).flatMap(Base64URL.decode),
                  !n.isEmpty, !e.isEmpty else { throw .badKey("RSA key without n or e") }
            let modulus = Array(n.drop { $0 == 0 })
            let exponent = Array(e.drop { $0 == 0 })
            // Bits, not bytes: a modulus whose top byte is 0x01 is 2041 bits long.
            let bits = modulus.isEmpty ? 0 : (modulus.count - 1) * 8 + (8 - modulus[0].leadingZeroBitCount)
            guard bits >= 2048, bits <= 8192 else { throw .badKey("RSA modulus must be 2048 to 8192 bits") }
            // An odd public exponent from 3 to 2^32 (e = 1 would let anyone "sign").
            guard !exponent.isEmpty, exponent.count <= 5, exponent.last! & 1 == 1,
                  exponent.reduce(UInt64(0), { $0 << 8 | UInt64($1) }) >= 3,
                  exponent.reduce(UInt64(0), { $0 << 8 | UInt64($1) }) <= 1 << 32 else { throw .badKey("RSA exponent must be odd, 3 to 2^32") }
            let rsaPublicKey = DER.sequence(DER.integer(n) + DER.integer(e))
            der = DER.sequence(DER.sequence(DER.oid(DER.rsaEncryption) + [0x05, 0x00]) + DER.bitString(rsaPublicKey))
            algorithm = .rs256
        case "EC":
            if let declared, declared != JWSAlgorithm.es256.rawValue { throw .unsupportedAlgorithm(declared) }
            guard object["crv"] as? String == "P-256" else { throw .badKey("only the P-256 curve is supported") }
            guard let x = (object["x"] as? String).flatMap(Base64URL.decode), let y = (object["y"] as? String).flatMap(Base64URL.decode),
                  x.count == 32, y.count == 32 else { throw .badKey("P-256 key needs 32-byte x and y") }
            der = DER.sequence(DER.sequence(DER.oid(DER.ecPublicKey) + DER.oid(DER.prime256v1)) + DER.bitString([0x04] + x + y))
            algorithm = .es256
        default:
            throw .badKey("key type \(kty) is not supported")
        }
        keyID = object["kid"] as? String
        handle = try Self.importDER(der)
    }

    /// Reads a JWK Set (`{"keys": [...]}`), keeping the keys we can use and skipping the rest (encryption keys,
    /// other algorithms): a provider may publish keys we never need.
    public static func set(json bytes: [UInt8]) throws(JWSError) -> [JWK] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
              let keys = object["keys"] as? [[String: Any]] else { throw .malformed("not a JWK set") }
        return keys.compactMap { try? JWK(json: $0) }
    }

    static func importDER(_ der: [UInt8]) throws(JWSError) -> PublicKeyHandle {
        let key: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var pointer: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_PUBKEY(nil, &pointer, buffer.count)
        }
        guard let key else {
            ERR_clear_error()
            throw .badKey("OpenSSL refused the public key")
        }
        return PublicKeyHandle(key)
    }
}

/// The few DER shapes a SubjectPublicKeyInfo and an ECDSA-Sig-Value need.
enum DER {
    static let rsaEncryption: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01] // 1.2.840.113549.1.1.1
    static let ecPublicKey: [UInt8] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]                // 1.2.840.10045.2.1
    static let prime256v1: [UInt8] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]           // 1.2.840.10045.3.1.7

    static func length(_ count: Int) -> [UInt8] {
        if count < 0x80 { return [UInt8(count)] }
        var bytes: [UInt8] = []
        var rest = count
        while rest > 0 {
            bytes.insert(UInt8(rest & 0xFF), at: 0)
            rest >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    static func tagged(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] { [tag] + length(content.count) + content }
    static func sequence(_ content: [UInt8]) -> [UInt8] { tagged(0x30, content) }
    static func oid(_ content: [UInt8]) -> [UInt8] { tagged(0x06, content) }
    static func bitString(_ content: [UInt8]) -> [UInt8] { tagged(0x03, [0x00] + content) }

    /// A non-negative INTEGER from big-endian magnitude bytes: minimal, with a 0x00 first when the top bit is set.
    static func integer(_ magnitude: [UInt8]) -> [UInt8] {
        var bytes = Array(magnitude.drop { $0 == 0 })
        if bytes.isEmpty { bytes = [0] }
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return tagged(0x02, bytes)
    }

    /// JWS ES256 signatures are raw `r || s` (32 bytes each); OpenSSL verifies DER `SEQUENCE { r, s }`.
    static func ecdsaSignature(raw: [UInt8]) -> [UInt8] {
        sequence(integer(Array(raw[0..<32])) + integer(Array(raw[32..<64])))
    }

    /// The reverse, for signing: DER `SEQUENCE { r, s }` to 64 raw bytes (nil if it is not that shape).
    static func rawECDSASignature(der: [UInt8]) -> [UInt8]? {
        guard let (sequence, rest) = element(der[...], tag: 0x30), rest.isEmpty,
              let (r, afterR) = element(sequence, tag: 0x02), let (s, end) = element(afterR, tag: 0x02), end.isEmpty,
              let rr = fixed32(r), let ss = fixed32(s) else { return nil }
        return rr + ss
    }

    /// One TLV with `tag` at the start of `bytes`: its content and what follows (short or 1–2 byte long lengths).
    private static func element(_ bytes: ArraySlice<UInt8>, tag: UInt8) -> (content: ArraySlice<UInt8>, rest: ArraySlice<UInt8>)? {
        var index = bytes.startIndex
        guard bytes.count >= 2, bytes[index] == tag else { return nil }
        index += 1
        var count = Int(bytes[index])
        index += 1
        if count & 0x80 != 0 {
            let octets = count & 0x7F
            guard (1...2).contains(octets), index + octets <= bytes.endIndex else { return nil }
            count = bytes[index..<index + octets].reduce(0) { $0 << 8 | Int($1) }
            index += octets
        }
        guard index + count <= bytes.endIndex else { return nil }
        return (bytes[index..<index + count], bytes[(index + count)...])
    }

    /// An INTEGER's magnitude as exactly 32 big-endian bytes (nil if it is longer).
    private static func fixed32(_ value: ArraySlice<UInt8>) -> [UInt8]? {
        let trimmed = Array(value.drop { $0 == 0 })
        guard trimmed.count <= 32 else { return nil }
        return [UInt8](repeating: 0, count: 32 - trimmed.count) + trimmed
    }
}
