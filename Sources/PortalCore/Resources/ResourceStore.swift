import Foundation
import PortalSecurity
import Store

/// The resource library in SQLite. The admin side creates and archives; the partner side only ever reads
/// through `visible…`, `resource` and `file`, which take the partner and `now` and apply every visibility
/// rule in SQL: same program, not archived, within its dates, and for everyone or the partner's group.
/// Anything else is simply not found, so a caller answers `404` without revealing it exists.
public struct ResourceStore: Sendable {
    public init() {}

    public enum Failure: Error, Equatable {
        /// Field → messages, like the other stores.
        case invalid([String: [String]])
    }

    /// Files larger than this are refused (they are kept in the database and read whole to be served).
    public static let maxFileBytes = 20 * 1024 * 1024

    /// Creates a resource with its files (at most one per variant) in the caller's transaction.
    @discardableResult
    public func create(in db: Database, programID: Int64, _ new: NewResource, now: Int64) throws -> Resource {
        let title = new.title.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [String: [String]] = [:]
        if title.isEmpty || title.count > 200 { errors["title", default: []].append("must be 1 to 200 characters") }
        if let starts = new.startsAt, let ends = new.endsAt, starts >= ends { errors["ends_at", default: []].append("must be after the start") }
        if Set(new.files.map(\.variant)).count != new.files.count { errors["files", default: []].append("has a variant twice") }
        for file in new.files {
            if file.data.count > Self.maxFileBytes { errors["files", default: []].append("\(file.fileName) is too large") }
            if file.fileName.isEmpty || file.fileName.count > 255 { errors["files", default: []].append("needs a file name") }
        }
        guard errors.isEmpty else { throw Failure.invalid(errors) }
        let group = new.groupName.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        try db.execute("""
            INSERT INTO resources (program_id, kind, title, description, campaign, body, channel, starts_at, ends_at, group_name, position, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [programID, new.kind.rawValue, title, new.description, new.campaign.trimmingCharacters(in: .whitespaces), new.body,
                  new.channel, new.startsAt, new.endsAt, group, new.position, now])
        let id = db.lastInsertRowID
        var files: [ResourceFile] = []
        for file in new.files {
            try db.execute("""
                INSERT INTO resource_files (resource_id, variant, content_type, file_name, width, height, byte_size, sha256, data, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [id, file.variant.rawValue, file.contentType, file.fileName, file.width, file.height, Int64(file.data.count),
                      SHA256.hash(file.data), file.data, now])
            files.append(ResourceFile(id: db.lastInsertRowID, resourceID: id, variant: file.variant, contentType: file.contentType,
                                      fileName: file.fileName, width: file.width, height: file.height, byteSize: Int64(file.data.count),
                                      sha256: SHA256.hash(file.data)))
        }
        return Resource(id: id, programID: programID, kind: new.kind, title: title, description: new.description,
                        campaign: new.campaign.trimmingCharacters(in: .whitespaces), body: new.body, channel: new.channel,
                        startsAt: new.startsAt, endsAt: new.endsAt, groupName: group, position: new.position, createdAt: now, files: files)
    }

    /// Archives a resource of `programID` (it disappears from the library; its downloads stay counted).
    public func archive(in db: Database, id: Int64, programID: Int64, now: Int64) throws {
        try db.execute("UPDATE resources SET archived_at = ? WHERE id = ? AND program_id = ? AND archived_at IS NULL", [now, id, programID])
    }

    /// The visibility rule for alias `r`, with its four arguments: partner id, program id, now, now.
    static let visibleTo = """
        JOIN partners p ON p.id = ? AND p.program_id = r.program_id
        WHERE r.program_id = ? AND r.archived_at IS NULL
          AND (r.group_name IS NULL OR r.group_name = p.group_name)
          AND (r.starts_at IS NULL OR r.starts_at <= ?) AND (r.ends_at IS NULL OR r.ends_at > ?)
        """

    static let columns = """
        r.id, r.program_id, r.kind, r.title, r.description, r.campaign, r.body, r.channel, r.starts_at, r.ends_at,
        r.group_name, r.position, r.created_at
        """

    /// What `partnerID` sees now, optionally of one kind and one campaign: campaigns, creatives, templates, product,
    /// training, guidelines, pages, each in the program's order (`position`, then age).
    public func visible(in db: Database, programID: Int64, partnerID: Int64, now: Int64, kind: ResourceKind? = nil,
                        campaign: String? = nil) throws -> [Resource] {
        var sql = "SELECT \(Self.columns) FROM resources r \(Self.visibleTo)"
        var arguments: [any DatabaseValueConvertible] = [partnerID, programID, now, now]
        if let kind {
            sql += " AND r.kind = ?"
            arguments.append(kind.rawValue)
        }
        if let campaign {
            sql += " AND r.campaign = ?"
            arguments.append(campaign)
        }
        // Running campaigns first (they are the time-limited ones), then the library in its tab order.
        sql += """
             ORDER BY CASE r.kind WHEN 'campaign' THEN 0 WHEN 'creative' THEN 1 WHEN 'template' THEN 2 WHEN 'product' THEN 3
             WHEN 'training' THEN 4 WHEN 'guideline' THEN 5 ELSE 6 END, r.position, r.id
            """
        let resources = try db.query(sql, StatementArguments(arguments)).map(Self.resource)
        guard !resources.isEmpty else { return [] }
        let files = try filesByResource(in: db, ids: resources.map(\.id))
        return resources.map { resource in
            var resource = resource
            resource.files = files[resource.id] ?? []
            return resource
        }
    }

    /// The campaign names among what `partnerID` sees now, for the library's filter.
    public func campaigns(in db: Database, programID: Int64, partnerID: Int64, now: Int64) throws -> [String] {
        try db.query("SELECT DISTINCT r.campaign FROM resources r \(Self.visibleTo) AND r.campaign <> '' ORDER BY r.campaign",
                     [partnerID, programID, now, now]).map { try $0["campaign"] }
    }

    /// One resource if `partnerID` may see it now, else nil.
    public func resource(in db: Database, id: Int64, programID: Int64, partnerID: Int64, now: Int64) throws -> Resource? {
        guard let row = try db.queryOne("SELECT \(Self.columns) FROM resources r \(Self.visibleTo) AND r.id = ?",
                                        [partnerID, programID, now, now, id]) else { return nil }
        var resource = try Self.resource(row)
        resource.files = try filesByResource(in: db, ids: [id])[id] ?? []
        return resource
    }

    /// A file with its bytes if its resource is visible to `partnerID` now, else nil.
    public func file(in db: Database, id: Int64, programID: Int64, partnerID: Int64, now: Int64) throws -> ResourceFileData? {
        guard let row = try db.queryOne("""
            SELECT f.id, f.resource_id, f.variant, f.content_type, f.file_name, f.width, f.height, f.byte_size, f.sha256, f.data
            FROM resource_files f JOIN resources r ON r.id = f.resource_id \(Self.visibleTo) AND f.id = ?
            """, [partnerID, programID, now, now, id]) else { return nil }
        return ResourceFileData(file: try Self.file(row), data: try row["data"])
    }

    /// The token in a creative's public address: the first 16 hex digits of its SHA-256, so the address can only
    /// be known from the portal (or from the file itself).
    public static func publicToken(_ file: ResourceFile) -> String { Hex.encode(Array(file.sha256.prefix(8))) }

    /// A creative's or campaign's file for the public embed address, when the token matches and the resource is not
    /// archived and not past its end. Group visibility is not checked here: the address is only shown to partners
    /// who can see the resource, and the image is meant to be shown to anyone on their sites.
    public func publicFile(in db: Database, id: Int64, token: String, now: Int64) throws -> ResourceFileData? {
        guard let row = try db.queryOne("""
            SELECT f.id, f.resource_id, f.variant, f.content_type, f.file_name, f.width, f.height, f.byte_size, f.sha256, f.data
            FROM resource_files f JOIN resources r ON r.id = f.resource_id
            WHERE f.id = ? AND r.kind IN ('creative', 'campaign') AND r.archived_at IS NULL
              AND (r.starts_at IS NULL OR r.starts_at <= ?) AND (r.ends_at IS NULL OR r.ends_at > ?)
            """, [id, now, now]) else { return nil }
        let found = ResourceFileData(file: try Self.file(row), data: try row["data"])
        guard ConstantTime.equals(Array(Self.publicToken(found.file).utf8), Array(token.lowercased().utf8)) else { return nil }
        return found
    }

    /// Whether the partner has opened the resource's page before.
    public func hasRead(in db: Database, resourceID: Int64, partnerID: Int64) throws -> Bool {
        try db.queryOne("SELECT 1 FROM resource_reads WHERE partner_id = ? AND resource_id = ?", [partnerID, resourceID]) != nil
    }

    /// Notes the first time a partner team opens a resource's page (later reads change nothing).
    public func recordRead(in db: Database, resourceID: Int64, partnerID: Int64, userID: Int64?, now: Int64) throws {
        try db.execute("""
            INSERT INTO resource_reads (partner_id, resource_id, user_id, first_read_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (partner_id, resource_id) DO NOTHING
            """, [partnerID, resourceID, userID, now])
    }

    /// The onboarding step "read the guidelines": the first guideline the partner sees now (nil when the program
    /// has none for them) and whether the partner has read any of those it sees.
    public func guidelineProgress(in db: Database, programID: Int64, partnerID: Int64, now: Int64) throws -> (first: Resource, read: Bool)? {
        let guidelines = try visible(in: db, programID: programID, partnerID: partnerID, now: now, kind: .guideline)
        guard let first = guidelines.first else { return nil }
        let read = try guidelines.contains { try hasRead(in: db, resourceID: $0.id, partnerID: partnerID) }
        return (first, read)
    }

    /// Counts one download of `file` by a partner team member (append-only).
    public func recordDownload(in db: Database, file: ResourceFile, partnerID: Int64, userID: Int64?, now: Int64) throws {
        try db.execute("INSERT INTO resource_downloads (resource_id, file_id, partner_id, user_id, downloaded_at) VALUES (?, ?, ?, ?, ?)",
                       [file.resourceID, file.id, partnerID, userID, now])
    }

    /// Downloads per resource of `programID` (for the admin's usage figures).
    public func downloadCounts(in db: Database, programID: Int64) throws -> [Int64: Int64] {
        Dictionary(uniqueKeysWithValues: try db.query("""
            SELECT d.resource_id, count(*) AS n FROM resource_downloads d JOIN resources r ON r.id = d.resource_id
            WHERE r.program_id = ? GROUP BY d.resource_id
            """, [programID]).map { (try $0["resource_id"] as Int64, try $0["n"] as Int64) })
    }

    /// Downloads by one partner, per resource.
    public func downloadCounts(in db: Database, partnerID: Int64) throws -> [Int64: Int64] {
        Dictionary(uniqueKeysWithValues: try db.query("""
            SELECT resource_id, count(*) AS n FROM resource_downloads WHERE partner_id = ? GROUP BY resource_id
            """, [partnerID]).map { (try $0["resource_id"] as Int64, try $0["n"] as Int64) })
    }

    private func filesByResource(in db: Database, ids: [Int64]) throws -> [Int64: [ResourceFile]] {
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        let files = try db.query("""
            SELECT id, resource_id, variant, content_type, file_name, width, height, byte_size, sha256 FROM resource_files
            WHERE resource_id IN (\(placeholders)) ORDER BY id
            """, StatementArguments(ids.map { $0 as any DatabaseValueConvertible })).map(Self.file)
        return Dictionary(grouping: files, by: \.resourceID)
    }

    static func resource(_ row: Row) throws -> Resource {
        Resource(id: try row["id"], programID: try row["program_id"], kind: ResourceKind(rawValue: try row["kind"]) ?? .page,
                 title: try row["title"], description: try row["description"], campaign: try row["campaign"], body: try row["body"],
                 channel: try row["channel"], startsAt: try row["starts_at"], endsAt: try row["ends_at"], groupName: try row["group_name"],
                 position: try row["position"], createdAt: try row["created_at"], files: [])
    }

    static func file(_ row: Row) throws -> ResourceFile {
        ResourceFile(id: try row["id"], resourceID: try row["resource_id"],
                     variant: ResourceFileVariant(rawValue: try row["variant"]) ?? .original, contentType: try row["content_type"],
                     fileName: try row["file_name"], width: try row["width"], height: try row["height"], byteSize: try row["byte_size"],
                     sha256: try row["sha256"])
    }
}
