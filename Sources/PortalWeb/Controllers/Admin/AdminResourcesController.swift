import Foundation
import HTTPServer
import PortalCore
import Store

/// `/admin/resources`: the program's resource library — list (by type and campaign, with schedule, group, files and
/// usage), new and edit forms (Markdown pages, content templates with merge fields), file uploads checked from their
/// bytes (`ResourceUpload`), archive, usage per asset and per partner — and `/admin/resources/terms`, the versioned
/// program terms. Reading needs `.viewProgram` (the `/admin` group); changing resources needs `.manageResources`
/// (owners and managers), publishing terms `.manageProgramSettings` (owners). A resource or partner of another program
/// is `404`. Every change is audited in the transaction that makes it.
struct AdminResourcesController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let addressSecret: [UInt8]
    let store = ResourceStore()
    let terms = TermsStore()
    static let audit = AuditLog()

    func register(on admin: RouterGroup) {
        let form = RouteOptions(maxBodySize: 256 * 1024)
        // The original and two variants of at most 10 MB each, with the multipart framing.
        let upload = RouteOptions(maxBodySize: Int64(3 * ResourceUpload.maximumBytes + 512 * 1024))
        admin.get("/resources") { request, context in
            let admin = try resolve(request, context)
            return try listPage(request, context, admin: admin)
        }
        admin.get("/resources/new") { request, context in
            let admin = try resolve(request, context)
            try admin.require(.manageResources)
            var fresh = ResourceForm()
            fresh.kind = ResourceKind(rawValue: request.queryParameters["kind"] ?? "")?.rawValue ?? ResourceKind.creative.rawValue
            return try formPage(context, admin: admin, resource: nil, form: fresh, errors: [:], notice: nil)
        }
        admin.post("/resources", options: form) { request, context in
            let admin = try resolve(request, context)
            try admin.require(.manageResources)
            let submitted = ResourceForm(fields: try FormBody.parse(request).firstValues)
            let groups = try database.read { db in try Self.groups(in: db, programID: admin.programID) }
            switch submitted.validate(groups: groups) {
            case .failure(let errors):
                return try formPage(context, admin: admin, resource: nil, form: submitted, errors: errors.fields, notice: nil,
                                    status: .unprocessableContent)
            case .success(let new):
                let now = Int64(Date().timeIntervalSince1970)
                let created = try database.write { db -> Resource in
                    let created = try store.create(in: db, programID: admin.programID, new, now: now)
                    try Self.audit.record(in: db, programID: admin.programID, actor: admin.actor, action: "resource.create",
                                          subjectType: "resource", subjectID: created.id,
                                          details: "\(created.kind.singular): \(created.title)", now: now)
                    return created
                }
                return .redirect(to: "/admin/resources/\(created.id)?program=\(admin.programID)&done=created", status: .seeOther)
            }
        }
        admin.get("/resources/terms") { request, context in
            let admin = try resolve(request, context)
            let notice = request.queryParameters["done"] == "published" ? "New terms published. Partners are asked to accept them." : nil
            return try termsPage(context, admin: admin, body: nil, errors: [:], notice: notice)
        }
        admin.post("/resources/terms", options: form) { request, context in
            let admin = try resolve(request, context)
            try admin.require(.manageProgramSettings)
            let body = try FormBody.parse(request)["body"] ?? ""
            let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
            var errors: [String: [String]] = [:]
            if text.isEmpty { errors["body", default: []].append("Write the terms.") }
            if text.count > ResourceForm.bodyLimit { errors["body", default: []].append("Keep the terms under 100,000 characters.") }
            let current = try database.read { db in try terms.current(in: db, programID: admin.programID) }
            if let current, current.bodyMarkdown == text { errors["body", default: []].append("This is the current version: change the text to publish a new one.") }
            guard errors.isEmpty else {
                return try termsPage(context, admin: admin, body: body, errors: errors, notice: nil, status: .unprocessableContent)
            }
            let now = Int64(Date().timeIntervalSince1970)
            try database.write { db in
                let version = try terms.publish(in: db, programID: admin.programID, bodyMarkdown: text, now: now)
                try Self.audit.record(in: db, programID: admin.programID, actor: admin.actor, action: "terms.publish",
                                      subjectType: "terms_version", subjectID: version.id, details: "version \(version.version)", now: now)
            }
            return .redirect(to: "/admin/resources/terms?program=\(admin.programID)&done=published", status: .seeOther)
        }
        admin.get("/resources/partners/{partner}") { request, context in
            let admin = try resolve(request, context)
            return try partnerPage(context, admin: admin)
        }
        admin.get("/resources/{id}") { request, context in
            let admin = try resolve(request, context)
            let (resource, archived) = try find(context, admin: admin)
            let notice: String? = switch request.queryParameters["done"] {
            case "created": "Resource created. Add its files below."
            case "saved": "Saved."
            case "archived": "Archived: partners no longer see it. Its usage figures are kept."
            default: nil
            }
            return try formPage(context, admin: admin, resource: resource, archived: archived, form: ResourceForm(resource), errors: [:],
                                notice: notice, uploaded: request.queryParameters["done"] == "uploaded")
        }
        admin.post("/resources/{id}", options: form) { request, context in
            let admin = try resolve(request, context)
            try admin.require(.manageResources)
            let (resource, archived) = try find(context, admin: admin)
            let submitted = ResourceForm(fields: try FormBody.parse(request).firstValues)
            let groups = try database.read { db in try Self.groups(in: db, programID: admin.programID) }
            switch submitted.validate(groups: groups) {
            case .failure(let errors):
                return try formPage(context, admin: admin, resource: resource, archived: archived, form: submitted, errors: errors.fields,
                                    notice: nil, status: .unprocessableContent)
            case .success(let new):
                let now = Int64(Date().timeIntervalSince1970)
                let changes = Self.changes(from: ResourceForm(resource), to: submitted)
                try database.write { db in
                    guard try store.update(in: db, id: resource.id, programID: admin.programID, new) else { throw HTTPError(.notFound, "Not found") }
                    try Self.audit.record(in: db, programID: admin.programID, actor: admin.actor, action: "resource.update",
                                          subjectType: "resource", subjectID: resource.id,
                                          details: changes.isEmpty ? "no changes" : changes.joined(separator: ", "), now: now)
                }
                return .redirect(to: "/admin/resources/\(resource.id)?program=\(admin.programID)&done=saved", status: .seeOther)
            }
        }
        admin.post("/resources/{id}/files", options: upload) { request, context in
            let admin = try resolve(request, context)
            try admin.require(.manageResources)
            let (resource, archived) = try find(context, admin: admin)
            let form = try MultipartBody.form(context)
            func fail(_ errors: [String: [String]]) throws -> Response {
                try formPage(context, admin: admin, resource: resource, archived: archived, form: ResourceForm(resource), errors: errors,
                             notice: nil, status: .unprocessableContent)
            }
            // Callers check `size` first: the multipart decoder allows larger files than we keep, never read them whole.
            func bytes(_ file: UploadedFile) throws -> [UInt8] { try Array(Data(contentsOf: URL(fileURLWithPath: file.path))) }
            var files: [NewResourceFile] = []
            var errors: [String: [String]] = [:]
            var originalWidth = resource.file(.original)?.width
            var summary: [String] = []
            if let original = form.file("file") {
                if original.size > Int64(ResourceUpload.maximumBytes) {
                    errors["file", default: []].append("The file is larger than \(ResourceUpload.maximumBytes / (1024 * 1024)) MB.")
                } else {
                    switch ResourceUpload.check(try bytes(original), fileName: original.filename) {
                    case .failure(let refusal): errors["file", default: []].append(refusal.message)
                    case .success(let checked):
                        files.append(checked.newFile(.original))
                        files.append(contentsOf: ResourceUpload.variants(of: checked))
                        originalWidth = checked.width
                        summary.append("original \(checked.fileName) (\(checked.type.rawValue.uppercased())\(checked.width.map { ", \($0)×\(checked.height ?? 0)" } ?? ""), \(checked.data.count) bytes)")
                    }
                }
            }
            for variant in [ResourceFileVariant.thumbnail, .mobile] {
                guard let upload = form.file(variant.rawValue) else { continue }
                if upload.size > Int64(ResourceUpload.maximumBytes) {
                    errors[variant.rawValue, default: []].append("The file is larger than \(ResourceUpload.maximumBytes / (1024 * 1024)) MB.")
                    continue
                }
                switch ResourceUpload.checkVariant(try bytes(upload), fileName: upload.filename, variant: variant, originalWidth: originalWidth) {
                case .failure(let refusal): errors[variant.rawValue, default: []].append(refusal.message)
                case .success(let checked):
                    files.removeAll { $0.variant == variant }
                    files.append(checked.newFile(variant))
                    summary.append("\(variant.rawValue) \(checked.width ?? 0)×\(checked.height ?? 0)")
                }
            }
            if errors.isEmpty, files.isEmpty { errors["file", default: []].append("Choose a file to upload.") }
            if errors.isEmpty, resource.file(.original) == nil, !files.contains(where: { $0.variant == .original }) {
                errors["file", default: []].append("Upload the original file first.")
            }
            guard errors.isEmpty else { return try fail(errors) }
            let now = Int64(Date().timeIntervalSince1970)
            try database.write { db in
                try store.storeFiles(in: db, resourceID: resource.id, programID: admin.programID, files, now: now)
                try Self.audit.record(in: db, programID: admin.programID, actor: admin.actor, action: "resource.upload",
                                      subjectType: "resource", subjectID: resource.id, details: summary.joined(separator: "; "), now: now)
            }
            return .redirect(to: "/admin/resources/\(resource.id)?program=\(admin.programID)&done=uploaded#files", status: .seeOther)
        }
        admin.post("/resources/{id}/archive", options: RouteOptions(maxBodySize: 4 * 1024)) { request, context in
            let admin = try resolve(request, context)
            try admin.require(.manageResources)
            let (resource, archived) = try find(context, admin: admin)
            _ = try FormBody.parse(request)
            if !archived {
                let now = Int64(Date().timeIntervalSince1970)
                try database.write { db in
                    try store.archive(in: db, id: resource.id, programID: admin.programID, now: now)
                    try Self.audit.record(in: db, programID: admin.programID, actor: admin.actor, action: "resource.archive",
                                          subjectType: "resource", subjectID: resource.id, details: resource.title, now: now)
                }
            }
            return .redirect(to: "/admin/resources/\(resource.id)?program=\(admin.programID)&done=archived", status: .seeOther)
        }
        admin.get("/resources/{id}/usage") { request, context in
            let admin = try resolve(request, context)
            let (resource, _) = try find(context, admin: admin)
            return try usagePage(context, admin: admin, resource: resource)
        }
        admin.get("/resources/{id}/files/{file}") { request, context in
            let admin = try resolve(request, context)
            let (resource, _) = try find(context, admin: admin)
            guard let fileID = Int64(try context.parameters.require("file")),
                  let found = try database.read({ db in try store.adminFile(in: db, id: fileID, resourceID: resource.id, programID: admin.programID) })
            else { throw HTTPError(.notFound, "Not found") }
            let inline = PartnerResourcesController.inlineTypes.contains(found.file.contentType)
            return PartnerResourcesController.fileResponse(found, attachment: !inline, cache: "private, no-cache")
        }
    }

    // MARK: - Helpers

    private func resolve(_ request: Request, _ context: RequestContext) throws -> AdminContext {
        try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
    }

    private func find(_ context: RequestContext, admin: AdminContext) throws -> (Resource, Bool) {
        guard let id = Int64(try context.parameters.require("id")), id > 0,
              let found = try database.read({ db in try store.adminResource(in: db, id: id, programID: admin.programID) })
        else { throw HTTPError(.notFound, "Not found") }
        return (found.resource, found.archived)
    }

    static func groups(in db: Database, programID: Int64) throws -> [String] {
        try PartnerStore.groupNames(in: db, programID: programID)
    }

    /// The fields that changed, for the audit entry (names only for the long texts).
    static func changes(from old: ResourceForm, to new: ResourceForm) -> [String] {
        var changes: [String] = []
        let pairs: [(String, String, String)] = [
            ("kind", old.kind, new.kind), ("title", old.title, new.title), ("campaign", old.campaign, new.campaign),
            ("channel", old.channel, new.channel), ("group", old.group, new.group), ("starts", old.startsOn, new.startsOn),
            ("ends", old.endsOn, new.endsOn), ("position", old.position, new.position),
        ]
        for (name, before, after) in pairs where before != after {
            changes.append("\(name): \(before.isEmpty ? "–" : before) → \(after.isEmpty ? "–" : after)")
        }
        if old.description != new.description { changes.append("description") }
        if old.body != new.body { changes.append("body") }
        return changes
    }

    static func schedule(_ resource: Resource) -> String {
        switch (resource.startsAt, resource.endsAt) {
        case (nil, nil): "Always"
        case (let starts?, nil): "From \(ResourceForm.date(starts))"
        case (nil, let ends?): "Until \(ResourceForm.date(ends - 86_400))"
        case (let starts?, let ends?): "\(ResourceForm.date(starts)) to \(ResourceForm.date(ends - 86_400))"
        }
    }

    static func kindOptions(selected: String, any: Bool) -> [[String: Any]] {
        var choices: [(value: String, label: String)] = any ? [("", "All types")] : []
        choices += ResourceKind.allCases.map { ($0.rawValue, $0.singular) }
        return FormFields.options(choices, selected: selected)
    }

    private func chrome(_ context: RequestContext) -> PageChrome { PageChrome(context: context, currentPath: "/admin/resources") }

    // MARK: - Pages

    private func listPage(_ request: Request, _ context: RequestContext, admin: AdminContext) throws -> Response {
        let kind = ResourceKind(rawValue: request.queryParameters["kind"] ?? "")
        let campaign = request.queryParameters["campaign"].flatMap { $0.isEmpty ? nil : $0 }
        let archived = request.queryParameters["archived"] == "1"
        let (rows, campaigns, partners) = try database.read { db in
            (try store.adminList(in: db, programID: admin.programID, kind: kind, campaign: campaign, archived: archived),
             try store.adminCampaigns(in: db, programID: admin.programID),
             try db.query("SELECT id, name FROM partners WHERE program_id = ? ORDER BY name, id LIMIT 500", [admin.programID]))
        }
        let programID = admin.programID
        let resourceValues: [[String: Any]] = rows.map { row in
            let resource = row.resource
            var value: [String: Any] = [
                "id": resource.id, "title": resource.title, "kind": resource.kind.singular, "campaign": resource.campaign,
                "hasCampaign": !resource.campaign.isEmpty, "schedule": Self.schedule(resource),
                "group": resource.groupName ?? "Everyone", "files": resource.files.count, "downloads": row.downloads, "reads": row.reads,
            ]
            if let preview = resource.preview, PartnerResourcesController.inlineTypes.contains(preview.contentType) {
                value["previewURL"] = "/admin/resources/\(resource.id)/files/\(preview.id)?program=\(programID)"
                value["hasPreview"] = true
            }
            return value
        }
        let campaignOptions = FormFields.options([("", "All campaigns")] + campaigns.map { ($0, $0) }, selected: campaign ?? "")
        let partnerOptions: [[String: Any]] = try partners.map { row in ["id": try row["id"] as Int64, "name": try row["name"] as String] }
        let values: [String: Any] = [
            "programName": admin.programName, "programID": programID, "canEdit": admin.may(.manageResources),
            "resources": resourceValues, "hasResources": !rows.isEmpty, "kinds": Self.kindOptions(selected: kind?.rawValue ?? "", any: true),
            "campaigns": campaignOptions, "archived": archived, "partners": partnerOptions, "hasPartners": !partners.isEmpty,
            "filtered": kind != nil || campaign != nil,
        ]
        return try templates.page("admin/resources", chrome(context).merged(with: values))
    }

    private func formPage(_ context: RequestContext, admin: AdminContext, resource: Resource?, archived: Bool = false, form: ResourceForm,
                          errors: [String: [String]], notice: String?, uploaded: Bool = false, status: HTTPStatus = .ok) throws -> Response {
        let groups = try database.read { db in try Self.groups(in: db, programID: admin.programID) }
        let programID = admin.programID
        let groupOptions = FormFields.options([("", "Everyone")] + groups.map { ($0, "Group: \($0)") }, selected: form.group)
        let channelOptions = FormFields.options([("", "Any")] + ResourceForm.channels.map { ($0, $0.capitalized) }, selected: form.channel)
        var values: [String: Any] = [
            "programName": admin.programName, "programID": programID, "canEdit": admin.may(.manageResources),
            "isNew": resource == nil, "archived": archived,
            "action": resource.map { "/admin/resources/\($0.id)?program=\(programID)" } ?? "/admin/resources?program=\(programID)",
            "kinds": Self.kindOptions(selected: form.kind, any: false), "title": form.title, "description": form.description,
            "campaign": form.campaign, "channels": channelOptions, "groups": groupOptions, "startsOn": form.startsOn, "endsOn": form.endsOn,
            "body": form.body, "position": form.position,
            "mergeFields": MergeFields.known.map { "[\($0)]" }, "maxMB": ResourceUpload.maximumBytes / (1024 * 1024),
            "hasErrors": !errors.isEmpty, "uploaded": uploaded,
            "hasFileErrors": errors["file"] != nil || errors["thumbnail"] != nil || errors["mobile"] != nil,
        ]
        for field in ["kind", "title", "description", "campaign", "channel", "group", "starts_on", "ends_on", "body", "position", "file",
                      "thumbnail", "mobile"] {
            let key = field.replacingOccurrences(of: "_on", with: "On")
            values[key + "Errors"] = errors[field] ?? []
            values[key + "Invalid"] = errors[field] != nil
        }
        if let resource {
            values["id"] = resource.id
            values["heading"] = resource.title
            let fileValues: [[String: Any]] = resource.files.map { file in
                let url = "/admin/resources/\(resource.id)/files/\(file.id)?program=\(programID)"
                return ["variant": file.variant.rawValue.capitalized, "name": file.fileName, "type": file.contentType,
                        "size": file.sizeText, "dimensions": file.dimensions ?? "–", "url": url,
                        "isImage": PartnerResourcesController.inlineTypes.contains(file.contentType)]
            }
            values["files"] = fileValues
            values["hasFiles"] = !fileValues.isEmpty
            if resource.kind == .template {
                values["templatePreview"] = MergeFields.merge(resource.body, values: [
                    "link": "https://example.com/?ref=PARTNER", "partner_name": "Partner name", "coupon": "PARTNER10",
                    "program_name": admin.programName,
                ])
                values["hasTemplatePreview"] = true
            } else if !resource.body.isEmpty {
                values["bodyPreview"] = SafeMarkdown.html(resource.body)
                values["hasBodyPreview"] = true
            }
        } else {
            values["heading"] = "New resource"
        }
        if let notice { values["notice"] = notice }
        return try templates.page("admin/resource", chrome(context).merged(with: values), status: status)
    }

    private func usagePage(_ context: RequestContext, admin: AdminContext, resource: Resource) throws -> Response {
        let (totals, downloads, reads) = try database.read { db in
            (try store.usageTotals(in: db, resourceID: resource.id), try store.downloadsByPartner(in: db, resourceID: resource.id),
             try store.readsByPartner(in: db, resourceID: resource.id))
        }
        let programID = admin.programID
        func rows(_ usage: [ResourceStore.PartnerUsage], counted: Bool) -> [[String: Any]] {
            usage.map { line in
                ["name": line.partnerName, "count": line.count, "when": MessageTime.format(line.lastAt), "counted": counted,
                 "url": "/admin/resources/partners/\(line.partnerID)?program=\(programID)"]
            }
        }
        let values: [String: Any] = [
            "programName": admin.programName, "programID": programID, "id": resource.id, "title": resource.title,
            "kind": resource.kind.singular, "downloads": totals.downloads, "partners": totals.partners, "reads": totals.reads,
            "downloadRows": rows(downloads, counted: true), "hasDownloads": !downloads.isEmpty,
            "readRows": rows(reads, counted: false), "hasReads": !reads.isEmpty,
        ]
        return try templates.page("admin/resource-usage", chrome(context).merged(with: values))
    }

    private func partnerPage(_ context: RequestContext, admin: AdminContext) throws -> Response {
        guard let partnerID = Int64(try context.parameters.require("partner")) else { throw HTTPError(.notFound, "Not found") }
        let programID = admin.programID
        let found = try database.read { db -> (String, [ResourceStore.ResourceUsage])? in
            guard let name = try db.queryValue("SELECT name FROM partners WHERE id = ? AND program_id = ?", [partnerID, programID],
                                               as: String?.self).flatMap({ $0 }) else { return nil }
            return (name, try store.partnerUsage(in: db, programID: programID, partnerID: partnerID))
        }
        guard let (name, usage) = found else { throw HTTPError(.notFound, "Not found") }
        let rows: [[String: Any]] = usage.map { line in
            ["title": line.title, "kind": line.kind.singular, "downloads": line.downloads,
             "lastDownload": line.lastDownloadAt.map(MessageTime.format) ?? "–", "read": line.readAt.map(MessageTime.format) ?? "–",
             "url": "/admin/resources/\(line.resourceID)/usage?program=\(programID)"]
        }
        let values: [String: Any] = [
            "programName": admin.programName, "programID": programID, "partnerName": name, "partnerID": partnerID,
            "rows": rows, "hasRows": !rows.isEmpty, "downloads": usage.reduce(Int64(0)) { $0 + $1.downloads },
        ]
        return try templates.page("admin/resource-partner", chrome(context).merged(with: values))
    }

    private func termsPage(_ context: RequestContext, admin: AdminContext, body: String?, errors: [String: [String]], notice: String?,
                           status: HTTPStatus = .ok) throws -> Response {
        let programID = admin.programID
        let (versions, partners) = try database.read { db in
            (try terms.versions(in: db, programID: programID),
             try db.queryValue("SELECT count(*) FROM partners WHERE program_id = ? AND status = 'approved'", [programID], as: Int64.self))
        }
        let versionValues: [[String: Any]] = versions.enumerated().map { index, entry in
            ["version": entry.version.version, "published": MessageTime.format(entry.version.publishedAt), "accepted": entry.accepted,
             "isCurrent": index == 0]
        }
        var values: [String: Any] = [
            "programName": admin.programName, "programID": programID, "canPublish": admin.may(.manageProgramSettings),
            "versions": versionValues, "hasVersions": !versions.isEmpty, "approvedPartners": partners ?? 0,
            "body": body ?? versions.first?.version.bodyMarkdown ?? "", "hasErrors": !errors.isEmpty,
            "bodyErrors": errors["body"] ?? [], "bodyInvalid": errors["body"] != nil,
        ]
        if let current = versions.first {
            values["currentHTML"] = SafeMarkdown.html(current.version.bodyMarkdown)
            values["currentVersion"] = current.version.version
            values["hasCurrent"] = true
        }
        if let notice { values["notice"] = notice }
        return try templates.page("admin/terms", chrome(context).merged(with: values), status: status)
    }
}
