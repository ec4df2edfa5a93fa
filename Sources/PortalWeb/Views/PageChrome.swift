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
    private(set) var navigation: [NavigationItem]

    init(context: RequestContext, currentPath: String) {
        let web = context.webSession
        let principal = web.principal
        let staff = principal?.isProgramStaff ?? false
        homePath = staff ? "/admin" : "/portal"
        userEmail = principal?.user.email ?? ""
        csrfToken = web.session?.csrfToken ?? ""
        var items: [NavigationItem] = []
        if staff {
            items.append(NavigationItem(section: "Program"))
            items.append(NavigationItem(label: "Overview", path: "/admin"))
            items.append(NavigationItem(label: "Partners", path: "/admin/partners"))
            items.append(NavigationItem(label: "Applications", path: "/admin/partners?status=pending"))
            items.append(NavigationItem(label: "Commissions", path: "/admin/commissions"))
            items.append(NavigationItem(label: "Payouts", path: "/admin/payouts"))
            items.append(NavigationItem(label: "Messages", path: "/admin/messages", badge: Self.badge(context.adminUnreadMessages ?? 0)))
            items.append(NavigationItem(label: "Announcements", path: "/admin/announcements"))
            items.append(NavigationItem(label: "Audit log", path: "/admin/audit"))
            if principal?.may(.manageInstallation) ?? false {
                items.append(NavigationItem(section: "Installation"))
                items.append(NavigationItem(label: "Outbox", path: "/admin/outbox"))
            }
        }
        if principal?.isPartnerTeam ?? false {
            items.append(NavigationItem(section: "Partner"))
            items.append(NavigationItem(label: "Dashboard", path: "/portal"))
            items.append(NavigationItem(label: "Links", path: "/portal/links"))
            items.append(NavigationItem(label: "Analytics", path: "/portal/analytics"))
            items.append(NavigationItem(label: "Commissions", path: "/portal/commissions"))
            items.append(NavigationItem(label: "Payouts", path: "/portal/payouts"))
            items.append(NavigationItem(label: "Tax", path: "/portal/tax"))
            items.append(NavigationItem(label: "Resources", path: "/portal/resources"))
            items.append(NavigationItem(label: "Messages", path: "/portal/messages", badge: Self.badge(context.unreadMessages ?? 0)))
            items.append(NavigationItem(label: "Team", path: "/portal/team"))
            items.append(NavigationItem(label: "Profile", path: "/portal/profile"))
            items.append(NavigationItem(label: "API keys", path: "/portal/api"))
            if (principal?.memberships.filter { $0.partnerID != nil }.count ?? 0) > 1 {
                items.append(NavigationItem(label: "Switch team", path: "/portal/teams"))
            }
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
