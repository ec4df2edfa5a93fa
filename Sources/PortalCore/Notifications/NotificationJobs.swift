import Store

/// The notification jobs the job loop and `portal jobs run` run after the engine's: weekly digests, then the
/// pushes waiting (including those the digests and the hold release just queued).
public struct NotificationJobs: Sendable {
    public var digest: WeeklyDigest
    public var push: PushDeliverer

    public init(digest: WeeklyDigest, push: PushDeliverer) {
        self.digest = digest
        self.push = push
    }

    public func run(_ database: DatabasePool, now: Int64) throws -> (digests: Int, push: PushDeliverer.Report) {
        let digests = try digest.run(database, now: now)
        return (digests, try push.run(database, now: now))
    }
}
