/// When a failed delivery is tried again (CONTRACTS.md): about 10 s, 1 min, 5 min, 30 min, 2 h and 6 h after
/// the failures, then every 12 h (the cap of this roughly exponential backoff) until 3 days after the event;
/// then it is given up. No jitter: the times are the contract's and tests can compute them. Pure.
public enum WebhookRetry {
    /// Seconds to wait after the n-th failed attempt (index n − 1); later failures wait `cap`.
    public static let delays: [Int64] = [10, 60, 300, 1_800, 7_200, 21_600]
    public static let cap: Int64 = 43_200
    /// A delivery is retried until this long after its event was queued.
    public static let giveUpAfter: Int64 = 3 * 86_400

    /// The time of the next attempt after `attempts` failed ones (the latest at `failedAt`), or nil when the
    /// delivery is to be given up because that time would be more than 3 days after `createdAt`.
    public static func nextAttempt(attempts: Int, failedAt: Int64, createdAt: Int64) -> Int64? {
        guard attempts >= 1 else { return failedAt }
        let delay = attempts <= delays.count ? delays[attempts - 1] : cap
        let next = failedAt + delay
        return next > createdAt + giveUpAfter ? nil : next
    }

    /// Whether an endpoint is disabled after one of its deliveries was given up: it is when nothing reached it
    /// for the whole 3-day retry window (no success since `since` = the given-up delivery's creation), so one dead
    /// event among working ones does not switch an endpoint off. A person re-enables it (the UI will) after fixing.
    public static func shouldDisable(lastSuccessAt: Int64?, givenUpDeliveryCreatedAt since: Int64) -> Bool {
        guard let lastSuccessAt else { return true }
        return lastSuccessAt < since
    }
}
