import Foundation
import Store

/// One published version of a program's terms. Versions only grow: a change is a new version, and partners who
/// accepted an older one are asked again.
public struct TermsVersion: Sendable, Equatable {
    public let id: Int64
    public let programID: Int64
    public let version: Int64
    public let bodyMarkdown: String
    public let publishedAt: Int64
}

/// Versioned program terms and who accepted which version (`terms_versions`, `terms_acceptances`).
public struct TermsStore: Sendable {
    public init() {}

    public enum Failure: Error, Equatable {
        case emptyBody
    }

    /// Publishes the next version of `programID`'s terms (1 for the first).
    @discardableResult
    public func publish(in db: Database, programID: Int64, bodyMarkdown: String, now: Int64) throws -> TermsVersion {
        let body = bodyMarkdown.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !body.isEmpty else { throw Failure.emptyBody }
        let latest = try db.queryValue("SELECT max(version) FROM terms_versions WHERE program_id = ?", [programID], as: Int64?.self)
        let next = (latest.flatMap { $0 } ?? 0) + 1
        try db.execute("INSERT INTO terms_versions (program_id, version, body_markdown, published_at) VALUES (?, ?, ?, ?)",
                       [programID, next, body, now])
        return TermsVersion(id: db.lastInsertRowID, programID: programID, version: next, bodyMarkdown: body, publishedAt: now)
    }

    /// The newest version, or nil when the program has no terms.
    public func current(in db: Database, programID: Int64) throws -> TermsVersion? {
        try db.queryOne("""
            SELECT id, program_id, version, body_markdown, published_at FROM terms_versions
            WHERE program_id = ? ORDER BY version DESC LIMIT 1
            """, [programID]).map { row in
            TermsVersion(id: try row["id"], programID: try row["program_id"], version: try row["version"],
                         bodyMarkdown: try row["body_markdown"], publishedAt: try row["published_at"])
        }
    }

    /// Whether `partnerID` accepted `version`.
    public func hasAccepted(in db: Database, partnerID: Int64, version: TermsVersion) throws -> Bool {
        try db.queryOne("SELECT 1 FROM terms_acceptances WHERE partner_id = ? AND terms_version_id = ?", [partnerID, version.id]) != nil
    }

    /// Whether `partnerID` must still accept its program's current terms (false when the program has none).
    public func needsAcceptance(in db: Database, partnerID: Int64, programID: Int64) throws -> Bool {
        guard let current = try current(in: db, programID: programID) else { return false }
        return try !hasAccepted(in: db, partnerID: partnerID, version: current)
    }

    /// Records that `partnerID` accepted `version` (by `userID`, nil for an applicant without an account yet).
    /// Accepting the same version twice keeps the first record.
    public func accept(in db: Database, partnerID: Int64, version: TermsVersion, userID: Int64?, addressHash: [UInt8]?, now: Int64) throws {
        try db.execute("""
            INSERT OR IGNORE INTO terms_acceptances (partner_id, terms_version_id, user_id, accepted_at, address_hash)
            VALUES (?, ?, ?, ?, ?)
            """, [partnerID, version.id, userID, now, addressHash])
    }
}
