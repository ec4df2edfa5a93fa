import Foundation
import PortalSecurity
import Store

/// One OpenID Connect connection: a partner team's (partnerID set) or the company's staff connection of a program
/// (partnerID nil). The client secret stays sealed in the row; `SSOStore.clientSecret` opens it when needed.
public struct SSOConnection: Sendable, Equatable {
    public let id: Int64
    public let programID: Int64
    public let partnerID: Int64?
    public let issuer: String
    public let clientID: String
    public let defaultRole: Role
    public let mandatory: Bool
    public let domains: [String]
    public let updatedAt: Int64

    public var isStaffConnection: Bool { partnerID == nil }
}

/// Connections and their claimed e-mail domains. A domain can be claimed by one connection only (primary key of
/// `sso_domains`), so discovery by e-mail domain has exactly one answer.
public struct SSOStore: Sendable {
    let box: SecretBox

    public init(key: SecretKey) throws {
        box = SecretBox(key: try SecretKey(bytes: key.derive("sso-client-secret")))
    }

    /// The roles JIT sign-in may give: never an owner.
    public static func allowedDefaultRoles(staff: Bool) -> [Role] {
        staff ? [.programViewer, .programManager] : [.partnerViewer, .partnerMember, .partnerAdmin]
    }

    /// What a configuration form asks for.
    public struct Draft: Sendable {
        public var issuer: String
        public var clientID: String
        /// Empty keeps the stored secret (the form never shows it back).
        public var clientSecret: String
        public var domains: String
        public var defaultRole: String
        public var mandatory: Bool

        public init(issuer: String, clientID: String, clientSecret: String, domains: String, defaultRole: String, mandatory: Bool) {
            self.issuer = issuer
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.domains = domains
            self.defaultRole = defaultRole
            self.mandatory = mandatory
        }
    }

    /// Field errors of a rejected draft (keys: issuer, client_id, client_secret, domains, default_role).
    public struct Invalid: Error, Sendable {
        public let errors: [String: [String]]
    }

    /// Lower-cased, de-duplicated domains from text separated by commas, spaces or lines; nil if one is not a domain.
    public static func parseDomains(_ text: String) -> [String]? {
        var domains: [String] = []
        for part in text.lowercased().split(whereSeparator: { $0 == "," || $0.isWhitespace }) {
            var domain = String(part)
            if domain.hasPrefix("@") { domain.removeFirst() }
            let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
            guard labels.count >= 2, domain.utf8.count <= 253,
                  labels.allSatisfy({ label in
                      !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                          && label.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
                  }) else { return nil }
            if !domains.contains(domain) { domains.append(domain) }
        }
        return domains
    }

    /// The domain of an e-mail address (lower-cased), nil if it is not one.
    public static func domain(ofEmail email: String) -> String? {
        guard let normalized = AccountStore.normalizedEmail(email), let at = normalized.lastIndex(of: "@") else { return nil }
        return String(normalized[normalized.index(after: at)...])
    }

    // MARK: - Reading

    public func connection(in db: Database, programID: Int64, partnerID: Int64?) throws -> SSOConnection? {
        let row = try db.queryOne("""
            SELECT * FROM sso_connections WHERE program_id = ? AND ifnull(partner_id, 0) = ?
            """, [programID, partnerID ?? 0])
        return try row.map { try Self.connection($0, in: db) }
    }

    public func connection(in db: Database, id: Int64) throws -> SSOConnection? {
        try db.queryOne("SELECT * FROM sso_connections WHERE id = ?", [id]).map { try Self.connection($0, in: db) }
    }

    /// The connection that claims the e-mail's domain, if any.
    public func connection(in db: Database, forEmail email: String) throws -> SSOConnection? {
        guard let domain = Self.domain(ofEmail: email) else { return nil }
        let row = try db.queryOne("""
            SELECT c.* FROM sso_domains d JOIN sso_connections c ON c.id = d.connection_id WHERE d.domain = ?
            """, [domain])
        return try row.map { try Self.connection($0, in: db) }
    }

    public func clientSecret(in db: Database, connection: SSOConnection) throws -> String {
        guard let sealed = try db.queryValue("SELECT client_secret_sealed FROM sso_connections WHERE id = ?", [connection.id], as: String.self) else {
            throw Invalid(errors: ["client_secret": ["The connection is gone."]])
        }
        return try box.decryptString(sealed, associatedData: Self.associatedData(connection.id))
    }

    static func associatedData(_ id: Int64) -> String { "sso_connections.client_secret:\(id)" }

    static func connection(_ row: Row, in db: Database) throws -> SSOConnection {
        let id: Int64 = try row["id"]
        let domains = try db.query("SELECT domain FROM sso_domains WHERE connection_id = ? ORDER BY domain", [id]).map { try $0["domain"] as String }
        return SSOConnection(id: id, programID: try row["program_id"], partnerID: try row["partner_id"], issuer: try row["issuer"],
                             clientID: try row["client_id"], defaultRole: Role(rawValue: try row["default_role"]) ?? .partnerViewer,
                             mandatory: (try row["mandatory"] as Int64) != 0, domains: domains, updatedAt: try row["updated_at"])
    }

    // MARK: - Writing

    /// Creates or replaces the connection of a scope (a partner team, or the program's staff when `partnerID` is nil).
    /// `allowHTTPIssuer` admits `http://` issuers (tests and development with PORTAL_WEBHOOKS_ALLOW_PRIVATE); production
    /// issuers must be `https://`. Throws `Invalid` with field errors.
    @discardableResult
    public func save(in db: Database, programID: Int64, partnerID: Int64?, draft: Draft, allowHTTPIssuer: Bool, now: Int64) throws -> SSOConnection {
        var errors: [String: [String]] = [:]
        let existing = try connection(in: db, programID: programID, partnerID: partnerID)
        let issuer = draft.issuer.trimmingCharacters(in: .whitespacesAndNewlines)
        if let problem = Self.issuerProblem(issuer, allowHTTP: allowHTTPIssuer) { errors["issuer", default: []].append(problem) }
        let clientID = draft.clientID.trimmingCharacters(in: .whitespacesAndNewlines)
        if clientID.isEmpty || clientID.utf8.count > 500 || clientID.contains(where: { $0.isNewline }) {
            errors["client_id", default: []].append("Enter the client id the identity provider gave you.")
        }
        let secret = draft.clientSecret.trimmingCharacters(in: .whitespacesAndNewlines)
        if secret.isEmpty && existing == nil { errors["client_secret", default: []].append("Enter the client secret.") }
        if secret.utf8.count > 1000 { errors["client_secret", default: []].append("The client secret is too long.") }
        let domains = Self.parseDomains(draft.domains)
        if domains == nil {
            errors["domains", default: []].append("Enter e-mail domains such as example.com, separated by commas.")
        } else if domains?.isEmpty ?? true {
            errors["domains", default: []].append("Enter at least one e-mail domain.")
        } else if let domains {
            for domain in domains {
                if let owner = try db.queryValue("SELECT connection_id FROM sso_domains WHERE domain = ?", [domain], as: Int64.self),
                   owner != existing?.id {
                    errors["domains", default: []].append("\(domain) is already used by another single sign-on connection.")
                }
            }
        }
        let role = Role(rawValue: draft.defaultRole).flatMap { Self.allowedDefaultRoles(staff: partnerID == nil).contains($0) ? $0 : nil }
        if role == nil {
            errors["default_role", default: []].append("Choose the role new members get.")
        }
        guard errors.isEmpty, let domains, let role else { throw Invalid(errors: errors) }

        let id: Int64
        if let existing {
            id = existing.id
            // Another provider has other subjects: the pinned identities of the old one mean nothing there.
            if existing.issuer != issuer { try db.execute("DELETE FROM sso_identities WHERE connection_id = ?", [id]) }
            try db.execute("""
                UPDATE sso_connections SET issuer = ?, client_id = ?, default_role = ?, mandatory = ?, updated_at = ? WHERE id = ?
                """, [issuer, clientID, role.rawValue, draft.mandatory, now, id])
        } else {
            try db.execute("""
                INSERT INTO sso_connections (program_id, partner_id, issuer, client_id, client_secret_sealed, default_role, mandatory,
                                             created_at, updated_at) VALUES (?, ?, ?, ?, '', ?, ?, ?, ?)
                """, [programID, partnerID, issuer, clientID, role.rawValue, draft.mandatory, now, now])
            id = db.lastInsertRowID
        }
        if !secret.isEmpty {
            try db.execute("UPDATE sso_connections SET client_secret_sealed = ? WHERE id = ?",
                           [try box.encrypt(secret, associatedData: Self.associatedData(id)), id])
        }
        try db.execute("DELETE FROM sso_domains WHERE connection_id = ?", [id])
        for domain in domains { try db.execute("INSERT INTO sso_domains (domain, connection_id) VALUES (?, ?)", [domain, id]) }
        guard let saved = try connection(in: db, id: id) else { throw Invalid(errors: [:]) }
        return saved
    }

    /// Removes the scope's connection (its domains and sign-ins in flight go with it). False if there was none.
    @discardableResult
    public func delete(in db: Database, programID: Int64, partnerID: Int64?) throws -> Bool {
        try db.execute("DELETE FROM sso_connections WHERE program_id = ? AND ifnull(partner_id, 0) = ?", [programID, partnerID ?? 0])
        return db.changes > 0
    }

    /// Why an issuer is not acceptable (nil when it is): an absolute https URL without query or fragment.
    static func issuerProblem(_ issuer: String, allowHTTP: Bool) -> String? {
        guard let url = URLComponents(string: issuer), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty,
              url.query == nil, url.fragment == nil, url.user == nil, issuer.utf8.count <= 500 else {
            return "Enter the issuer URL, such as https://login.example.com."
        }
        if scheme == "https" || (scheme == "http" && allowHTTP) { return nil }
        return "The issuer must be an https:// URL."
    }
}
