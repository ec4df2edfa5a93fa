import Foundation
import HTTPServer
import PortalCore
import Store

/// `/admin/messages` and `/admin/announcements`: the program side of the communication center. Every handler resolves
/// the program through `AdminContext` (never from a form); reading needs `.viewProgram`, writing `.messagePartners`,
/// checked on the server. A thread or partner outside the resolved program is "not found" (or a field error for the
/// partner chosen on the new-thread form), so nothing of another program is reachable by id.
struct AdminMessagesController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let store: MessageStore
    let addressSecret: [UInt8]

    static let pageSize = 50
    static let audit = AuditLog()

    func register(on routes: RouterGroup) {
        let small = RouteOptions(maxBodySize: 64 * 1024)
        routes.get("/messages") { request, context in
            let admin = try resolve(request, context)
            return try listPage(request, context, admin: admin, form: NewThreadForm(), errors: [:])
        }
        routes.post("/messages", options: small) { request, context in
            let admin = try resolve(request, context)
            try admin.require(.messagePartners)
            let form = NewThreadForm(try FormBody.parse(request))
            var errors = MessageStore.validate(subject: form.subject, body: form.body)
            if form.partnerID == nil { errors["partner", default: []].append("Choose a partner.") }
            guard errors.isEmpty, let partnerID = form.partnerID else {
                return try listPage(request, context, admin: admin, form: form, errors: errors, status: .unprocessableContent)
            }
            let now = Int64(Date().timeIntervalSince1970)
            let threadID: Int64
            do {
                threadID = try database.write { db in
                    let id = try store.startThread(in: db, programID: admin.programID, partnerID: partnerID, side: .program,
                                                   authorUserID: admin.principal.user.id, subject: form.subject, body: form.body, now: now)
                    try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "message.start", subjectType: "partner",
                                          subjectID: partnerID, details: "thread #\(id): \(form.subject)", now: now)
                    return id
                }
            } catch MessageError.partnerNotFound {
                let partnerErrors: [String: [String]] = ["partner": ["Choose a partner of this program."]]
                return try listPage(request, context, admin: admin, form: form, errors: partnerErrors, status: .unprocessableContent)
            }
            return .redirect(to: "/admin/messages/\(threadID)?program=\(admin.programID)&done=sent", status: .seeOther)
        }
        routes.get("/messages/{thread}") { request, context in
            let admin = try resolve(request, context)
            let threadID = try Self.threadID(context)
            return try threadPage(context, admin: admin, threadID: threadID, notice: request.queryParameters["done"], errors: [:], body: "")
        }
        routes.post("/messages/{thread}/reply", options: small) { request, context in
            let admin = try resolve(request, context)
            let threadID = try Self.threadID(context)
            try admin.require(.messagePartners)
            let form = try FormBody.parse(request)
            let body = form["body"] ?? ""
            let errors = MessageStore.validate(subject: nil, body: body)
            guard errors.isEmpty else {
                return try threadPage(context, admin: admin, threadID: threadID, notice: nil, errors: errors, body: body,
                                      status: .unprocessableContent)
            }
            let now = Int64(Date().timeIntervalSince1970)
            let replied = try database.write { db -> Bool in
                guard let partnerID = try store.threadPartner(in: db, programID: admin.programID, threadID: threadID) else { return false }
                try store.reply(in: db, programID: admin.programID, partnerID: partnerID, threadID: threadID, side: .program,
                                authorUserID: admin.principal.user.id, body: body, now: now)
                try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "message.reply", subjectType: "partner",
                                      subjectID: partnerID, details: "thread #\(threadID)", now: now)
                return true
            }
            guard replied else { throw HTTPError(.notFound, "Not found") }
            return .redirect(to: "/admin/messages/\(threadID)?program=\(admin.programID)&done=replied#latest", status: .seeOther)
        }
        routes.get("/announcements") { request, context in
            let admin = try resolve(request, context)
            let notice = request.queryParameters["done"] == "published" ? "Announcement published. Partners are notified by e-mail." : ""
            return try announcementsPage(context, admin: admin, form: AnnouncementForm(), errors: [:], notice: notice)
        }
        routes.post("/announcements", options: small) { request, context in
            let admin = try resolve(request, context)
            try admin.require(.messagePartners)
            let form = AnnouncementForm(try FormBody.parse(request))
            let groups = try database.read { db in try store.groupNames(in: db, programID: admin.programID) }
            let errors = form.validate(groups: groups)
            guard errors.isEmpty else {
                return try announcementsPage(context, admin: admin, form: form, errors: errors, notice: "", status: .unprocessableContent)
            }
            let now = Int64(Date().timeIntervalSince1970)
            do {
                try database.write { db in
                    let id = try store.publish(in: db, programID: admin.programID, groupName: form.group, title: form.title,
                                               bodyMarkdown: form.body, now: now)
                    let audience = form.group.isEmpty ? "everyone" : "group \(form.group)"
                    try Self.audit.record(in: db, programID: admin.programID, actor: admin.actor, action: "announcement.publish",
                                          subjectType: "announcement", subjectID: id, details: "\(form.title) (to \(audience))", now: now)
                }
            } catch MessageError.invalid(let invalid) {
                return try announcementsPage(context, admin: admin, form: form, errors: invalid, notice: "", status: .unprocessableContent)
            }
            return .redirect(to: "/admin/announcements?program=\(admin.programID)&done=published", status: .seeOther)
        }
    }

    // MARK: Forms

    struct NewThreadForm {
        var partnerID: Int64?
        var subject = ""
        var body = ""

        init() {}

        init(_ form: FormParameters) {
            partnerID = Int64(form["partner"] ?? "")
            subject = form["subject"] ?? ""
            body = form["body"] ?? ""
        }
    }

    struct AnnouncementForm {
        var title = ""
        var body = ""
        /// `""`: everyone.
        var group = ""

        init() {}

        init(_ form: FormParameters) {
            title = (form["title"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            body = form["body"] ?? ""
            group = (form["group"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func validate(groups: [String]) -> [String: [String]] {
            var errors: [String: [String]] = [:]
            if title.isEmpty { errors["title", default: []].append("Enter a title.") }
            if title.count > MessageStore.subjectLimit {
                errors["title", default: []].append("Keep the title under \(MessageStore.subjectLimit) characters.")
            }
            let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { errors["body", default: []].append("Write the announcement.") }
            if text.count > MessageStore.bodyLimit {
                errors["body", default: []].append("Keep the announcement under \(MessageStore.bodyLimit.formatted()) characters.")
            }
            if !group.isEmpty && !groups.contains(group) { errors["group", default: []].append("Choose everyone or one of the program's groups.") }
            return errors
        }
    }

    // MARK: Pages

    private func resolve(_ request: Request, _ context: RequestContext) throws -> AdminContext {
        try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
    }

    private static func threadID(_ context: RequestContext) throws -> Int64 {
        guard let id = Int64(try context.parameters.require("thread")), id > 0 else { throw HTTPError(.notFound, "Not found") }
        return id
    }

    private static func errorValues(_ errors: [String: [String]], fields: [String]) -> [String: Any] {
        var values: [String: Any] = ["hasErrors": !errors.isEmpty]
        for field in fields {
            values[field + "Errors"] = errors[field] ?? []
            values[field + "Invalid"] = errors[field] != nil
        }
        return values
    }

    private func listPage(_ request: Request, _ context: RequestContext, admin: AdminContext, form: NewThreadForm,
                          errors: [String: [String]], status: HTTPStatus = .ok) throws -> Response {
        let user = admin.principal.user.id
        let unreadOnly = request.queryParameters["unread"] == "1"
        let page = max(1, Int(request.queryParameters["page"] ?? "") ?? 1)
        let offset = (page - 1) * Self.pageSize
        let programID = admin.programID
        let (threads, partners, unread) = try database.read { db -> ([MessageStore.ProgramThreadSummary], [Row], Int) in
            let threads = try store.programThreads(in: db, programID: programID, userID: user, unreadOnly: unreadOnly,
                                                   limit: Self.pageSize + 1, offset: offset)
            let partners = try db.query("SELECT id, name FROM partners WHERE program_id = ? ORDER BY name, id", [programID])
            let unread = try store.programUnreadTotal(in: db, programID: programID, userID: user)
            return (threads, partners, unread)
        }
        let shown = Array(threads.prefix(Self.pageSize))
        let filter = unreadOnly ? "&unread=1" : ""
        let base = "/admin/messages?program=\(programID)"
        let threadValues: [[String: Any]] = shown.map { thread in
            let messages = thread.messageCount == 1 ? "1 message" : "\(thread.messageCount) messages"
            return ["id": thread.id, "subject": thread.subject, "partnerName": thread.partnerName,
                    "when": MessageTime.format(thread.lastMessageAt), "messages": messages,
                    "unread": thread.unread, "hasUnread": thread.unread > 0]
        }
        let partnerValues: [[String: Any]] = try partners.map { row in
            let id: Int64 = try row["id"]
            let name: String = try row["name"]
            return ["id": id, "name": name, "selected": id == form.partnerID]
        }
        var chrome = PageChrome(context: context, currentPath: "/admin/messages")
        chrome.setBadge(unread, for: "/admin/messages")
        var values: [String: Any] = [
            "programName": admin.programName, "programID": programID, "threads": threadValues, "hasThreads": !shown.isEmpty,
            "unreadOnly": unreadOnly, "canWrite": admin.may(.messagePartners),
            "partners": partnerValues, "hasPartners": !partners.isEmpty,
            "subject": form.subject, "body": form.body,
            "subjectLimit": MessageStore.subjectLimit, "bodyLimit": MessageStore.bodyLimit,
            "hasPrevious": page > 1, "previousURL": "\(base)\(filter)&page=\(page - 1)",
            "hasNext": threads.count > Self.pageSize, "nextURL": "\(base)\(filter)&page=\(page + 1)",
        ]
        values.merge(Self.errorValues(errors, fields: ["partner", "subject", "body"])) { _, new in new }
        return try templates.page("admin/messages", chrome.merged(with: values), status: status)
    }

    private func threadPage(_ context: RequestContext, admin: AdminContext, threadID: Int64, notice: String?,
                            errors: [String: [String]], body: String, status: HTTPStatus = .ok) throws -> Response {
        let user = admin.principal.user.id
        let programID = admin.programID
        let loaded = try database.write { db -> (thread: MessageThread, partnerName: String, unread: Int)? in
            guard let partnerID = try store.threadPartner(in: db, programID: programID, threadID: threadID),
                  let thread = try store.read(in: db, programID: programID, partnerID: partnerID, threadID: threadID, userID: user)
            else { return nil }
            let name = try db.queryValue("SELECT name FROM partners WHERE id = ? AND program_id = ?", [partnerID, programID], as: String.self)
            let unread = try store.programUnreadTotal(in: db, programID: programID, userID: user)
            return (thread, name ?? "", unread)
        }
        guard let loaded else { throw HTTPError(.notFound, "Not found") }
        let thread = loaded.thread
        var chrome = PageChrome(context: context, currentPath: "/admin/messages")
        chrome.setBadge(loaded.unread, for: "/admin/messages")
        let last = thread.messages.last?.id
        let noticeText = notice == "sent" ? "Message sent. The partner's team is notified by e-mail."
            : notice == "replied" ? "Reply sent." : ""
        let messageValues: [[String: Any]] = thread.messages.map { message in
            let fromPartner = message.side == .partner
            let fallback = fromPartner ? loaded.partnerName : admin.programName
            let sideLabel = fromPartner ? loaded.partnerName : "\(admin.programName) team"
            return ["id": message.id, "body": message.body, "when": MessageTime.format(message.createdAt),
                    "author": message.authorName.isEmpty ? fallback : message.authorName, "sideLabel": sideLabel,
                    "fromPartner": fromPartner, "latest": message.id == last]
        }
        var values: [String: Any] = [
            "programName": admin.programName, "programID": programID, "partnerName": loaded.partnerName,
            "id": thread.id, "subject": thread.subject, "started": MessageTime.format(thread.createdAt), "messages": messageValues,
            "canWrite": admin.may(.messagePartners), "body": body, "bodyLimit": MessageStore.bodyLimit,
            "notice": noticeText, "hasNotice": !noticeText.isEmpty,
        ]
        values.merge(Self.errorValues(errors, fields: ["body"])) { _, new in new }
        return try templates.page("admin/thread", chrome.merged(with: values), status: status)
    }

    private func announcementsPage(_ context: RequestContext, admin: AdminContext, form: AnnouncementForm, errors: [String: [String]],
                                   notice: String, status: HTTPStatus = .ok) throws -> Response {
        let programID = admin.programID
        let (announcements, groups) = try database.read { db in
            (try store.programAnnouncements(in: db, programID: programID), try store.groupNames(in: db, programID: programID))
        }
        let announcementValues: [[String: Any]] = announcements.map { announcement in
            ["id": announcement.id, "title": announcement.title, "bodyHTML": SafeMarkdown.html(announcement.bodyMarkdown),
             "when": MessageTime.format(announcement.publishedAt),
             "audience": announcement.groupName.isEmpty ? "Everyone" : "The \(announcement.groupName) group"]
        }
        let groupValues: [[String: Any]] = groups.map { group in ["name": group, "selected": group == form.group] }
        var values: [String: Any] = [
            "programName": admin.programName, "programID": programID,
            "announcements": announcementValues, "hasAnnouncements": !announcements.isEmpty,
            "groups": groupValues, "hasGroups": !groups.isEmpty, "everyoneSelected": form.group.isEmpty,
            "canWrite": admin.may(.messagePartners), "title": form.title, "body": form.body,
            "titleLimit": MessageStore.subjectLimit, "bodyLimit": MessageStore.bodyLimit,
            "notice": notice, "hasNotice": !notice.isEmpty,
        ]
        values.merge(Self.errorValues(errors, fields: ["title", "body", "group"])) { _, new in new }
        return try templates.page("admin/announcements", PageChrome(context: context, currentPath: "/admin/announcements").merged(with: values),
                                  status: status)
    }
}

/// Puts the signed-in staff member's unread partner messages (in the program the console acts on) on the request, so
/// `PageChrome` can badge the staff "Messages" item. One small count query; a failure only leaves the badge off.
struct AdminUnreadMessagesMiddleware: Middleware {
    let database: DatabasePool
    let store: MessageStore
    let addressSecret: [UInt8]

    func handle(_ request: Request, context: RequestContext, next: (Request, RequestContext) throws -> Response) throws -> Response {
        if let user = context.webSession.principal?.user.id,
           let admin = try? AdminContext.resolve(request, context, database: database, addressSecret: addressSecret),
           let count = try? database.read({ db in try store.programUnreadTotal(in: db, programID: admin.programID, userID: user) }) {
            context.adminUnreadMessages = count
        }
        return try next(request, context)
    }
}

enum AdminUnreadMessagesKey: ContextKey {
    typealias Value = Int
}

extension RequestContext {
    /// Set on `/admin` requests by `AdminUnreadMessagesMiddleware`.
    var adminUnreadMessages: Int? {
        get { self[AdminUnreadMessagesKey.self] }
        set { self[AdminUnreadMessagesKey.self] = newValue }
    }
}
