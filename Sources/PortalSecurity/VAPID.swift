import Foundation

/// Voluntary Application Server Identification (RFC 8292): the `Authorization: vapid t=…, k=…` header that
/// proves to a push service which server sends, with an ES256 JWT signed by the server's P-256 key.
public enum VAPID {
    /// What the JWT claims.
    public struct Claims: Sendable, Equatable {
        /// The push resource's origin: `scheme://host[:port]`.
        public var audience: String
        /// Seconds since 1970; at most 24 hours ahead (RFC 8292 §2).
        public var expiresAt: Int64
        /// A contact for the push service's operator (`mailto:` or `https:`).
        public var subject: String

        public init(audience: String, expiresAt: Int64, subject: String) {
            self.audience = audience
            self.expiresAt = expiresAt
            self.subject = subject
        }
    }

    /// The origin of a push endpoint URL (its audience), or nil if it has no scheme and host.
    public static func audience(of endpoint: String) -> String? {
        guard let components = URLComponents(string: endpoint), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty else { return nil }
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let defaultPort = scheme == "https" ? 443 : scheme == "http" ? 80 : nil
        if let port = components.port, port != defaultPort { return "\(scheme)://\(hostPart):\(port)" }
        return "\(scheme)://\(hostPart)"
    }

    /// The signed JWT (`header.claims.signature`, base64url).
    public static func token(_ claims: Claims, key: P256.PrivateKey) throws -> String {
        let header = #"{"typ":"JWT","alg":"ES256"}"#
        let body = "{\"aud\":\(jsonString(claims.audience)),\"exp\":\(claims.expiresAt),\"sub\":\(jsonString(claims.subject))}"
        let signingInput = WebPushEncryption.base64URL(Array(header.utf8)) + "." + WebPushEncryption.base64URL(Array(body.utf8))
        let signature = try key.signature(for: Array(signingInput.utf8))
        return signingInput + "." + WebPushEncryption.base64URL(signature)
    }

    /// `vapid t=<jwt>, k=<public key>`.
    public static func authorization(_ claims: Claims, key: P256.PrivateKey) throws -> String {
        "vapid t=\(try token(claims, key: key)), k=\(WebPushEncryption.base64URL(key.publicKey))"
    }

    /// A push service's check of an `Authorization` header: the signature under `k`, and the claims. Returns
    /// the claims and the key, or nil if the header is malformed or the signature does not verify.
    public static func verify(authorization: String) -> (claims: Claims, publicKey: [UInt8])? {
        guard authorization.lowercased().hasPrefix("vapid ") else { return nil }
        var token: String?
        var key: [UInt8]?
        for part in authorization.dropFirst(6).split(separator: ",") {
            let pair = part.trimmingCharacters(in: .whitespaces)
            if pair.hasPrefix("t=") { token = String(pair.dropFirst(2)) }
            if pair.hasPrefix("k=") { key = WebPushEncryption.base64URLDecode(pair.dropFirst(2)) }
        }
        guard let token, let key else { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let signature = WebPushEncryption.base64URLDecode(parts[2]),
              P256.isValidSignature(signature, for: Array("\(parts[0]).\(parts[1])".utf8), publicKey: key),
              let headerBytes = WebPushEncryption.base64URLDecode(parts[0]),
              let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any],
              header["alg"] as? String == "ES256",
              let claimBytes = WebPushEncryption.base64URLDecode(parts[1]),
              let object = try? JSONSerialization.jsonObject(with: Data(claimBytes)) as? [String: Any],
              let audience = object["aud"] as? String, let expiry = object["exp"] as? NSNumber, let subject = object["sub"] as? String
        else { return nil }
        return (Claims(audience: audience, expiresAt: expiry.int64Value, subject: subject), key)
    }

    private static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
