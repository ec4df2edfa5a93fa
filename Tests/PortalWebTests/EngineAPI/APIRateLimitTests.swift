import Foundation
import Synchronization
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// The token bucket on its own (time passed in), the per-key store, and the limit on a live server.
@Suite struct TokenBucketTests {
    let rate = TokenBucket.Rate(perSecond: 2, burst: 4)

    @Test func aFullBucketAllowsTheBurstThenRefusesWithAWholeSecondRetry() {
        var bucket = TokenBucket(rate: rate, now: 100)
        #expect(bucket.take(now: 100) == .allowed(remaining: 3))
        #expect(bucket.take(now: 100) == .allowed(remaining: 2))
        #expect(bucket.take(now: 100) == .allowed(remaining: 1))
        #expect(bucket.take(now: 100) == .allowed(remaining: 0))
        // Empty: one token needs 0.5 s at 2/s, rounded up to a whole second.
        #expect(bucket.take(now: 100) == .limited(retryAfter: 1))
        #expect(bucket.take(now: 100.25) == .limited(retryAfter: 1))
        #expect(bucket.take(now: 100.5) == .allowed(remaining: 0))
    }

    @Test func refillsAtTheSustainedRateButNeverBeyondTheBurst() {
        var bucket = TokenBucket(rate: rate, now: 0)
        for _ in 0..<4 { _ = bucket.take(now: 0) }
        #expect(!bucket.isFull(now: 1))
        #expect(bucket.isFull(now: 2))
        // An hour idle still leaves only `burst` tokens.
        #expect(bucket.take(now: 3600) == .allowed(remaining: 3))
    }

    @Test func slowRatesGiveLongerRetriesAndABackwardsClockAddsNothing() {
        var bucket = TokenBucket(rate: TokenBucket.Rate(perSecond: 0.1, burst: 1), now: 50)
        #expect(bucket.take(now: 50) == .allowed(remaining: 0))
        #expect(bucket.take(now: 50) == .limited(retryAfter: 10))
        #expect(bucket.take(now: 40) == .limited(retryAfter: 10))
        #expect(bucket.take(now: 55) == .limited(retryAfter: 5))
        #expect(bucket.take(now: 60) == .allowed(remaining: 0))
    }

    @Test func theStoreKeepsOneBucketPerKeyAndEvictsIdleOnes() {
        let now = Mutex<Double>(0)
        let limiter = APIRateLimiter(maximumBuckets: 3, clock: { now.withLock { $0 } })
        let rate = TokenBucket.Rate(perSecond: 1, burst: 2)
        #expect(limiter.take(keyID: 1, rate: rate) == .allowed(remaining: 1))
        #expect(limiter.take(keyID: 1, rate: rate) == .allowed(remaining: 0))
        #expect(limiter.take(keyID: 1, rate: rate) == .limited(retryAfter: 1))
        // Key 2 has its own bucket.
        #expect(limiter.take(keyID: 2, rate: rate) == .allowed(remaining: 1))
        #expect(limiter.take(keyID: 3, rate: rate) == .allowed(remaining: 1))
        #expect(limiter.count == 3)
        // Table full, nothing idle yet: the least recently used (key 1) goes.
        #expect(limiter.take(keyID: 4, rate: rate) == .allowed(remaining: 1))
        #expect(limiter.count == 3)
        // Later every bucket has refilled: adding a key sweeps them all out.
        now.withLock { $0 = 10 }
        #expect(limiter.take(keyID: 5, rate: rate) == .allowed(remaining: 1))
        #expect(limiter.count == 1)
        // An evicted key starts again with a full bucket, which is what it would have had.
        #expect(limiter.take(keyID: 1, rate: rate) == .allowed(remaining: 1))
    }

    @Test func theServeSettingParsesOffAndExplicitRates() {
        #expect(APIRateLimits.parse("off") == .generous)
        #expect(APIRateLimits.parse("10/50, 2/20") == .standard)
        #expect(APIRateLimits.parse("0.5/5,1/3") == .custom(secretPerSecond: 0.5, secretBurst: 5, partnerPerSecond: 1, partnerBurst: 3))
        for bad in ["", "on", "10/50", "10,50,2,20", "0/50,2/20", "10/0,2/20", "x/50,2/20", "10/50,2/20,1/1", "inf/5,1/1"] {
            #expect(APIRateLimits.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func concurrentTakesNeverHandOutMoreThanTheBurst() async {
        let limiter = APIRateLimiter(clock: { 0 })
        let rate = TokenBucket.Rate(perSecond: 1, burst: 50)
        let allowed = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var count = 0
                    for _ in 0..<20 { if case .allowed = limiter.take(keyID: 7, rate: rate) { count += 1 } }
                    return count
                }
            }
            return await group.reduce(0, +)
        }
        #expect(allowed == 50)
    }
}

@Suite struct APIRateLimitLiveTests {
    static let tight = APIRateLimits.custom(secretPerSecond: 0.2, secretBurst: 5, partnerPerSecond: 0.2, partnerBurst: 3)

    @Test func aBurstBeyondTheLimitGets429WithRetryAfterAndOtherKeysAreUnaffected() throws {
        let h = try EngineAPIHarness(apiRateLimits: Self.tight)
        let spare = try h.portal.database.write { db in
            try ProgramStore().createKey(in: db, programID: h.programID, partnerID: nil, prefix: "sk_", scopes: [], now: 0)
        }
        for expected in (0..<5).reversed() {
            let reply = try h.get("/commissions")
            #expect(reply.status == 200)
            #expect(reply.headers["ratelimit-limit"] == "5")
            #expect(reply.headers["ratelimit-remaining"] == String(expected))
        }
        let limited = try h.get("/commissions")
        #expect(limited.status == 429)
        #expect(limited.isProblem)
        #expect(limited.object?.int("status") == 429)
        let retryAfter = try #require(limited.headers["retry-after"].flatMap(Int.init))
        #expect(retryAfter >= 1 && retryAfter <= 5)
        #expect(limited.headers["ratelimit-remaining"] == "0")
        // Writes are limited too, and nothing is recorded.
        #expect(try h.post("/conversions", ["external_id": "o-1", "type": "lead"]).status == 429)
        let stored = try h.portal.database.read { db in try db.queryOne("SELECT count(*) AS n FROM conversions") }
        let count: Int64 = try #require(stored)["n"]
        #expect(count == 0)
        // Another key of the same program has its own bucket.
        #expect(try h.get("/commissions", key: spare).status == 200)
        #expect(try h.get("/commissions", key: spare).headers["ratelimit-remaining"] == "3")
    }

    @Test func partnerKeysHaveTheirOwnSmallerLimit() throws {
        let h = try EngineAPIHarness(apiRateLimits: Self.tight)
        let partner = try h.createPartner("ada@example.com")
        let key = try h.partnerKey(partner, scopes: ["reports:read"])
        for _ in 0..<3 { #expect(try h.get("/me/commissions", key: key).status == 200) }
        let limited = try h.get("/me/commissions", key: key)
        #expect(limited.status == 429)
        #expect(limited.headers["ratelimit-limit"] == "3")
        #expect(limited.headers["retry-after"] != nil)
        // The program key (2 requests used above) is unaffected.
        #expect(try h.get("/commissions").status == 200)
    }

    @Test func refusedRequestsStillCountAndCarryTheHeaders() throws {
        let h = try EngineAPIHarness(apiRateLimits: Self.tight)
        let missing = try h.get("/partners/999")
        #expect(missing.status == 404)
        #expect(missing.headers["ratelimit-remaining"] == "4")
        // Requests without a valid key are refused before the limit (they have no bucket).
        for _ in 0..<10 { #expect(try h.send("GET", "/commissions", bearer: "sk_nope").status == 401) }
        #expect(try h.get("/commissions").headers["ratelimit-remaining"] == "3")
    }
}

@Suite struct APIRequestIDTests {
    @Test func everyAPIAnswerCarriesXRequestIdAndProblemsRepeatIt() throws {
        let h = try EngineAPIHarness()
        var seen: Set<String> = []
        let replies = [try h.get("/commissions"), try h.get("/partners/999"), try h.send("GET", "/commissions", bearer: nil),
                       try h.post("/conversions", raw: "{"), try h.send("GET", "/openapi.json", bearer: nil)]
        for reply in replies {
            let id = try #require(reply.headers["x-request-id"], "status \(reply.status)")
            #expect(!id.isEmpty)
            seen.insert(id)
            if reply.isProblem {
                #expect(reply.object?.string("request_id") == id)
                // The CONTRACTS.md fields are all still there.
                for field in ["type", "title", "status", "detail"] { #expect(reply.object?[field] != nil, "\(field)") }
            }
        }
        #expect(seen.count == replies.count)
    }
}
