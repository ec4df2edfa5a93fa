import Foundation
import Store

/// Which side of a conversation wrote a message: the partner team or the program's managers.
public enum MessageSide: String, Sendable, CaseIterable {
    case partner
    case program

    /// The side whose messages count as unread for a reader on this side.
    public var other: MessageSide { self == .partner ? .program : .partner }
}

/// A thread as listed: its subject, when it last moved, and how many of the other side's messages the reader has
/// not seen.
public struct MessageThreadSummary: Sendable, Equatable {
    public let id: Int64
    public let subject: String
    public let createdAt: Int64
    public let lastMessageAt: Int64
    public let messageCount: Int
    public let unread: Int
}

public struct ThreadMessage: Sendable, Equatable {
    public let id: Int64
    public let authorUserID: Int64?
    /// The author's name (or e-mail when the name is empty); empty when the user is gone.
    public let authorName: String
    public let side: MessageSide
    public let body: String
    public let createdAt: Int64
}

public struct MessageThread: Sendable, Equatable {
    public let id: Int64
    public let programID: Int64
    public let partnerID: Int64
    public let subject: String
    public let createdAt: Int64
    public let lastMessageAt: Int64
    public let messages: [ThreadMessage]
}

public struct Announcement: Sendable, Equatable {
    public let id: Int64
    /// `""`: every partner of the program.
    public let groupName: String
    public let title: String
    public let bodyMarkdown: String
    public let publishedAt: Int64
    /// Whether the reader has marked it read.
    public let read: Bool
}

public enum MessageError: Error, Equatable {
    /// The thread is not one of this program's and partner's (or does not exist): callers answer "not found".
    case threadNotFound
    case partnerNotFound
    /// Field name → problems, as the forms show them.
    case invalid([String: [String]])
}

/// The communication center: threads between one partner team and its program's managers, per-user read marks,
/// and announcements. Every call takes the program and partner ids the caller has already resolved from the
/// signed-in user (never from an id in a URL alone), and every query is scoped by them. Writes enqueue e-mail
/// notices to the other side in the same transaction.
public struct MessageStore: Sendable {
    /// The public URL put in e-mailed links.
    public var baseURL: String

    public static let subjectLimit = 200
    public static let bodyLimit = 10_000
    public static let noticeRoles: [Role] = [.partnerOwner, .partnerAdmin, .partnerMember]

    public init(baseURL: String) {
        self.baseURL = baseURL
    }

    // MARK: Validation

    /// Problems with a new thread's fields, keyed `subject` and `body`; empty when valid.
    public static func validate(subject: String?, body: String) -> [String: [String]] {
        var errors: [String: [String]] = [:]
        if let subject {
            let trimmed = subject.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { errors["subject", default: []].append("Enter a subject.") }
            if trimmed.count > subjectLimit { errors["subject", default: []].append("Keep the subject under \(subjectLimit) characters.") }
        }
        let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { errors["body", default: []].append("Write your message.") }
        if text.count > bodyLimit { errors["body", default: []].append("Keep the message under \(bodyLimit.formatted()) characters.") }
        return errors
    }

    // MARK: Threads

    /// Starts a thread with its first message and returns the thread id.
    public func startThread(in db: Database, programID: Int64, partnerID: Int64, side: MessageSide, authorUserID: Int64?,
                            subject: String, body: String, now: Int64) throws -> Int64 {
        let errors = Self.validate(subject: subject, body: body)
        guard errors.isEmpty else { throw MessageError.invalid(errors) }
        guard try db.queryOne("SELECT 1 FROM partners WHERE id = ? AND program_id = ?", [partnerID, programID]) != nil else {
            throw MessageError.partnerNotFound
        }
        let subject = subject.trimmingCharacters(in: .whitespacesAndNewlines)
        try db.execute("""
            INSERT INTO message_threads (program_id, partner_id, subject, created_at, last_message_at) VALUES (?, ?, ?, ?, ?)
            """, [programID, partnerID, subject, now, now])
        let threadID = db.lastInsertRowID
        try add(in: db, programID: programID, partnerID: partnerID, threadID: threadID, subject: subject, side: side,
                authorUserID: authorUserID, body: body, now: now, first: true)
        return threadID
    }

    /// Adds a reply to a thread of this program and partner and returns the message id.
    @discardableResult
    public func reply(in db: Database, programID: Int64, partnerID: Int64, threadID: Int64, side: MessageSide, authorUserID: Int64?,
                      body: String, now: Int64) throws -> Int64 {
        let errors = Self.validate(subject: nil, body: body)
        guard errors.isEmpty else { throw MessageError.invalid(errors) }
        guard let row = try db.queryOne("SELECT subject FROM message_threads WHERE id = ? AND program_id = ? AND partner_id = ?",
                                        [threadID, programID, partnerID]) else {
            throw MessageError.threadNotFound
        }
        try db.execute("UPDATE message_threads SET last_message_at = max(last_message_at, ?) WHERE id = ?", [now, threadID])
        return try add(in: db, programID: programID, partnerID: partnerID, threadID: threadID, subject: try row["subject"], side: side,
                       authorUserID: authorUserID, body: body, now: now, first: false)
    }

    @discardableResult
    private func add(in db: Database, programID: Int64, partnerID: Int64, threadID: Int64, subject: String, side: MessageSide,
                     authorUserID: Int64?, body: String, now: Int64, first: Bool) throws -> Int64 {
        let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
        try db.execute("INSERT INTO messages (thread_id, author_user_id, author_side, body, created_at) VALUES (?, ?, ?, ?, ?)",
                       [threadID, authorUserID, side.rawValue, text, now])
        let messageID = db.lastInsertRowID
        try WebhookEvents.messageCreated(in: db, programID: programID, partnerID: partnerID, threadID: threadID, messageID: messageID,
                                         subject: subject, side: side.rawValue, body: text, now: now)
        // The author has seen their own thread up to here.
        if let authorUserID { try markRead(in: db, threadID: threadID, userID: authorUserID, upTo: messageID) }
        try notify(in: db, programID: programID, partnerID: partnerID, threadID: threadID, subject: subject, side: side, body: text,
                   first: first, now: now)
        return messageID
    }

    /// E-mails the other side: partner-team members (owners, admins, members; not viewers) for a program message,
    /// the program's managers for a partner message. Disabled users get nothing.
    private func notify(in db: Database, programID: Int64, partnerID: Int64, threadID: Int64, subject: String, side: MessageSide,
                        body: String, first: Bool, now: Int64) throws {
        guard let names = try db.queryOne("""
            SELECT pa.name AS partner_name, pr.name AS program_name FROM partners pa JOIN programs pr ON pr.id = pa.program_id
            WHERE pa.id = ? AND pa.program_id = ?
            """, [partnerID, programID]) else { return }
        let partnerName: String = try names["partner_name"]
        let programName: String = try names["program_name"]
        let recipients: [String]
        let link: String
        let mailSubject: String
        let opening: String
        switch side {
        case .program:
            // Each member's notification preferences decide (on by default).
            recipients = try NotificationPreferences().recipients(in: db, partnerID: partnerID, event: .newMessage, roles: Self.noticeRoles)
            link = "\(baseURL)/portal/messages/\(threadID)?partner=\(partnerID)"
            mailSubject = "\(programName): \(subject)"
            opening = first ? "The \(programName) partner team wrote to \(partnerName):" : "The \(programName) partner team replied:"
            try PushSubscriptions.enqueue(in: db, partnerID: partnerID, event: .newMessage, title: mailSubject,
                                          body: String(body.prefix(200)), url: "/portal/messages/\(threadID)?partner=\(partnerID)",
                                          roles: Self.noticeRoles, now: now)
        case .partner:
            recipients = try db.query("""
                SELECT DISTINCT u.email FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.program_id = ? AND m.role IN (?, ?) AND u.disabled_at IS NULL ORDER BY u.email
                """, [programID, Role.programOwner.rawValue, Role.programManager.rawValue]).map { try $0["email"] }
            link = "\(baseURL)/admin/messages/\(threadID)"
            mailSubject = "\(partnerName): \(subject)"
            opening = first ? "\(partnerName) started a conversation:" : "\(partnerName) replied:"
        }
        let excerpt = body.count > 2000 ? String(body.prefix(2000)) + "…" : body
        for recipient in recipients {
            try Outbox.enqueue(in: db, to: recipient, subject: mailSubject,
                               body: "Hello,\n\n\(opening)\n\n\(excerpt)\n\nRead and reply: \(link)\n" + (side == .program ? "\nChoose which e-mails you get: \(baseURL)/portal/profile\n" : ""), now: now)
        }
    }

    /// The partner's threads, most recently active first, with unread counts for `userID` reading on `side`.
    public func threads(in db: Database, programID: Int64, partnerID: Int64, userID: Int64, side: MessageSide = .partner,
                        limit: Int = 200) throws -> [MessageThreadSummary] {
        try db.query("""
            SELECT t.id, t.subject, t.created_at, t.last_message_at,
                   (SELECT count(*) FROM messages m WHERE m.thread_id = t.id) AS message_count,
                   (SELECT count(*) FROM messages m WHERE m.thread_id = t.id AND m.author_side = ?
                      AND m.id > coalesce((SELECT r.last_message_id FROM message_reads r WHERE r.thread_id = t.id AND r.user_id = ?), 0)) AS unread
            FROM message_threads t WHERE t.program_id = ? AND t.partner_id = ?
            ORDER BY t.last_message_at DESC, t.id DESC LIMIT ?
            """, [side.other.rawValue, userID, programID, partnerID, limit]).map { row in
            MessageThreadSummary(id: try row["id"], subject: try row["subject"], createdAt: try row["created_at"],
                                 lastMessageAt: try row["last_message_at"], messageCount: Int(try row["message_count"] as Int64),
                                 unread: Int(try row["unread"] as Int64))
        }
    }

    /// One thread of this program and partner with its messages, marked read up to its last message for `userID`;
    /// nil when the thread is another partner's or does not exist. Call inside a write.
    public func read(in db: Database, programID: Int64, partnerID: Int64, threadID: Int64, userID: Int64) throws -> MessageThread? {
        guard let row = try db.queryOne("""
            SELECT id, subject, created_at, last_message_at FROM message_threads WHERE id = ? AND program_id = ? AND partner_id = ?
            """, [threadID, programID, partnerID]) else { return nil }
        let messages = try db.query("""
            SELECT m.id, m.author_user_id, m.author_side, m.body, m.created_at, u.name, u.email
            FROM messages m LEFT JOIN users u ON u.id = m.author_user_id WHERE m.thread_id = ? ORDER BY m.id
            """, [threadID]).map { row in
            let name: String? = try row["name"]
            let email: String? = try row["email"]
            return ThreadMessage(id: try row["id"], authorUserID: try row["author_user_id"],
                                 authorName: (name?.isEmpty ?? true) ? (email ?? "") : name ?? "",
                                 side: MessageSide(rawValue: try row["author_side"]) ?? .program, body: try row["body"],
                                 createdAt: try row["created_at"])
        }
        if let last = messages.last { try markRead(in: db, threadID: threadID, userID: userID, upTo: last.id) }
        return MessageThread(id: try row["id"], programID: programID, partnerID: partnerID, subject: try row["subject"],
                             createdAt: try row["created_at"], lastMessageAt: try row["last_message_at"], messages: messages)
    }

    private func markRead(in db: Database, threadID: Int64, userID: Int64, upTo messageID: Int64) throws {
        try db.execute("""
            INSERT INTO message_reads (thread_id, user_id, last_message_id) VALUES (?, ?, ?)
            ON CONFLICT (thread_id, user_id) DO UPDATE SET last_message_id = max(last_message_id, excluded.last_message_id)
            """, [threadID, userID, messageID])
    }

    /// Messages from the other side that `userID` has not seen, over all of the partner's threads.
    public func unreadTotal(in db: Database, programID: Int64, partnerID: Int64, userID: Int64, side: MessageSide = .partner) throws -> Int {
        Int(try db.queryValue("""
            SELECT count(*) FROM messages m JOIN message_threads t ON t.id = m.thread_id
            LEFT JOIN message_reads r ON r.thread_id = t.id AND r.user_id = ?
            WHERE t.program_id = ? AND t.partner_id = ? AND m.author_side = ? AND m.id > coalesce(r.last_message_id, 0)
            """, [userID, programID, partnerID, side.other.rawValue], as: Int64.self) ?? 0)
    }

    // MARK: The program's side

    /// A thread as the program's managers list it: whose it is, and how many partner messages the reader has not seen.
    public struct ProgramThreadSummary: Sendable, Equatable {
        public let id: Int64
        public let partnerID: Int64
        public let partnerName: String
        public let subject: String
        public let lastMessageAt: Int64
        public let messageCount: Int
        public let unread: Int
    }

    /// Every partner's threads in the program, most recently active first, with unread counts for `userID` reading
    /// on the program's side; `unreadOnly` keeps the threads with unread partner messages. `offset`/`limit` page.
    public func programThreads(in db: Database, programID: Int64, userID: Int64, unreadOnly: Bool = false, limit: Int = 50,
                               offset: Int = 0) throws -> [ProgramThreadSummary] {
        let rows = try db.query("""
            SELECT * FROM (
              SELECT t.id, t.partner_id, pa.name AS partner_name, t.subject, t.last_message_at,
                     (SELECT count(*) FROM messages m WHERE m.thread_id = t.id) AS message_count,
                     (SELECT count(*) FROM messages m WHERE m.thread_id = t.id AND m.author_side = ?
                        AND m.id > coalesce((SELECT r.last_message_id FROM message_reads r WHERE r.thread_id = t.id AND r.user_id = ?), 0)) AS unread
              FROM message_threads t JOIN partners pa ON pa.id = t.partner_id AND pa.program_id = t.program_id
              WHERE t.program_id = ?
            ) WHERE (? = 0 OR unread > 0)
            ORDER BY last_message_at DESC, id DESC LIMIT ? OFFSET ?
            """, [MessageSide.partner.rawValue, userID, programID, unreadOnly ? 1 : 0, Int64(limit), Int64(max(0, offset))])
        return try rows.map { row in
            let count: Int64 = try row["message_count"]
            let unread: Int64 = try row["unread"]
            return ProgramThreadSummary(id: try row["id"], partnerID: try row["partner_id"], partnerName: try row["partner_name"],
                                        subject: try row["subject"], lastMessageAt: try row["last_message_at"],
                                        messageCount: Int(count), unread: Int(unread))
        }
    }

    /// The partner a thread of this program belongs to; nil when the thread is another program's or does not exist.
    public func threadPartner(in db: Database, programID: Int64, threadID: Int64) throws -> Int64? {
        try db.queryValue("SELECT partner_id FROM message_threads WHERE id = ? AND program_id = ?", [threadID, programID], as: Int64.self)
    }

    /// Partner messages in all of the program's threads that `userID` has not seen.
    public func programUnreadTotal(in db: Database, programID: Int64, userID: Int64) throws -> Int {
        Int(try db.queryValue("""
            SELECT count(*) FROM messages m JOIN message_threads t ON t.id = m.thread_id
            LEFT JOIN message_reads r ON r.thread_id = t.id AND r.user_id = ?
            WHERE t.program_id = ? AND m.author_side = ? AND m.id > coalesce(r.last_message_id, 0)
            """, [userID, programID, MessageSide.partner.rawValue], as: Int64.self) ?? 0)
    }

    /// The program's published announcements, newest first (`read` is always false: nobody's marks apply).
    public func programAnnouncements(in db: Database, programID: Int64, limit: Int = 100) throws -> [Announcement] {
        try db.query("""
            SELECT id, group_name, title, body_markdown, published_at FROM announcements WHERE program_id = ?
            ORDER BY published_at DESC, id DESC LIMIT ?
            """, [programID, Int64(limit)]).map { row in
            Announcement(id: try row["id"], groupName: try row["group_name"], title: try row["title"],
                         bodyMarkdown: try row["body_markdown"], publishedAt: try row["published_at"], read: false)
        }
    }

    /// The partner groups in use in the program (`partners.group_name`), sorted.
    public func groupNames(in db: Database, programID: Int64) throws -> [String] {
        try PartnerStore.groupNames(in: db, programID: programID)
    }

    // MARK: Announcements

    /// Publishes an announcement to every partner of the program (`groupName` empty) or to one partner group.
    @discardableResult
    public func publish(in db: Database, programID: Int64, groupName: String = "", title: String, bodyMarkdown: String,
                        now: Int64) throws -> Int64 {
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [String: [String]] = [:]
        if title.isEmpty || title.count > Self.subjectLimit { errors["title", default: []].append("Enter a title of up to \(Self.subjectLimit) characters.") }
        if bodyMarkdown.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { errors["body", default: []].append("Write the announcement.") }
        guard errors.isEmpty else { throw MessageError.invalid(errors) }
        try db.execute("INSERT INTO announcements (program_id, group_name, title, body_markdown, published_at) VALUES (?, ?, ?, ?, ?)",
                       [programID, groupName.trimmingCharacters(in: .whitespacesAndNewlines), title, bodyMarkdown, now])
        let id = db.lastInsertRowID
        try mailAnnouncement(in: db, programID: programID, groupName: groupName.trimmingCharacters(in: .whitespacesAndNewlines),
                             title: title, body: bodyMarkdown, now: now)
        return id
    }

    /// E-mails an announcement to every member of the approved partners it reaches who has not switched
    /// announcements off (on by default), once per address even for a member of several teams.
    private func mailAnnouncement(in db: Database, programID: Int64, groupName: String, title: String, body: String, now: Int64) throws {
        let programName = try db.queryValue("SELECT name FROM programs WHERE id = ?", [programID], as: String.self) ?? ""
        let recipients: [String] = try db.query("""
            SELECT DISTINCT u.email FROM partners pa
            JOIN memberships m ON m.partner_id = pa.id JOIN users u ON u.id = m.user_id
            LEFT JOIN notification_preferences p ON p.user_id = u.id AND p.partner_id = pa.id AND p.event = ?
            WHERE pa.program_id = ? AND pa.status = 'approved' AND (? = '' OR pa.group_name = ?)
              AND u.disabled_at IS NULL AND coalesce(p.email, ?) = 1
            ORDER BY u.email
            """, [NotificationEvent.announcement.rawValue, programID, groupName, groupName,
                  NotificationEvent.announcement.isOnByDefault ? 1 : 0]).map { try $0["email"] }
        // Pushes to the devices that chose announcements, for every partner the announcement reaches.
        for partnerID: Int64 in try db.query("""
            SELECT id FROM partners WHERE program_id = ? AND status = 'approved' AND (? = '' OR group_name = ?)
              AND id IN (SELECT partner_id FROM push_subscriptions)
            """, [programID, groupName, groupName]).map({ try $0["id"] }) {
            try PushSubscriptions.enqueue(in: db, partnerID: partnerID, event: .announcement, title: "\(programName): \(title)",
                                          body: String(body.prefix(200)), url: "/portal/messages?partner=\(partnerID)",
                                          roles: Self.noticeRoles, now: now)
        }
        let excerpt = body.count > 2000 ? String(body.prefix(2000)) + "…" : body
        for recipient in recipients {
            try Outbox.enqueue(in: db, to: recipient, subject: "\(programName): \(title)",
                               body: "Hello,\n\n\(excerpt)\n\nSee every announcement: \(baseURL)/portal/messages\n\nChoose which e-mails you get: \(baseURL)/portal/profile\n",
                               now: now)
        }
    }

    /// The announcements a partner sees (to everyone, or to its group), newest first, with `userID`'s read marks.
    public func announcements(in db: Database, programID: Int64, partnerID: Int64, userID: Int64, limit: Int = 50) throws -> [Announcement] {
        guard let group = try partnerGroup(in: db, programID: programID, partnerID: partnerID) else { return [] }
        return try db.query("""
            SELECT a.id, a.group_name, a.title, a.body_markdown, a.published_at, r.read_at
            FROM announcements a LEFT JOIN announcement_reads r ON r.announcement_id = a.id AND r.user_id = ?
            WHERE a.program_id = ? AND (a.group_name = '' OR a.group_name = ?)
            ORDER BY a.published_at DESC, a.id DESC LIMIT ?
            """, [userID, programID, group, limit]).map { row in
            let readAt: Int64? = try row["read_at"]
            return Announcement(id: try row["id"], groupName: try row["group_name"], title: try row["title"],
                                bodyMarkdown: try row["body_markdown"], publishedAt: try row["published_at"], read: readAt != nil)
        }
    }

    /// How many of the partner's announcements `userID` has not read.
    public func unreadAnnouncements(in db: Database, programID: Int64, partnerID: Int64, userID: Int64) throws -> Int {
        guard let group = try partnerGroup(in: db, programID: programID, partnerID: partnerID) else { return 0 }
        return Int(try db.queryValue("""
            SELECT count(*) FROM announcements a
            WHERE a.program_id = ? AND (a.group_name = '' OR a.group_name = ?)
              AND NOT EXISTS (SELECT 1 FROM announcement_reads r WHERE r.announcement_id = a.id AND r.user_id = ?)
            """, [programID, group, userID], as: Int64.self) ?? 0)
    }

    /// Marks announcements read for `userID`; ids the partner cannot see are ignored. Returns how many were newly marked.
    @discardableResult
    public func markAnnouncementsRead(in db: Database, programID: Int64, partnerID: Int64, ids: [Int64], userID: Int64, now: Int64) throws -> Int {
        guard let group = try partnerGroup(in: db, programID: programID, partnerID: partnerID) else { return 0 }
        var marked = 0
        for id in ids {
            try db.execute("""
                INSERT OR IGNORE INTO announcement_reads (announcement_id, user_id, read_at)
                SELECT a.id, ?, ? FROM announcements a WHERE a.id = ? AND a.program_id = ? AND (a.group_name = '' OR a.group_name = ?)
                """, [userID, now, id, programID, group])
            marked += db.changes
        }
        return marked
    }

    private func partnerGroup(in db: Database, programID: Int64, partnerID: Int64) throws -> String? {
        try db.queryValue("SELECT group_name FROM partners WHERE id = ? AND program_id = ?", [partnerID, programID], as: String.self)
    }
}
