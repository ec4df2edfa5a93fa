import Foundation
import PortalSecurity
import Store

/// Programs and their API keys.
public struct ProgramStore: Sendable {
    public init() {}

    public struct Created: Sendable, Equatable {
        public let id: Int64
        public let slug: String
        /// The program's first secret API key, `sk_…`: shown once, stored only as a hash.
        public let secretKey: String
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case slugTaken(String)
        public var description: String {
            switch self {
            case .slugTaken(let slug): "A program with the slug \(slug) already exists."
            }
        }
    }

    public func create(in db: Database, _ program: NewProgram, now: Int64) throws -> Created {
        try program.validate()
        if try db.queryOne("SELECT id FROM programs WHERE slug = ?", [program.slug]) != nil { throw Failure.slugTaken(program.slug) }
        try db.execute("""
            INSERT INTO programs (slug, name, currency, commission_bps, hold_days, cookie_days, min_payout, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [program.slug, program.name.trimmingCharacters(in: .whitespaces), program.currency, program.commissionBasisPoints,
                  program.holdDays, program.cookieDays, program.minPayout, now])
        let id = db.lastInsertRowID
        let key = try createKey(in: db, programID: id, partnerID: nil, prefix: "sk_", scopes: [], now: now)
        return Created(id: id, slug: program.slug, secretKey: key)
    }

    /// A new API key: `sk_` for the program, `pk_` for a partner. Only its SHA-256 is kept.
    public func createKey(in db: Database, programID: Int64, partnerID: Int64?, prefix: String, scopes: [String], now: Int64) throws -> String {
        let key = prefix + (try SecureRandom.token(bytes: 24))
        try db.execute("""
            INSERT INTO api_keys (program_id, partner_id, prefix, key_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?, ?)
            """, [programID, partnerID, String(key.prefix(prefix.count + 4)), SHA256.hash(key), scopes.joined(separator: " "), now])
        return key
    }
}
