import Foundation

/// A 256-bit key for SecretBox. Its description never shows the key, so it cannot leak into a log.
public struct SecretKey: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    /// Length of a key in bytes.
    public static let length = 32

    let bytes: [UInt8]

    /// Why bytes or text could not become a key.
    public enum InvalidKey: Error, Equatable, Sendable {
        case wrongLength(Int)
        case notBase64
    }

    public init(bytes: [UInt8]) throws(InvalidKey) {
        guard bytes.count == Self.length else { throw .wrongLength(bytes.count) }
        self.bytes = bytes
    }

    /// Parses a key from base64 (standard or URL-safe, padded or not), as `PORTAL_SECRET_KEY` holds it.
    /// Surrounding whitespace is ignored: a trailing newline from `base64` or a secrets file is normal.
    public init(base64 text: String) throws(InvalidKey) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Base64.decode(trimmed, alphabet: .standard) ?? Base64.decode(trimmed, alphabet: .urlSafe)
        else { throw .notBase64 }
        try self.init(bytes: bytes)
    }

    /// A new random key.
    public static func generate() throws -> SecretKey {
        try SecretKey(bytes: SecureRandom.bytes(count: length))
    }

    /// The key in standard base64, to print once for an operator who wants to move it into the environment.
    public var base64: String { Base64.encode(bytes) }

    /// A 32-byte key for one purpose (HMAC-SHA256 of the purpose under the master key), so features such as
    /// visitor hashing get keys of their own and the master key never leaves this type.
    public func derive(_ purpose: String) -> [UInt8] {
        HMACSHA256.authenticate(key: bytes, message: "portal-subkey:" + purpose)
    }

    public var description: String { "SecretKey(redacted)" }

    /// Hides the bytes from `dump` and debuggers' reflection too.
    public var customMirror: Mirror { Mirror(self, children: []) }
}
