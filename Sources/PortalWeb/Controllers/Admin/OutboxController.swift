import Foundation
import HTTPServer
import PortalCore
import Store

/// `/admin/outbox`: every e-mail the portal queued, for platform admins — the way to read mail when no SMTP
/// relay is configured.
struct OutboxController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let smtpConfigured: Bool

    struct Row {
        let created: String
        let recipient: String
        let subject: String
        let body: String
        let status: String
        let tone: String
    }

    func register(on routes: RouterGroup) {
        routes.get("/") { _, context in
            let entries = try Outbox(database: database).recent().map { entry in
                Row(created: Self.format(entry.createdAt), recipient: entry.recipient, subject: entry.subject, body: entry.body,
                    status: entry.sentAt != nil ? "sent" : (entry.lastError != nil ? "failed \(entry.attempts)×" : "waiting"),
                    tone: entry.sentAt != nil ? "ok" : (entry.lastError != nil ? "bad" : "warn"))
            }
            let note = smtpConfigured
                ? "Messages are delivered by `portal jobs run` through PORTAL_SMTP_URL."
                : "No SMTP relay is configured (PORTAL_SMTP_URL), so messages stay here for you to read and forward."
            return try templates.page("admin/outbox", PageChrome(context: context, currentPath: "/admin/outbox")
                .merged(with: ["entries": entries, "smtpNote": note]))
        }
    }

    static func format(_ seconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
