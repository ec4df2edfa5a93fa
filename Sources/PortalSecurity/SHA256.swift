internal import COpenSSL

/// SHA-256 (FIPS 180-4), e.g. for storing session ids and single-use link tokens hashed.
public enum SHA256 {
    /// Length of a digest in bytes.
    public static let digestLength = 32

    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: digestLength)
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &digest, &length, EVP_sha256(), nil)
        }
        guard ok == 1, length == digestLength else { CryptoError.fatal("EVP_Digest(SHA-256)") }
        return digest
    }

    /// The digest of the string's UTF-8 bytes.
    public static func hash(_ text: String) -> [UInt8] {
        hash(Array(text.utf8))
    }

    /// The digest as 64 lower-case hex characters.
    public static func hexDigest(_ bytes: [UInt8]) -> String {
        Hex.encode(hash(bytes))
    }

    /// The digest of the string's UTF-8 bytes as 64 lower-case hex characters.
    public static func hexDigest(_ text: String) -> String {
        Hex.encode(hash(text))
    }
}
