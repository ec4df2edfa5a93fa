import Foundation
import HTTPServer
import PortalCore
import Store

/// `/portal`: the partner's home — earnings by stage with the next payout, the last 30 days, best links and the
/// onboarding checklist until it is done. Every number is the signed-in partner's own (`PartnerContext`).
struct PartnerDashboardController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let messages: MessageStore

    func register(on routes: RouterGroup) {
        routes.get("/") { request, context in
            guard let principal = context.webSession.principal else { throw HTTPError(.unauthorized) }
            let partner = try PartnerContext.resolve(request, context, database: database)
            let now = Int64(Date().timeIntervalSince1970)
            let today = DailyStats.day(of: now)
            let (view, messageCard, npsCard) = try database.read { db in
                (try DashboardView.load(in: db, partner: partner, today: today,
                                         resourcesEnabled: context.portalBranding?.resourcesEnabled ?? true),
                 try MessagesCard.values(in: db, store: messages, partner: partner, userID: principal.user.id),
                 try PartnerNPSController.card(in: db, partner: partner, userID: principal.user.id, now: now,
                                               thanks: request.queryParameters["nps"] == "thanks"))
            }
            let branding = context.portalBranding ?? .standard
            var layout: [String: Any] = [
                // The program's components in its order; messages only where the program offers messaging.
                "components": branding.components.filter { $0 != .messages || branding.messagingEnabled }.map(Self.componentFlags),
            ]
            if !branding.welcomeMarkdown.isEmpty {
                layout["hasWelcome"] = true
                layout["welcomeHTML"] = SafeMarkdown.html(branding.welcomeMarkdown)
            }
            if !branding.onboardingMarkdown.isEmpty {
                layout["hasOnboarding"] = true
                layout["onboardingHTML"] = SafeMarkdown.html(branding.onboardingMarkdown)
            }
            // Staff viewing as the partner are greeted as the partner would be.
            let name = partner.readOnly ? partner.partnerName : (principal.user.name.isEmpty ? principal.user.email : principal.user.name)
            return try templates.page("portal/dashboard", PageChrome(context: context, currentPath: "/portal").merged(with: layout.merging([
                "name": name,
                "programName": partner.programName, "partnerName": partner.partnerName,
                "statusPending": partner.status == .pending, "statusBlocked": partner.status == .suspended || partner.status == .rejected,
                "status": partner.status.rawValue,
            ].merging(view.values) { $1 }.merging(messageCard) { $1 }.merging(npsCard) { $1 }) { $1 }))
        }
    }

    /// One Bool per component, so the template's sections test flags rather than push text.
    static func componentFlags(_ component: PortalBranding.DashboardComponent) -> [String: Bool] {
        ["isWelcome": component == .welcome, "isChecklist": component == .checklist, "isMessages": component == .messages,
         "isEarnings": component == .earnings, "isRecent": component == .recent, "isBestLinks": component == .bestLinks]
    }
}

/// The dashboard's numbers, read in one snapshot.
struct DashboardView {
    var values: [String: Any] = [:]

    static func load(in db: Database, partner: PartnerContext, today: Int64, resourcesEnabled: Bool = true) throws -> DashboardView {
        var view = DashboardView()
        let balance = try LedgerStore().balance(in: db, partnerID: partner.partnerID)
        guard let program = try ProgramSettings.load(in: db, programID: partner.programID),
              let settings = try db.queryOne("SELECT payout_method, payout_threshold FROM partners WHERE id = ?", [partner.partnerID]) else {
            return view
        }
        let method: String? = try settings["payout_method"]
        let threshold: Int64 = try settings["payout_threshold"]
        let minimum = max(program.minPayout, threshold)
        view.values["pending"] = partner.money(balance.pending)
        view.values["available"] = partner.money(balance.available)
        view.values["paid"] = partner.money(balance.paid)
        view.values["holdSentence"] = program.holdDays == 0
            ? "Commissions become available as soon as they are recorded."
            : "Commissions become available \(program.holdDays) days after the sale, unless refunded."
        view.values["minimumSentence"] = "Payouts start at \(partner.money(minimum))."
        // The next payout, stated with its condition (UX pattern: each money status names its threshold).
        if method == nil {
            view.values["payoutWarning"] = "Add your payout details so we can pay you."
        } else if balance.available >= minimum && balance.available > 0 {
            view.values["nextPayout"] = "\(partner.money(balance.available)) will be paid in the next payout batch."
        } else if balance.available < 0 {
            view.values["nextPayout"] = "Refunds after your last payout leave \(partner.money(-balance.available)) to be netted off first."
        } else {
            view.values["nextPayout"] = "\(partner.money(minimum - balance.available)) more available earnings reach the payout minimum."
        }
        view.values["canManagePayouts"] = partner.may(.managePayoutSettings)

        let rows = try PerformanceReport.rows(in: db, programID: partner.programID, partnerID: partner.partnerID,
                                              from: today - 29, to: today, granularity: .day)
        let clicks = rows.reduce(0) { $0 + $1.clicks }
        let conversions = rows.reduce(0) { $0 + $1.leads + $1.sales }
        let earnings = rows.reduce(0) { $0 + $1.commission }
        view.values["clicks30"] = clicks.formatted()
        view.values["conversions30"] = conversions.formatted()
        view.values["earnings30"] = partner.money(earnings)
        view.values["epc30"] = clicks > 0 ? partner.money(Int64((Double(earnings) / Double(clicks)).rounded())) : "—"
        let peak = max(1, rows.map(\.clicks).max() ?? 1)
        view.values["days"] = rows.map { row -> [String: Any] in
            ["period": row.period, "clicks": row.clicks, "earnings": partner.money(row.commission),
             "height": max(2, Int(row.clicks * 100 / peak))]
        }

        let best = try db.query("""
            SELECT l.code, l.campaign, sum(s.clicks) AS clicks, sum(s.sales + s.leads) AS conversions, sum(s.commission) AS earned
            FROM daily_stats s JOIN links l ON l.id = s.link_id
            WHERE s.partner_id = ? AND +s.program_id = ? AND s.day BETWEEN ? AND ? AND s.link_id <> 0
            GROUP BY s.link_id ORDER BY clicks DESC LIMIT 5
            """, [partner.partnerID, partner.programID, today - 29, today]).map { row -> [String: Any] in
            ["code": try row["code"] as String, "campaign": try row["campaign"] as String,
             "clicks": (try row["clicks"] as Int64).formatted(), "conversions": (try row["conversions"] as Int64).formatted(),
             "earned": partner.money(try row["earned"])]
        }
        view.values["bestLinks"] = best
        view.values["hasBestLinks"] = !best.isEmpty

        let hasLink = try db.queryOne("SELECT 1 FROM links WHERE partner_id = ? LIMIT 1", [partner.partnerID]) != nil
        var checklist: [[String: Any]] = [
            ["label": "Create your first tracking link", "done": hasLink, "path": "/portal/links"],
            ["label": "Add your payout details", "done": method != nil, "path": "/portal/payouts/settings"],
        ]
        // The program's guidelines, when it has some for this partner: read once (the page records it).
        if resourcesEnabled, let guidelines = try ResourceStore().guidelineProgress(in: db, programID: partner.programID, partnerID: partner.partnerID,
                                                                  now: Int64(Date().timeIntervalSince1970)) {
            checklist.append(["label": "Read the guidelines: “\(guidelines.first.title)”",
                              "done": guidelines.read, "path": "/portal/resources/\(guidelines.first.id)"])
        }
        // Program terms: only when the program has some; a newer version than the partner accepted asks again.
        if let terms = try TermsStore().current(in: db, programID: partner.programID) {
            let accepted = try TermsStore().hasAccepted(in: db, partnerID: partner.partnerID, version: terms)
            checklist.append(["label": "Accept the program terms", "done": accepted, "path": "/portal/terms?partner=\(partner.partnerID)"])
            if !accepted {
                view.values["termsNotice"] = ["version": terms.version, "termsID": terms.id, "partnerID": partner.partnerID,
                                              "canAccept": partner.may(.manageTeam)] as [String: Any]
            }
        }
        view.values["checklist"] = checklist
        view.values["checklistOpen"] = checklist.contains { !($0["done"] as? Bool ?? false) }
        return view
    }
}
