import ArgumentParser
import Dispatch
import Foundation
import Glibc
import HTTPServer
import Logging
import PortalCore
import PortalWeb
import Synchronization

/// `portal serve`: serves until SIGTERM or SIGINT, then drains in-flight requests and exits 0.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the portal over HTTP.")

    @Option(help: "Address to listen on (env PORTAL_HOST).") var host: String?
    @Option(help: "Port to listen on; 0 picks a free one (env PORTAL_PORT).") var port: Int?
    @Option(help: "Also serve HTTPS on this port, with the custom domains' certificates chosen by SNI (env PORTAL_TLS_PORT).")
    var tlsPort: Int?
    @Flag(help: "Seed a demo program when the database is empty.") var demo = false
    @Option(help: "Folder of static files served as-is.") var publicDirectory = "Public"
    @Option(help: "Folder of page templates.") var templatesDirectory = "Templates"
    @OptionGroup var dataOptions: DataOptions

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let level = environment["PORTAL_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "portal")

        var configuration = ServerConfiguration()
        configuration.host = host ?? environment["PORTAL_HOST"] ?? "127.0.0.1"
        configuration.port = port ?? environment["PORTAL_PORT"].flatMap(Int.init) ?? 8080
        configuration.tlsPort = tlsPort ?? environment["PORTAL_TLS_PORT"].flatMap(Int.init)
        let tlsCertificates = configuration.tlsPort == nil ? nil : try TLSCertificateStore()
        let opened = try PortalEnvironment.open(dataDirectory: dataOptions.dataDirectory, migrationsDirectory: dataOptions.migrationsDirectory)
        for migration in opened.applied { logger.info("migrated: \(migration)") }
        if case .created(let path) = opened.keySource { logger.notice("created the secret key at \(path): back it up with the database") }
        if demo {
            let logins = try DemoSeeder(hasher: opened.environment.hasher)
                .seedIfEmpty(opened.environment.database, now: Int64(Date().timeIntervalSince1970))
            if !logins.isEmpty {
                // Months of activity, so every page and report has something to show.
                let environment = opened.environment
                var plan = ActivityGenerator.Plan()
                plan.partners = 12
                plan.clicks = 20_000
                plan.conversions = 600
                try ActivityGenerator(vault: try PayoutDetailsVault(key: environment.secretKey),
                                      addressSecret: environment.secretKey.derive("address-hash"))
                    .generate(environment.database, programID: 1, plan: plan, now: Int64(Date().timeIntervalSince1970))
                logger.notice("demo: seeded \(plan.partners) more partners, \(plan.clicks) clicks and \(plan.conversions) conversions over \(plan.days) days")
            }
            for login in logins { logger.notice("demo \(login.role) login: \(login.email) / \(login.password)") }
        }

        let development = environment["PORTAL_ENV"] == "development"
        var options = Application.Options(publicDirectory: publicDirectory, templatesDirectory: templatesDirectory,
                                          reloadTemplates: development, demo: demo)
        options.smtpConfigured = environment["PORTAL_SMTP_URL"] != nil
        options.tlsCertificates = tlsCertificates
        if let text = environment["PORTAL_API_RATE_LIMIT"] {
            guard let limits = APIRateLimits.parse(text) else {
                throw ValidationError("PORTAL_API_RATE_LIMIT must be `off` or like `10/50,2/20` (sk_ per second/burst, pk_ per second/burst)")
            }
            options.apiRateLimits = limits
        }
        let configuredBaseURL = environment["PORTAL_BASE_URL"].map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        // Links in pages and e-mails need the public address. With `--port 0` the port is known only once the
        // server listens, so the application is built then and handed to a responder that waits for it.
        let late = configuredBaseURL == nil && configuration.port == 0 ? LateResponder() : nil
        func makeApplication(port: Int) throws -> Application {
            options.baseURL = configuredBaseURL ?? "http://\(configuration.host):\(port)"
            return try Application(options: options, environment: opened.environment, logger: logger)
        }
        let direct = late == nil ? try makeApplication(port: configuration.port) : nil
        let server = Server(configuration: configuration, responder: late ?? direct!.router, logger: Logger(label: "portal.http"),
                            tlsCertificates: tlsCertificates)

        signal(SIGPIPE, SIG_IGN)
        let signals = [SIGTERM, SIGINT].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                logger.info("shutting down: draining in-flight requests")
                server.shutdown()
            }
            source.resume()
            return source
        }
        try server.start()
        let application = try direct ?? makeApplication(port: server.port)
        late?.router.withLock { $0 = application.router }
        let jobs = JobScheduler(database: opened.environment.database,
                                scheduledPayouts: ScheduledPayouts(vault: try PayoutDetailsVault(key: opened.environment.secretKey)),
                                webhooks: WebhookDeliverer(store: try WebhookStore(key: opened.environment.secretKey)),
                                notifications: try JobsRunCommand.notificationJobs(opened.environment, baseURL: options.baseURL,
                                                                                   environment: environment), logger: logger)
        jobs.start()
        logger.info("listening on http://\(configuration.host):\(server.port)")
        if let tlsCertificates {
            let hosts = tlsCertificates.hosts
            logger.info("listening on https://\(configuration.host):\(server.tlsPort) for \(hosts.isEmpty ? "no custom domain yet" : hosts.joined(separator: ", "))")
        }
        if demo { logger.info("demo: tracking link http://\(configuration.host):\(server.port)/r/demo") }
        server.wait()
        jobs.stop()
        // Every answered click is already committed; this writes any still queued before the process ends.
        application.clickRecorder.stop()
        withExtendedLifetime(signals) {}
        logger.info("stopped")
    }
}

/// The responder of a server started before its application exists (`--port 0`): answers 503 until the router is
/// set, which happens right after the listener is bound and before "listening on" is logged.
final class LateResponder: HTTPResponder {
    let router = Mutex<Router?>(nil)

    func maxBodySize(for head: RequestHead) -> Int64? {
        router.withLock { $0 }?.maxBodySize(for: head)
    }

    func respond(to request: Request, sink: ResponseSink) {
        guard let router = router.withLock({ $0 }) else {
            sink.send(Response(status: .serviceUnavailable, contentType: "text/plain; charset=utf-8", body: Array("Starting up\n".utf8)))
            return
        }
        router.respond(to: request, sink: sink)
    }

    func connectionErrorBody(_ status: HTTPStatus, reason: String, head: RequestHead?) -> (contentType: String, body: [UInt8])? {
        router.withLock { $0 }?.connectionErrorBody(status, reason: reason, head: head)
    }
}
