import Foundation
import Store

/// Partners in SQLite, always scoped to a program: a partner id of another program is "not found".
public struct PartnerStore: Sendable {
    let vault: PayoutDetailsVault

    public init(vault: PayoutDetailsVault) {
        self.vault = vault
    }

    public enum Failure: Error, Equatable {
        case notFound
        case invalid([String: [String]])
    }

    static let columns = """
        id, program_id, email, name, company, website, status, status_reason, group_name, parent_partner_id, payout_method,
        payout_threshold, created_at
        """

    public func partner(in db: Database, programID: Int64, id: Int64) throws -> Partner? {
        try db.queryOne("SELECT \(Self.columns) FROM partners WHERE id = ? AND program_id = ?", [id, programID]).map(Self.partner)
    }

    /// Newest first; `before` is the last id of the previous page.
    public func partners(in db: Database, programID: Int64, status: PartnerStatus?, before: Int64?, limit: Int) throws -> [Partner] {
        try db.query("""
            SELECT \(Self.columns) FROM partners
            WHERE program_id = ?1 AND (?2 IS NULL OR status = ?2) AND id < ?3 ORDER BY id DESC LIMIT ?4
            """, [programID, status?.rawValue, before ?? Int64.max, limit]).map(Self.partner)
    }

    public func create(in db: Database, programID: Int64, _ changes: PartnerChanges, status: PartnerStatus, now: Int64) throws -> Partner {
        var errors = changes.problems(creating: true)
        if status != .pending && status != .approved { errors["status", default: []].append("must be pending or approved") }
        if let email = changes.email.flatMap(AccountStore.normalizedEmail),
           try db.queryOne("SELECT 1 FROM partners WHERE program_id = ? AND email = ?", [programID, email]) != nil {
            errors["email", default: []].append("is already a partner of this program")
        }
        if case .some(.some(let parent)) = changes.parentPartnerID,
           try db.queryOne("SELECT 1 FROM partners WHERE id = ? AND program_id = ?", [parent, programID]) == nil {
            errors["parent_partner_id", default: []].append("is not a partner of this program")
        }
        guard errors.isEmpty, let email = changes.email.flatMap(AccountStore.normalizedEmail), let name = changes.name else {
            throw Failure.invalid(errors)
        }
        try db.execute("""
            INSERT INTO partners (program_id, name, email, status, created_at, company, website, group_name, parent_partner_id, payout_threshold)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [programID, name.trimmingCharacters(in: .whitespaces), email, status.rawValue, now, changes.company ?? "",
                  changes.website ?? "", changes.group ?? "", changes.parentPartnerID ?? nil, changes.payoutThreshold ?? 0])
        let id = db.lastInsertRowID
        if let payout = changes.payout { try setPayout(in: db, partnerID: id, payout) }
        guard let partner = try partner(in: db, programID: programID, id: id) else { throw Failure.notFound }
        try WebhookEvents.partnerCreated(in: db, programID: programID, partner, now: now)
        return partner
    }

    public func update(in db: Database, programID: Int64, id: Int64, _ changes: PartnerChanges) throws -> Partner {
        guard var partner = try partner(in: db, programID: programID, id: id) else { throw Failure.notFound }
        var errors = changes.problems(creating: false)
        if let email = changes.email.flatMap(AccountStore.normalizedEmail),
           try db.queryOne("SELECT 1 FROM partners WHERE program_id = ? AND email = ? AND id <> ?", [programID, email, id]) != nil {
            errors["email", default: []].append("is already a partner of this program")
        }
        if case .some(.some(let parent)) = changes.parentPartnerID {
            if try db.queryOne("SELECT 1 FROM partners WHERE id = ? AND program_id = ?", [parent, programID]) == nil {
                errors["parent_partner_id", default: []].append("is not a partner of this program")
            } else if try ancestors(in: db, of: parent, limit: 1000).contains(id) || parent == id {
                errors["parent_partner_id", default: []].append("would make the partner its own ancestor")
            }
        }
        guard errors.isEmpty else { throw Failure.invalid(errors) }
        if let email = changes.email.flatMap(AccountStore.normalizedEmail) { partner.email = email }
        if let name = changes.name { partner.name = name.trimmingCharacters(in: .whitespaces) }
        if let company = changes.company { partner.company = company }
        if let website = changes.website { partner.website = website }
        if let group = changes.group { partner.group = group }
        if let parent = changes.parentPartnerID { partner.parentPartnerID = parent }
        if let threshold = changes.payoutThreshold { partner.payoutThreshold = threshold }
        try db.execute("""
            UPDATE partners SET email = ?, name = ?, company = ?, website = ?, group_name = ?, parent_partner_id = ?, payout_threshold = ?
            WHERE id = ?
            """, [partner.email, partner.name, partner.company, partner.website, partner.group, partner.parentPartnerID,
                  partner.payoutThreshold, id])
        if let payout = changes.payout { try setPayout(in: db, partnerID: id, payout) }
        return try self.partner(in: db, programID: programID, id: id) ?? partner
    }

    /// Approve (also reinstates a suspended or rejected partner), reject or suspend, with the reason e-mailed to
    /// the partner through the outbox in the same transaction.
    public func transition(in db: Database, programID: Int64, id: Int64, to status: PartnerStatus, reason: String, now: Int64) throws -> Partner {
        guard let partner = try partner(in: db, programID: programID, id: id) else { throw Failure.notFound }
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if let problem = PartnerTransition.problem(from: partner.status, to: status, reason: trimmed) {
            throw Failure.invalid([problem.field: [problem.message]])
        }
        try db.execute("UPDATE partners SET status = ?, status_reason = ? WHERE id = ?", [status.rawValue, trimmed, id])
        // The first approval dates the partner's cohort (admin analytics); a reinstatement keeps it.
        if status == .approved { try db.execute("UPDATE partners SET approved_at = ? WHERE id = ? AND approved_at IS NULL", [now, id]) }
        let program: String = try db.queryValue("SELECT name FROM programs WHERE id = ?", [programID], as: String.self) ?? ""
        let (subject, body) = PartnerTransition.email(program: program, name: partner.name, to: status, reason: trimmed)
        try Outbox.enqueue(in: db, to: partner.email, subject: subject, body: body, now: now)
        let changed = try self.partner(in: db, programID: programID, id: id) ?? partner
        // partner.approved / partner.rejected / partner.suspended (CONTRACTS.md, Webhooks).
        if status != .pending {
            let data: [String: any Sendable] = ["id": id, "email": changed.email, "name": changed.name, "status": status.rawValue, "reason": trimmed]
            try WebhookEvents.enqueue(in: db, programID: programID, partnerID: id, type: "partner.\(status.rawValue)", data: data, now: now)
        }
        return changed
    }

    public func setPayout(in db: Database, partnerID: Int64, _ details: PayoutDetails) throws {
        try db.execute("UPDATE partners SET payout_method = ?, payout_details_sealed = ? WHERE id = ?",
                       [details.method.rawValue, try vault.seal(details, partnerID: partnerID), partnerID])
    }

    public func payoutDetails(in db: Database, partnerID: Int64) throws -> PayoutDetails? {
        guard let sealed = try db.queryValue("SELECT payout_details_sealed FROM partners WHERE id = ?", [partnerID], as: String?.self) ?? nil else {
            return nil
        }
        return try vault.open(sealed, partnerID: partnerID)
    }

    /// Parent, grandparent, … nearest first, at most `limit`, stopping at a cycle.
    /// The partner groups in use in a program (`partners.group_name`), sorted, at most `limit`: the one query behind
    /// every group picker (rules, announcements, resources, invitations, the partner list and page). Pickers pass a
    /// limit; checks that a typed group exists read them all (nil).
    public static func groupNames(in db: Database, programID: Int64, limit: Int? = nil) throws -> [String] {
        try db.query("SELECT DISTINCT group_name FROM partners WHERE program_id = ? AND group_name <> '' ORDER BY group_name LIMIT ?",
                     [programID, Int64(limit ?? -1)]).map { try $0["group_name"] }
    }

    public func ancestors(in db: Database, of partnerID: Int64, limit: Int) throws -> [Int64] {
        var chain: [Int64] = []
        var current = partnerID
        while chain.count < limit,
              let parent = try db.queryValue("SELECT parent_partner_id FROM partners WHERE id = ?", [current], as: Int64?.self) ?? nil,
              !chain.contains(parent), parent != partnerID {
            chain.append(parent)
            current = parent
        }
        return chain
    }

    static func partner(_ row: Row) throws -> Partner {
        Partner(id: try row["id"], programID: try row["program_id"], email: try row["email"], name: try row["name"],
                company: try row["company"], website: try row["website"],
                status: PartnerStatus(rawValue: try row["status"]) ?? .pending, statusReason: try row["status_reason"],
                group: try row["group_name"], parentPartnerID: try row["parent_partner_id"],
                payoutMethod: (try row["payout_method"] as String?).flatMap(PayoutMethod.init), payoutThreshold: try row["payout_threshold"],
                createdAt: try row["created_at"])
    }
}
