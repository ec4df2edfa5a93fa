import Foundation
import HTTPServer
import PortalCore
import Store

/// What the admin console shows that an integration also wants (additions to CONTRACTS.md, secret key):
/// the partner groups with their sizes, the resource library (assets with their files' metadata; `GET /me/resources`
/// for a partner key: what that partner sees now), and messages — list threads, read one, start a thread with a
/// partner, reply. Messages sent here are the program's (no staff author) and notify the partner's team as the
/// console's do.
struct ProgramDataAPIController {
    let database: DatabasePool
    let messages: MessageStore

    func register(on api: RouterGroup) {
        // A 20,000-character body may be 240 KB of JSON escapes; the limit sits above what the schema allows, so an
        // over-long field is a 422 that names it rather than a bare 413.
        let small = RouteOptions(maxBodySize: 256 * 1024)
        api.get("/groups") { _, context in
            let programID = try context.requireProgram()
            let groups = try database.read { db in
                try db.query("""
                    SELECT group_name, count(*) AS partners, sum(status = 'approved') AS approved FROM partners
                    WHERE program_id = ? AND group_name <> '' GROUP BY group_name ORDER BY group_name LIMIT 1000
                    """, [programID]).map { row -> [String: Any] in
                    ["name": try row["group_name"] as String, "partners": try row["partners"] as Int64, "approved_partners": try row["approved"] as Int64]
                }
            }
            return JSONBody.response(["data": groups, "next_cursor": NSNull()])
        }
        api.get("/resources") { request, context in
            let programID = try context.requireProgram()
            let page = try APIPage(request)
            let kind = try Self.kind(request)
            let rows = try database.read { db in try ResourceStore().adminList(in: db, programID: programID, kind: kind).map { $0.resource } }
            return page.response(Self.page(rows, before: page.before, limit: page.fetchLimit), id: \.id, json: Self.json)
        }
        api.get("/me/resources") { request, context in
            let caller = try context.requirePartner()
            guard try offers("resources_enabled", programID: caller.programID) else {
                throw APIProblem(.notFound, "This program does not offer resources.")
            }
            let page = try APIPage(request)
            let kind = try Self.kind(request)
            let rows = try database.read { db in
                try ResourceStore().visible(in: db, programID: caller.programID, partnerID: caller.partnerID, now: Self.now(), kind: kind)
            }
            return page.response(Self.page(rows, before: page.before, limit: page.fetchLimit), id: \.id, json: Self.json)
        }
        api.get("/messages") { request, context in
            let programID = try context.requireProgram()
            let page = try APIPage(request)
            var partnerID: Int64?
            if let text = request.queryParameters["partner_id"] {
                guard let id = Int64(text) else {
                    throw APIProblem(.badRequest, "`partner_id` must be a number.", errors: ["partner_id": ["must be a number"]])
                }
                partnerID = id
            }
            return try threadList(page, programID: programID, partnerID: partnerID)
        }
        // A partner key with `messages:write`: the partner's own threads with the program, from either side.
        api.get("/me/messages") { request, context in
            let caller = try partnerMessaging(context)
            return try threadList(try APIPage(request), programID: caller.programID, partnerID: caller.partnerID)
        }
        api.get("/me/messages/{id}") { _, context in
            let caller = try partnerMessaging(context)
            let id = try context.pathID(what: "thread")
            guard let thread = try database.read({ db in
                try Self.fullThread(db, programID: caller.programID, id: id, partnerID: caller.partnerID)
            }) else { throw APIProblem(.notFound, "No such thread.") }
            return JSONBody.response(thread)
        }
        api.post("/me/messages", options: small) { request, context in
            let caller = try partnerMessaging(context)
            let (subject, body) = try Self.newThread(request)
            let thread = try mapped {
                try database.write { db -> [String: Any] in
                    let id = try messages.startThread(in: db, programID: caller.programID, partnerID: caller.partnerID, side: .partner,
                                                      authorUserID: nil, subject: subject, body: body, now: Self.now())
                    guard let thread = try Self.fullThread(db, programID: caller.programID, id: id) else { throw MessageError.threadNotFound }
                    return thread
                }
            }
            return JSONBody.response(thread, status: .created)
        }
        api.post("/me/messages/{id}/replies", options: small) { request, context in
            let caller = try partnerMessaging(context)
            let id = try context.pathID(what: "thread")
            let body = try Self.reply(request)
            let thread = try mapped {
                try database.write { db -> [String: Any] in
                    _ = try messages.reply(in: db, programID: caller.programID, partnerID: caller.partnerID, threadID: id, side: .partner,
                                           authorUserID: nil, body: body, now: Self.now())
                    guard let thread = try Self.fullThread(db, programID: caller.programID, id: id) else { throw MessageError.threadNotFound }
                    return thread
                }
            }
            return JSONBody.response(thread, status: .created)
        }
        api.get("/messages/{id}") { _, context in
            let programID = try context.requireProgram()
            let id = try context.pathID(what: "thread")
            guard let thread = try database.read({ db in try Self.fullThread(db, programID: programID, id: id) }) else {
                throw APIProblem(.notFound, "No such thread.")
            }
            return JSONBody.response(thread)
        }
        api.post("/partners/{id}/messages", options: small) { request, context in
            let programID = try context.requireProgram()
            let partnerID = try context.pathID(what: "partner")
            let (subject, body) = try Self.newThread(request)
            let thread = try mapped {
                try database.write { db -> [String: Any] in
                    let id = try messages.startThread(in: db, programID: programID, partnerID: partnerID, side: .program, authorUserID: nil,
                                                      subject: subject, body: body, now: Self.now())
                    guard let thread = try Self.fullThread(db, programID: programID, id: id) else { throw MessageError.threadNotFound }
                    return thread
                }
            }
            return JSONBody.response(thread, status: .created)
        }
        api.post("/messages/{id}/replies", options: small) { request, context in
            let programID = try context.requireProgram()
            let id = try context.pathID(what: "thread")
            let body = try Self.reply(request)
            let thread = try mapped {
                try database.write { db -> [String: Any] in
                    guard let partnerID = try messages.threadPartner(in: db, programID: programID, threadID: id) else { throw MessageError.threadNotFound }
                    _ = try messages.reply(in: db, programID: programID, partnerID: partnerID, threadID: id, side: .program, authorUserID: nil,
                                           body: body, now: Self.now())
                    guard let thread = try Self.fullThread(db, programID: programID, id: id) else { throw MessageError.threadNotFound }
                    return thread
                }
            }
            return JSONBody.response(thread, status: .created)
        }
    }

    private func threadList(_ page: APIPage, programID: Int64, partnerID: Int64?) throws -> Response {
        let threads = try database.read { db in
            try db.query("""
                SELECT t.id, t.partner_id, t.subject, t.created_at, t.last_message_at,
                       (SELECT count(*) FROM messages m WHERE m.thread_id = t.id) AS message_count
                FROM message_threads t WHERE t.program_id = ?1 AND (?2 IS NULL OR t.partner_id = ?2) AND t.id < ?3
                ORDER BY t.id DESC LIMIT ?4
                """, [programID, partnerID, page.before ?? Int64.max, Int64(page.fetchLimit)]).map(Self.thread)
        }
        return page.response(threads, id: { $0["id"] as? Int64 ?? 0 }, json: { $0 })
    }

    /// A partner key with `messages:write`, in a program whose portal offers messaging (else `404`, as the page is).
    private func partnerMessaging(_ context: RequestContext) throws -> (programID: Int64, partnerID: Int64) {
        let caller = try context.requirePartner(scope: Self.messagesScope)
        guard try offers("messaging_enabled", programID: caller.programID) else {
            throw APIProblem(.notFound, "This program does not offer messaging.")
        }
        return caller
    }

    /// The program's portal feature switch `column` (on when the program never customised its portal).
    private func offers(_ column: String, programID: Int64) throws -> Bool {
        precondition(["messaging_enabled", "resources_enabled"].contains(column))
        let enabled = try database.read { db in
            try db.queryValue("SELECT \(column) FROM portal_branding WHERE program_id = ?", [programID], as: Int64.self)
        }
        return (enabled ?? 1) == 1
    }

    static let messagesScope = "messages:write"

    private func mapped<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch MessageError.threadNotFound {
            throw APIProblem(.notFound, "No such thread.")
        } catch MessageError.partnerNotFound {
            throw APIProblem(.notFound, "No such partner.")
        } catch MessageError.invalid(let errors) {
            throw APIProblem.invalid(errors)
        }
    }

    /// `{subject, body}` of a new thread (the console's limits), or `422` naming the fields.
    static func newThread(_ request: Request) throws -> (subject: String, body: String) {
        var fields = JSONFields(try JSONBody.object(request), allowed: ["subject", "body"])
        let subject = fields.string("subject", required: true, maxLength: 200)
        let body = fields.string("body", required: true, maxLength: 20_000)
        guard fields.errors.isEmpty, let subject, let body else { throw APIProblem.invalid(fields.errors) }
        return (subject, body)
    }

    /// `{body}` of a reply, or `422`.
    static func reply(_ request: Request) throws -> String {
        var fields = JSONFields(try JSONBody.object(request), allowed: ["body"])
        let body = fields.string("body", required: true, maxLength: 20_000)
        guard fields.errors.isEmpty, let body else { throw APIProblem.invalid(fields.errors) }
        return body
    }

    static func kind(_ request: Request) throws -> ResourceKind? {
        guard let text = request.queryParameters["kind"] else { return nil }
        guard let kind = ResourceKind(rawValue: text) else {
            let known = ResourceKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIProblem(.badRequest, "`kind` must be one of \(known).", errors: ["kind": ["is not a resource kind"]])
        }
        return kind
    }

    /// Newest first, below the cursor (the library is small enough to page in memory).
    static func page(_ resources: [Resource], before: Int64?, limit: Int) -> [Resource] {
        Array(resources.filter { $0.id < (before ?? Int64.max) }.sorted { $0.id > $1.id }.prefix(limit))
    }

    static func json(_ resource: Resource) -> [String: Any] {
        let files: [[String: Any]] = resource.files.map { file in
            ["id": file.id, "variant": file.variant.rawValue, "content_type": file.contentType, "file_name": file.fileName,
             "width": APIJSON.optional(file.width), "height": APIJSON.optional(file.height), "byte_size": file.byteSize]
        }
        return [
            "id": resource.id, "kind": resource.kind.rawValue, "title": resource.title, "description": resource.description,
            "campaign": resource.campaign, "channel": resource.channel, "group": APIJSON.optional(resource.groupName),
            "starts_at": APIJSON.optional(resource.startsAt.map(RFC3339.format)), "ends_at": APIJSON.optional(resource.endsAt.map(RFC3339.format)),
            "created_at": RFC3339.format(resource.createdAt), "files": files,
        ]
    }

    static func thread(_ row: Row) throws -> [String: Any] {
        ["id": try row["id"] as Int64, "partner_id": try row["partner_id"] as Int64, "subject": try row["subject"] as String,
         "created_at": RFC3339.format(try row["created_at"]), "last_message_at": RFC3339.format(try row["last_message_at"]),
         "message_count": try row["message_count"] as Int64]
    }

    /// A thread of the program (and, with `partnerID`, of that partner only) with its messages; nil otherwise.
    static func fullThread(_ db: Database, programID: Int64, id: Int64, partnerID: Int64? = nil) throws -> [String: Any]? {
        guard let row = try db.queryOne("""
            SELECT t.id, t.partner_id, t.subject, t.created_at, t.last_message_at,
                   (SELECT count(*) FROM messages m WHERE m.thread_id = t.id) AS message_count
            FROM message_threads t WHERE t.id = ?1 AND t.program_id = ?2 AND (?3 IS NULL OR t.partner_id = ?3)
            """, [id, programID, partnerID]) else { return nil }
        var thread = try Self.thread(row)
        thread["messages"] = try db.query("""
            SELECT id, author_side, body, created_at FROM messages WHERE thread_id = ? ORDER BY id LIMIT 1000
            """, [id]).map { message -> [String: Any] in
            ["id": try message["id"] as Int64, "from": try message["author_side"] as String, "body": try message["body"] as String,
             "created_at": RFC3339.format(try message["created_at"])]
        }
        return thread
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
