import Foundation
import HTTPServer
import PortalCore
import Store

/// `/admin/programs`: the programs a staff member works on (every program for a platform admin), to switch between
/// them, and — for platform admins (`manageInstallation`) — a form to start a new program with its first secret key
/// (shown once), as `portal program create` does on the command line.
struct AdminProgramsController {
    let database: DatabasePool
    let templates: TemplateRenderer

    func register(on routes: RouterGroup) {
        routes.get("/programs") { _, context in
            try page(context, form: [:], errors: [:], created: nil)
        }
        routes.post("/programs", options: RouteOptions(maxBodySize: 16 * 1024)) { request, context in
            guard let principal = context.webSession.principal, principal.may(.manageInstallation) else {
                throw HTTPError(.forbidden, "Only platform admins start programs.")
            }
            let form = try FormBody.parse(request).firstValues
            func text(_ name: String) -> String { (form[name] ?? "").trimmingCharacters(in: .whitespaces) }
            var program = NewProgram(name: text("name"), slug: text("slug").lowercased(), currency: text("currency").uppercased())
            guard let bps = Percentage.basisPoints(from: text("commission_percent")) else {
                return try page(context, form: form, errors: ["commission-percent": ["Enter a percentage from 0 to 100, with at most two decimals."]],
                                created: nil, status: .unprocessableContent)
            }
            program.commissionPercent = Double(bps) / 100
            let now = AuthController.now()
            do {
                let created = try database.write { db -> ProgramStore.Created in
                    let created = try ProgramStore().create(in: db, program, now: now)
                    // The platform admin who started it becomes its first owner, so it appears in their console at once.
                    try db.execute("INSERT OR IGNORE INTO memberships (user_id, role, program_id, created_at) VALUES (?, 'program_owner', ?, ?)",
                                   [principal.user.id, created.id, now])
                    let actor = AuditLog.Actor(userID: principal.user.id, email: principal.user.email, addressHash: nil)
                    try AuditLog().record(in: db, programID: created.id, actor: actor, action: "program.create", subjectType: "program",
                                          subjectID: created.id, details: "\(program.name) (\(program.slug), \(program.currency))", now: now)
                    return created
                }
                var response = try page(context, form: [:], errors: [:], created: created)
                response.status = .created
                return response
            } catch let invalid as NewProgram.Invalid {
                return try page(context, form: form, errors: [invalid.field: ["The \(invalid.field.replacingOccurrences(of: "-", with: " ")) \(invalid.message)."]],
                                created: nil, status: .unprocessableContent)
            } catch ProgramStore.Failure.slugTaken(let slug) {
                return try page(context, form: form, errors: ["slug": ["The address /apply/\(slug) is taken: choose another slug."]], created: nil,
                                status: .unprocessableContent)
            }
        }
    }

    private func page(_ context: RequestContext, form: [String: String], errors: [String: [String]], created: ProgramStore.Created?,
                      status: HTTPStatus = .ok) throws -> Response {
        guard let principal = context.webSession.principal, principal.isProgramStaff else { throw HTTPError(.forbidden) }
        let isPlatformAdmin = principal.may(.manageInstallation)
        let ids = principal.memberships.filter { $0.role.isProgramStaff }.compactMap(\.programID)
        let programs = try database.read { db in
            try db.query("SELECT id, name, slug, currency FROM programs ORDER BY name COLLATE NOCASE").compactMap { row -> [String: Any]? in
                let id: Int64 = try row["id"]
                guard isPlatformAdmin || ids.contains(id) else { return nil }
                return ["id": id, "name": try row["name"] as String, "slug": try row["slug"] as String, "currency": try row["currency"] as String]
            }
        }
        func value(_ name: String, _ fallback: String) -> String { form[name] ?? fallback }
        func field(_ name: String, _ label: String, _ fallback: String, key: String? = nil, help: String? = nil) -> [String: Any] {
            FormFields.input(name, label, value: value(name, fallback), help: help, errors: errors[key ?? name].map { [name: $0] } ?? [:])
        }
        var values: [String: Any] = [
            "programs": programs, "canCreate": isPlatformAdmin, "hasErrors": !errors.isEmpty,
            "fields": [
                field("name", "Program name", ""),
                field("slug", "Slug (the application form's address)", "", help: "2 to 40 lower-case letters, digits or hyphens: /apply/{slug}."),
                field("currency", "Currency (ISO 4217)", "USD"),
                field("commission_percent", "Default commission (%)", "20", key: "commission-percent"),
            ],
        ]
        if let created {
            values["createdKey"] = created.secretKey
            values["createdID"] = created.id
        }
        var response = try templates.page("admin/programs", PageChrome(context: context, currentPath: "/admin/programs").merged(with: values))
        response.status = status
        return response
    }
}
