import Foundation
import PortalCore
import HTTPServer

/// An `application/problem+json` error (RFC 9457) as CONTRACTS.md describes it:
/// `{"type", "title", "status", "detail", "errors": {"field": ["message"]}}`, plus `request_id` on `/api/v1`.
struct APIProblem: Error, Sendable {
    let status: HTTPStatus
    let detail: String
    var errors: [String: [String]] = [:]
    var headers: HTTPHeaders = HTTPHeaders()
    /// The server's id for the request (also in the `X-Request-Id` header), so a client can quote it.
    var requestID: String?

    init(_ status: HTTPStatus, _ detail: String, errors: [String: [String]] = [:]) {
        self.status = status
        self.detail = detail
        self.errors = errors
    }

    /// `422` with one message per invalid field.
    static func invalid(_ errors: [String: [String]]) -> APIProblem {
        APIProblem(.unprocessableContent, "Some fields are invalid.", errors: errors)
    }

    /// The problem document's bytes.
    var responseBody: [UInt8] {
        if case .bytes(let bytes) = response.body { return bytes }
        return []
    }

    var response: Response {
        var object: [String: Any] = [
            "type": "https://partnerportal.dev/problems/\(status.code)",
            "title": status.reason,
            "status": status.code,
            "detail": detail,
        ]
        if !errors.isEmpty { object["errors"] = errors }
        if let requestID, !requestID.isEmpty { object["request_id"] = requestID }
        var response = Response(status: status, contentType: "application/problem+json", body: JSONWriter.bytes(object))
        for (name, value) in headers { response.headers.append(name, value) }
        return response
    }

    /// Any error thrown by an API handler, as a problem: HTTP errors keep their status; anything else is a
    /// `500` whose detail reveals nothing.
    static func from(_ error: any Error) -> APIProblem {
        if let problem = error as? APIProblem { return problem }
        if let error = error as? HTTPError {
            var problem = APIProblem(error.status, error.message)
            problem.headers = error.headers
            return problem
        }
        return APIProblem(.internalServerError, "Something went wrong on our side.")
    }
}
