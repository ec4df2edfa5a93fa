import Foundation
import HTTPServer
import PortalCore
import Store

/// Links through the API: `POST /partners/{id}/links` with a secret key, `GET`/`POST /me/links` with a partner
/// key (`POST` needs the `links:write` scope). Answers `{id, code, url, destination_url, campaign}` where `url`
/// is the full tracking URL.
struct LinksAPIController {
    let database: DatabasePool
    let baseURL: String
    private let store = LinkStore()

    func register(on api: RouterGroup) {
        let small = RouteOptions(maxBodySize: 16 * 1024)
        api.post("/partners/{id}/links", options: small) { request, context in
            guard let caller = context.apiCaller, caller.kind == .program else {
                throw APIProblem(.forbidden, "This needs the program's secret key (sk_…).")
            }
            guard let partnerID = Int64(try context.parameters.require("id")) else { throw APIProblem(.notFound, "No such partner.") }
            return try create(request, programID: caller.programID, partnerID: partnerID)
        }
        api.get("/me/links") { _, context in
            guard let caller = context.apiCaller, case .partner(let partnerID) = caller.kind else {
                throw APIProblem(.forbidden, "`/me` is for partner keys (pk_…).")
            }
            let links = try database.read { db in try store.links(in: db, programID: caller.programID, partnerID: partnerID) }
            return JSONBody.response(["data": links.map(json), "next_cursor": NSNull()])
        }
        api.post("/me/links", options: small) { request, context in
            guard let caller = context.apiCaller, case .partner(let partnerID) = caller.kind else {
                throw APIProblem(.forbidden, "`/me` is for partner keys (pk_…).")
            }
            guard caller.scopes.contains("links:write") else {
                throw APIProblem(.forbidden, "This key lacks the links:write scope.")
            }
            return try create(request, programID: caller.programID, partnerID: partnerID)
        }
    }

    private func create(_ request: Request, programID: Int64, partnerID: Int64) throws -> Response {
        let body = try JSONBody.object(request)
        var fieldErrors: [String: [String]] = [:]
        func optionalString(_ name: String) -> String? {
            guard let value = body[name], !(value is NSNull) else { return nil }
            guard let text = value as? String else { fieldErrors[name, default: []].append("must be a string"); return nil }
            return text
        }
        let newLink = NewLink(destinationURL: optionalString("destination_url"), campaign: optionalString("campaign"), code: optionalString("code"))
        guard fieldErrors.isEmpty else { throw APIProblem.invalid(fieldErrors) }
        do {
            let link = try database.write { db in
                try store.create(in: db, programID: programID, partnerID: partnerID, newLink, now: Int64(Date().timeIntervalSince1970))
            }
            return JSONBody.response(json(link), status: .created)
        } catch LinkStore.Failure.invalid(let errors) {
            throw APIProblem.invalid(errors)
        } catch LinkStore.Failure.partnerNotFound {
            throw APIProblem(.notFound, "No such partner.")
        }
    }

    private func json(_ link: LinkStore.Link) -> [String: Any] {
        ["id": link.id, "code": link.code, "url": "\(baseURL)/r/\(link.code)", "destination_url": link.destinationURL, "campaign": link.campaign]
    }
}
