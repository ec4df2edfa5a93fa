import Foundation
import PortalSecurity

/// A keyed hash of a client address alone that does not rotate, for matching a conversion's address
/// against the addresses a partner signed in from weeks earlier. `VisitorHash` cannot do that: it changes
/// daily and includes the user agent. Still no raw address is stored, and without the server secret the
/// hash cannot be reversed by trying all 2³² IPv4 addresses.
public enum AddressHash {
    /// The 32-byte hash of `ip` under a key derived from the server secret, so it never equals a
    /// `VisitorHash` or any other use of the same secret.
    public static func compute(ip: String, secret: [UInt8]) -> [UInt8] {
        let key = HMACSHA256.authenticate(key: secret, message: "address-hash")
        return HMACSHA256.authenticate(key: key, message: canonical(ip))
    }

    /// The same address written the same way: trimmed, lower-case, and an IPv4-mapped IPv6 address
    /// (`::ffff:1.2.3.4`, what a dual-stack socket reports) as its IPv4 form.
    static func canonical(_ ip: String) -> String {
        let text = ip.trimmingCharacters(in: .whitespaces).lowercased()
        let mapped = "::ffff:"
        if text.hasPrefix(mapped), text.dropFirst(mapped.count).contains(".") {
            return String(text.dropFirst(mapped.count))
        }
        return text
    }
}
