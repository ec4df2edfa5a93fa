import Foundation
import Store

/// Tracking links in SQLite, always scoped to a program and a partner.
public struct LinkStore: Sendable {
    public init() {}

    public struct Link: Sendable, Equatable {
        public let id: Int64
        public let partnerID: Int64
        public let code: String
        public let destinationURL: String
        public let campaign: String
    }

    public enum Failure: Error, Equatable {
        /// Field → messages for the API's `422`.
        case invalid([String: [String]])
        case partnerNotFound
    }

    /// Creates a link for `partnerID` in `programID` after checking the program's destination rules.
    public func create(in db: Database, programID: Int64, partnerID: Int64, _ request: NewLink, now: Int64) throws -> Link {
        guard try db.queryOne("SELECT 1 FROM partners WHERE id = ? AND program_id = ?", [partnerID, programID]) != nil else {
            throw Failure.partnerNotFound
        }
        guard let program = try db.queryOne("SELECT default_url, allowed_domains FROM programs WHERE id = ?", [programID]) else {
            throw Failure.partnerNotFound
        }
        let defaultURL: String = try program["default_url"]
        let domains = (try program["allowed_domains"] as String).split(separator: " ").map(String.init)
        var errors = request.problems(defaultURL: defaultURL, allowedDomains: domains)
        if let code = request.code, errors["code"] == nil, try db.queryOne("SELECT 1 FROM links WHERE code = ?", [code]) != nil {
            errors["code", default: []].append("is already taken")
        }
        guard errors.isEmpty else { throw Failure.invalid(errors) }
        var code = request.code ?? ""
        if request.code == nil {
            // Random codes collide rarely; try a few before giving up.
            for _ in 0..<5 {
                code = try NewLink.randomCode()
                if try db.queryOne("SELECT 1 FROM links WHERE code = ?", [code]) == nil { break }
            }
        }
        let destination = request.destinationURL ?? defaultURL
        let campaign = request.campaign ?? ""
        try db.execute("""
            INSERT INTO links (program_id, partner_id, code, destination_url, campaign, created_at) VALUES (?, ?, ?, ?, ?, ?)
            """, [programID, partnerID, code, destination, campaign, now])
        let link = Link(id: db.lastInsertRowID, partnerID: partnerID, code: code, destinationURL: destination, campaign: campaign)
        try WebhookEvents.linkCreated(in: db, programID: programID, link, now: now)
        return link
    }

    public func links(in db: Database, programID: Int64, partnerID: Int64) throws -> [Link] {
        try db.query("""
            SELECT id, partner_id, code, destination_url, campaign FROM links
            WHERE program_id = ? AND partner_id = ? AND archived_at IS NULL ORDER BY id
            """, [programID, partnerID]).map { row in
            Link(id: try row["id"], partnerID: try row["partner_id"], code: try row["code"],
                 destinationURL: try row["destination_url"], campaign: try row["campaign"])
        }
    }

    /// One of the partner's own (not archived) links; another partner's id is nil, like a missing one.
    public func link(in db: Database, programID: Int64, partnerID: Int64, id: Int64) throws -> Link? {
        try db.queryOne("""
            SELECT id, partner_id, code, destination_url, campaign FROM links
            WHERE id = ? AND program_id = ? AND partner_id = ? AND archived_at IS NULL
            """, [id, programID, partnerID]).map { row in
            Link(id: try row["id"], partnerID: try row["partner_id"], code: try row["code"],
                 destinationURL: try row["destination_url"], campaign: try row["campaign"])
        }
    }

    /// Changes a link's destination and campaign under the same rules as `create` (`NewLink.problems`). The code
    /// never changes: links already shared must keep working. Returns nil when the link is not this partner's.
    public func update(in db: Database, programID: Int64, partnerID: Int64, id: Int64, destinationURL: String?, campaign: String?) throws -> Link? {
        guard let existing = try link(in: db, programID: programID, partnerID: partnerID, id: id) else { return nil }
        guard let program = try db.queryOne("SELECT default_url, allowed_domains FROM programs WHERE id = ?", [programID]) else { return nil }
        let defaultURL: String = try program["default_url"]
        let domains = (try program["allowed_domains"] as String).split(separator: " ").map(String.init)
        let request = NewLink(destinationURL: destinationURL, campaign: campaign, code: nil)
        let errors = request.problems(defaultURL: defaultURL, allowedDomains: domains)
        guard errors.isEmpty else { throw Failure.invalid(errors) }
        let destination = destinationURL ?? defaultURL
        let newCampaign = campaign ?? ""
        try db.execute("UPDATE links SET destination_url = ?, campaign = ? WHERE id = ? AND program_id = ? AND partner_id = ?",
                       [destination, newCampaign, id, programID, partnerID])
        return Link(id: existing.id, partnerID: partnerID, code: existing.code, destinationURL: destination, campaign: newCampaign)
    }
}
