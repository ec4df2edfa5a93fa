import Foundation
import HTTPServer
import PortalCore
import Logging

/// Builds the portal's router from its controllers. The HTTP layer knows nothing of partners; this is
/// where the two meet.
public struct Application: Sendable {
    public struct Options: Sendable {
        public var publicDirectory: String
        public var templatesDirectory: String
        /// Re-read templates on every render (development).
        public var reloadTemplates: Bool
        public var demo: Bool
        /// The public URL used in links sent by e-mail (`PORTAL_BASE_URL`).
        public var baseURL = "http://127.0.0.1:8080"
        /// Whether `PORTAL_SMTP_URL` is set (the outbox page says how mail leaves).
        public var smtpConfigured = false
        /// The TLS port's certificate store (`portal serve --tls-port`); custom domains load into it. Nil: no TLS.
        public var tlsCertificates: TLSCertificateStore?
        /// Per-key token buckets on `/api/v1` (docs/DECISIONS.md 2026-11-26).
        public var apiRateLimits: APIRateLimits = .standard
        /// Single sign-on may reach identity providers on private addresses and accept http:// issuers (tests,
        /// development; PORTAL_WEBHOOKS_ALLOW_PRIVATE=1). Off in production.
        public var ssoAllowPrivate = AddressPolicy.allowsPrivate()
        public init(publicDirectory: String = "Public", templatesDirectory: String = "Templates", reloadTemplates: Bool = false, demo: Bool) {
            self.publicDirectory = publicDirectory
            self.templatesDirectory = templatesDirectory
            self.reloadTemplates = reloadTemplates
            self.demo = demo
        }
    }

    public let router: Router
    public let metrics: ServerMetrics

    public let templates: TemplateRenderer
    /// Writes clicks in group commits; `stop()` it after the server has drained so no click is lost.
    public let clickRecorder: ClickRecorder
    /// Custom domains: host names that brand the portal, and their certificates on the TLS port.
    public let customDomains: CustomDomains

    public init(options: Options, environment: PortalEnvironment, logger: Logger) throws {
        let templates = try TemplateRenderer(directory: options.templatesDirectory, reloads: options.reloadTemplates)
        let router = Router()
        router.logger = logger
        let metrics = ServerMetrics()
        router.add(middleware: metrics)
        router.errorRenderer = ErrorPages(templates: templates).render
        // Errors the server answers before routing (a body over the route's limit, a slow client) are
        // problem+json on the API too, as CONTRACTS.md asks of every API error.
        router.connectionErrorRenderer = { status, reason, head in
            guard let head, head.target.hasPrefix("/api/") else { return nil }
            return ("application/problem+json", APIProblem(status, reason).responseBody)
        }
        HealthController(metrics: metrics).register(on: router)

        // The JSON API: errors as problem+json, then the bearer key (no cookies, so no CSRF).
        // Then the key's rate limit. The OpenAPI document needs no key.
        let openAPI = OpenAPIDocument.bytes
        router.group("/api/v1", middleware: [APIProblemMiddleware()]).get("/openapi.json") { _, _ in
            Response(status: .ok, contentType: "application/json", body: openAPI)
        }
        let api = router.group("/api/v1", middleware: [APIProblemMiddleware(), APIKeyAuthentication(database: environment.database),
                                                       APIRateLimit(limiter: APIRateLimiter(), limits: options.apiRateLimits)])
        let vault = try PayoutDetailsVault(key: environment.secretKey)
        PartnersAPIController(database: environment.database, store: PartnerStore(vault: vault)).register(on: api)
        LinksAPIController(database: environment.database, baseURL: options.baseURL).register(on: api)
        ConversionsAPIController(database: environment.database,
                                 recorder: ConversionRecorder(addressSecret: environment.secretKey.derive("address-hash"))).register(on: api)
        CommissionsAPIController(database: environment.database).register(on: api)
        PayoutsAPIController(database: environment.database, store: PayoutStore(vault: vault)).register(on: api)
        ReportsAPIController(database: environment.database).register(on: api)
        WebhooksAPIController(database: environment.database, store: try WebhookStore(key: environment.secretKey)).register(on: api)
        ProgramDataAPIController(database: environment.database, messages: MessageStore(baseURL: options.baseURL)).register(on: api)

        // Browser pages: session, then CSRF on every unsafe request, then the area's access rule.
        let database = environment.database
        let sessions = SessionStore(database: database)
        let customDomains = try CustomDomains(database: database, key: environment.secretKey, certificates: options.tlsCertificates, logger: logger)
        let browser = router.group("/", middleware: [SessionMiddleware(sessions: sessions, database: database), CSRFMiddleware(),
                                                     DomainProgramMiddleware(domains: customDomains)])
        // Single sign-on (OpenID Connect): docs/DECISIONS.md "Single sign-on".
        let sso = SSOService(database: database, store: try SSOStore(key: environment.secretKey),
                             client: OpenIDClient(http: WebhookHTTPClient(allowPrivate: options.ssoAllowPrivate)),
                             redirectURI: options.baseURL + "/sso/callback")
        AuthController(sessions: sessions, login: LoginService(database: database, hasher: environment.hasher), templates: templates, sso: sso)
            .register(on: browser)
        SSOController(service: sso, sessions: sessions, templates: templates, logger: logger).register(on: browser)
        PasswordLinkController(database: database, sessions: sessions, hasher: environment.hasher, templates: templates,
                               baseURL: options.baseURL, sso: sso).register(on: browser)
        let addressSecret = environment.secretKey.derive("address-hash")
        ApplicationController(database: database, sessions: sessions, partners: PartnerStore(vault: try PayoutDetailsVault(key: environment.secretKey)),
                              templates: templates, baseURL: options.baseURL, addressSecret: addressSecret,
                              throttle: ApplicationThrottle()).register(on: browser)
        let messages = MessageStore(baseURL: options.baseURL)
        let admin = browser.group("/admin", middleware: [RequireAccess(action: .viewProgram),
                                                         AdminUnreadMessagesMiddleware(database: database, store: messages,
                                                                                       addressSecret: addressSecret)])
        AdminDashboardController(database: database, templates: templates).register(on: admin)
        AdminMessagesController(database: database, templates: templates, store: messages, addressSecret: addressSecret).register(on: admin)
        AdminAuditController(database: database, templates: templates, addressSecret: addressSecret).register(on: admin)
        AdminAnalyticsController(database: database, templates: templates, addressSecret: addressSecret).register(on: admin)
        // One cache for the redirect, the links page and the program settings: a change invalidates what redirects serve.
        let linkCache = LinkCache(database: environment.database)
        AdminProgramController(database: database, templates: templates, addressSecret: addressSecret, linkCache: linkCache,
                               baseURL: options.baseURL).register(on: admin)
        AdminAPIKeysController(database: database, templates: templates, addressSecret: addressSecret).register(on: admin)
        let webhookPages = WebhookPagesController(database: database, templates: templates, store: try WebhookStore(key: environment.secretKey),
                                                  addressSecret: addressSecret)
        webhookPages.register(admin: admin)
        AdminRulesController(database: database, templates: templates, addressSecret: addressSecret).register(on: admin)
        AdminTeamController(database: database, templates: templates, addressSecret: addressSecret, baseURL: options.baseURL).register(on: admin)
        AdminProgramsController(database: database, templates: templates).register(on: admin)
        AdminPartnerNotesController(database: database, addressSecret: addressSecret).register(on: admin)
        AdminPartnerGroupController(database: database, addressSecret: addressSecret, vault: try PayoutDetailsVault(key: environment.secretKey))
            .register(on: admin)
        AdminPartnerInvitationsController(database: database, templates: templates, addressSecret: addressSecret, baseURL: options.baseURL,
                                          vault: try PayoutDetailsVault(key: environment.secretKey)).register(on: admin)
        AdminBrandingController(database: database, templates: templates, addressSecret: addressSecret).register(on: admin, public: router)
        AdminDomainsController(database: database, templates: templates, addressSecret: addressSecret, domains: customDomains).register(on: admin)
        AdminResourcesController(database: database, templates: templates, addressSecret: addressSecret).register(on: admin)
        AdminPartnersController(database: database, templates: templates, addressSecret: addressSecret,
                                vault: try PayoutDetailsVault(key: environment.secretKey), taxForms: try TaxFormStore(key: environment.secretKey))
            .register(on: admin.group("/partners"))
        AdminCommissionsController(database: database, templates: templates, addressSecret: addressSecret)
            .register(on: admin.group("/commissions"))
        AdminPayoutsController(database: database, templates: templates, addressSecret: addressSecret,
                               store: PayoutStore(vault: try PayoutDetailsVault(key: environment.secretKey)),
                               taxForms: try TaxFormStore(key: environment.secretKey))
            .register(on: admin.group("/payouts"))
        OutboxController(database: database, templates: templates, smtpConfigured: options.smtpConfigured)
            .register(on: browser.group("/admin/outbox", middleware: [RequireAccess(action: .manageInstallation)]))
        let viewAsKey = environment.secretKey.derive("view-as")
        AdminViewAsController(database: database, addressSecret: addressSecret, key: viewAsKey).register(on: admin)
        let portal = browser.group("/portal", middleware: [ViewAsPartnerMiddleware(database: database, key: viewAsKey),
                                                           RequireAccess(action: .viewPartnerDashboard),
                                                           PortalBrandingMiddleware(database: database),
                                                           UnreadMessagesMiddleware(database: database, store: messages)])
        let portalVault = try PayoutDetailsVault(key: environment.secretKey)
        PartnerDashboardController(database: database, templates: templates, messages: messages).register(on: portal)
        PartnerLinksController(database: database, templates: templates, baseURL: options.baseURL, linkCache: linkCache).register(on: portal)
        PartnerResourcesController(database: database, templates: templates, baseURL: options.baseURL).register(on: portal, assets: router)
        PartnerEarningsController(database: database, templates: templates, payouts: PayoutStore(vault: portalVault)).register(on: portal)
        PartnerPayoutSettingsController(database: database, templates: templates, store: PartnerStore(vault: portalVault)).register(on: portal)
        PartnerTaxController(database: database, templates: templates, store: try TaxFormStore(key: environment.secretKey), addressSecret: addressSecret).register(on: portal)
        PartnerTeamController(database: database, templates: templates, baseURL: options.baseURL).register(on: portal)
        PartnerAPIKeysController(database: database, templates: templates).register(on: portal)
        webhookPages.register(portal: portal)
        PartnerAnalyticsController(database: database, templates: templates).register(on: portal)
        PartnerNPSController(database: database).register(on: portal)
        PartnerTermsController(database: database, templates: templates, addressSecret: addressSecret).register(on: portal)
        PartnerMessagesController(database: database, templates: templates, store: messages).register(on: portal)
        PartnerProfileController(database: database, templates: templates, hasher: environment.hasher, sessions: sessions).register(on: portal)
        PartnerTeamSwitchController(database: database, templates: templates).register(on: portal)
        // Web Push opt-in per device and the device list (docs/DECISIONS.md, Notifications).
        PartnerPushController(database: database, templates: templates, subscriptions: try PushSubscriptions(key: environment.secretKey),
                              keys: try VAPIDKeys(key: environment.secretKey)).register(on: portal)
        SSOSettingsController(database: database, templates: templates, addressSecret: addressSecret, service: sso,
                              allowHTTPIssuer: options.ssoAllowPrivate).register(admin: admin, portal: portal)
        let clickRecorder = ClickRecorder(database: environment.database)
        try TrackingController(links: linkCache, recorder: clickRecorder,
                               visitorSecret: environment.secretKey.derive("visitor-hash"), templates: templates).register(on: router)
        // Whatever no route claims may be a static file from Public/ (served on a worker: it reads disk).
        let files = FileServer(root: options.publicDirectory)
        router.fallback = { request in files.respond(to: request) }
        self.router = router
        self.metrics = metrics
        self.templates = templates
        self.clickRecorder = clickRecorder
        self.customDomains = customDomains
    }
}
