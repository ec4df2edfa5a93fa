import Foundation
import HTTPServer
import PortalCore
import Store

/// The public application form of a program (`/apply/{slug}`): an anonymous visitor applies to become a partner.
/// On success one transaction creates the partner (pending, or approved when the program approves automatically),
/// its answers and terms acceptance, the owner's account and membership, and an e-mailed link to set a password.
/// Someone who is already a partner of the program sees the same page and gets an e-mail instead: the form never
/// reveals who is a partner.
struct ApplicationController {
    let database: DatabasePool
    let sessions: SessionStore
    let partners: PartnerStore
    let templates: TemplateRenderer
    let baseURL: String
    /// Key for `AddressHash` of the applicant's address kept with the terms acceptance.
    let addressSecret: [UInt8]
    let throttle: ApplicationThrottle

    /// How long the e-mailed link to set a password works.
    static let linkLifetime: Int64 = 7 * 86_400

    struct Program {
        let id: Int64
        let slug: String
        let name: String
        let currency: String
        let commissionBasisPoints: Int64
        let cookieDays: Int64
        let holdDays: Int64
        let minPayout: Int64
        let autoApprove: Bool
        let fields: [ApplicationField]
    }

    func register(on routes: RouterGroup) {
        routes.get("/apply/{slug}") { request, context in
            let program = try load(context)
            let terms = try database.read { db in try TermsStore().current(in: db, programID: program.id) }
            let (csrf, cookie) = try anonymousSession(request, context)
            var response = try formPage(program, terms: terms, csrf: csrf, form: nil, errors: [:])
            if let cookie { response.setCookie(cookie) }
            return response
        }
        routes.post("/apply/{slug}", options: RouteOptions(maxBodySize: 64 * 1024)) { request, context in
            try submit(request, context)
        }
        routes.get("/apply/{slug}/terms") { _, context in
            let program = try load(context)
            guard let terms = try database.read({ db in try TermsStore().current(in: db, programID: program.id) }) else {
                throw HTTPError(.notFound, "This program has no terms.")
            }
            return try templates.page("join/terms", [
                "programName": program.name, "slug": program.slug, "version": terms.version,
                "published": CivilDate.format(days: DailyStats.day(of: terms.publishedAt)),
                "paragraphs": Self.paragraphs(terms.bodyMarkdown),
            ])
        }
        routes.get("/apply/{slug}/submitted") { _, context in
            let program = try load(context)
            return try templates.page("join/submitted", ["programName": program.name, "slug": program.slug,
                                                         "autoApprove": program.autoApprove])
        }
    }

    private func load(_ context: RequestContext) throws -> Program {
        let slug = try context.parameters.require("slug")
        guard slug.utf8.count <= 40, let row = try database.read({ db in
            try db.queryOne("""
                SELECT id, slug, name, currency, commission_bps, cookie_days, hold_days, min_payout, auto_approve, application_fields
                FROM programs WHERE slug = ?
                """, [slug])
        }) else { throw HTTPError(.notFound, "There is no partner program at this address.") }
        return Program(id: try row["id"], slug: try row["slug"], name: try row["name"], currency: try row["currency"],
                       commissionBasisPoints: try row["commission_bps"], cookieDays: try row["cookie_days"],
                       holdDays: try row["hold_days"], minPayout: try row["min_payout"],
                       autoApprove: (try row["auto_approve"] as Int64) == 1, fields: ApplicationField.parse(try row["application_fields"]))
    }

    private func submit(_ request: Request, _ context: RequestContext) throws -> Response {
        let program = try load(context)
        let form = try FormBody.parse(request)
        let csrf = context.webSession.session?.csrfToken ?? ""
        func value(_ name: String) -> String { (form[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }

        var errors: [String: String] = [:]
        let name = value("name"), company = value("company"), website = value("website")
        let email = AccountStore.normalizedEmail(value("email"))
        if name.isEmpty { errors["name"] = "Please enter your name." } else if name.count > 120 { errors["name"] = "Please keep your name under 120 characters." }
        if value("email").isEmpty { errors["email"] = "Please enter your e-mail address." } else if email == nil { errors["email"] = "Enter an e-mail address like name@example.com." }
        if company.count > 120 { errors["company"] = "Please keep the company name under 120 characters." }
        if !website.isEmpty, PartnerChanges(website: website).problems(creating: false)["website"] != nil {
            errors["website"] = "Enter a web address starting with https:// or http://."
        }
        var answers: [String: String] = [:]
        for field in program.fields {
            let answer = value("q_" + field.name)
            if let problem = field.problem(with: answer) { errors["q_" + field.name] = problem }
            if !answer.isEmpty { answers[field.name] = answer }
        }
        let terms = try database.read { db in try TermsStore().current(in: db, programID: program.id) }
        if let terms {
            if form["accept_terms"] != "1" {
                errors["accept_terms"] = "Please accept the program terms to apply."
            } else if form["terms_version"] != String(terms.id) {
                errors["accept_terms"] = "The terms changed while you were reading: please read the new version and accept it."
            }
        }
        guard errors.isEmpty, let email else {
            return try formPage(program, terms: terms, csrf: csrf, form: form, errors: errors, status: .unprocessableContent)
        }

        let now = AuthController.now()
        if let wait = throttle.admit(email: email, address: AuthController.address(request), now: now) {
            var response = try formPage(program, terms: terms, csrf: csrf, form: form, errors: [:],
                                        notice: ApplicationThrottle.message(waitSeconds: wait), status: .tooManyRequests)
            response.headers.append("Retry-After", String(wait))
            return response
        }
        let addressHash = AddressHash.compute(ip: AuthController.address(request), secret: addressSecret)
        let accounts = AccountStore(database: database)
        try database.write { db in
            if try db.queryOne("SELECT 1 FROM partners WHERE program_id = ? AND email = ?", [program.id, email]) != nil {
                // Already a partner: the same page as everyone, and the answer goes to the address itself.
                try Outbox.enqueue(in: db, to: email, subject: "You already applied to \(program.name)", body: """
                    Someone (hopefully you) just applied to the \(program.name) partner program with this e-mail address.

                    This address already has an application or a partnership with \(program.name), so nothing changed.
                    Sign in here to see its status:
                    \(baseURL)/login

                    Forgot your password? Choose a new one here:
                    \(baseURL)/password/forgot

                    If this was not you, ignore this message.
                    """, now: now)
                return
            }
            let partner = try partners.create(in: db, programID: program.id,
                                              PartnerChanges(email: email, name: name, company: company, website: website),
                                              status: program.autoApprove ? .approved : .pending, now: now)
            try db.execute("UPDATE partners SET application_answers = ? WHERE id = ?", [ApplicationAnswers.json(answers), partner.id])
            if let terms {
                // Accepted on the anonymous form: the account does not exist (or is not proven) yet, so no user id.
                try TermsStore().accept(in: db, partnerID: partner.id, version: terms, userID: nil, addressHash: addressHash, now: now)
            }
            let user = try accounts.user(in: db, email: email)
                ?? accounts.createUser(in: db, email: email, name: name, passwordHash: nil, now: now)
            try accounts.addMembership(in: db, userID: user.id, Membership(role: .partnerOwner, programID: program.id, partnerID: partner.id), now: now)
            let next = program.autoApprove
                ? "Your application is approved: you can start sharing links right away."
                : "We will review your application and e-mail you when it is decided."
            if user.passwordHash == nil {
                // The membership exists already: the link only sets the password of this account (and, carrying no
                // partner id, is not listed among the team's pending invitations).
                let token = try OneTimeTokens().issue(in: db, purpose: .invitation, email: email, userID: user.id,
                                                      lifetime: Self.linkLifetime, now: now)
                try Outbox.enqueue(in: db, to: email, subject: "Your application to \(program.name)", body: """
                    Thank you for applying to the \(program.name) partner program.

                    \(next)

                    Choose the password of your partner account here within 7 days:
                    \(baseURL)/password/\(token)

                    If you did not apply, ignore this message.
                    """, now: now)
            } else {
                try Outbox.enqueue(in: db, to: email, subject: "Your application to \(program.name)", body: """
                    Thank you for applying to the \(program.name) partner program.

                    \(next)

                    You already have a PartnerPortal account with this address: sign in with it to see the program.
                    \(baseURL)/login

                    If you did not apply, write to the program's managers.
                    """, now: now)
            }
        }
        return .redirect(to: "/apply/\(program.slug)/submitted", status: .seeOther)
    }

    private func formPage(_ program: Program, terms: TermsVersion?, csrf: String, form: FormParameters?, errors: [String: String],
                          notice: String? = nil, status: HTTPStatus = .ok) throws -> Response {
        func value(_ name: String) -> String { form?[name] ?? "" }
        func standard(_ name: String, _ label: String, type: String, autocomplete: String, required: Bool) -> [String: Any] {
            ["name": name, "id": name, "label": label, "type": type, "autocomplete": autocomplete, "required": required,
             "value": value(name), "error": errors[name] ?? "", "invalid": errors[name] != nil,
             "isTextarea": false, "isSelect": false, "options": [[String: Any]]()]
        }
        let fields: [[String: Any]] = [
            standard("name", "Your name", type: "text", autocomplete: "name", required: true),
            standard("email", "E-mail", type: "email", autocomplete: "email", required: true),
            standard("company", "Company (optional)", type: "text", autocomplete: "organization", required: false),
            standard("website", "Website (optional)", type: "url", autocomplete: "url", required: false),
        ] + program.fields.map { field -> [String: Any] in
            let key = "q_" + field.name
            let current = value(key)
            return ["name": key, "id": "q-" + field.name, "label": field.required ? field.label : field.label + " (optional)",
                    "type": field.type == .url ? "url" : "text", "autocomplete": field.type == .url ? "url" : "off", "required": field.required,
                    "value": current, "error": errors[key] ?? "", "invalid": errors[key] != nil,
                    "isTextarea": field.type == .textarea, "isSelect": field.type == .select,
                    "options": field.options.map { ["option": $0, "selected": $0 == current] as [String: Any] }]
        }
        var values: [String: Any] = [
            "programName": program.name, "slug": program.slug, "csrfToken": csrf, "fields": fields,
            "hasErrors": !errors.isEmpty, "pitch": Self.pitch(program),
        ]
        if let notice { values["throttled"] = notice }
        // The program's own look on its application form.
        let branding = try database.read { db in try PortalBranding.load(in: db, programID: program.id) }
        if let style = BrandStyle.css(branding) { values["brandStyle"] = style }
        if let logo = branding.logo { values["logoPath"] = "/brand/\(program.id)/logo?v=\(logo.version)" }
        if let terms {
            values["terms"] = ["id": terms.id, "version": terms.version, "checked": form?["accept_terms"] == "1",
                               "error": errors["accept_terms"] ?? "", "invalid": errors["accept_terms"] != nil] as [String: Any]
        }
        return try templates.page("join/apply", values, status: status)
    }

    /// The program's offer in sentences.
    static func pitch(_ program: Program) -> [String] {
        let bps = program.commissionBasisPoints
        let percent = bps % 100 == 0 ? "\(bps / 100)" : String(format: "%.2f", Double(bps) / 100)
            .replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
        var sentences = ["You earn \(percent)% commission on the sales you refer."]
        sentences.append("A visitor you send counts as yours for \(program.cookieDays) \(program.cookieDays == 1 ? "day" : "days") after their click.")
        sentences.append(program.holdDays == 0
            ? "Commissions become available as soon as they are recorded."
            : "Commissions become available \(program.holdDays) \(program.holdDays == 1 ? "day" : "days") after the sale, unless refunded.")
        sentences.append("Payouts start at \(MoneyText.format(program.minPayout, currency: program.currency)).")
        return sentences
    }

    /// Markdown shown as plain paragraphs (blank-line separated); the template escapes the text.
    static func paragraphs(_ markdown: String) -> [String] {
        markdown.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// The CSRF token for the anonymous form, starting a session (and returning its cookie) when needed.
    private func anonymousSession(_ request: Request, _ context: RequestContext) throws -> (String, SetCookie?) {
        if let csrf = context.webSession.session?.csrfToken { return (csrf, nil) }
        let started = try sessions.start(userID: nil, address: AuthController.address(request), userAgent: request.headers["user-agent"] ?? "",
                                         now: AuthController.now())
        return (started.session.csrfToken, SessionCookie.set(started.token, secure: request.isSecure))
    }
}
