import HTTPServer
import PortalSecurity

/// The synchronizer-token check: every unsafe browser request must carry the session's `csrf_token` in its
/// form body (or an `X-CSRF-Token` header), compared in constant time. Anything else is `403`.
struct CSRFMiddleware: Middleware {
    func handle(_ request: Request, context: RequestContext, next: (Request, RequestContext) throws -> Response) throws -> Response {
        guard request.method.isUnsafe else { return try next(request, context) }
        guard let expected = context.webSession.session?.csrfToken else {
            throw HTTPError(.forbidden, "Your session has expired. Reload the page and try again.")
        }
        let sent = request.headers["x-csrf-token"] ?? (try? FormBody.parse(request))?["csrf_token"] ?? ""
        guard ConstantTime.equals(Array(sent.utf8), Array(expected.utf8)) else {
            throw HTTPError(.forbidden, "This form has expired or did not come from this site. Reload the page and try again.")
        }
        return try next(request, context)
    }
}

/// Decoding `application/x-www-form-urlencoded` request bodies, strictly.
enum FormBody {
    static func parse(_ request: Request) throws -> FormParameters {
        let type = request.headers["content-type"]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard type == "application/x-www-form-urlencoded" else {
            throw HTTPError(.unsupportedMediaType, "Expected a form submission.")
        }
        guard let form = FormParameters(body: try request.body.readAll()), form.malformedCount == 0 else {
            throw HTTPError(.badRequest, "The form data could not be read.")
        }
        return form
    }
}

import Foundation
