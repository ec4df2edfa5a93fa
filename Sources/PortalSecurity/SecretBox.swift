/// Encrypts secrets at rest (SMTP passwords, webhook signing secrets, payout credentials) with
/// AES-256-GCM under the master key.
///
/// A sealed value is standard base64 of `version (1 byte, 0x01) || nonce (12) || ciphertext || tag (16)`.
/// The version byte is also authenticated, so a value cannot be relabelled as another format.
///
/// Pass associated data naming where the value lives, e.g. `"smtp_settings.password:1"`: it is not stored
/// but must match on decryption, so a ciphertext copied into another row or column does not decrypt.
///
/// Nonces are random. NIST SP 800-38D §8.3 allows 2^32 random-nonce encryptions under one key; secrets at
/// rest are written a handful at a time, many orders of magnitude below that.
public struct SecretBox: Sendable {
    private let key: SecretKey

    /// The format written by this version.
    static let currentVersion: UInt8 = 1
    static let overhead = 1 + AESGCM.nonceLength + AESGCM.tagLength

    /// Why a sealed value could not be opened.
    public enum OpenError: Error, Equatable, Sendable {
        /// Not base64, or too short to hold a header and tag.
        case malformed
        /// Written by a format this version does not know.
        case unsupportedVersion(UInt8)
        /// Altered, sealed under another key, or opened with different associated data.
        case authenticationFailed
        /// The plaintext is not UTF-8 (only from `decryptString`).
        case notUTF8
    }

    public init(key: SecretKey) {
        self.key = key
    }

    public func encrypt(_ plaintext: [UInt8], associatedData: [UInt8] = []) throws -> String {
        let nonce = try SecureRandom.bytes(count: AESGCM.nonceLength)
        let header = [Self.currentVersion]
        let sealed = try AESGCM.seal(
            key: key.bytes, nonce: nonce, plaintext: plaintext, associatedData: header + associatedData
        )
        return Base64.encode(header + nonce + sealed.ciphertext + sealed.tag)
    }

    /// Encrypts the string's UTF-8 bytes.
    public func encrypt(_ plaintext: String, associatedData: String = "") throws -> String {
        try encrypt(Array(plaintext.utf8), associatedData: Array(associatedData.utf8))
    }

    public func decrypt(_ sealed: String, associatedData: [UInt8] = []) throws(OpenError) -> [UInt8] {
        guard let bytes = Base64.decode(sealed), bytes.count >= Self.overhead else { throw .malformed }
        guard bytes[0] == Self.currentVersion else { throw .unsupportedVersion(bytes[0]) }
        let nonce = Array(bytes[1 ..< 1 + AESGCM.nonceLength])
        let ciphertext = Array(bytes[1 + AESGCM.nonceLength ..< bytes.count - AESGCM.tagLength])
        let tag = Array(bytes[(bytes.count - AESGCM.tagLength)...])
        do {
            return try AESGCM.open(
                key: key.bytes, nonce: nonce, ciphertext: ciphertext, tag: tag,
                associatedData: [bytes[0]] + associatedData
            )
        } catch {
            // Only authentication can fail for well-formed input; an OpenSSL fault reads the same to the
            // caller, who can do nothing but refuse the value either way.
            throw .authenticationFailed
        }
    }

    /// Decrypts a value sealed with `encrypt(_: String, associatedData: String)`.
    public func decryptString(_ sealed: String, associatedData: String = "") throws(OpenError) -> String {
        let bytes = try decrypt(sealed, associatedData: Array(associatedData.utf8))
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notUTF8 }
        return text
    }
}
