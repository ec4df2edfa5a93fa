import Foundation
import HTTPServer
import PortalCore
import Store

/// `/portal/messages`: the program's announcements (to everyone or to the partner's group) and the partner team's
/// threads with the program's managers. Everyone in the team reads; writing needs `.messageProgram` (owners, admins,
/// members), checked on the server. Threads are looked up by id only within the resolved partner: another partner's
/// thread is "not found".
struct PartnerMessagesController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let store: MessageStore

    func register(on routes: RouterGroup) {
        let small = RouteOptions(maxBodySize: 64 * 1024)
        routes.get("/messages") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            return try listPage(context, partner: partner, errors: [:], subject: "", body: "")
        }
        routes.post("/messages", options: small) { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            try partner.require(.messageProgram)
            let user = try userID(context)
            let form = try FormBody.parse(request)
            let subject = form["subject"] ?? "", body = form["body"] ?? ""
            let errors = MessageStore.validate(subject: subject, body: body)
            guard errors.isEmpty else {
                return try listPage(context, partner: partner, errors: errors, subject: subject, body: body,
                                    status: .unprocessableContent)
            }
            let now = Int64(Date().timeIntervalSince1970)
            let threadID = try database.write { db in
                try store.startThread(in: db, programID: partner.programID, partnerID: partner.partnerID, side: .partner,
                                      authorUserID: user, subject: subject, body: body, now: now)
            }
            return .redirect(to: "/portal/messages/\(threadID)?done=sent", status: .seeOther)
        }
        routes.get("/messages/{thread}") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            let threadID = try Self.threadID(context)
            return try threadPage(context, partner: partner, threadID: threadID, notice: request.queryParameters["done"], errors: [:], body: "")
        }
        routes.post("/messages/{thread}/reply", options: small) { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            let threadID = try Self.threadID(context)
            try partner.require(.messageProgram)
            let user = try userID(context)
            let form = try FormBody.parse(request)
            let body = form["body"] ?? ""
            let errors = MessageStore.validate(subject: nil, body: body)
            guard errors.isEmpty else {
                return try threadPage(context, partner: partner, threadID: threadID, notice: nil, errors: errors, body: body,
                                      status: .unprocessableContent)
            }
            let now = Int64(Date().timeIntervalSince1970)
            do {
                _ = try database.write { db in
                    try store.reply(in: db, programID: partner.programID, partnerID: partner.partnerID, threadID: threadID, side: .partner,
                                    authorUserID: user, body: body, now: now)
                }
            } catch MessageError.threadNotFound {
                throw HTTPError(.notFound, "Not found")
            }
            return .redirect(to: "/portal/messages/\(threadID)?done=replied#latest", status: .seeOther)
        }
    }

    private static func threadID(_ context: RequestContext) throws -> Int64 {
        guard let id = Int64(try context.parameters.require("thread")), id > 0 else { throw HTTPError(.notFound, "Not found") }
        return id
    }

    private func userID(_ context: RequestContext) throws -> Int64 {
        guard let id = context.webSession.principal?.user.id else { throw HTTPError(.unauthorized, "Please sign in.") }
        return id
    }

    private func listPage(_ context: RequestContext, partner: PartnerContext, errors: [String: [String]],
                          subject: String, body: String, status: HTTPStatus = .ok) throws -> Response {
        let user = try userID(context)
        let now = Int64(Date().timeIntervalSince1970)
        // Announcements shown here count as read from the next visit on; this visit still marks them "new".
        let (announcements, threads) = try database.write(discarding: partner.readOnly) { db in
            let announcements = try store.announcements(in: db, programID: partner.programID, partnerID: partner.partnerID, userID: user)
            let threads = try store.threads(in: db, programID: partner.programID, partnerID: partner.partnerID, userID: user)
            try store.markAnnouncementsRead(in: db, programID: partner.programID, partnerID: partner.partnerID,
                                            ids: announcements.filter { !$0.read }.map(\.id), userID: user, now: now)
            return (announcements, threads)
        }
        let canWrite = partner.may(.messageProgram)
        var chrome = PageChrome(context: context, currentPath: "/portal/messages")
        // The visit clears the announcement part of the navigation badge.
        chrome.setBadge(threads.reduce(0) { $0 + $1.unread }, for: "/portal/messages")
        return try templates.page("portal/messages", chrome.merged(with: [
            "partnerName": partner.partnerName, "programName": partner.programName,
            "announcements": announcements.map(Self.announcementValues), "hasAnnouncements": !announcements.isEmpty,
            "threads": threads.map { thread -> [String: Any] in
                ["id": thread.id, "subject": thread.subject, "when": MessageTime.format(thread.lastMessageAt),
                 "messages": thread.messageCount == 1 ? "1 message" : "\(thread.messageCount) messages",
                 "unread": thread.unread, "hasUnread": thread.unread > 0]
            },
            "hasThreads": !threads.isEmpty, "canWrite": canWrite,
            "subject": subject, "body": body, "hasErrors": !errors.isEmpty,
            "subjectErrors": errors["subject"] ?? [], "bodyErrors": errors["body"] ?? [],
            "subjectInvalid": errors["subject"] != nil, "bodyInvalid": errors["body"] != nil,
            "subjectLimit": MessageStore.subjectLimit, "bodyLimit": MessageStore.bodyLimit,
        ]), status: status)
    }

    private func threadPage(_ context: RequestContext, partner: PartnerContext, threadID: Int64, notice: String?,
                            errors: [String: [String]], body: String, status: HTTPStatus = .ok) throws -> Response {
        let user = try userID(context)
        let (thread, unread) = try database.write(discarding: partner.readOnly) { db -> (MessageThread?, Int) in
            let thread = try store.read(in: db, programID: partner.programID, partnerID: partner.partnerID, threadID: threadID, userID: user)
            let unread = try store.unreadTotal(in: db, programID: partner.programID, partnerID: partner.partnerID, userID: user)
                + store.unreadAnnouncements(in: db, programID: partner.programID, partnerID: partner.partnerID, userID: user)
            return (thread, unread)
        }
        guard let thread else { throw HTTPError(.notFound, "Not found") }
        var chrome = PageChrome(context: context, currentPath: "/portal/messages")
        // Reading the thread has just changed the count the navigation computed before this page ran.
        chrome.setBadge(unread, for: "/portal/messages")
        let last = thread.messages.last?.id
        let noticeText = notice == "sent" ? "Message sent. The program's managers are notified by e-mail."
            : notice == "replied" ? "Reply sent." : ""
        return try templates.page("portal/thread", chrome.merged(with: [
            "partnerName": partner.partnerName, "programName": partner.programName,
            "id": thread.id, "subject": thread.subject, "started": MessageTime.format(thread.createdAt),
            "messages": thread.messages.map { message -> [String: Any] in
                let fromPartner = message.side == .partner
                return ["id": message.id, "body": message.body, "when": MessageTime.format(message.createdAt),
                        "author": message.authorName.isEmpty ? (fromPartner ? partner.partnerName : partner.programName) : message.authorName,
                        "sideLabel": fromPartner ? partner.partnerName : "\(partner.programName) team",
                        "fromPartner": fromPartner, "latest": message.id == last]
            },
            "canWrite": partner.may(.messageProgram), "body": body, "hasErrors": !errors.isEmpty,
            "bodyErrors": errors["body"] ?? [], "bodyInvalid": errors["body"] != nil, "bodyLimit": MessageStore.bodyLimit,
            "notice": noticeText, "hasNotice": !noticeText.isEmpty,
        ]), status: status)
    }

    static func announcementValues(_ announcement: Announcement) -> [String: Any] {
        ["id": announcement.id, "title": announcement.title, "bodyHTML": SafeMarkdown.html(announcement.bodyMarkdown),
         "when": MessageTime.format(announcement.publishedAt), "unread": !announcement.read,
         "group": announcement.groupName, "hasGroup": !announcement.groupName.isEmpty]
    }
}

/// The dashboard's messages card: unread messages and the latest announcements (read-only; nothing is marked read).
enum MessagesCard {
    static func values(in db: Database, store: MessageStore, partner: PartnerContext, userID: Int64) throws -> [String: Any] {
        let unread = try store.unreadTotal(in: db, programID: partner.programID, partnerID: partner.partnerID, userID: userID)
        let latest = try store.announcements(in: db, programID: partner.programID, partnerID: partner.partnerID, userID: userID, limit: 3)
        return ["unreadMessages": unread, "hasUnreadMessages": unread > 0,
                "unreadMessagesText": unread == 1 ? "1 unread message" : "\(unread) unread messages",
                "latestAnnouncements": latest.map(PartnerMessagesController.announcementValues),
                "hasLatestAnnouncements": !latest.isEmpty]
    }
}

/// `2026-11-25 20:06 UTC`: times on the messages pages.
enum MessageTime {
    static func format(_ seconds: Int64) -> String {
        let day = DailyStats.day(of: seconds)
        let inDay = seconds - day * 86_400
        let hours = inDay / 3600, minutes = (inDay % 3600) / 60
        return CivilDate.format(days: day) + " " + (hours < 10 ? "0" : "") + "\(hours):" + (minutes < 10 ? "0" : "") + "\(minutes) UTC"
    }
}

/// Puts the signed-in partner user's unread count (messages plus announcements) on the request, so `PageChrome` can
/// badge the "Messages" navigation item without reaching the database itself.
struct UnreadMessagesMiddleware: Middleware {
    let database: DatabasePool
    let store: MessageStore

    func handle(_ request: Request, context: RequestContext, next: (Request, RequestContext) throws -> Response) throws -> Response {
        if let user = context.webSession.principal?.user.id,
           let partner = try? PartnerContext.resolve(request, context, database: database),
           let count = try? database.read({ db in
               try store.unreadTotal(in: db, programID: partner.programID, partnerID: partner.partnerID, userID: user)
                   + store.unreadAnnouncements(in: db, programID: partner.programID, partnerID: partner.partnerID, userID: user)
           }) {
            context.unreadMessages = count
        }
        return try next(request, context)
    }
}

enum UnreadMessagesKey: ContextKey {
    typealias Value = Int
}

extension RequestContext {
    /// Set on `/portal` requests by `UnreadMessagesMiddleware`.
    var unreadMessages: Int? {
        get { self[UnreadMessagesKey.self] }
        set { self[UnreadMessagesKey.self] = newValue }
    }
}
