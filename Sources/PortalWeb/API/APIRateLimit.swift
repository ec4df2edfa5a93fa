import Foundation
import HTTPServer
import Synchronization

/// A token bucket: holds at most `burst` tokens, gains `perSecond` tokens a second, and each request takes one.
/// Pure (the time is passed in), so it is tested without waiting.
struct TokenBucket: Sendable, Equatable {
    struct Rate: Sendable, Equatable {
        /// Tokens added per second (the sustained rate).
        let perSecond: Double
        /// The most tokens the bucket holds (the burst a quiet key may send at once).
        let burst: Int

        init(perSecond: Double, burst: Int) {
            precondition(perSecond > 0 && burst >= 1, "a rate needs a positive refill and a burst of at least 1")
            self.perSecond = perSecond
            self.burst = burst
        }
    }

    enum Decision: Sendable, Equatable {
        /// The request may go ahead; `remaining` whole tokens are left.
        case allowed(remaining: Int)
        /// Over the limit: try again in `retryAfter` whole seconds (at least 1).
        case limited(retryAfter: Int)
    }

    let rate: Rate
    private(set) var tokens: Double
    /// When `tokens` was last brought up to date (seconds, any epoch the caller keeps to).
    private(set) var updatedAt: Double

    /// A full bucket.
    init(rate: Rate, now: Double) {
        self.rate = rate
        tokens = Double(rate.burst)
        updatedAt = now
    }

    private mutating func refill(now: Double) {
        // A clock that goes backwards adds nothing (and does not take tokens away).
        if now > updatedAt {
            tokens = min(Double(rate.burst), tokens + (now - updatedAt) * rate.perSecond)
            updatedAt = now
        }
    }

    /// Takes one token if there is one.
    mutating func take(now: Double) -> Decision {
        refill(now: now)
        if tokens >= 1 {
            tokens -= 1
            return .allowed(remaining: Int(tokens.rounded(.down)))
        }
        let wait = (1 - tokens) / rate.perSecond
        return .limited(retryAfter: max(1, Int(wait.rounded(.up))))
    }

    /// Whether the bucket would be full at `now`: such a bucket is the same as a new one, so it can be dropped.
    func isFull(now: Double) -> Bool {
        tokens + max(0, now - updatedAt) * rate.perSecond >= Double(rate.burst)
    }
}

/// The API's rate limits per kind of key (see docs/DECISIONS.md, 2026-11-26).
public struct APIRateLimits: Sendable, Equatable {
    var secretKey: TokenBucket.Rate
    var partnerKey: TokenBucket.Rate

    init(secretKey: TokenBucket.Rate, partnerKey: TokenBucket.Rate) {
        self.secretKey = secretKey
        self.partnerKey = partnerKey
    }

    /// `sk_`: 10 requests a second sustained, bursts of 50. `pk_`: 2 a second, bursts of 20.
    public static let standard = APIRateLimits(secretKey: TokenBucket.Rate(perSecond: 10, burst: 50),
                                               partnerKey: TokenBucket.Rate(perSecond: 2, burst: 20))

    /// Limits so high no test or script meets them.
    public static let generous = APIRateLimits(secretKey: TokenBucket.Rate(perSecond: 100_000, burst: 100_000),
                                               partnerKey: TokenBucket.Rate(perSecond: 100_000, burst: 100_000))

    /// `PORTAL_API_RATE_LIMIT`: `off` (benchmarks), or `SK_PER_SECOND/SK_BURST,PK_PER_SECOND/PK_BURST` such as
    /// `10/50,2/20`. Nil for anything else.
    public static func parse(_ text: String) -> APIRateLimits? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if text == "off" { return .generous }
        let parts = text.split(separator: ",").map { $0.split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) } }
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }),
              let secretRate = Double(parts[0][0]), let secretBurst = Int(parts[0][1]),
              let partnerRate = Double(parts[1][0]), let partnerBurst = Int(parts[1][1]),
              secretRate > 0, partnerRate > 0, secretRate.isFinite, partnerRate.isFinite, secretBurst >= 1, partnerBurst >= 1 else { return nil }
        return custom(secretPerSecond: secretRate, secretBurst: secretBurst, partnerPerSecond: partnerRate, partnerBurst: partnerBurst)
    }

    /// Custom limits (tests, `portal serve` configuration).
    public static func custom(secretPerSecond: Double, secretBurst: Int, partnerPerSecond: Double, partnerBurst: Int) -> APIRateLimits {
        APIRateLimits(secretKey: TokenBucket.Rate(perSecond: secretPerSecond, burst: secretBurst),
                      partnerKey: TokenBucket.Rate(perSecond: partnerPerSecond, burst: partnerBurst))
    }
}

/// One token bucket per API key id, shared by all worker threads. Memory is bounded: when the table reaches
/// `maximumBuckets`, buckets that have filled up again (idle keys — the same as a fresh bucket) are dropped, and
/// if that is not enough, the least recently used ones.
final class APIRateLimiter: Sendable {
    private let buckets = Mutex<[Int64: TokenBucket]>([:])
    private let clock: @Sendable () -> Double
    let maximumBuckets: Int

    init(maximumBuckets: Int = 10_000, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        precondition(maximumBuckets >= 1)
        self.maximumBuckets = maximumBuckets
        self.clock = clock
    }

    func take(keyID: Int64, rate: TokenBucket.Rate) -> TokenBucket.Decision {
        let now = clock()
        let maximum = maximumBuckets
        return buckets.withLock { table in
            // A key whose kind of limit changed (a config change) starts afresh.
            var bucket = table[keyID].flatMap { $0.rate == rate ? $0 : nil } ?? TokenBucket(rate: rate, now: now)
            if table[keyID] == nil && table.count >= maximum {
                table = table.filter { !$0.value.isFull(now: now) }
                while table.count >= maximum, let oldest = table.min(by: { $0.value.updatedAt < $1.value.updatedAt }) {
                    table.removeValue(forKey: oldest.key)
                }
            }
            let decision = bucket.take(now: now)
            table[keyID] = bucket
            return decision
        }
    }

    /// How many buckets are held (tests).
    var count: Int { buckets.withLock { $0.count } }
}

/// Runs after `APIKeyAuthentication`: one token per request from the caller's key bucket. Over the limit the
/// answer is `429` problem+json with `Retry-After`; every answer carries `RateLimit-Limit` (the burst) and
/// `RateLimit-Remaining`.
struct APIRateLimit: Middleware {
    let limiter: APIRateLimiter
    let limits: APIRateLimits

    func handle(_ request: Request, context: RequestContext, next: (Request, RequestContext) throws -> Response) throws -> Response {
        guard let caller = context.apiCaller else { return try next(request, context) }
        let rate: TokenBucket.Rate
        switch caller.kind {
        case .program: rate = limits.secretKey
        case .partner: rate = limits.partnerKey
        }
        switch limiter.take(keyID: caller.keyID, rate: rate) {
        case .limited(let retryAfter):
            var problem = APIProblem(.tooManyRequests, "This API key has sent too many requests. Wait \(retryAfter) s and try again.")
            problem.headers.append("Retry-After", String(retryAfter))
            problem.headers.append("RateLimit-Limit", String(rate.burst))
            problem.headers.append("RateLimit-Remaining", "0")
            throw problem
        case .allowed(let remaining):
            var response: Response
            do {
                response = try next(request, context)
            } catch {
                var problem = APIProblem.from(error)
                problem.headers.append("RateLimit-Limit", String(rate.burst))
                problem.headers.append("RateLimit-Remaining", String(remaining))
                throw problem
            }
            response.headers.append("RateLimit-Limit", String(rate.burst))
            response.headers.append("RateLimit-Remaining", String(remaining))
            return response
        }
    }
}
