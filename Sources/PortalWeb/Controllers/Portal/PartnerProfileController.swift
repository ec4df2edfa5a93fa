import Foundation
import HTTPServer
import PortalCore
import PortalSecurity
import Store

/// `/portal/profile`: the partner's business details (changed by the team's owners and admins), the signed-in
/// member's own name and password, and their e-mail notification choices for this team. Every value is read and
/// written for the partner `PartnerContext` resolved, never for an id from the form.
struct PartnerProfileController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let hasher: PasswordHasher
    let sessions: SessionStore

    private struct Form {
        var values: [String: String] = [:]
        var errors: [String: [String]] = [:]
        /// Which form the values and errors belong to.
        var section = ""
    }

    func register(on routes: RouterGroup) {
        let limit = RouteOptions(maxBodySize: 16 * 1024)
        routes.get("/profile") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            return try page(request, context, partner: partner, form: Form(), notice: Self.notices[request.queryParameters["saved"] ?? ""])
        }
        routes.post("/profile/business", options: limit) { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            try partner.require(.manageTeam)
            let body = try FormBody.parse(request)
            let profile = PartnerProfile(name: body["name"] ?? "", email: body["email"] ?? "", company: body["company"] ?? "",
                                         website: body["website"] ?? "", country: body["country"] ?? "", phone: body["phone"] ?? "",
                                         about: body["about"] ?? "")
            do {
                try database.write { db in try PartnerProfileStore().save(in: db, programID: partner.programID, partnerID: partner.partnerID, profile) }
            } catch PartnerProfileStore.Failure.invalid(let errors) {
                let values = ["name": profile.name, "email": profile.email, "company": profile.company, "website": profile.website,
                              "country": profile.country, "phone": profile.phone, "about": profile.about]
                return try page(request, context, partner: partner, form: Form(values: values, errors: errors, section: "business"), notice: nil,
                                status: .unprocessableContent)
            }
            return redirect(partner, request, saved: "business")
        }
        routes.post("/profile/account", options: limit) { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            let user = try signedInUser(context)
            let name = (try FormBody.parse(request)["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !name.isEmpty, name.count <= 120 else {
                return try page(request, context, partner: partner,
                                form: Form(values: ["name": name], errors: ["name": ["Enter your name (up to 120 characters)."]], section: "account"),
                                notice: nil, status: .unprocessableContent)
            }
            try database.write { db in try db.execute("UPDATE users SET name = ? WHERE id = ?", [name, user.id]) }
            return redirect(partner, request, saved: "account")
        }
        routes.post("/profile/password", options: limit) { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            let user = try signedInUser(context)
            let body = try FormBody.parse(request)
            let current = body["current_password"] ?? "", new = body["new_password"] ?? ""
            var errors: [String: [String]] = [:]
            let stored = try database.read { db in
                try db.queryValue("SELECT password_hash FROM users WHERE id = ?", [user.id], as: String.self)
            }
            // Verifying costs a full scrypt hash either way, so a wrong guess is as slow as a right one.
            if let stored, !hasher.verify(current, against: stored) {
                errors["current_password", default: []].append("This is not your current password.")
            } else if stored == nil {
                hasher.simulateVerification(current)
                errors["current_password", default: []].append("Your account has no password yet: use the link in your invitation e-mail.")
            }
            if let problem = PasswordRules.problem(with: new, email: user.email) { errors["new_password", default: []].append(problem) }
            else if new != body["confirm_password"] { errors["confirm_password", default: []].append("The two new passwords differ.") }
            guard errors.isEmpty else {
                return try page(request, context, partner: partner, form: Form(errors: errors, section: "password"), notice: nil,
                                status: .unprocessableContent)
            }
            let hash = try hasher.hash(new)
            let now = Int64(Date().timeIntervalSince1970)
            try database.write { db in
                try AccountStore(database: database).setPassword(in: db, userID: user.id, passwordHash: hash)
                try Outbox.enqueue(in: db, to: user.email, subject: "Your PartnerPortal password was changed", body: """
                    Hello,

                    The password of your PartnerPortal account \(user.email) was changed, and every other device was signed out.

                    If this was not you, reset your password at once from the sign-in page and tell the program's managers.
                    """, now: now)
            }
            // A changed password ends every session, this one included; the member carries on in a fresh one.
            try sessions.endAll(userID: user.id)
            let started = try sessions.start(userID: user.id, address: AuthController.address(request),
                                             userAgent: request.headers["user-agent"] ?? "", now: now)
            var response = redirect(partner, request, saved: "password")
            response.setCookie(SessionCookie.set(started.token, secure: request.isSecure))
            return response
        }
        routes.post("/profile/notifications", options: limit) { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            let user = try signedInUser(context)
            let body = try FormBody.parse(request)
            var enabled: Set<NotificationEvent> = []
            for value in body.values(for: "notify") {
                guard let event = NotificationEvent(rawValue: value) else { throw HTTPError(.badRequest, "Unknown notification: \(value)") }
                enabled.insert(event)
            }
            let now = Int64(Date().timeIntervalSince1970)
            try database.write { db in
                try NotificationPreferences().save(in: db, userID: user.id, partnerID: partner.partnerID, enabled: enabled, now: now)
            }
            return redirect(partner, request, saved: "notifications")
        }
    }

    private static let notices = [
        "business": "Your business details are saved.",
        "account": "Your name is saved.",
        "password": "Your password is changed. Other devices were signed out.",
        "notifications": "Your e-mail choices are saved.",
    ]

    private func signedInUser(_ context: RequestContext) throws -> User {
        guard let user = context.webSession.principal?.user else { throw HTTPError(.unauthorized, "Please sign in.") }
        return user
    }

    private func redirect(_ partner: PartnerContext, _ request: Request, saved: String) -> Response {
        let team = request.queryParameters["partner"].map { _ in "&partner=\(partner.partnerID)" } ?? ""
        return .redirect(to: "/portal/profile?saved=\(saved)\(team)", status: .seeOther)
    }

    private func page(_ request: Request, _ context: RequestContext, partner: PartnerContext, form: Form, notice: String?,
                      status: HTTPStatus = .ok) throws -> Response {
        guard let user = context.webSession.principal?.user else { throw HTTPError(.unauthorized, "Please sign in.") }
        let (stored, choices, userName) = try database.read { db in
            (try PartnerProfileStore().profile(in: db, programID: partner.programID, partnerID: partner.partnerID),
             try NotificationPreferences().choices(in: db, userID: user.id, partnerID: partner.partnerID),
             try db.queryValue("SELECT name FROM users WHERE id = ?", [user.id], as: String.self) ?? "")
        }
        guard let stored else { throw HTTPError(.notFound, "Not found") }
        let business = form.section == "business"
        func value(_ name: String, _ saved: String) -> String { business ? form.values[name] ?? "" : saved }
        func field(_ name: String, _ label: String, _ saved: String, type: String = "text", autocomplete: String = "off") -> [String: Any] {
            let errors = business ? form.errors[name] ?? [] : []
            return ["name": name, "label": label, "type": type, "value": value(name, saved), "autocomplete": autocomplete,
                    "errors": errors, "invalid": !errors.isEmpty]
        }
        let country = value("country", stored.country)
        let query = request.queryParameters["partner"].map { "?partner=\($0)" } ?? ""
        func errors(_ section: String, _ name: String) -> [String] { form.section == section ? form.errors[name] ?? [] : [] }
        var response = try templates.page("portal/profile", PageChrome(context: context, currentPath: "/portal/profile").merged(with: [
            "partnerName": partner.partnerName, "programName": partner.programName, "notice": TemplateValue.section(notice ?? ""),
            "hasErrors": !form.errors.isEmpty, "canEdit": partner.may(.manageTeam), "query": query,
            "fields": [
                field("name", "Partner name", stored.name, autocomplete: "organization"),
                field("email", "Contact e-mail", stored.email, type: "email", autocomplete: "email"),
                field("company", "Company (optional)", stored.company, autocomplete: "organization"),
                field("website", "Website (optional)", stored.website, type: "url", autocomplete: "url"),
                field("phone", "Phone (optional)", stored.phone, type: "tel", autocomplete: "tel"),
            ],
            "countries": Countries.all.map { ["code": $0.code, "name": $0.name, "selected": $0.code == country] },
            "countryErrors": errors("business", "country"), "countryInvalid": !errors("business", "country").isEmpty,
            "countryName": TemplateValue.section(Countries.name(of: stored.country) ?? ""),
            "about": value("about", stored.about), "aboutErrors": errors("business", "about"), "aboutInvalid": !errors("business", "about").isEmpty,
            "aboutLimit": PartnerProfile.aboutLimit,
            "saved": ["name": stored.name, "email": stored.email, "company": TemplateValue.section(stored.company),
                      "website": TemplateValue.section(stored.website), "phone": TemplateValue.section(stored.phone),
                      "about": TemplateValue.section(stored.about)] as [String: Any],
            "userEmail": user.email, "userName": form.section == "account" ? form.values["name"] ?? "" : userName,
            "nameErrors": errors("account", "name"), "nameInvalid": !errors("account", "name").isEmpty,
            "passwordFields": [
                ["name": "current_password", "label": "Current password", "autocomplete": "current-password", "errors": errors("password", "current_password")],
                ["name": "new_password", "label": "New password", "autocomplete": "new-password", "errors": errors("password", "new_password")],
                ["name": "confirm_password", "label": "New password again", "autocomplete": "new-password", "errors": errors("password", "confirm_password")],
            ].map { item -> [String: Any] in var item = item; item["invalid"] = !((item["errors"] as? [String]) ?? []).isEmpty; return item },
            "events": NotificationEvent.allCases.map { ["value": $0.rawValue, "label": $0.label, "checked": choices[$0] ?? $0.isOnByDefault] },
        ]))
        response.status = status
        return response
    }
}
