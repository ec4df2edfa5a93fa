import Foundation
import Store

/// How one program's partner portal looks and what it offers: brand colours (checked for WCAG AA contrast), a font,
/// the dashboard's components and their order, the navigation's labels, welcome and onboarding content, and feature
/// switches the portal obeys (commission rates shown, reporting, resources, messaging, the partner API). Parsing the
/// admin's form is pure and tested; a program that never customised gets `PortalBranding.standard`.
public struct PortalBranding: Sendable, Equatable {
    public enum Font: String, Sendable, CaseIterable {
        case system, humanist, serif, rounded

        public var label: String {
            switch self {
            case .system: "System sans-serif (default)"
            case .humanist: "Humanist sans-serif"
            case .serif: "Serif"
            case .rounded: "Rounded"
            }
        }

        /// Font stacks of fonts already on people's devices: no web font is downloaded, nothing leaks to a font host.
        public var stack: String {
            switch self {
            case .system: #"system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif"#
            case .humanist: #""Seravek", "Gill Sans Nova", Ubuntu, Calibri, "DejaVu Sans", source-sans-pro, sans-serif"#
            case .serif: #"Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia, serif"#
            case .rounded: #"ui-rounded, "Hiragino Maru Gothic ProN", Quicksand, Comfortaa, Manjari, "Arial Rounded MT", Calibri, sans-serif"#
            }
        }
    }

    public enum DashboardComponent: String, Sendable, CaseIterable {
        case welcome, checklist, messages, earnings, recent
        case bestLinks = "best_links"

        public var label: String {
            switch self {
            case .welcome: "Welcome message"
            case .checklist: "Getting-started checklist"
            case .messages: "Messages and announcements"
            case .earnings: "Earnings (pending, available, paid)"
            case .recent: "Last 30 days (figures and chart)"
            case .bestLinks: "Best links"
            }
        }
    }

    public enum APIAccess: String, Sendable, CaseIterable {
        case none, read, full

        public var label: String {
            switch self {
            case .none: "No partner API keys"
            case .read: "Read reports only"
            case .full: "Read reports and create links"
            }
        }

        /// The partner key scopes this level allows.
        public var allowedScopes: Set<String> {
            switch self {
            case .none: []
            case .read: ["reports:read"]
            case .full: ["reports:read", "links:write", "webhooks:write", "messages:write"]
            }
        }
    }

    /// The partner navigation items a program may rename (path → default label).
    public static let navigationItems: [(path: String, label: String)] = [
        ("/portal", "Dashboard"), ("/portal/links", "Links"), ("/portal/analytics", "Analytics"), ("/portal/commissions", "Commissions"),
        ("/portal/payouts", "Payouts"), ("/portal/tax", "Tax"), ("/portal/resources", "Resources"), ("/portal/messages", "Messages"),
        ("/portal/team", "Team"), ("/portal/profile", "Profile"), ("/portal/api", "API keys"),
    ]

    public static let markdownLimit = 20_000
    /// How far towards white the soft brand background (the current navigation item) is: 94 %.
    public static let softTint = 0.94

    public var brandColor: RGBColor
    public var brandInk: RGBColor
    public var font: Font
    public var components: [DashboardComponent]
    public var navigationLabels: [String: String]
    public var welcomeMarkdown: String
    public var onboardingMarkdown: String
    public var showCommissionRates: Bool
    public var reportingEnabled: Bool
    public var resourcesEnabled: Bool
    public var messagingEnabled: Bool
    public var apiAccess: APIAccess
    /// The logo's type and size when one is uploaded (the bytes are read separately, only by the logo route).
    public var logo: Logo?

    public struct Logo: Sendable, Equatable {
        public let contentType: String
        public let width: Int
        public let height: Int
        public let version: Int64
    }

    public static let standard = PortalBranding(
        brandColor: RGBColor(hex: "#4f46e5")!, brandInk: .white, font: .system, components: DashboardComponent.allCases,
        navigationLabels: [:], welcomeMarkdown: "", onboardingMarkdown: "", showCommissionRates: true, reportingEnabled: true,
        resourcesEnabled: true, messagingEnabled: true, apiAccess: .full, logo: nil)

    /// The label of a partner navigation item: the program's own, or the default.
    public func label(for path: String, default fallback: String) -> String {
        navigationLabels[path] ?? fallback
    }

    /// Whether the portal offers the page at `path` (a switched-off feature's pages answer 404).
    public func offers(path: String) -> Bool {
        func under(_ prefix: String) -> Bool { path == prefix || path.hasPrefix(prefix + "/") }
        if under("/portal/analytics") { return reportingEnabled }
        if under("/portal/resources") { return resourcesEnabled }
        if under("/portal/messages") { return messagingEnabled }
        if under("/portal/api") { return apiAccess != .none }
        return true
    }

    /// Contrast problems of a colour pair, as sentences (empty: WCAG AA is met for text on the brand colour and for
    /// links in the brand colour on white).
    public static func contrastProblems(brand: RGBColor, ink: RGBColor) -> [String] {
        var problems: [String] = []
        let onBrand = RGBColor.contrast(brand, ink)
        if onBrand < ContrastRule.minimumForText {
            problems.append("Text in \(ink.hex) on \(brand.hex) has a contrast of \(ContrastRule.describe(onBrand)); WCAG AA needs 4.5:1.")
        }
        let onWhite = RGBColor.contrast(brand, .white)
        let onSoft = RGBColor.contrast(brand, brand.tint(softTint))
        if onWhite < ContrastRule.minimumForText {
            problems.append("Links in \(brand.hex) on white have a contrast of \(ContrastRule.describe(onWhite)); WCAG AA needs 4.5:1. Choose a darker colour.")
        } else if onSoft < ContrastRule.minimumForText {
            problems.append("The current page in the navigation (\(brand.hex) on its light tint) has a contrast of \(ContrastRule.describe(onSoft)); WCAG AA needs 4.5:1. Choose a slightly darker colour.")
        }
        return problems
    }

    // MARK: - The admin's form

    /// Parses the customise form (everything but the logo, which is an upload of its own). `current` keeps the logo.
    public static func parse(_ form: [String: String], current: PortalBranding) -> Result<PortalBranding, FormErrors> {
        var errors: [String: [String]] = [:]
        func text(_ name: String) -> String { (form[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        let brand = RGBColor(hex: text("brand_color"))
        if brand == nil { errors["brand_color", default: []].append("Enter a colour as #rrggbb.") }
        let ink = RGBColor(hex: text("brand_ink"))
        if ink == nil { errors["brand_ink", default: []].append("Enter a colour as #rrggbb.") }
        if let brand, let ink {
            let problems = contrastProblems(brand: brand, ink: ink)
            if !problems.isEmpty { errors["brand_color", default: []].append(contentsOf: problems) }
        }
        let font = Font(rawValue: text("font"))
        if font == nil { errors["font", default: []].append("Choose a font.") }

        // Shown components sorted by the position typed beside each (ties keep the standard order).
        var ranked: [(Int, Int, DashboardComponent)] = []
        for (index, component) in DashboardComponent.allCases.enumerated() where form["show_\(component.rawValue)"] == "1" {
            let position = Int(text("position_\(component.rawValue)")) ?? (index + 1)
            guard (1...99).contains(position) else {
                errors["components", default: []].append("Positions are numbers from 1 to 99.")
                continue
            }
            ranked.append((position, index, component))
        }
        let components = ranked.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)

        var labels: [String: String] = [:]
        for item in navigationItems {
            let label = text("nav_" + item.path.replacingOccurrences(of: "/", with: "_"))
            if label.isEmpty || label == item.label { continue }
            if label.count > 30 || label.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                errors["navigation", default: []].append("Keep the label for \(item.label) to 30 characters.")
                continue
            }
            labels[item.path] = label
        }
        let welcome = (form["welcome_markdown"] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        let onboarding = (form["onboarding_markdown"] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        if welcome.count > markdownLimit { errors["welcome_markdown", default: []].append("Keep the welcome message under 20,000 characters.") }
        if onboarding.count > markdownLimit { errors["onboarding_markdown", default: []].append("Keep the onboarding content under 20,000 characters.") }
        let api = APIAccess(rawValue: text("api_access"))
        if api == nil { errors["api_access", default: []].append("Choose the partner API access.") }

        guard errors.isEmpty, let brand, let ink, let font, let api else { return .failure(FormErrors(fields: errors)) }
        return .success(PortalBranding(
            brandColor: brand, brandInk: ink, font: font, components: components, navigationLabels: labels,
            welcomeMarkdown: welcome.trimmingCharacters(in: .whitespacesAndNewlines), onboardingMarkdown: onboarding.trimmingCharacters(in: .whitespacesAndNewlines),
            showCommissionRates: form["show_commission_rates"] == "1", reportingEnabled: form["reporting_enabled"] == "1",
            resourcesEnabled: form["resources_enabled"] == "1", messagingEnabled: form["messaging_enabled"] == "1", apiAccess: api,
            logo: current.logo))
    }

    /// One line per change, for the audit log.
    public func changes(from old: PortalBranding) -> [String] {
        var lines: [String] = []
        func compare(_ label: String, _ before: String, _ after: String) {
            if before != after { lines.append("\(label): \(before.isEmpty ? "—" : before) → \(after.isEmpty ? "—" : after)") }
        }
        compare("brand colour", old.brandColor.hex, brandColor.hex)
        compare("text on brand", old.brandInk.hex, brandInk.hex)
        compare("font", old.font.rawValue, font.rawValue)
        compare("dashboard", old.components.map(\.rawValue).joined(separator: " "), components.map(\.rawValue).joined(separator: " "))
        compare("navigation labels", Self.labelsJSON(old.navigationLabels), Self.labelsJSON(navigationLabels))
        if old.welcomeMarkdown != welcomeMarkdown { lines.append("welcome message edited") }
        if old.onboardingMarkdown != onboardingMarkdown { lines.append("onboarding content edited") }
        compare("commission rates shown", old.showCommissionRates ? "on" : "off", showCommissionRates ? "on" : "off")
        compare("reporting", old.reportingEnabled ? "on" : "off", reportingEnabled ? "on" : "off")
        compare("resources", old.resourcesEnabled ? "on" : "off", resourcesEnabled ? "on" : "off")
        compare("messaging", old.messagingEnabled ? "on" : "off", messagingEnabled ? "on" : "off")
        compare("partner API", old.apiAccess.rawValue, apiAccess.rawValue)
        return lines
    }

    // MARK: - Storage

    static func labelsJSON(_ labels: [String: String]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: labels, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    public static func load(in db: Database, programID: Int64) throws -> PortalBranding {
        guard let row = try db.queryOne("""
            SELECT brand_color, brand_ink, font, dashboard_components, navigation_labels, welcome_markdown, onboarding_markdown,
                   show_commission_rates, reporting_enabled, resources_enabled, messaging_enabled, api_access,
                   logo_type, logo_width, logo_height, updated_at
            FROM portal_branding WHERE program_id = ?
            """, [programID]) else { return .standard }
        let labelsJSON: String = try row["navigation_labels"]
        let labels = (try? JSONSerialization.jsonObject(with: Data(labelsJSON.utf8))) as? [String: String] ?? [:]
        let logoType: String? = try row["logo_type"]
        let width: Int64? = try row["logo_width"]
        let height: Int64? = try row["logo_height"]
        let updatedAt: Int64 = try row["updated_at"]
        let components = (try row["dashboard_components"] as String).split(separator: " ").compactMap { DashboardComponent(rawValue: String($0)) }
        return PortalBranding(
            brandColor: RGBColor(hex: try row["brand_color"]) ?? standard.brandColor, brandInk: RGBColor(hex: try row["brand_ink"]) ?? .white,
            font: Font(rawValue: try row["font"]) ?? .system, components: components, navigationLabels: labels,
            welcomeMarkdown: try row["welcome_markdown"], onboardingMarkdown: try row["onboarding_markdown"],
            showCommissionRates: (try row["show_commission_rates"] as Int64) == 1, reportingEnabled: (try row["reporting_enabled"] as Int64) == 1,
            resourcesEnabled: (try row["resources_enabled"] as Int64) == 1, messagingEnabled: (try row["messaging_enabled"] as Int64) == 1,
            apiAccess: APIAccess(rawValue: try row["api_access"]) ?? .full,
            logo: logoType.map { Logo(contentType: $0, width: Int(width ?? 0), height: Int(height ?? 0), version: updatedAt) })
    }

    public func save(in db: Database, programID: Int64, now: Int64) throws {
        try db.execute("""
            INSERT INTO portal_branding (program_id, brand_color, brand_ink, font, dashboard_components, navigation_labels, welcome_markdown,
                                         onboarding_markdown, show_commission_rates, reporting_enabled, resources_enabled, messaging_enabled,
                                         api_access, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (program_id) DO UPDATE SET brand_color = excluded.brand_color, brand_ink = excluded.brand_ink, font = excluded.font,
                dashboard_components = excluded.dashboard_components, navigation_labels = excluded.navigation_labels,
                welcome_markdown = excluded.welcome_markdown, onboarding_markdown = excluded.onboarding_markdown,
                show_commission_rates = excluded.show_commission_rates, reporting_enabled = excluded.reporting_enabled,
                resources_enabled = excluded.resources_enabled, messaging_enabled = excluded.messaging_enabled,
                api_access = excluded.api_access, updated_at = excluded.updated_at
            """, [programID, brandColor.hex, brandInk.hex, font.rawValue, components.map(\.rawValue).joined(separator: " "),
                  Self.labelsJSON(navigationLabels), welcomeMarkdown, onboardingMarkdown, showCommissionRates ? 1 : 0, reportingEnabled ? 1 : 0,
                  resourcesEnabled ? 1 : 0, messagingEnabled ? 1 : 0, apiAccess.rawValue, now])
    }

    /// Stores a logo already checked by `LogoUpload.check`; the row is created with the standard look if needed.
    public static func saveLogo(in db: Database, programID: Int64, bytes: [UInt8], info: ImageInfo, now: Int64) throws {
        try db.execute("INSERT OR IGNORE INTO portal_branding (program_id, updated_at) VALUES (?, ?)", [programID, now])
        try db.execute("""
            UPDATE portal_branding SET logo = ?, logo_type = ?, logo_width = ?, logo_height = ?, updated_at = ? WHERE program_id = ?
            """, [bytes, info.format.contentType, Int64(info.width), Int64(info.height), now, programID])
    }

    public static func removeLogo(in db: Database, programID: Int64, now: Int64) throws {
        try db.execute("UPDATE portal_branding SET logo = NULL, logo_type = NULL, logo_width = NULL, logo_height = NULL, updated_at = ? WHERE program_id = ?",
                       [now, programID])
    }

    public static func logoBytes(in db: Database, programID: Int64) throws -> (bytes: [UInt8], contentType: String)? {
        guard let row = try db.queryOne("SELECT logo, logo_type FROM portal_branding WHERE program_id = ? AND logo IS NOT NULL", [programID]) else {
            return nil
        }
        return (try row["logo"], try row["logo_type"])
    }
}

/// The rules a logo upload must meet: a PNG, JPEG, GIF or WebP (by its bytes), at most 512 KiB, between 16 and 4,000
/// pixels a side. SVG is refused here: a logo is shown on every page, and a raster image cannot carry script.
public enum LogoUpload {
    public static let maximumBytes = 512 * 1024

    public static func check(_ bytes: [UInt8]) -> Result<ImageInfo, FormErrors> {
        func fail(_ message: String) -> Result<ImageInfo, FormErrors> { .failure(FormErrors(fields: ["logo": [message]])) }
        if bytes.isEmpty { return fail("Choose an image file.") }
        if bytes.count > maximumBytes { return fail("The logo is larger than 512 KB.") }
        guard let info = ImageInfo.read(bytes) else {
            let head = String(decoding: bytes.prefix(256), as: UTF8.self).lowercased()
            if head.contains("<svg") || head.contains("<?xml") { return fail("SVG logos are not accepted: upload a PNG, JPEG, GIF or WebP image.") }
            return fail("This file is not a PNG, JPEG, GIF or WebP image.")
        }
        guard (16...4000).contains(info.width), (16...4000).contains(info.height) else {
            return fail("The logo must be between 16 and 4,000 pixels wide and high (this one is \(info.width)×\(info.height)).")
        }
        return .success(info)
    }
}
