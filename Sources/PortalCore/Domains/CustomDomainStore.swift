import Foundation
import PortalSecurity
import Store

/// Programs' custom domains: host name, certificate (public, stored as uploaded) and private key (sealed with a
/// key derived for this purpose and bound to the host name, so a sealed key copied to another row does not open).
/// Validation happens here, in the caller's transaction; the TLS listener is reloaded by the caller afterwards.
public struct CustomDomainStore: Sendable {
    let box: SecretBox

    public init(key: SecretKey) throws {
        box = SecretBox(key: try SecretKey(bytes: key.derive("custom-domain-key")))
    }

    public struct Domain: Sendable, Equatable {
        public let id: Int64
        public let programID: Int64
        public let host: String
        public let certificatePEM: String
        public let notAfter: Int64
        public let createdAt: Int64
        public let updatedAt: Int64
    }

    /// A domain with its key opened, for the TLS listener only.
    public struct Installable: Sendable {
        public let host: String
        public let programID: Int64
        public let certificatePEM: String
        public let keyPEM: String
    }

    /// Why an add or replace was refused: one message per field (`host`, `certificate`).
    public enum Failure: Error, Equatable {
        case invalid(field: String, message: String)
    }

    /// Adds `host` to the program. Checks the name, that no program has it yet, and the certificate.
    @discardableResult
    public func add(in db: Database, programID: Int64, host input: String, certificatePEM: String, keyPEM: String, now: Int64) throws -> Domain {
        let host: String
        switch CustomDomainHost.normalize(input) {
        case .success(let name): host = name
        case .failure(let problem): throw Failure.invalid(field: "host", message: problem.description)
        }
        if let owner = try db.queryValue("SELECT program_id FROM custom_domains WHERE host = ?", [host], as: Int64.self) {
            // Which program has it is not said: it may be another program's.
            throw Failure.invalid(field: "host", message: owner == programID
                                  ? "\(host) is already one of this program's domains: replace its certificate instead."
                                  : "\(host) is already in use by another program.")
        }
        let certificate = try check(certificatePEM: certificatePEM, keyPEM: keyPEM, host: host, now: now)
        let sealed = try box.encrypt(Self.trimmedPEM(keyPEM), associatedData: Self.associatedData(host))
        try db.execute("""
            INSERT INTO custom_domains (program_id, host, certificate_pem, key_sealed, not_after, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [programID, host, Self.trimmedPEM(certificatePEM), sealed, certificate.notAfter, now, now])
        guard let domain = try self.domain(in: db, programID: programID, id: db.lastInsertRowID) else { throw Failure.invalid(field: "host", message: "Not stored") }
        return domain
    }

    /// Replaces the certificate and key of one of the program's domains (renewal). Nil when it is not theirs.
    public func replaceCertificate(in db: Database, programID: Int64, id: Int64, certificatePEM: String, keyPEM: String, now: Int64) throws -> Domain? {
        guard let existing = try domain(in: db, programID: programID, id: id) else { return nil }
        let certificate = try check(certificatePEM: certificatePEM, keyPEM: keyPEM, host: existing.host, now: now)
        let sealed = try box.encrypt(Self.trimmedPEM(keyPEM), associatedData: Self.associatedData(existing.host))
        try db.execute("UPDATE custom_domains SET certificate_pem = ?, key_sealed = ?, not_after = ?, updated_at = ? WHERE id = ? AND program_id = ?",
                       [Self.trimmedPEM(certificatePEM), sealed, certificate.notAfter, now, id, programID])
        return try domain(in: db, programID: programID, id: id)
    }

    /// Removes one of the program's domains; the removed row, or nil when it is not theirs.
    public func remove(in db: Database, programID: Int64, id: Int64) throws -> Domain? {
        guard let existing = try domain(in: db, programID: programID, id: id) else { return nil }
        try db.execute("DELETE FROM custom_domains WHERE id = ? AND program_id = ?", [id, programID])
        return existing
    }

    public func domains(in db: Database, programID: Int64) throws -> [Domain] {
        try db.query("SELECT \(Self.columns) FROM custom_domains WHERE program_id = ? ORDER BY host", [programID]).map(Self.domain)
    }

    public func domain(in db: Database, programID: Int64, id: Int64) throws -> Domain? {
        try db.queryOne("SELECT \(Self.columns) FROM custom_domains WHERE program_id = ? AND id = ?", [programID, id]).map(Self.domain)
    }

    /// Every domain with its program's name: what the request middleware maps Host headers with.
    public func directory(in db: Database) throws -> [String: (programID: Int64, programName: String)] {
        var result: [String: (programID: Int64, programName: String)] = [:]
        for row in try db.query("SELECT d.host, d.program_id, p.name FROM custom_domains d JOIN programs p ON p.id = d.program_id") {
            let host: String = try row["host"]
            result[host] = (try row["program_id"], try row["name"])
        }
        return result
    }

    /// Every domain with its key opened, for loading the TLS listener. A key that does not open is skipped
    /// (reported through `skipped`) rather than stopping the others.
    public func installable(in db: Database, skipped: (String) -> Void = { _ in }) throws -> [Installable] {
        try db.query("SELECT host, program_id, certificate_pem, key_sealed FROM custom_domains ORDER BY host").compactMap { row in
            let host: String = try row["host"]
            let sealed: String = try row["key_sealed"]
            guard let key = try? box.decryptString(sealed, associatedData: Self.associatedData(host)) else {
                skipped(host)
                return nil
            }
            return Installable(host: host, programID: try row["program_id"], certificatePEM: try row["certificate_pem"], keyPEM: key)
        }
    }

    private func check(certificatePEM: String, keyPEM: String, host: String, now: Int64) throws -> CertificateCheck.Certificate {
        switch CertificateCheck.validate(certificatePEM: certificatePEM, keyPEM: keyPEM, host: host, now: now) {
        case .success(let certificate): return certificate
        case .failure(let problem):
            throw Failure.invalid(field: problem == .keyUnreadable || problem == .keyDoesNotMatch ? "key" : "certificate", message: problem.description)
        }
    }

    static func trimmedPEM(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
    }

    static func associatedData(_ host: String) -> String { "custom_domains.key_sealed:\(host)" }

    static let columns = "id, program_id, host, certificate_pem, not_after, created_at, updated_at"

    static func domain(_ row: Row) throws -> Domain {
        Domain(id: try row["id"], programID: try row["program_id"], host: try row["host"], certificatePEM: try row["certificate_pem"],
               notAfter: try row["not_after"], createdAt: try row["created_at"], updatedAt: try row["updated_at"])
    }
}
