/// How long a session lives: it ends after `idleTimeout` without a request or `absoluteTimeout` after
/// sign-in, whichever comes first. Pure so the rule is tested without a clock.
public struct SessionPolicy: Sendable, Equatable {
    public var idleTimeout: Int64 = 2 * 60 * 60
    public var absoluteTimeout: Int64 = 14 * 24 * 60 * 60
    /// Last-seen times are written at most this often, so a busy user does not cost a write per request.
    public var touchInterval: Int64 = 5 * 60

    public init() {}

    public func isExpired(now: Int64, createdAt: Int64, lastSeenAt: Int64) -> Bool {
        now >= createdAt + absoluteTimeout || now >= lastSeenAt + idleTimeout
    }

    public func needsTouch(now: Int64, lastSeenAt: Int64) -> Bool {
        now - lastSeenAt >= touchInterval
    }
}
