import Foundation
import PortalSecurity
import Store

/// The admin side of the resource library: the form's rules, editing, replacing files, and usage figures. Every
/// query takes the admin's `programID`; a resource of another program is simply not found.
extension ResourceStore {
    /// A resource row for the admin list, with its usage.
    public struct AdminRow: Sendable, Equatable {
        public let resource: Resource
        public let archived: Bool
        public let downloads: Int64
        public let reads: Int64
    }

    /// One partner's line in a usage table.
    public struct PartnerUsage: Sendable, Equatable {
        public let partnerID: Int64
        public let partnerName: String
        public let count: Int64
        public let lastAt: Int64
    }

    /// One resource's line in a partner's usage.
    public struct ResourceUsage: Sendable, Equatable {
        public let resourceID: Int64
        public let title: String
        public let kind: ResourceKind
        public let downloads: Int64
        public let lastDownloadAt: Int64?
        public let readAt: Int64?
    }

    /// Every resource of the program (archived ones only when asked), optionally of one kind and campaign, with
    /// its files and usage counts.
    public func adminList(in db: Database, programID: Int64, kind: ResourceKind? = nil, campaign: String? = nil,
                          archived: Bool = false) throws -> [AdminRow] {
        var sql = """
            SELECT \(Self.columns), r.archived_at,
                   (SELECT count(*) FROM resource_downloads d WHERE d.resource_id = r.id) AS downloads,
                   (SELECT count(*) FROM resource_reads rr WHERE rr.resource_id = r.id) AS reads
            FROM resources r WHERE r.program_id = ? AND r.archived_at IS \(archived ? "NOT NULL" : "NULL")
            """
        var arguments: [any DatabaseValueConvertible] = [programID]
        if let kind {
            sql += " AND r.kind = ?"
            arguments.append(kind.rawValue)
        }
        if let campaign {
            sql += " AND r.campaign = ?"
            arguments.append(campaign)
        }
        sql += " ORDER BY r.kind, r.position, r.id LIMIT 500"
        let rows = try db.query(sql, StatementArguments(arguments))
        let resources = try rows.map(Self.resource)
        let files = try adminFiles(in: db, ids: resources.map(\.id))
        return try zip(rows, resources).map { row, resource in
            var resource = resource
            resource.files = files[resource.id] ?? []
            let archivedAt: Int64? = try row["archived_at"]
            return AdminRow(resource: resource, archived: archivedAt != nil, downloads: try row["downloads"], reads: try row["reads"])
        }
    }

    /// The campaign names used by the program's resources.
    public func adminCampaigns(in db: Database, programID: Int64) throws -> [String] {
        try db.query("SELECT DISTINCT campaign FROM resources WHERE program_id = ? AND campaign <> '' ORDER BY campaign", [programID])
            .map { try $0["campaign"] }
    }

    /// One resource of `programID` (archived or not) with its files, or nil.
    public func adminResource(in db: Database, id: Int64, programID: Int64) throws -> (resource: Resource, archived: Bool)? {
        guard let row = try db.queryOne("SELECT \(Self.columns), r.archived_at FROM resources r WHERE r.id = ? AND r.program_id = ?",
                                        [id, programID]) else { return nil }
        var resource = try Self.resource(row)
        resource.files = try adminFiles(in: db, ids: [id])[id] ?? []
        let archivedAt: Int64? = try row["archived_at"]
        return (resource, archivedAt != nil)
    }

    /// A file of a resource of `programID`, with its bytes (for the admin's preview), or nil.
    public func adminFile(in db: Database, id: Int64, resourceID: Int64, programID: Int64) throws -> ResourceFileData? {
        guard let row = try db.queryOne("""
            SELECT f.id, f.resource_id, f.variant, f.content_type, f.file_name, f.width, f.height, f.byte_size, f.sha256, f.data
            FROM resource_files f JOIN resources r ON r.id = f.resource_id
            WHERE f.id = ? AND f.resource_id = ? AND r.program_id = ?
            """, [id, resourceID, programID]) else { return nil }
        return ResourceFileData(file: try Self.file(row), data: try row["data"])
    }

    /// Changes a resource's fields (not its files). Returns false when it is not the program's.
    @discardableResult
    public func update(in db: Database, id: Int64, programID: Int64, _ new: NewResource) throws -> Bool {
        let title = new.title.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [String: [String]] = [:]
        if title.isEmpty || title.count > 200 { errors["title", default: []].append("must be 1 to 200 characters") }
        if let starts = new.startsAt, let ends = new.endsAt, starts >= ends { errors["ends_at", default: []].append("must be after the start") }
        guard errors.isEmpty else { throw Failure.invalid(errors) }
        let group = new.groupName.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        try db.execute("""
            UPDATE resources SET kind = ?, title = ?, description = ?, campaign = ?, body = ?, channel = ?, starts_at = ?, ends_at = ?,
                   group_name = ?, position = ? WHERE id = ? AND program_id = ?
            """, [new.kind.rawValue, title, new.description, new.campaign.trimmingCharacters(in: .whitespaces), new.body, new.channel,
                  new.startsAt, new.endsAt, group, new.position, id, programID])
        return db.changes > 0
    }

    /// Stores files for a resource of `programID`: each replaces the stored file of its variant in place (its id,
    /// and so the downloads counted against it, are kept). A new original without new variants removes the old
    /// thumbnail and mobile variants (they showed the old file); their downloads are moved to the original.
    public func storeFiles(in db: Database, resourceID: Int64, programID: Int64, _ files: [NewResourceFile], now: Int64) throws {
        guard try db.queryOne("SELECT 1 FROM resources WHERE id = ? AND program_id = ?", [resourceID, programID]) != nil else {
            throw Failure.invalid(["files": ["resource not found"]])
        }
        guard Set(files.map(\.variant)).count == files.count else { throw Failure.invalid(["files": ["has a variant twice"]]) }
        for file in files where file.data.count > Self.maxFileBytes || file.fileName.isEmpty || file.fileName.count > 255 {
            throw Failure.invalid(["files": ["\(file.fileName) cannot be stored"]])
        }
        for file in files {
            let hash = SHA256.hash(file.data)
            let existing = try db.queryValue("SELECT id FROM resource_files WHERE resource_id = ? AND variant = ?",
                                             [resourceID, file.variant.rawValue], as: Int64?.self).flatMap { $0 }
            if let existing {
                try db.execute("""
                    UPDATE resource_files SET content_type = ?, file_name = ?, width = ?, height = ?, byte_size = ?, sha256 = ?, data = ?,
                           created_at = ? WHERE id = ?
                    """, [file.contentType, file.fileName, file.width, file.height, Int64(file.data.count), hash, file.data, now, existing])
            } else {
                try db.execute("""
                    INSERT INTO resource_files (resource_id, variant, content_type, file_name, width, height, byte_size, sha256, data, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [resourceID, file.variant.rawValue, file.contentType, file.fileName, file.width, file.height,
                          Int64(file.data.count), hash, file.data, now])
            }
        }
        guard files.contains(where: { $0.variant == .original }),
              let original = try db.queryValue("SELECT id FROM resource_files WHERE resource_id = ? AND variant = 'original'",
                                               [resourceID], as: Int64.self) else { return }
        for stale in [ResourceFileVariant.thumbnail, .mobile] where !files.contains(where: { $0.variant == stale }) {
            guard let id = try db.queryValue("SELECT id FROM resource_files WHERE resource_id = ? AND variant = ?",
                                             [resourceID, stale.rawValue], as: Int64?.self).flatMap({ $0 }) else { continue }
            try db.execute("UPDATE resource_downloads SET file_id = ? WHERE file_id = ?", [original, id])
            try db.execute("DELETE FROM resource_files WHERE id = ?", [id])
        }
    }

    /// Downloads of one resource by partner, most first (at most `limit`).
    public func downloadsByPartner(in db: Database, resourceID: Int64, limit: Int = 50) throws -> [PartnerUsage] {
        try db.query("""
            SELECT p.id, p.name, count(*) AS n, max(d.downloaded_at) AS last FROM resource_downloads d
            JOIN partners p ON p.id = d.partner_id WHERE d.resource_id = ?
            GROUP BY p.id ORDER BY n DESC, p.name, p.id LIMIT ?
            """, [resourceID, limit]).map { row in
            PartnerUsage(partnerID: try row["id"], partnerName: try row["name"], count: try row["n"], lastAt: try row["last"])
        }
    }

    /// Partners who opened one resource's page, most recent first (at most `limit`).
    public func readsByPartner(in db: Database, resourceID: Int64, limit: Int = 50) throws -> [PartnerUsage] {
        try db.query("""
            SELECT p.id, p.name, rr.first_read_at FROM resource_reads rr JOIN partners p ON p.id = rr.partner_id
            WHERE rr.resource_id = ? ORDER BY rr.first_read_at DESC, p.id LIMIT ?
            """, [resourceID, limit]).map { row in
            PartnerUsage(partnerID: try row["id"], partnerName: try row["name"], count: 1, lastAt: try row["first_read_at"])
        }
    }

    /// Totals for one resource: downloads, partners who downloaded, partners who read.
    public func usageTotals(in db: Database, resourceID: Int64) throws -> (downloads: Int64, partners: Int64, reads: Int64) {
        guard let row = try db.queryOne("""
            SELECT (SELECT count(*) FROM resource_downloads WHERE resource_id = ?1) AS downloads,
                   (SELECT count(DISTINCT partner_id) FROM resource_downloads WHERE resource_id = ?1) AS partners,
                   (SELECT count(*) FROM resource_reads WHERE resource_id = ?1) AS reads
            """, [resourceID]) else { return (0, 0, 0) }
        return (try row["downloads"], try row["partners"], try row["reads"])
    }

    /// What one partner of `programID` downloaded or read, most recent first.
    public func partnerUsage(in db: Database, programID: Int64, partnerID: Int64) throws -> [ResourceUsage] {
        try db.query("""
            SELECT r.id, r.title, r.kind,
                   (SELECT count(*) FROM resource_downloads d WHERE d.resource_id = r.id AND d.partner_id = ?1) AS downloads,
                   (SELECT max(downloaded_at) FROM resource_downloads d WHERE d.resource_id = r.id AND d.partner_id = ?1) AS last,
                   (SELECT first_read_at FROM resource_reads rr WHERE rr.resource_id = r.id AND rr.partner_id = ?1) AS read_at
            FROM resources r WHERE r.program_id = ?2
              AND (EXISTS (SELECT 1 FROM resource_downloads d WHERE d.resource_id = r.id AND d.partner_id = ?1)
                   OR EXISTS (SELECT 1 FROM resource_reads rr WHERE rr.resource_id = r.id AND rr.partner_id = ?1))
            ORDER BY max(coalesce(last, 0), coalesce(read_at, 0)) DESC, r.id LIMIT 500
            """, [partnerID, programID]).map { row in
            ResourceUsage(resourceID: try row["id"], title: try row["title"], kind: ResourceKind(rawValue: try row["kind"]) ?? .page,
                          downloads: try row["downloads"], lastDownloadAt: try row["last"], readAt: try row["read_at"])
        }
    }

    private func adminFiles(in db: Database, ids: [Int64]) throws -> [Int64: [ResourceFile]] {
        guard !ids.isEmpty else { return [:] }
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        let files = try db.query("""
            SELECT id, resource_id, variant, content_type, file_name, width, height, byte_size, sha256 FROM resource_files
            WHERE resource_id IN (\(placeholders)) ORDER BY CASE variant WHEN 'original' THEN 0 WHEN 'thumbnail' THEN 1 ELSE 2 END
            """, StatementArguments(ids.map { $0 as any DatabaseValueConvertible })).map(Self.file)
        return Dictionary(grouping: files, by: \.resourceID)
    }
}

/// The admin's resource form: raw fields in, a `NewResource` or field errors out. Dates are `YYYY-MM-DD` in UTC; the
/// end date is inclusive (stored as the next midnight, the exclusive `ends_at`). Pure.
public struct ResourceForm: Sendable, Equatable {
    public var kind = ""
    public var title = ""
    public var description = ""
    public var campaign = ""
    public var channel = ""
    public var group = ""
    public var startsOn = ""
    public var endsOn = ""
    public var body = ""
    public var position = "0"

    public static let channels = ["email", "social", "blog", "video", "other"]
    public static let bodyLimit = 100_000

    public init() {}

    public init(fields: [String: String]) {
        func value(_ name: String) -> String { (fields[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        kind = value("kind")
        title = value("title")
        description = value("description")
        campaign = value("campaign")
        channel = value("channel")
        group = value("group")
        startsOn = value("starts_on")
        endsOn = value("ends_on")
        body = fields["body"] ?? ""
        position = value("position").isEmpty ? "0" : value("position")
    }

    /// The form showing a stored resource.
    public init(_ resource: Resource) {
        kind = resource.kind.rawValue
        title = resource.title
        description = resource.description
        campaign = resource.campaign
        channel = resource.channel
        group = resource.groupName ?? ""
        startsOn = resource.startsAt.map(Self.date) ?? ""
        endsOn = resource.endsAt.map { Self.date($0 - 86_400) } ?? ""
        body = resource.body
        position = String(resource.position)
    }

    /// `groups`: the program's partner groups (visibility must be everyone or one of them).
    public func validate(groups: [String]) -> Result<NewResource, FormErrors> {
        var errors: [String: [String]] = [:]
        func fail(_ field: String, _ message: String) { errors[field, default: []].append(message) }
        let kind = ResourceKind(rawValue: kind)
        if kind == nil { fail("kind", "Choose a type.") }
        if title.isEmpty { fail("title", "Enter a title.") }
        if title.count > 200 { fail("title", "Keep the title under 200 characters.") }
        if description.count > 1000 { fail("description", "Keep the description under 1,000 characters.") }
        if campaign.count > 100 { fail("campaign", "Keep the campaign name under 100 characters.") }
        if !channel.isEmpty, !Self.channels.contains(channel) { fail("channel", "Choose a channel from the list.") }
        if !group.isEmpty, !groups.contains(group) { fail("group", "Choose everyone or one of the program's groups.") }
        if body.count > Self.bodyLimit { fail("body", "Keep the text under 100,000 characters.") }
        if kind == .template, body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { fail("body", "Write the template's copy.") }
        if let kind, [.page, .training, .guideline].contains(kind), body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            fail("body", "Write the page's text.")
        }
        let position = Int64(position)
        if position == nil { fail("position", "Enter a whole number.") }
        let starts = startsOn.isEmpty ? nil : Self.parse(startsOn)
        let ends = endsOn.isEmpty ? nil : Self.parse(endsOn).map { $0 + 86_400 }
        if !startsOn.isEmpty, starts == nil { fail("starts_on", "Enter a date like 2026-12-01.") }
        if !endsOn.isEmpty, ends == nil { fail("ends_on", "Enter a date like 2026-12-31.") }
        if let starts, let ends, ends <= starts { fail("ends_on", "The end date must not be before the start date.") }
        guard errors.isEmpty, let kind else { return .failure(FormErrors(fields: errors)) }
        var new = NewResource(kind: kind, title: title)
        new.description = description
        new.campaign = campaign
        new.channel = kind == .template ? channel : ""
        new.groupName = group.isEmpty ? nil : group
        new.startsAt = starts
        new.endsAt = ends
        new.body = body
        new.position = position ?? 0
        return .success(new)
    }

    /// Unix seconds of UTC midnight of `YYYY-MM-DD`, or nil.
    public static func parse(_ text: String) -> Int64? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1970...9999).contains(year), (1...12).contains(month), (1...31).contains(day) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = calendar.date(from: components),
              calendar.component(.day, from: date) == day, calendar.component(.month, from: date) == month else { return nil }
        return Int64(date.timeIntervalSince1970)
    }

    /// `YYYY-MM-DD` (UTC) of unix seconds.
    public static func date(_ seconds: Int64) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }
}

extension TermsStore {
    /// Every published version of the program's terms, newest first, with how many partners accepted each.
    public func versions(in db: Database, programID: Int64) throws -> [(version: TermsVersion, accepted: Int64)] {
        try db.query("""
            SELECT v.id, v.program_id, v.version, v.body_markdown, v.published_at,
                   (SELECT count(*) FROM terms_acceptances a WHERE a.terms_version_id = v.id) AS accepted
            FROM terms_versions v WHERE v.program_id = ? ORDER BY v.version DESC
            """, [programID]).map { row in
            (TermsVersion(id: try row["id"], programID: try row["program_id"], version: try row["version"],
                          bodyMarkdown: try row["body_markdown"], publishedAt: try row["published_at"]), try row["accepted"])
        }
    }
}
