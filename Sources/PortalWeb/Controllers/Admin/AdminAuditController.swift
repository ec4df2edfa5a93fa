import HTTPServer
import PortalCore
import Store

/// `/admin/audit`: the program's audit log, newest first, 100 entries a page with an "older" cursor. Read-only,
/// for anyone on the program's staff (`viewProgram`); nothing here can change an entry (the table refuses it too).
struct AdminAuditController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let addressSecret: [UInt8]

    static let pageSize = 100

    func register(on routes: RouterGroup) {
        routes.get("/audit") { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.viewProgram)
            var before: Int64?
            if let text = request.queryParameters["before"] {
                guard let cursor = Int64(text), cursor > 0 else { throw HTTPError(.badRequest, "The page cursor is not valid.") }
                before = cursor
            }
            let entries = try database.read { db in
                try AuditLog().entries(in: db, programID: admin.programID, before: before, limit: Self.pageSize + 1)
            }
            let shown = Array(entries.prefix(Self.pageSize))
            let program = request.queryParameters["program"].map { "&program=\($0)" } ?? ""
            var values: [String: Any] = [
                "programName": admin.programName,
                "entries": shown.map { entry -> [String: Any] in
                    ["when": MessageTime.format(entry.createdAt), "actor": entry.actorEmail, "action": entry.action,
                     "subject": entry.subjectID.map { "\(entry.subjectType) \($0)" } ?? entry.subjectType,
                     "details": TemplateValue.section(entry.details)]
                },
                "hasEntries": !shown.isEmpty,
            ]
            if entries.count > Self.pageSize, let last = shown.last { values["olderHref"] = "/admin/audit?before=\(last.id)\(program)" }
            if before != nil { values["newestHref"] = "/admin/audit" + (program.isEmpty ? "" : "?" + program.dropFirst()) }
            return try templates.page("admin/audit", PageChrome(context: context, currentPath: "/admin/audit").merged(with: values))
        }
    }
}
