import Foundation

/// Certificates made with the `openssl` command line in a temporary folder, for the TLS tests: self-signed
/// leaf certificates for any host names, and ones valid only in the past or the future (`openssl ca` with
/// explicit dates, since OpenSSL 3.0's `req -days` cannot go backwards).
final class TestCertificates {
    struct Pair {
        let certificate: String
        let key: String
    }

    let directory: URL
    private var counter = 0

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pp-certs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = """
            [ ca ]
            default_ca = local
            [ local ]
            dir = .
            database = index.txt
            new_certs_dir = .
            serial = serial
            default_md = sha256
            policy = anything
            copy_extensions = copy
            unique_subject = no
            [ anything ]
            commonName = supplied
            organizationName = optional
            """
        try config.write(to: directory.appendingPathComponent("ca.cnf"), atomically: true, encoding: .utf8)
        try "".write(to: directory.appendingPathComponent("index.txt"), atomically: true, encoding: .utf8)
        try "01\n".write(to: directory.appendingPathComponent("serial"), atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// A self-signed certificate for `names` (subject alternative names), valid from now for 30 days.
    func selfSigned(commonName: String, names: [String], organization: String? = nil) throws -> Pair {
        counter += 1
        let base = "cert\(counter)"
        let subject = "/CN=\(commonName)" + (organization.map { "/O=\($0)" } ?? "")
        try Self.run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                 "-keyout", "\(base).key", "-out", "\(base).crt", "-days", "30", "-subj", subject,
                                 "-addext", "subjectAltName=" + names.map { "DNS:\($0)" }.joined(separator: ",")], in: directory)
        return try read(base)
    }

    /// A certificate for `host` valid only between two fixed dates (`YYYYMMDDHHMMSSZ`).
    func dated(host: String, start: String, end: String) throws -> Pair {
        counter += 1
        let base = "cert\(counter)"
        try Self.run("openssl", ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "\(base).key",
                                 "-out", "\(base).csr", "-subj", "/CN=\(host)", "-addext", "subjectAltName=DNS:\(host)"], in: directory)
        try Self.run("openssl", ["ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile", "\(base).key", "-in", "\(base).csr",
                                 "-out", "\(base).crt", "-startdate", start, "-enddate", end, "-notext"], in: directory)
        return try read(base)
    }

    private func read(_ base: String) throws -> Pair {
        Pair(certificate: try String(contentsOf: directory.appendingPathComponent("\(base).crt"), encoding: .utf8),
             key: try String(contentsOf: directory.appendingPathComponent("\(base).key"), encoding: .utf8))
    }

    struct CommandFailed: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs a command found on PATH; output goes to files (no pipe can fill up and stall it).
    @discardableResult
    static func run(_ command: String, _ arguments: [String], in directory: URL? = nil, input: String? = nil,
                    allowFailure: Bool = false) throws -> (status: Int32, output: String, errors: String) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("pp-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out"), err = scratch.appendingPathComponent("err"), inp = scratch.appendingPathComponent("in")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        _ = FileManager.default.createFile(atPath: inp.path, contents: Data((input ?? "").utf8))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + arguments
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = try FileHandle(forReadingFrom: inp)
        try process.run()
        process.waitUntilExit()
        let output = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        if process.terminationStatus != 0 && !allowFailure {
            throw CommandFailed(description: "\(command) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(errors)")
        }
        return (process.terminationStatus, output, errors)
    }

    static var hasCommandLineTools: Bool {
        ((try? run("openssl", ["version"], allowFailure: true))?.status == 0) && ((try? run("curl", ["--version"], allowFailure: true))?.status == 0)
    }
}
