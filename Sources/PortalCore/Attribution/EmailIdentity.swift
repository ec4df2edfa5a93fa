import Foundation

/// Reduces an e-mail address to the mailbox it delivers to, so a partner cannot dodge the self-referral
/// check with `Me+shop@Example.com` or `m.e@gmail.com`.
public enum EmailIdentity {
    /// Domains that ignore dots in the local part. Only Gmail documents this; elsewhere dots are significant
    /// and removing them would match strangers.
    static let dotInsensitiveDomains: Set<String> = ["gmail.com", "googlemail.com"]

    /// Lower-cases the address, drops a `+tag` from the local part for every domain (almost every large
    /// provider delivers `a+x` to `a`, and a false match only holds a commission for review), drops dots
    /// in the local part for Gmail, and maps `googlemail.com` to `gmail.com`. Nil when it is not an address.
    public static func normalize(_ address: String) -> String? {
        let lowered = address.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard let at = lowered.lastIndex(of: "@") else { return nil }
        var local = String(lowered[..<at])
        var domain = String(lowered[lowered.index(after: at)...])
        while domain.hasSuffix(".") { domain.removeLast() }
        if let plus = local.firstIndex(of: "+") { local = String(local[..<plus]) }
        if dotInsensitiveDomains.contains(domain) {
            local.removeAll { $0 == "." }
            domain = "gmail.com"
        }
        guard !local.isEmpty, !domain.isEmpty else { return nil }
        return "\(local)@\(domain)"
    }

    /// Whether two addresses reach the same mailbox by the rules of `normalize`.
    public static func sameMailbox(_ a: String, _ b: String) -> Bool {
        guard let a = normalize(a), let b = normalize(b) else { return false }
        return a == b
    }
}
