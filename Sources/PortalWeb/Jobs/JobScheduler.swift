import Dispatch
import Foundation
import Logging
import PortalCore
import Store
import Synchronization

/// Runs the server's periodic jobs (hold releases today) on one background thread, so commissions become
/// available on time without cron. `portal jobs run` runs the same jobs once for installations that prefer cron.
public final class JobScheduler: Sendable {
    private let database: DatabasePool
    /// Builds the batches the programs' payout schedules ask for (nil: none, e.g. in tests of other jobs).
    private let scheduledPayouts: ScheduledPayouts?
    /// Sends due webhook deliveries (nil: none).
    private let webhooks: WebhookDeliverer?
    /// Weekly digests and Web Push deliveries (nil: none).
    private let notifications: NotificationJobs?
    private let interval: TimeInterval
    private let logger: Logger
    private let stopped = Mutex(false)
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    public init(database: DatabasePool, scheduledPayouts: ScheduledPayouts? = nil, webhooks: WebhookDeliverer? = nil,
                notifications: NotificationJobs? = nil, interval: TimeInterval = 60, logger: Logger) {
        self.database = database
        self.scheduledPayouts = scheduledPayouts
        self.webhooks = webhooks
        self.notifications = notifications
        self.interval = interval
        self.logger = logger
    }

    public func start() {
        let thread = Thread { [self] in self.run() }
        thread.name = "portal-jobs"
        thread.start()
    }

    /// Stops after the current pass, if one is running.
    public func stop() {
        stopped.withLock { $0 = true }
        wake.signal()
        finished.wait()
    }

    /// Runs every job once; errors are logged and retried on the next pass.
    public static func runDueJobs(_ database: DatabasePool, scheduledPayouts: ScheduledPayouts? = nil, webhooks: WebhookDeliverer? = nil,
                                  notifications: NotificationJobs? = nil, now: Int64, logger: Logger) -> Int {
        // Notifications last and on their own (deferred): a dead push service must not stop the engine's jobs,
        // and the notices those jobs queue go out in the same pass.
        defer {
            if let notifications {
                do {
                    let (digests, push) = try notifications.run(database, now: now)
                    if digests > 0 { logger.info("weekly digests: \(digests) partners") }
                    if push != PushDeliverer.Report() {
                        logger.info("push: \(push.delivered) delivered, \(push.failed) to retry, \(push.gaveUp) given up, \(push.expiredSubscriptions) expired subscriptions removed")
                    }
                } catch {
                    logger.error("notification jobs failed: \(error)")
                }
            }
        }
        // Webhooks first and on their own: a failing receiver must not stop hold releases, nor the reverse.
        if let webhooks {
            do {
                let report = try webhooks.run(database, now: now)
                if report != WebhookDeliverer.Report() {
                    logger.info("webhooks: \(report.delivered) delivered, \(report.failed) to retry, \(report.gaveUp) given up, \(report.disabledEndpoints) endpoints disabled")
                }
            } catch {
                logger.error("webhook delivery failed: \(error)")
            }
        }
        do {
            let approved = try HoldRelease().run(database, now: now)
            try database.write { db in _ = try LedgerStore().snapshot(in: db, now: now) }
            if let built = try scheduledPayouts?.run(database, now: now), built > 0 { logger.info("built \(built) scheduled payout batches") }
            return approved
        } catch {
            logger.error("hold release failed: \(error)")
            return 0
        }
    }

    private func run() {
        while !stopped.withLock({ $0 }) {
            let approved = Self.runDueJobs(database, scheduledPayouts: scheduledPayouts, webhooks: webhooks, notifications: notifications, now: Int64(Date().timeIntervalSince1970), logger: logger)
            if approved > 0 { logger.info("approved \(approved) commissions whose hold ended") }
            _ = wake.wait(timeout: .now() + interval)
        }
        finished.signal()
    }
}
