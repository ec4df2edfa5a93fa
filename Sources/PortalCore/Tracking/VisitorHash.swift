import PortalSecurity

/// A pseudonymous visitor identifier: the client address and user agent under a key that changes every UTC
/// day, so clicks can be told apart and de-duplicated without storing an IP address.
public enum VisitorHash {
    /// Seconds in a UTC day; unix time ignores leap seconds, so every day is exactly this long.
    public static let secondsPerDay: Int64 = 86_400

    /// The UTC day number (days since 1970-01-01) of a unix time, rounding towards the past for times
    /// before the epoch so a day never straddles two numbers.
    public static func day(of unixTime: Int64) -> Int64 {
        unixTime >= 0 ? unixTime / secondsPerDay : (unixTime - secondsPerDay + 1) / secondsPerDay
    }

    /// The day's key, derived from the server secret. Deriving it (rather than storing random salts) means
    /// nothing needs rotating or deleting, and yesterday's hashes cannot be linked to today's without the
    /// secret.
    public static func dailyKey(day: Int64, secret: [UInt8]) -> [UInt8] {
        HMACSHA256.authenticate(key: secret, message: "visitor-salt:\(day)")
    }

    /// The 32-byte visitor hash for `ip` and `userAgent` on UTC `day`. A zero byte separates the fields so
    /// ("1.2.3.4", "5x") and ("1.2.3.45", "x") cannot collide.
    public static func compute(ip: String, userAgent: String, day: Int64, secret: [UInt8]) -> [UInt8] {
        compute(ip: ip, userAgent: userAgent, dayKey: dailyKey(day: day, secret: secret))
    }

    /// The same hash with the day's key already derived (one HMAC per click instead of two).
    public static func compute(ip: String, userAgent: String, dayKey: [UInt8]) -> [UInt8] {
        HMACSHA256.authenticate(key: dayKey, message: message(ip: ip, userAgent: userAgent))
    }

    /// The same hash under the day's key prepared for repeated use (what the redirect keeps for the day, so a
    /// click costs two SHA-256 runs over its own bytes and no key set-up).
    public static func compute(ip: String, userAgent: String, dayKey: HMACSHA256.PreparedKey) -> [UInt8] {
        dayKey.authenticate(message(ip: ip, userAgent: userAgent))
    }

    private static func message(ip: String, userAgent: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ip.utf8.count + 1 + userAgent.utf8.count)
        bytes.append(contentsOf: ip.utf8)
        bytes.append(0)
        bytes.append(contentsOf: userAgent.utf8)
        return bytes
    }

    /// The hash for the UTC day containing `unixTime`.
    public static func compute(ip: String, userAgent: String, at unixTime: Int64, secret: [UInt8]) -> [UInt8] {
        compute(ip: ip, userAgent: userAgent, day: day(of: unixTime), secret: secret)
    }
}
