import Foundation
import HTTPServer
import Logging
import PortalCore
import PortalSecurity
import Store
import Synchronization

/// The running server's view of custom domains: which host names belong to a program (for branding requests that
/// arrive on them) and, when the server has a TLS port, the certificates it presents. `reload()` after every
/// change re-reads both from the database, so an upload takes effect on the next request and handshake.
public final class CustomDomains: Sendable {
    let database: DatabasePool
    let store: CustomDomainStore
    /// Nil when the server has no TLS port (pages still brand requests by host name).
    public let certificates: TLSCertificateStore?
    private let hosts = Mutex<Set<String>>([])
    private let logger: Logger

    public init(database: DatabasePool, key: SecretKey, certificates: TLSCertificateStore?, logger: Logger) throws {
        self.database = database
        self.store = try CustomDomainStore(key: key)
        self.certificates = certificates
        self.logger = logger
        try reload()
    }

    /// Re-reads every domain: the host set, then the TLS contexts (one that OpenSSL refuses is logged and
    /// skipped; validation at upload makes that rare).
    public func reload() throws {
        let (names, installable) = try database.read { db in
            (Set(try store.directory(in: db).keys),
             try store.installable(in: db) { [logger] host in logger.error("custom domain \(host): its sealed key does not open") })
        }
        hosts.withLock { $0 = names }
        guard let certificates else { return }
        var entries: [(host: String, certificatePEM: String, keyPEM: String)] = []
        for domain in installable {
            do {
                let probe = try TLSCertificateStore()
                try probe.install(host: domain.host, certificatePEM: domain.certificatePEM, keyPEM: domain.keyPEM)
                entries.append((domain.host, domain.certificatePEM, domain.keyPEM))
            } catch {
                logger.error("custom domain \(domain.host): \(error)")
            }
        }
        try certificates.replaceAll(entries)
    }

    /// The program a request's `Host` belongs to, when it is one of the custom domains.
    func program(for request: Request) throws -> DomainProgram? {
        guard let host = Self.hostName(request.headers["host"]), hosts.withLock({ $0.contains(host) }) else { return nil }
        return try database.read { db in
            guard let row = try db.queryOne("""
                SELECT d.program_id, p.name FROM custom_domains d JOIN programs p ON p.id = d.program_id WHERE d.host = ?
                """, [host]) else { return nil }
            let programID: Int64 = try row["program_id"]
            // The program's look too: its domain's sign-in page wears its colours and logo.
            let branding = try PortalBranding.load(in: db, programID: programID)
            return DomainProgram(programID: programID, name: try row["name"], host: host, brandStyle: BrandStyle.css(branding),
                                 logoPath: branding.logo.map { "/brand/\(programID)/logo?v=\($0.version)" })
        }
    }

    /// `Host: A.Example.test:8443` → `a.example.test`; nil for an IPv6 literal or nothing.
    static func hostName(_ header: String?) -> String? {
        guard var host = header?.trimmingCharacters(in: .whitespaces).lowercased(), !host.isEmpty, !host.hasPrefix("[") else { return nil }
        if let colon = host.lastIndex(of: ":") { host = String(host[..<colon]) }
        if host.hasSuffix(".") { host.removeLast() }
        return host.isEmpty ? nil : host
    }
}

/// The program a request arrived for by its custom domain: the hook for branding (name now; colours and logo
/// can hang off `programID`).
public struct DomainProgram: Sendable, Equatable {
    public let programID: Int64
    public let name: String
    public let host: String
    /// The program's `<style>` (`BrandStyle`) and logo path, when it customised them.
    public var brandStyle: String? = nil
    public var logoPath: String? = nil
}

enum DomainProgramKey: ContextKey {
    typealias Value = DomainProgram
}

extension RequestContext {
    /// Set by `DomainProgramMiddleware` when the request's host is a custom domain.
    var domainProgram: DomainProgram? {
        get { self[DomainProgramKey.self] }
        set { self[DomainProgramKey.self] = newValue }
    }

    /// The layouts' brand values: `hasBrandName` and `brandName` (the program's name on its custom domain).
    var brandValues: [String: Any] {
        guard let program = domainProgram else { return ["hasBrandName": false] }
        var values: [String: Any] = ["hasBrandName": true, "brandName": program.name]
        if let style = program.brandStyle { values["brandStyle"] = style }
        if let logo = program.logoPath { values["logoPath"] = logo }
        return values
    }
}

/// Resolves the custom domain's program for browser requests (see `CustomDomains.program(for:)`).
struct DomainProgramMiddleware: Middleware {
    let domains: CustomDomains

    func handle(_ request: Request, context: RequestContext, next: (Request, RequestContext) throws -> Response) throws -> Response {
        if let program = try domains.program(for: request) { context.domainProgram = program }
        return try next(request, context)
    }
}
