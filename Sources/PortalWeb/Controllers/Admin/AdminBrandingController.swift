import Foundation
import HTTPServer
import PortalCore
import Store

/// `/admin/branding`: customise the partner portal — logo, brand colours (refused below WCAG AA contrast), font,
/// dashboard components and their order, navigation labels, welcome and onboarding content, and the feature switches
/// the portal obeys — with a live preview. Owners change it (`manageProgramSettings`); every change is audited.
/// `GET /brand/{program}/logo` serves the logo to anyone (a logo is public; the login page on a custom domain shows it).
struct AdminBrandingController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let addressSecret: [UInt8]

    func register(on admin: RouterGroup, public router: Router) {
        let small = RouteOptions(maxBodySize: 128 * 1024)
        admin.get("/branding") { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            let branding = try database.read { db in try PortalBranding.load(in: db, programID: admin.programID) }
            let notice: String? = switch request.queryParameters["done"] {
            case "saved": "Saved. Partners see the change on their next page."
            case "logo": "Logo uploaded."
            case "logo-removed": "Logo removed."
            default: nil
            }
            return try page(context, admin: admin, branding: branding, submitted: nil, errors: [:], notice: notice)
        }
        admin.post("/branding", options: small) { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.manageProgramSettings)
            let form = try FormBody.parse(request).firstValues
            let now = Int64(Date().timeIntervalSince1970)
            let current = try database.read { db in try PortalBranding.load(in: db, programID: admin.programID) }
            switch PortalBranding.parse(form, current: current) {
            case .failure(let errors):
                return try page(context, admin: admin, branding: current, submitted: form, errors: errors.fields, notice: nil,
                                status: .unprocessableContent)
            case .success(let new):
                try database.write { db in
                    let old = try PortalBranding.load(in: db, programID: admin.programID)
                    let changes = new.changes(from: old)
                    guard !changes.isEmpty else { return }
                    try new.save(in: db, programID: admin.programID, now: now)
                    try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "branding.update",
                                          subjectType: "program", subjectID: admin.programID, details: changes.joined(separator: "; "), now: now)
                }
                return .redirect(to: "/admin/branding?program=\(admin.programID)&done=saved", status: .seeOther)
            }
        }
        admin.post("/branding/logo", options: RouteOptions(maxBodySize: Int64(LogoUpload.maximumBytes + 64 * 1024))) { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.manageProgramSettings)
            let upload = try MultipartBody.form(context)
            guard let file = upload.file("logo") else {
                return try failedLogo(context, admin: admin, message: "Choose an image file.")
            }
            let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: file.path)))
            switch LogoUpload.check(bytes) {
            case .failure(let errors):
                return try failedLogo(context, admin: admin, message: errors.fields["logo"]?.first ?? "This file cannot be used.")
            case .success(let info):
                let now = Int64(Date().timeIntervalSince1970)
                try database.write { db in
                    try PortalBranding.saveLogo(in: db, programID: admin.programID, bytes: bytes, info: info, now: now)
                    try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "branding.logo", subjectType: "program",
                                          subjectID: admin.programID,
                                          details: "\(info.format.rawValue.uppercased()) \(info.width)×\(info.height), \(bytes.count) bytes", now: now)
                }
                return .redirect(to: "/admin/branding?program=\(admin.programID)&done=logo", status: .seeOther)
            }
        }
        admin.post("/branding/logo/remove", options: RouteOptions(maxBodySize: 4 * 1024)) { request, context in
            let admin = try AdminContext.resolve(request, context, database: database, addressSecret: addressSecret)
            try admin.require(.manageProgramSettings)
            _ = try FormBody.parse(request)
            let now = Int64(Date().timeIntervalSince1970)
            try database.write { db in
                try PortalBranding.removeLogo(in: db, programID: admin.programID, now: now)
                try AuditLog().record(in: db, programID: admin.programID, actor: admin.actor, action: "branding.logo_remove", subjectType: "program",
                                      subjectID: admin.programID, now: now)
            }
            return .redirect(to: "/admin/branding?program=\(admin.programID)&done=logo-removed", status: .seeOther)
        }
        router.get("/brand/{program}/logo") { _, context in
            guard let id = Int64(try context.parameters.require("program")),
                  let logo = try database.read({ db in try PortalBranding.logoBytes(in: db, programID: id) }) else {
                throw HTTPError(.notFound, "Not found")
            }
            var response = Response(contentType: logo.contentType, body: logo.bytes)
            // The page links the logo with its version (?v=), so a new logo is a new URL.
            response.headers.append("Cache-Control", "public, max-age=86400")
            response.headers.append("X-Content-Type-Options", "nosniff")
            response.headers.append("Content-Security-Policy", "default-src 'none'; sandbox")
            return response
        }
    }

    private func failedLogo(_ context: RequestContext, admin: AdminContext, message: String) throws -> Response {
        let branding = try database.read { db in try PortalBranding.load(in: db, programID: admin.programID) }
        return try page(context, admin: admin, branding: branding, submitted: nil, errors: ["logo": [message]], notice: nil, status: .unprocessableContent)
    }

    // MARK: - Page

    private func page(_ context: RequestContext, admin: AdminContext, branding: PortalBranding, submitted: [String: String]?,
                      errors: [String: [String]], notice: String?, status: HTTPStatus = .ok) throws -> Response {
        func value(_ name: String, _ stored: String) -> String { submitted?[name] ?? stored }
        func flag(_ name: String, _ stored: Bool) -> Bool { submitted.map { $0[name] == "1" } ?? stored }
        let shown = branding.components
        let components: [[String: Any]] = PortalBranding.DashboardComponent.allCases.enumerated().map { index, component in
            let position = shown.firstIndex(of: component).map { $0 + 1 } ?? (shown.count + index + 1)
            return ["key": component.rawValue, "label": component.label,
                    "position": value("position_\(component.rawValue)", String(position)),
                    "shown": flag("show_\(component.rawValue)", shown.contains(component))]
        }
        let navigation: [[String: Any]] = PortalBranding.navigationItems.map { item in
            let name = "nav_" + item.path.replacingOccurrences(of: "/", with: "_")
            return ["name": name, "label": item.label, "value": value(name, branding.navigationLabels[item.path] ?? "")]
        }
        let brand = RGBColor(hex: value("brand_color", branding.brandColor.hex)) ?? branding.brandColor
        let ink = RGBColor(hex: value("brand_ink", branding.brandInk.hex)) ?? branding.brandInk
        var values: [String: Any] = [
            "programName": admin.programName, "programID": admin.programID, "canEdit": admin.may(.manageProgramSettings),
            "brandColor": brand.hex, "brandInk": ink.hex, "brandSoft": brand.tint(PortalBranding.softTint).hex,
            "contrastOnBrand": ContrastRule.describe(RGBColor.contrast(brand, ink)),
            "contrastOnWhite": ContrastRule.describe(RGBColor.contrast(brand, .white)),
            "fonts": FormFields.options(PortalBranding.Font.allCases.map { ($0.rawValue, $0.label) }, selected: value("font", branding.font.rawValue)),
            "fontStacks": PortalBranding.Font.allCases.map { ["value": $0.rawValue, "stack": $0.stack] },
            "components": components, "navigation": navigation,
            "welcomeMarkdown": value("welcome_markdown", branding.welcomeMarkdown),
            "onboardingMarkdown": value("onboarding_markdown", branding.onboardingMarkdown),
            "showCommissionRates": flag("show_commission_rates", branding.showCommissionRates),
            "reportingEnabled": flag("reporting_enabled", branding.reportingEnabled),
            "resourcesEnabled": flag("resources_enabled", branding.resourcesEnabled),
            "messagingEnabled": flag("messaging_enabled", branding.messagingEnabled),
            "apiAccess": FormFields.options(PortalBranding.APIAccess.allCases.map { ($0.rawValue, $0.label) },
                                            selected: value("api_access", branding.apiAccess.rawValue)),
            "hasErrors": !errors.isEmpty, "colorErrors": errors["brand_color"] ?? [], "inkErrors": errors["brand_ink"] ?? [],
            "componentErrors": errors["components"] ?? [], "navigationErrors": errors["navigation"] ?? [],
            "welcomeErrors": errors["welcome_markdown"] ?? [], "onboardingErrors": errors["onboarding_markdown"] ?? [],
            "logoErrors": errors["logo"] ?? [], "colorInvalid": errors["brand_color"] != nil,
            "welcomePreview": SafeMarkdown.html(value("welcome_markdown", branding.welcomeMarkdown)),
        ]
        if let logo = branding.logo {
            values["logoPath"] = "/brand/\(admin.programID)/logo?v=\(logo.version)"
            values["logoSize"] = "\(logo.width)×\(logo.height)"
        }
        if let notice { values["notice"] = notice }
        var response = try templates.page("admin/branding", PageChrome(context: context, currentPath: "/admin/branding").merged(with: values))
        response.status = status
        return response
    }
}
