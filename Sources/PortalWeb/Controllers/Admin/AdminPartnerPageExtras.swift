import HTTPServer
import PortalCore
import Store

/// The partner page's staff-only sections beyond the figures: internal notes, the group and parent, and the
/// sub-affiliate tree, with the forms that change them (`AdminPartnerNotesController`, `AdminPartnerGroupController`).
enum AdminPartnerPageExtras {
    static func values(in db: Database, admin: AdminContext, partnerID: Int64) throws -> [String: Any] {
        let notes = try PartnerNotes().notes(in: db, programID: admin.programID, partnerID: partnerID)
        let tree = try PartnerTree.load(in: db, programID: admin.programID, partnerID: partnerID)
        let row = try db.queryOne("SELECT group_name, parent_partner_id FROM partners WHERE id = ? AND program_id = ?", [partnerID, admin.programID])
        let groups = try PartnerStore.groupNames(in: db, programID: admin.programID, limit: 200).map { ["value": $0] }
        let parentID: Int64? = try row?["parent_partner_id"]
        func link(_ node: PartnerTree.Node) -> [String: Any] {
            ["name": node.name, "url": "/admin/partners/\(node.id)?program=\(admin.programID)", "status": node.status,
             "indent": max(0, node.depth - 1), "id": node.id]
        }
        var values: [String: Any] = [
            "notes": notes.map { ["author": $0.authorEmail, "when": MessageTime.format($0.createdAt), "body": $0.body] },
            "hasNotes": !notes.isEmpty, "canWriteNotes": admin.may(.managePartners), "canPlace": admin.may(.managePartners),
            "notesAction": "/admin/partners/\(partnerID)/notes?program=\(admin.programID)",
            "groupAction": "/admin/partners/\(partnerID)/group?program=\(admin.programID)",
            "currentGroup": (try row?["group_name"] as String?) ?? "", "currentParent": parentID.map(String.init) ?? "",
            "knownGroups": groups, "parents": tree.parents.reversed().map(link), "hasParents": !tree.parents.isEmpty,
            "descendants": tree.descendants.map(link), "hasDescendants": !tree.descendants.isEmpty, "treeTruncated": tree.truncated,
        ]
        values["descendantCount"] = tree.descendants.count
        return values
    }
}

/// `POST /admin/partners/{id}/notes`: an internal note (managers and owners), audited.
struct AdminPartnerNotesController {
    let database: DatabasePool
    let addressSecret: [UInt8]

    func register(on routes: RouterGroup) {
        routes.post("/partners/{id}/notes", options: RouteOptions(maxBodySize: 32 * 1024)) { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.managePartners)
            let form = try FormBody.parse(request)
            guard let id = Int64(try context.parameters.require("id")) else { throw HTTPError(.notFound, "Not found") }
            let body = form["body"] ?? ""
            if let problem = PartnerNotes.problem(body) { throw HTTPError(.unprocessableContent, problem) }
            let now = AuthController.now()
            try database.write { db in
                guard try db.queryOne("SELECT 1 FROM partners WHERE id = ? AND program_id = ?", [id, admin.programID]) != nil else {
                    throw HTTPError(.notFound, "Not found")
                }
                let noteID = try PartnerNotes().add(in: db, programID: admin.programID, partnerID: id, authorUserID: admin.actor.userID,
                                                    authorEmail: admin.actor.email, body: body, now: now)
                try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "partner.note", subjectType: "partner",
                                      subjectID: id, details: "note #\(noteID)", now: now)
            }
            return .redirect(to: "/admin/partners/\(id)?program=\(admin.programID)#notes", status: .seeOther)
        }
    }
}

/// `POST /admin/partners/{id}/group`: the partner's group (tier) and parent in the sub-affiliate tree, validated by
/// `PartnerStore.update` (no cycles, same program), audited with the old and new values.
struct AdminPartnerGroupController {
    let database: DatabasePool
    let addressSecret: [UInt8]
    let vault: PayoutDetailsVault

    func register(on routes: RouterGroup) {
        routes.post("/partners/{id}/group", options: RouteOptions(maxBodySize: 8 * 1024)) { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.managePartners)
            let form = try FormBody.parse(request)
            guard let id = Int64(try context.parameters.require("id")) else { throw HTTPError(.notFound, "Not found") }
            var changes = PartnerChanges()
            changes.group = (form["group"] ?? "").trimmingCharacters(in: .whitespaces)
            let parentText = (form["parent"] ?? "").trimmingCharacters(in: .whitespaces)
            if parentText.isEmpty {
                changes.parentPartnerID = .some(nil)
            } else if let parent = Int64(parentText), parent > 0 {
                changes.parentPartnerID = .some(parent)
            } else {
                throw HTTPError(.unprocessableContent, "Enter the parent partner's number, or leave it empty.")
            }
            let now = AuthController.now()
            let store = PartnerStore(vault: vault)
            do {
                try database.write { db in
                    guard let before = try store.partner(in: db, programID: admin.programID, id: id) else { throw PartnerStore.Failure.notFound }
                    let after = try store.update(in: db, programID: admin.programID, id: id, changes)
                    var lines: [String] = []
                    if before.group != after.group { lines.append("group: \(before.group.isEmpty ? "—" : before.group) → \(after.group.isEmpty ? "—" : after.group)") }
                    if before.parentPartnerID != after.parentPartnerID {
                        lines.append("parent: \(before.parentPartnerID.map { "#\($0)" } ?? "—") → \(after.parentPartnerID.map { "#\($0)" } ?? "—")")
                    }
                    guard !lines.isEmpty else { return }
                    try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "partner.placement", subjectType: "partner",
                                          subjectID: id, details: lines.joined(separator: "; "), now: now)
                }
            } catch PartnerStore.Failure.notFound {
                throw HTTPError(.notFound, "Not found")
            } catch PartnerStore.Failure.invalid(let errors) {
                let text = errors.sorted { $0.key < $1.key }.map { "\($0.key.replacingOccurrences(of: "_", with: " ").capitalized) \($0.value.joined(separator: ", "))." }
                throw HTTPError(.unprocessableContent, text.joined(separator: " "))
            }
            return .redirect(to: "/admin/partners/\(id)?program=\(admin.programID)#placement", status: .seeOther)
        }
    }
}
