import Foundation
import HTTPServer
import Logging
import PortalCore
import Store
@testable import PortalWeb

/// The whole application served on 127.0.0.1 port 0 over a fresh, migrated data folder, optionally with the
/// demo program seeded; stopped and cleaned up when released.
final class RunningPortal {
    let server: Server
    let database: DatabasePool
    /// The data folder's environment (its secret key seals payout details).
    let environment: PortalEnvironment
    let logins: [DemoSeeder.Login]
    private let dataDirectory: String
    var port: Int { server.port }
    /// The TLS port (`tls: true`), 0 otherwise.
    var tlsPort: Int { server.tlsPort }
    let application: Application

    init(publicDirectory: String = TestEnvironment.root.appendingPathComponent("Public").path, seedDemo: Bool = true,
         tls: Bool = false, apiRateLimits: APIRateLimits = .generous, configure: (inout ServerConfiguration) -> Void = { _ in },
         options configureOptions: (inout Application.Options) -> Void = { _ in }) throws {
        let (environment, data) = try TestEnvironment.make()
        dataDirectory = data
        database = environment.database
        self.environment = environment
        logins = seedDemo
            ? try DemoSeeder(hasher: TestEnvironment.hasher).seedIfEmpty(environment.database, now: Int64(Date().timeIntervalSince1970))
            : []
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var options = Application.Options(publicDirectory: publicDirectory,
                                          templatesDirectory: TestEnvironment.root.appendingPathComponent("Templates").path, demo: true)
        let certificates = tls ? try TLSCertificateStore() : nil
        options.tlsCertificates = certificates
        options.apiRateLimits = apiRateLimits
        configureOptions(&options)
        let application = try Application(options: options, environment: environment, logger: logger)
        self.application = application
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.eventLoops = 1
        configuration.workerThreads = 2
        configuration.streamThreads = 1
        if tls { configuration.tlsPort = 0 }
        configure(&configuration)
        server = Server(configuration: configuration, responder: application.router, logger: logger, tlsCertificates: certificates)
        try server.start()
    }

    deinit {
        server.shutdown()
        server.wait()
        server.stopWorkers()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    func get(_ path: String) throws -> (status: Int, headers: [String: String], body: String) {
        try HTTPGet.fetch(port: port, path: path)
    }
}
