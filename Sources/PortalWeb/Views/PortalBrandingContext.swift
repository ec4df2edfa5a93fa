import HTTPServer
import PortalCore
import Store

enum PortalBrandingKey: ContextKey {
    typealias Value = PortalBranding
}

extension RequestContext {
    /// The branding of the program whose portal this request shows (nil outside `/portal`: the standard look).
    var portalBranding: PortalBranding? { self[PortalBrandingKey.self] }
}

/// On `/portal`: loads the partner's program branding once per request (the layout, navigation and pages read it),
/// and answers `404` for the pages of a feature the program switched off — the portal really obeys the switches,
/// not only hides their links.
struct PortalBrandingMiddleware: Middleware {
    let database: DatabasePool

    func handle(_ request: Request, context: RequestContext, next: (Request, RequestContext) throws -> Response) throws -> Response {
        let partner = try PartnerContext.resolve(request, context, database: database)
        let branding = try database.read { db in try PortalBranding.load(in: db, programID: partner.programID) }
        context[PortalBrandingKey.self] = branding
        guard branding.offers(path: String(request.path)) else {
            throw HTTPError(.notFound, "This program does not offer this page.")
        }
        return try next(request, context)
    }
}

/// The `<style>` a program's branding puts in the layout. Built only from validated values (hex colours, the font
/// stacks of `PortalBranding.Font`), so it is inserted unescaped — entities are not decoded inside `<style>`.
enum BrandStyle {
    static func css(_ branding: PortalBranding) -> String? {
        guard branding.brandColor != PortalBranding.standard.brandColor || branding.brandInk != PortalBranding.standard.brandInk
                || branding.font != .system else { return nil }
        var css = ":root { --brand: \(branding.brandColor.hex); --brand-ink: \(branding.brandInk.hex); --brand-soft: \(branding.brandColor.tint(PortalBranding.softTint).hex);"
        if branding.font != .system { css += " --font: \(branding.font.stack);" }
        return css + " }"
    }
}
