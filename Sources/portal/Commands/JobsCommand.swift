import ArgumentParser
import Foundation
import PortalCore
import PortalWeb

/// `portal jobs run`: runs every background job that is due once, then exits (for cron or a timer).
struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: "Background jobs.", subcommands: [JobsRunCommand.self])
}

struct JobsRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run every due background job once.")

    @OptionGroup var options: DataOptions

    func run() throws {
        let environment = try options.open().environment
        let now = Int64(Date().timeIntervalSince1970)
        // Anonymous sign-in sessions are created per visitor; expired ones must not pile up.
        let purged = try SessionStore(database: environment.database).purgeExpired(now: now)
        try environment.database.write { db in
            try db.execute("DELETE FROM one_time_tokens WHERE expires_at < ?", [now - 7 * 86_400])
        }
        print("sessions: \(purged) expired removed")
        let approved = try HoldRelease().run(environment.database, now: now)
        print("commissions: \(approved) approved (hold ended)")
        let snapshots = try environment.database.write { db in try LedgerStore().snapshot(in: db, now: now) }
        print("ledger: \(snapshots) balance snapshots written")
        let batches = try ScheduledPayouts(vault: try PayoutDetailsVault(key: environment.secretKey)).run(environment.database, now: now)
        print("payouts: \(batches) scheduled batches built")
        let webhooks = try WebhookDeliverer(store: WebhookStore(key: environment.secretKey)).run(environment.database, now: now)
        print("webhooks: \(webhooks.delivered) delivered, \(webhooks.failed) to retry, \(webhooks.gaveUp) given up, \(webhooks.disabledEndpoints) endpoints disabled")
        let notices = try Self.notificationJobs(environment, baseURL: BaseURL.current).run(environment.database, now: now)
        print("digests: \(notices.digests) weekly digests queued")
        print("push: \(notices.push.delivered) delivered, \(notices.push.failed) to retry, \(notices.push.gaveUp) given up, \(notices.push.expiredSubscriptions) expired subscriptions removed")
        // After webhooks: an endpoint disabled just now has its notice e-mail sent in this same run.
        let smtp = try ProcessInfo.processInfo.environment["PORTAL_SMTP_URL"].map { try SMTPClient(url: $0) }
        let report = try Outbox(database: environment.database).deliver(using: smtp, now: now)
        print("outbox: \(report.sent) sent, \(report.failed) failed, \(report.waiting) waiting\(smtp == nil ? " (no PORTAL_SMTP_URL: mail stays in /admin/outbox)" : "")")
    }

    /// Weekly digests and Web Push, as the server's job loop runs them. `PORTAL_VAPID_SUBJECT` (a `mailto:` or
    /// `https:` contact for push services) defaults to the outbox sender.
    static func notificationJobs(_ portal: PortalEnvironment, baseURL: String,
                                 environment: [String: String] = ProcessInfo.processInfo.environment) throws -> NotificationJobs {
        let keys = try VAPIDKeys(key: portal.secretKey, subject: environment["PORTAL_VAPID_SUBJECT"] ?? "mailto:no-reply@partnerportal.local")
        return NotificationJobs(digest: WeeklyDigest(baseURL: baseURL),
                                push: PushDeliverer(subscriptions: try PushSubscriptions(key: portal.secretKey), keys: keys))
    }
}
