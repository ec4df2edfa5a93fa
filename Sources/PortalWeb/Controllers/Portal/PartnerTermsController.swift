import Foundation
import HTTPServer
import PortalCore
import Store

/// `/portal/terms`: the program's current terms, and accepting them for the partner (owners and admins act for
/// the partner team). A new version of the terms makes the dashboard ask again.
struct PartnerTermsController {
    let database: DatabasePool
    let templates: TemplateRenderer
    let addressSecret: [UInt8]

    func register(on routes: RouterGroup) {
        routes.get("/terms") { request, context in
            let partner = try PartnerContext.resolve(request, context, database: database)
            let (terms, accepted) = try database.read { db -> (TermsVersion?, Bool) in
                guard let terms = try TermsStore().current(in: db, programID: partner.programID) else { return (nil, false) }
                return (terms, try TermsStore().hasAccepted(in: db, partnerID: partner.partnerID, version: terms))
            }
            guard let terms else { throw HTTPError(.notFound, "This program has no terms.") }
            return try templates.page("portal/terms", PageChrome(context: context, currentPath: "/portal").merged(with: [
                "programName": partner.programName, "partnerID": partner.partnerID, "version": terms.version, "termsID": terms.id,
                "published": CivilDate.format(days: DailyStats.day(of: terms.publishedAt)),
                "paragraphs": ApplicationController.paragraphs(terms.bodyMarkdown), "accepted": accepted,
                "canAccept": partner.may(.manageTeam),
            ]))
        }
        routes.post("/terms/accept", options: RouteOptions(maxBodySize: 16 * 1024)) { request, context in
            guard let principal = context.webSession.principal else { throw HTTPError(.unauthorized) }
            let partner = try PartnerContext.resolve(request, context, database: database)
            try partner.require(.manageTeam)
            let form = try FormBody.parse(request)
            let now = AuthController.now()
            let addressHash = AddressHash.compute(ip: AuthController.address(request), secret: addressSecret)
            let accepted = try database.write { db -> Bool in
                // Only the version the page showed: if a newer one was published meanwhile, show that one first.
                guard let terms = try TermsStore().current(in: db, programID: partner.programID), form["terms_version"] == String(terms.id) else {
                    return false
                }
                try TermsStore().accept(in: db, partnerID: partner.partnerID, version: terms, userID: principal.user.id,
                                        addressHash: addressHash, now: now)
                return true
            }
            return .redirect(to: accepted ? "/portal?partner=\(partner.partnerID)" : "/portal/terms?partner=\(partner.partnerID)",
                             status: .seeOther)
        }
    }
}
