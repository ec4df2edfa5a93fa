/// When sign-in attempts must wait: per account (someone guessing one password) and per address (someone
/// trying many accounts). Pure: it is given the recent failures and answers with a decision.
public struct LoginThrottle: Sendable, Equatable {
    /// Failures per account within `window` before it must wait.
    public var accountLimit = 5
    /// Failures per client address within `window` before it must wait.
    public var addressLimit = 20
    /// How far back failures count, in seconds.
    public var window: Int64 = 15 * 60

    public init() {}

    public enum Decision: Equatable, Sendable {
        case allowed
        /// Try again after this many seconds (for `Retry-After` and the message).
        case wait(seconds: Int64)
    }

    /// `accountFailures` and `addressFailures` are the unix times of recent failed attempts.
    public func decide(now: Int64, accountFailures: [Int64], addressFailures: [Int64]) -> Decision {
        let account = waitTime(now: now, failures: accountFailures, limit: accountLimit)
        let address = waitTime(now: now, failures: addressFailures, limit: addressLimit)
        let longest = max(account, address)
        return longest > 0 ? .wait(seconds: longest) : .allowed
    }

    /// Once `limit` failures fall inside the window, the caller waits until the oldest of the most recent
    /// `limit` failures leaves the window.
    private func waitTime(now: Int64, failures: [Int64], limit: Int) -> Int64 {
        let recent = failures.filter { $0 > now - window && $0 <= now }.sorted()
        guard recent.count >= limit else { return 0 }
        let oldestCounted = recent[recent.count - limit]
        return max(1, oldestCounted + window - now)
    }

    /// The sentence shown on the sign-in page.
    public static func message(waitSeconds seconds: Int64) -> String {
        let minutes = (seconds + 59) / 60
        return minutes <= 1
            ? "Too many sign-in attempts. Try again in a minute."
            : "Too many sign-in attempts. Try again in \(minutes) minutes."
    }
}
