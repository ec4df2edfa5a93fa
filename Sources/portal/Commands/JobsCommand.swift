import ArgumentParser
import Foundation
import PortalCore

/// `portal jobs run`: runs every background job that is due once, then exits (for cron or a timer).
struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: "Background jobs.", subcommands: [JobsRunCommand.self])
}

struct JobsRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run every due background job once.")

    @OptionGroup var options: DataOptions

    func run() throws {
        let environment = try options.open().environment
        let smtp = try ProcessInfo.processInfo.environment["PORTAL_SMTP_URL"].map { try SMTPClient(url: $0) }
        let report = try Outbox(database: environment.database).deliver(using: smtp, now: Int64(Date().timeIntervalSince1970))
        print("outbox: \(report.sent) sent, \(report.failed) failed, \(report.waiting) waiting\(smtp == nil ? " (no PORTAL_SMTP_URL: mail stays in /admin/outbox)" : "")")
    }
}
