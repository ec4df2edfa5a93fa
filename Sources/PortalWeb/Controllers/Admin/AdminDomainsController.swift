import Foundation
import HTTPServer
import PortalCore
import Store

/// `/admin/domains`: the program's custom domains — a host name that shows this program's portal, with the
/// certificate the TLS port presents for it. Everything here needs `.manageProgramSettings` in the resolved
/// program; a domain of another program is "not found". Uploads are checked (`CertificateCheck`) before they are
/// stored; every change is audited in its transaction and then reloaded into the running server.
struct AdminDomainsController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let addressSecret: [UInt8]
    let domains: CustomDomains

    static let audit = AuditLog()

    struct Form {
        var host = ""
        var certificate = ""
        var key = ""
        init() {}
        init(_ form: FormParameters) {
            host = form["host"] ?? ""
            certificate = form["certificate"] ?? ""
            key = form["key"] ?? ""
        }
    }

    func register(on routes: RouterGroup) {
        // A certificate chain and its key are a few kilobytes; 64 KiB leaves room for long chains.
        let upload = RouteOptions(maxBodySize: 64 * 1024)
        routes.get("/domains") { request, context in
            let admin = try resolve(request, context)
            return try page(context, admin: admin, form: Form(), errors: [:], notice: Self.notice(request.queryParameters["done"]))
        }
        routes.post("/domains", options: upload) { request, context in
            let admin = try resolve(request, context)
            let form = Form(try FormBody.parse(request))
            let now = Int64(Date().timeIntervalSince1970)
            do {
                try database.write { db in
                    let domain = try domains.store.add(in: db, programID: admin.programID, host: form.host, certificatePEM: form.certificate,
                                                       keyPEM: form.key, now: now)
                    try Self.audit.record(in: db, programID: admin.programID, actor: admin.actor, action: "domain.add", subjectType: "domain",
                                          subjectID: domain.id, details: "\(domain.host), certificate until \(Self.day(domain.notAfter))", now: now)
                }
            } catch CustomDomainStore.Failure.invalid(let field, let message) {
                return try page(context, admin: admin, form: form, errors: [field: message], notice: nil, status: .unprocessableContent)
            }
            try domains.reload()
            return .redirect(to: "/admin/domains?program=\(admin.programID)&done=added", status: .seeOther)
        }
        routes.post("/domains/{id}/certificate", options: upload) { request, context in
            let admin = try resolve(request, context)
            let id = try Self.domainID(context)
            let form = Form(try FormBody.parse(request))
            let now = Int64(Date().timeIntervalSince1970)
            do {
                let replaced = try database.write { db -> Bool in
                    guard let domain = try domains.store.replaceCertificate(in: db, programID: admin.programID, id: id, certificatePEM: form.certificate,
                                                                            keyPEM: form.key, now: now) else { return false }
                    try Self.audit.record(in: db, programID: admin.programID, actor: admin.actor, action: "domain.replace_certificate",
                                          subjectType: "domain", subjectID: domain.id,
                                          details: "\(domain.host), certificate until \(Self.day(domain.notAfter))", now: now)
                    return true
                }
                guard replaced else { throw HTTPError(.notFound, "Not found") }
            } catch CustomDomainStore.Failure.invalid(_, let message) {
                return try page(context, admin: admin, form: Form(), errors: ["replace-\(id)": message], notice: nil, status: .unprocessableContent)
            }
            try domains.reload()
            return .redirect(to: "/admin/domains?program=\(admin.programID)&done=replaced", status: .seeOther)
        }
        routes.post("/domains/{id}/remove", options: RouteOptions(maxBodySize: 16 * 1024)) { request, context in
            let admin = try resolve(request, context)
            let id = try Self.domainID(context)
            let now = Int64(Date().timeIntervalSince1970)
            let removed = try database.write { db -> Bool in
                guard let domain = try domains.store.remove(in: db, programID: admin.programID, id: id) else { return false }
                try Self.audit.record(in: db, programID: admin.programID, actor: admin.actor, action: "domain.remove", subjectType: "domain",
                                      subjectID: domain.id, details: domain.host, now: now)
                return true
            }
            guard removed else { throw HTTPError(.notFound, "Not found") }
            try domains.reload()
            return .redirect(to: "/admin/domains?program=\(admin.programID)&done=removed", status: .seeOther)
        }
    }

    private func resolve(_ request: Request, _ context: RequestContext) throws -> AdminContext {
        let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
        try admin.require(.manageProgramSettings)
        return admin
    }

    private static func domainID(_ context: RequestContext) throws -> Int64 {
        guard let text = context.parameters["id"], let id = Int64(text), id > 0 else { throw HTTPError(.notFound, "Not found") }
        return id
    }

    private static func notice(_ done: String?) -> String? {
        switch done {
        case "added": "Domain added. Point its DNS at this server; the certificate is served from now on."
        case "replaced": "Certificate replaced. New connections get it at once."
        case "removed": "Domain removed."
        default: nil
        }
    }

    private func page(_ context: RequestContext, admin: AdminContext, form: Form, errors: [String: String], notice: String?,
                      status: HTTPStatus = .ok) throws -> Response {
        let rows = try database.read { db in try domains.store.domains(in: db, programID: admin.programID) }
        let now = Int64(Date().timeIntervalSince1970)
        let items: [[String: Any]] = rows.map { domain in
            let days = (domain.notAfter - now) / 86_400
            let replaceError = errors["replace-\(domain.id)"]
            let item: [String: Any] = [
                "id": domain.id, "host": domain.host, "expires": Self.day(domain.notAfter),
                "remaining": domain.notAfter < now ? "expired" : (days == 0 ? "expires today" : "\(days) days left"),
                "expiringSoon": domain.notAfter - now < 30 * 86_400,
                "hasReplaceError": replaceError != nil, "replaceError": replaceError ?? "",
            ]
            return item
        }
        var values: [String: Any] = [
            "programName": admin.programName, "programID": admin.programID, "domains": items, "hasDomains": !items.isEmpty,
            "host": form.host, "certificate": form.certificate,
            "hasErrors": !errors.isEmpty, "tlsEnabled": domains.certificates != nil,
        ]
        for field in ["host", "certificate", "key"] {
            values["\(field)Invalid"] = errors[field] != nil
            values["\(field)Error"] = errors[field] ?? ""
        }
        if let notice { values["hasNotice"] = true; values["notice"] = notice }
        return try templates.page("admin/domains", PageChrome(context: context, currentPath: "/admin/domains").merged(with: values), status: status)
    }

    static func day(_ seconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMM yyyy"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
