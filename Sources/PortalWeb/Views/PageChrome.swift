import HTTPServer
import Mustache
import PortalCore

/// What every signed-in page's layout needs: the navigation, the user and the CSRF token of the sign-out form.
struct PageChrome {
    struct NavigationItem {
        var section: String?
        var label: String?
        var path: String?
        var current = false
        /// A count shown beside the label (nil or empty: none).
        var badge: String?
    }

    let homePath: String
    let userEmail: String
    let csrfToken: String
    /// Branding by custom domain (`DomainProgramMiddleware`): `hasBrandName`/`brandName` for the layouts.
    let brand: [String: Any]
    private(set) var navigation: [NavigationItem]
    /// The partner a staff member is viewing the portal as (the layout shows a read-only banner).
    let viewingAs: ViewingAsPartner?
    /// The program's look on portal pages: its `<style>` and logo.
    private var brandStyle: String?
    private var logoPath: String?
    private var brandName: String?
    /// Whether the program shows its commission structure (rule names and rates) in the portal.
    private var showRates = true

    init(context: RequestContext, currentPath: String) {
        let web = context.webSession
        let principal = web.principal
        viewingAs = context.viewingAsPartner
        let staff = (principal?.isProgramStaff ?? false) && viewingAs == nil
        homePath = staff ? "/admin" : "/portal"
        userEmail = principal?.user.email ?? ""
        csrfToken = web.session?.csrfToken ?? ""
        brand = context.brandValues
        var items: [NavigationItem] = []
        if staff {
            items.append(NavigationItem(section: "Program"))
            items.append(NavigationItem(label: "Overview", path: "/admin"))
            items.append(NavigationItem(label: "Partners", path: "/admin/partners"))
            items.append(NavigationItem(label: "Applications", path: "/admin/partners?status=pending"))
            items.append(NavigationItem(label: "Invite partners", path: "/admin/partner-invitations"))
            items.append(NavigationItem(label: "Commissions", path: "/admin/commissions"))
            items.append(NavigationItem(label: "Payouts", path: "/admin/payouts"))
            items.append(NavigationItem(label: "Analytics", path: "/admin/analytics"))
            items.append(NavigationItem(label: "Messages", path: "/admin/messages", badge: Self.badge(context.adminUnreadMessages ?? 0)))
            items.append(NavigationItem(label: "Announcements", path: "/admin/announcements"))
            items.append(NavigationItem(label: "Resources", path: "/admin/resources"))
            items.append(NavigationItem(label: "Commission rules", path: "/admin/rules"))
            items.append(NavigationItem(section: "Settings"))
            items.append(NavigationItem(label: "Program", path: "/admin/program"))
            items.append(NavigationItem(label: "All programs", path: "/admin/programs"))
            items.append(NavigationItem(label: "Application form", path: "/admin/program/form"))
            items.append(NavigationItem(label: "Customise portal", path: "/admin/branding"))
            items.append(NavigationItem(label: "Custom domains", path: "/admin/domains"))
            items.append(NavigationItem(label: "API keys", path: "/admin/api-keys"))
            items.append(NavigationItem(label: "Webhooks", path: "/admin/webhooks"))
            items.append(NavigationItem(label: "Single sign-on", path: "/admin/sso"))
            items.append(NavigationItem(label: "Admin team", path: "/admin/team"))
            items.append(NavigationItem(label: "Audit log", path: "/admin/audit"))
            if principal?.may(.manageInstallation) ?? false {
                items.append(NavigationItem(section: "Installation"))
                items.append(NavigationItem(label: "Outbox", path: "/admin/outbox"))
            }
        }
        if principal?.isPartnerTeam ?? false || viewingAs != nil {
            items.append(NavigationItem(section: "Partner"))
            // The program's own labels, and only the pages it offers (its feature switches).
            let branding = context.portalBranding ?? .standard
            for (path, label) in PortalBranding.navigationItems where branding.offers(path: path) {
                let badge = path == "/portal/messages" ? Self.badge(context.unreadMessages ?? 0) : nil
                items.append(NavigationItem(label: branding.label(for: path, default: label), path: path, badge: badge))
            }
            if viewingAs == nil, (principal?.memberships.filter { $0.partnerID != nil }.count ?? 0) > 1 {
                items.append(NavigationItem(label: "Switch team", path: "/portal/teams"))
            }
        }
        if let branding = context.portalBranding, let partner = context[ResolvedPartnerKey.self] {
            brandStyle = BrandStyle.css(branding)
            showRates = branding.showCommissionRates
            brandName = partner.programName
            if let logo = branding.logo { logoPath = "/brand/\(partner.programID)/logo?v=\(logo.version)" }
        }
        navigation = items.map { item in
            var item = item
            item.current = item.path == currentPath
            return item
        }
    }

    /// Replaces the badge of the item at `path` (a page that has just changed the count it shows).
    mutating func setBadge(_ count: Int, for path: String) {
        for index in navigation.indices where navigation[index].path == path { navigation[index].badge = Self.badge(count) }
    }

    private static func badge(_ count: Int) -> String? {
        count > 0 ? (count > 99 ? "99+" : String(count)) : nil
    }

    /// The layout's values merged with a page's own (the page wins on a clash).
    func merged(with page: [String: Any]) -> [String: Any] {
        var values: [String: Any] = ["homePath": homePath, "userEmail": userEmail, "csrfToken": csrfToken, "navigation": navigation]
        for (key, value) in brand { values[key] = value }
        values["showRates"] = showRates
        if let brandStyle { values["brandStyle"] = brandStyle }
        if let logoPath { values["logoPath"] = logoPath }
        if let brandName { values["brandName"] = brandName; values["hasBrandName"] = true }
        if let viewingAs { values["viewingAs"] = ["partnerName": viewingAs.partnerName, "partnerID": viewingAs.partnerID] as [String: Any] }
        for (key, value) in page { values[key] = value }
        return values
    }
}

/// Navigation items answer the template's lookups directly: without this, swift-mustache reads a struct's fields
/// through `Mirror`, on every page, for every item.
extension PageChrome.NavigationItem: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "section": section
        case "label": label
        case "path": path
        case "current": current
        case "badge": badge
        // Booleans for the sections: a text opening a section is pushed on the context stack, and every lookup
        // inside it would first reflect on that text.
        case "isSection": section != nil
        case "isLink": path != nil
        case "hasBadge": badge != nil
        default: nil
        }
    }
}
