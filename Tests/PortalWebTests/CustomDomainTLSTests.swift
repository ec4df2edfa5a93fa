import Foundation
import Glibc
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// Custom domains: the certificate checks, `/admin/domains`, and the TLS port presenting each domain its own
/// certificate (by SNI) and its program's branded pages — certificates made by `openssl` in the test, pages
/// fetched with `curl --resolve`.
@Suite(.serialized) struct CustomDomainTLSTests {
    // MARK: - The pure checks

    @Test func certificateChecksGiveClearReasons() throws {
        let certificates = try TestCertificates()
        let a = try certificates.selfSigned(commonName: "a.example.test", names: ["a.example.test"])
        let b = try certificates.selfSigned(commonName: "b.example.test", names: ["b.example.test"])
        let now = Int64(Date().timeIntervalSince1970)

        let valid = try CertificateCheck.validate(certificatePEM: a.certificate, keyPEM: a.key, host: "a.example.test", now: now).get()
        #expect(valid.subject == "/CN=a.example.test")
        #expect(valid.notAfter > now + 29 * 86_400 && valid.chainLength == 1)

        #expect(CertificateCheck.validate(certificatePEM: a.certificate, keyPEM: b.key, host: "a.example.test", now: now) == .failure(.keyDoesNotMatch))
        #expect(CertificateCheck.validate(certificatePEM: a.certificate, keyPEM: a.key, host: "b.example.test", now: now)
                == .failure(.doesNotCoverHost("b.example.test")))
        // The common name alone does not count: browsers read only the subject alternative names.
        #expect(CertificateCheck.validate(certificatePEM: a.certificate, keyPEM: a.key, host: "A.example.test.evil", now: now)
                == .failure(.doesNotCoverHost("A.example.test.evil")))
        #expect(CertificateCheck.validate(certificatePEM: "hello", keyPEM: a.key, host: "a.example.test", now: now) == .failure(.certificateUnreadable))
        #expect(CertificateCheck.validate(certificatePEM: a.certificate, keyPEM: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                                          host: "a.example.test", now: now) == .failure(.keyUnreadable))
        // The certificate in the key field (an easy slip) is an unreadable key, not a crash.
        #expect(CertificateCheck.validate(certificatePEM: a.certificate, keyPEM: a.certificate, host: "a.example.test", now: now) == .failure(.keyUnreadable))

        let expired = try certificates.dated(host: "old.example.test", start: "20200101000000Z", end: "20200201000000Z")
        let refusal = CertificateCheck.validate(certificatePEM: expired.certificate, keyPEM: expired.key, host: "old.example.test", now: now)
        #expect(refusal == .failure(.expired(1_580_515_200)))
        #expect(CertificateCheck.Problem.expired(1_580_515_200).description == "The certificate expired on 2020-02-01: upload a renewed certificate.")
        let future = try certificates.dated(host: "new.example.test", start: "20990101000000Z", end: "20990201000000Z")
        guard case .failure(.notYetValid) = CertificateCheck.validate(certificatePEM: future.certificate, keyPEM: future.key,
                                                                      host: "new.example.test", now: now) else {
            Issue.record("a certificate from 2099 must not be valid yet")
            return
        }

        // Wildcards cover exactly one left-most label.
        let wildcard = try certificates.selfSigned(commonName: "*.example.test", names: ["*.example.test"])
        // Issued "now" by a clock slightly ahead: within the leeway it is accepted.
        #expect((try? CertificateCheck.validate(certificatePEM: wildcard.certificate, keyPEM: wildcard.key, host: "x.example.test",
                                                now: now - 120).get()) != nil)
        #expect((try? CertificateCheck.validate(certificatePEM: wildcard.certificate, keyPEM: wildcard.key, host: "x.example.test", now: now).get()) != nil)
        #expect(CertificateCheck.validate(certificatePEM: wildcard.certificate, keyPEM: wildcard.key, host: "example.test", now: now)
                == .failure(.doesNotCoverHost("example.test")))
        #expect(CertificateCheck.validate(certificatePEM: wildcard.certificate, keyPEM: wildcard.key, host: "a.b.example.test", now: now)
                == .failure(.doesNotCoverHost("a.b.example.test")))
    }

    @Test func hostNamesAreRealDNSNames() {
        #expect(CustomDomainHost.normalize("  Partners.Example.COM. ") == .success("partners.example.com"))
        #expect(CustomDomainHost.normalize("a-b.example.test") == .success("a-b.example.test"))
        #expect(CustomDomainHost.normalize("") == .failure(.empty))
        #expect(CustomDomainHost.normalize("partners.example.com:8443") == .failure(.hasPort))
        #expect(CustomDomainHost.normalize("https://partners.example.com") == .failure(.hasPort))
        #expect(CustomDomainHost.normalize("10.0.0.1") == .failure(.isAddress))
        #expect(CustomDomainHost.normalize("::1") == .failure(.isAddress))
        #expect(CustomDomainHost.normalize("[::1]") == .failure(.isAddress))
        #expect(CustomDomainHost.normalize("localhost") == .failure(.notAName))
        #expect(CustomDomainHost.normalize("-bad.example.com") == .failure(.notAName))
        #expect(CustomDomainHost.normalize("a..example.com") == .failure(.notAName))
        #expect(CustomDomainHost.normalize("under_score.example.com") == .failure(.notAName))
        #expect(CustomDomainHost.normalize("*.example.com") == .failure(.notAName))
        #expect(CustomDomainHost.normalize(String(repeating: "a", count: 64) + ".example.com") == .failure(.tooLong))
        #expect(CustomDomainHost.normalize("example.123") == .failure(.isAddress))
    }

    // MARK: - The admin page

    @Test(.enabled(if: TestCertificates.hasCommandLineTools)) func uploadsAreCheckedPermittedAndAudited() throws {
        let certificates = try TestCertificates()
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let manager = try team.session(try team.staff("Max", role: .programOwner))
        let viewer = try team.session(try team.staff("Vic", role: .programViewer))
        let a = try certificates.selfSigned(commonName: "a.example.test", names: ["a.example.test"])
        let b = try certificates.selfSigned(commonName: "b.example.test", names: ["b.example.test"])
        let expired = try certificates.dated(host: "a.example.test", start: "20200101000000Z", end: "20200201000000Z")
        func add(_ host: String, _ pair: TestCertificates.Pair, key: String? = nil, as session: (cookie: String, csrf: String)) throws -> HTTPGet.Reply {
            try team.post("/admin/domains", [("host", host), ("certificate", pair.certificate), ("key", key ?? pair.key)], as: session)
        }

        #expect(try team.get("/admin/domains", as: viewer).status == 403)
        #expect(try add("a.example.test", a, as: viewer).status == 403)
        let empty = try team.get("/admin/domains", as: manager)
        #expect(empty.status == 200 && empty.body.contains("No custom domains yet"))
        #expect(empty.body.contains(#"href="/admin/domains" aria-current="page""#))

        let refusedExpired = try add("a.example.test", expired, as: manager)
        #expect(refusedExpired.status == 422)
        #expect(refusedExpired.body.contains("The certificate expired on 2020-02-01: upload a renewed certificate."))
        let refusedKey = try add("a.example.test", a, key: b.key, as: manager)
        #expect(refusedKey.status == 422)
        #expect(refusedKey.body.contains("The private key does not match the certificate"))
        #expect(!refusedKey.body.contains("PRIVATE KEY-----\n"), "a refused key is not echoed back into the page")
        let refusedHost = try add("b.example.test", a, as: manager)
        #expect(refusedHost.status == 422 && refusedHost.body.contains("The certificate does not cover b.example.test"))
        let refusedAddress = try add("127.0.0.1", a, as: manager)
        #expect(refusedAddress.status == 422 && refusedAddress.body.contains("An IP address cannot be a custom domain"))
        #expect(try add("a.example.test", a, as: (manager.cookie, "wrong")).status == 403)
        #expect(try portal.database.read { db in try db.queryValue("SELECT count(*) FROM custom_domains", as: Int64.self) } == 0)

        let added = try add("A.Example.test", a, as: manager)
        #expect(added.status == 303)
        let listed = try team.get("/admin/domains", as: manager)
        #expect(listed.body.contains("a.example.test") && listed.body.contains("days left"))
        #expect(listed.body.contains("Domain added") == false) // the notice comes with ?done=added only
        #expect(try team.get("/admin/domains?done=added", as: manager).body.contains("Domain added"))

        // The key is stored sealed, never as PEM.
        let stored = try #require(try portal.database.read { db in try db.queryOne("SELECT key_sealed, host FROM custom_domains") })
        let sealed: String = try stored["key_sealed"]
        #expect(!sealed.contains("PRIVATE KEY"))
        #expect(try stored["host"] as String == "a.example.test")

        // Unique across programs: another program's manager gets a clear refusal, and cannot touch this one.
        let other = try portal.database.write { db in
            try ProgramStore().create(in: db, NewProgram(name: "Bolt", slug: "bolt\(Int.random(in: 1000...9999))", currency: "EUR"), now: 0)
        }
        let outsider = try team.session(try team.staff("Oz", role: .programOwner, programID: other.id))
        let taken = try add("a.example.test", a, as: outsider)
        #expect(taken.status == 422 && taken.body.contains("a.example.test is already in use by another program."))
        let id = try #require(try portal.database.read { db in try db.queryValue("SELECT id FROM custom_domains", as: Int64.self) })
        #expect(try team.post("/admin/domains/\(id)/remove", [], as: outsider).status == 404)
        #expect(try team.post("/admin/domains/\(id)/certificate", [("certificate", a.certificate), ("key", a.key)], as: outsider).status == 404)

        // Replace: checked the same way, then stored.
        let badReplace = try team.post("/admin/domains/\(id)/certificate", [("certificate", expired.certificate), ("key", expired.key)], as: manager)
        #expect(badReplace.status == 422 && badReplace.body.contains("The certificate expired on 2020-02-01"))
        let renewed = try certificates.selfSigned(commonName: "a.example.test", names: ["a.example.test"], organization: "Renewed")
        #expect(try team.post("/admin/domains/\(id)/certificate", [("certificate", renewed.certificate), ("key", renewed.key)], as: manager).status == 303)
        #expect(try team.post("/admin/domains/\(id)/remove", [], as: viewer).status == 403)
        #expect(try team.post("/admin/domains/\(id)/remove", [], as: manager).status == 303)

        let actions = try portal.database.read { db in
            try db.query("SELECT action, subject_type, details FROM audit_log WHERE program_id = ? ORDER BY id", [team.programID])
                .map { "\(try $0["action"] as String) \(try $0["subject_type"] as String) \(try $0["details"] as String)" }
        }
        #expect(actions.count == 3)
        #expect(actions.first?.hasPrefix("domain.add domain a.example.test, certificate until ") == true)
        #expect(actions.dropFirst().first?.hasPrefix("domain.replace_certificate domain a.example.test") == true)
        #expect(actions.last == "domain.remove domain a.example.test")
    }

    // MARK: - The TLS port

    @Test(.enabled(if: TestCertificates.hasCommandLineTools)) func twoDomainsOnOnePortEachGetTheirCertificateAndBrand() throws {
        let certificates = try TestCertificates()
        let portal = try RunningPortal(seedDemo: false, tls: true)
        let acme = try PortalTeam(portal: portal)
        let bolt = try portal.database.write { db in
            try ProgramStore().create(in: db, NewProgram(name: "Bolt Rewards", slug: "bolt\(Int.random(in: 1000...9999))", currency: "EUR"), now: 0)
        }
        let acmeManager = try acme.session(try acme.staff("Max", role: .programOwner))
        let boltManager = try acme.session(try acme.staff("Bea", role: .programOwner, programID: bolt.id))
        let a = try certificates.selfSigned(commonName: "a.example.test", names: ["a.example.test"])
        let b = try certificates.selfSigned(commonName: "b.example.test", names: ["b.example.test"])
        #expect(try acme.post("/admin/domains", [("host", "a.example.test"), ("certificate", a.certificate), ("key", a.key)], as: acmeManager).status == 303)
        #expect(try acme.post("/admin/domains", [("host", "b.example.test"), ("certificate", b.certificate), ("key", b.key)], as: boltManager).status == 303)
        #expect(portal.application.customDomains.certificates?.hosts == ["a.example.test", "b.example.test"])

        let pageA = try Self.curl(portal, host: "a.example.test", path: "/login")
        #expect(pageA.subject.contains("CN=a.example.test"))
        #expect(pageA.head.hasPrefix("HTTP/1.1 200"))
        #expect(pageA.body.contains("<title>Sign in · Acme</title>"))
        #expect(pageA.head.lowercased().contains("strict-transport-security: max-age=31536000"))
        let cookieA = try #require(pageA.head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie: pp_session=") })
        #expect(cookieA.contains("; Secure"))

        let pageB = try Self.curl(portal, host: "b.example.test", path: "/login")
        #expect(pageB.subject.contains("CN=b.example.test"))
        #expect(pageB.body.contains("<title>Sign in · Bolt Rewards</title>"))
        #expect(pageB.body.contains("<span>Bolt Rewards</span>"))

        // Signed-in pages carry the brand too.
        let admin = try Self.curl(portal, host: "b.example.test", path: "/admin/domains", cookie: boltManager.cookie)
        #expect(admin.head.hasPrefix("HTTP/1.1 200"))
        #expect(admin.body.contains("<span>Bolt Rewards</span>"))

        // Plain HTTP on the same host: the brand, but neither HSTS nor a Secure cookie.
        let plain = try HTTPGet.request(port: portal.port, method: "GET", path: "/login", headers: ["Host": "a.example.test:\(portal.port)"])
        #expect(plain.body.contains("<title>Sign in · Acme</title>"))
        #expect(plain.headers["strict-transport-security"] == nil)
        #expect(plain.headers["set-cookie"]?.contains("Secure") == false)
        // An unknown host shows the product's own name.
        #expect(try HTTPGet.request(port: portal.port, method: "GET", path: "/login").body.contains("<title>Sign in · PartnerPortal</title>"))

        // A renewal is served at once, without a restart.
        let renewed = try certificates.selfSigned(commonName: "a.example.test", names: ["a.example.test"], organization: "Renewed")
        let id = try #require(try portal.database.read { db in
            try db.queryValue("SELECT id FROM custom_domains WHERE host = 'a.example.test'", as: Int64.self)
        })
        #expect(try acme.post("/admin/domains/\(id)/certificate", [("certificate", renewed.certificate), ("key", renewed.key)], as: acmeManager).status == 303)
        #expect(try Self.curl(portal, host: "a.example.test", path: "/login").subject.contains("O=Renewed"))

        // A removed domain, an unknown name and no name at all are refused in the handshake.
        #expect(try acme.post("/admin/domains/\(id)/remove", [], as: acmeManager).status == 303)
        #expect(throws: (any Error).self) { try Self.curl(portal, host: "a.example.test", path: "/login") }
        #expect(throws: (any Error).self) { try Self.curl(portal, host: "c.example.test", path: "/login") }
        let noName = try TestCertificates.run("openssl", ["s_client", "-connect", "127.0.0.1:\(portal.tlsPort)", "-noservername", "-brief"],
                                              input: "", allowFailure: true)
        #expect(noName.status != 0)
        #expect(noName.errors.contains("unrecognized name") || noName.errors.contains("alert"))
        // …while b still works.
        #expect(try Self.curl(portal, host: "b.example.test", path: "/login").subject.contains("CN=b.example.test"))
    }

    @Test(.enabled(if: TestCertificates.hasCommandLineTools)) func hostileBytesOnTheTLSPortDoNotHurtTheServer() throws {
        let certificates = try TestCertificates()
        let portal = try RunningPortal(seedDemo: false, tls: true) { $0.headerReadTimeout = .milliseconds(500) }
        let team = try PortalTeam(portal: portal)
        let manager = try team.session(try team.staff("Max", role: .programOwner))
        let a = try certificates.selfSigned(commonName: "a.example.test", names: ["a.example.test"])
        #expect(try team.post("/admin/domains", [("host", "a.example.test"), ("certificate", a.certificate), ("key", a.key)], as: manager).status == 303)

        // Plain HTTP to the TLS port, random bytes, a truncated ClientHello: each connection just ends.
        var random = [UInt8](repeating: 0, count: 4096)
        for index in random.indices { random[index] = UInt8.random(in: 0...255) }
        let hello: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]
        for payload in [Array("GET /login HTTP/1.1\r\nHost: a.example.test\r\n\r\n".utf8), random, hello + random, hello] {
            let fd = try Self.connect(port: portal.tlsPort)
            defer { close(fd) }
            _ = payload.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            let started = Date()
            // The server closes it: on bad bytes at once, on a stalled handshake at the header deadline.
            var buffer = [UInt8](repeating: 0, count: 4096)
            while recv(fd, &buffer, buffer.count, 0) > 0 {}
            #expect(Date().timeIntervalSince(started) < 8)
        }
        // A silent client is dropped at the deadline too (the handshake's time limit).
        let silent = try Self.connect(port: portal.tlsPort)
        defer { close(silent) }
        let started = Date()
        var byte: UInt8 = 0
        #expect(recv(silent, &byte, 1, 0) <= 0)
        #expect(Date().timeIntervalSince(started) < 8)

        #expect(try Self.curl(portal, host: "a.example.test", path: "/login").head.hasPrefix("HTTP/1.1 200"))
        #expect(try HTTPGet.request(port: portal.port, method: "GET", path: "/login").status == 200)
    }

    @Test(.enabled(if: TestCertificates.hasCommandLineTools)) func largeBodiesAndKeepAliveOverTLS() throws {
        let certificates = try TestCertificates()
        // A static folder with a 3 MB file: many TLS records out, partial writes, a streamed body.
        let folder = certificates.directory.appendingPathComponent("public")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var large = [UInt8](repeating: 0, count: 3 << 20)
        for index in stride(from: 0, to: large.count, by: 7) { large[index] = UInt8(truncatingIfNeeded: index / 7) }
        try Data(large).write(to: folder.appendingPathComponent("large.bin"))
        let portal = try RunningPortal(publicDirectory: folder.path, seedDemo: false, tls: true)
        let team = try PortalTeam(portal: portal)
        let manager = try team.session(try team.staff("Max", role: .programOwner))
        let a = try certificates.selfSigned(commonName: "a.example.test", names: ["a.example.test"])
        #expect(try team.post("/admin/domains", [("host", "a.example.test"), ("certificate", a.certificate), ("key", a.key)], as: manager).status == 303)

        let saved = certificates.directory.appendingPathComponent("large.out")
        let port = portal.tlsPort
        let fetched = try TestCertificates.run("curl", ["-sS", "-v", "-k", "--max-time", "20", "--http1.1", "--resolve", "a.example.test:\(port):127.0.0.1",
                                                        "-o", saved.path, "https://a.example.test:\(port)/large.bin",
                                                        "-o", "/dev/null", "https://a.example.test:\(port)/login"])
        #expect(try Data(contentsOf: saved) == Data(large))
        // The second request went over the same TLS connection.
        #expect(fetched.errors.contains("Re-using existing connection") || fetched.errors.contains("Reusing existing connection"))

        // A 60 KB form body in: read across many records, answered (the upload is refused as unreadable).
        let body = FormParameters.encode([("csrf_token", manager.csrf), ("host", "c.example.test"),
                                          ("certificate", String(repeating: "x", count: 60_000)), ("key", "y")])
        let bodyFile = certificates.directory.appendingPathComponent("body")
        try body.write(to: bodyFile, atomically: true, encoding: .utf8)
        let posted = try TestCertificates.run("curl", ["-sS", "-k", "--max-time", "20", "--http1.1", "--resolve", "a.example.test:\(port):127.0.0.1",
                                                       "-H", "Cookie: \(manager.cookie)", "-H", "Content-Type: application/x-www-form-urlencoded",
                                                       "--data-binary", "@\(bodyFile.path)", "-w", "%{http_code}",
                                                       "https://a.example.test:\(port)/admin/domains?program=\(team.programID)"])
        #expect(posted.output.hasSuffix("422"))
        #expect(posted.output.contains("The certificate could not be read"))
    }

    // MARK: - Helpers

    struct Fetched {
        let head: String
        let body: String
        /// The server certificate's subject as curl reports it.
        let subject: String
    }

    /// `curl --resolve host:port:127.0.0.1 -k https://host:port/path`; throws when the handshake or request fails.
    static func curl(_ portal: RunningPortal, host: String, path: String, cookie: String? = nil) throws -> Fetched {
        var arguments = ["-sS", "-v", "-k", "--max-time", "30", "--http1.1", "--resolve", "\(host):\(portal.tlsPort):127.0.0.1", "-D", "-"]
        if let cookie { arguments += ["-H", "Cookie: \(cookie)"] }
        arguments.append("https://\(host):\(portal.tlsPort)\(path)")
        let result = try TestCertificates.run("curl", arguments)
        let parts = result.output.components(separatedBy: "\r\n\r\n")
        let subject = result.errors.split(separator: "\n").first { $0.contains("subject:") }.map(String.init) ?? ""
        return Fetched(head: parts.first ?? "", body: parts.dropFirst().joined(separator: "\r\n\r\n"), subject: subject)
    }

    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); throw TestCertificates.CommandFailed(description: "connect failed") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }
}
