import Foundation
import PortalSecurity

/// The `Portal-Signature` header of CONTRACTS.md: `t={unix seconds},v1={hex HMAC-SHA256(secret, "{t}.{raw body}")}`,
/// keyed with the whole secret string (`whsec_` included). During a secret rotation a second `v1=` signed with the
/// previous secret follows the first (the current secret's comes first), so receivers that have not switched yet
/// still verify; see docs/DECISIONS.md, Webhooks. Pure.
public enum WebhookSignature {
    public static let header = "Portal-Signature"

    /// The header value for `body` sent at `timestamp`, signed with each of `secrets` in order.
    public static func header(body: [UInt8], timestamp: Int64, secrets: [String]) -> String {
        var parts = ["t=\(timestamp)"]
        for secret in secrets {
            parts.append("v1=\(v1(body: body, timestamp: timestamp, secret: secret))")
        }
        return parts.joined(separator: ",")
    }

    /// The lower-case hex HMAC-SHA256 of `"{t}.{body}"` under the secret's UTF-8 bytes.
    public static func v1(body: [UInt8], timestamp: Int64, secret: String) -> String {
        Hex.encode(HMACSHA256.authenticate(key: Array(secret.utf8), message: Array("\(timestamp).".utf8) + body))
    }

    /// What a receiver does (documented for integrators, used by the tests): the header's `t` is within
    /// `tolerance` seconds of `now` and one of its `v1` values is the MAC under `secret`, compared in constant time.
    public static func verify(header value: String, body: [UInt8], secret: String, now: Int64, tolerance: Int64 = 300) -> Bool {
        var timestamp: Int64?
        var signatures: [String] = []
        for part in value.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int64(pair[1]) } else if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, timestamp > 0, (now - timestamp).magnitude <= tolerance.magnitude else { return false }
        let expected = Array(v1(body: body, timestamp: timestamp, secret: secret).utf8)
        return signatures.contains { ConstantTime.equals(Array($0.utf8), expected) }
    }
}
