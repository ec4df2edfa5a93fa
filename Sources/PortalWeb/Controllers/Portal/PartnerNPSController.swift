import Foundation
import HTTPServer
import PortalCore
import Store

/// The NPS question on the partner dashboard: `POST /portal/nps` answers it (score 0–10, optional comment of at
/// most 1,000 characters), `POST /portal/nps/dismiss` puts it off; either way it is asked again after 90 days
/// (`NPSSchedule`). Every role of the partner team may answer — it is each user's own opinion, not a change to the
/// partnership — but a staff member viewing the portal as the partner may not (`readOnly`, 403).
struct PartnerNPSController {
    let database: DatabasePool
    /// Unix seconds now; tests may fix it.
    var now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }

    func register(on routes: RouterGroup) {
        let small = RouteOptions(maxBodySize: 16 * 1024)
        routes.post("/nps", options: small) { request, context in
            let (partner, userID) = try resolve(request, context)
            let form = try FormBody.parse(request)
            switch NPSSchedule.validate(score: form["score"], comment: form["comment"]) {
            case .failure(let failure):
                throw HTTPError(.unprocessableContent, failure.message)
            case .success(let answer):
                let at = now()
                try database.write { db in
                    // One answer per 90 days: a second post (another tab, a double click) is not counted twice.
                    guard try NPSResponses.isDue(in: db, programID: partner.programID, userID: userID, now: at) else { return }
                    try NPSResponses.answer(in: db, programID: partner.programID, partnerID: partner.partnerID, userID: userID,
                                            score: answer.score, comment: answer.comment, now: at)
                }
            }
            return .redirect(to: "/portal?partner=\(partner.partnerID)&nps=thanks", status: .seeOther)
        }
        routes.post("/nps/dismiss", options: small) { request, context in
            let (partner, userID) = try resolve(request, context)
            let at = now()
            try database.write { db in
                guard try NPSResponses.isDue(in: db, programID: partner.programID, userID: userID, now: at) else { return }
                try NPSResponses.dismiss(in: db, programID: partner.programID, partnerID: partner.partnerID, userID: userID, now: at)
            }
            return .redirect(to: "/portal?partner=\(partner.partnerID)", status: .seeOther)
        }
    }

    private func resolve(_ request: Request, _ context: RequestContext) throws -> (PartnerContext, Int64) {
        guard let principal = context.webSession.principal else { throw HTTPError(.unauthorized, "Please sign in.") }
        let partner = try PartnerContext.resolve(request, context, database: database)
        guard !partner.readOnly else { throw HTTPError(.forbidden, "Staff viewing the portal as a partner cannot answer for them.") }
        try partner.require(.viewPartnerDashboard)
        return (partner, principal.user.id)
    }

    /// The dashboard card's values: shown to approved partners' users who are due the question, never in a
    /// staff member's read-only view.
    static func card(in db: Database, partner: PartnerContext, userID: Int64, now: Int64, thanks: Bool) throws -> [String: Any] {
        if thanks && !partner.readOnly { return ["npsThanks": true] }
        guard !partner.readOnly, partner.status == .approved,
              try NPSResponses.isDue(in: db, programID: partner.programID, userID: userID, now: now) else { return [:] }
        return ["npsDue": true, "npsPartnerID": partner.partnerID, "npsScores": (0...10).map { ["value": $0] }]
    }
}
