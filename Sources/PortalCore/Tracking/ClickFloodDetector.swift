/// Decides whether one visitor is flooding one partner's links with clicks, a sign of click fraud that
/// holds that partner's commissions for review.
public struct ClickFloodDetector: Sendable, Equatable {
    /// Clicks within `window` at or above which the visitor is flooding.
    public var threshold: Int
    /// How far back clicks count, in seconds.
    public var window: Int64

    /// Defaults: 20 clicks in 10 minutes is far beyond a person comparing offers, and well below a script.
    public init(threshold: Int = 20, window: Int64 = 10 * 60) {
        precondition(threshold > 0 && window > 0, "flood threshold and window must be positive")
        self.threshold = threshold
        self.window = window
    }

    /// `clickTimes` are unix times of one visitor hash's clicks on one partner's links (any order). Flags
    /// when any `threshold` of them fall within a half-open span of `window` seconds, so a burst in the past
    /// is still found when reviewing a conversion later.
    public func isFlood(clickTimes: [Int64]) -> Bool {
        guard clickTimes.count >= threshold else { return false }
        let sorted = clickTimes.sorted()
        for end in (threshold - 1)..<sorted.count where sorted[end] - sorted[end - threshold + 1] < window {
            return true
        }
        return false
    }

    /// Whether the visitor is flooding right now: only clicks in (now - window, now] count.
    public func isFlooding(now: Int64, clickTimes: [Int64]) -> Bool {
        clickTimes.filter { $0 > now - window && $0 <= now }.count >= threshold
    }
}
