import HTTPServer

/// Errors as pages for browsers (an HTML page in the site's style) and as text for everything else.
struct ErrorPages: Sendable {
    let templates: TemplateRenderer

    func render(_ error: any Error, _ request: Request) -> Response {
        // Unknown API paths and methods answer in the API's own error format.
        if request.path.hasPrefix("/api/") { return APIProblem.from(error).response }
        var response = Router.defaultErrorResponse(error, request)
        guard (request.headers["accept"] ?? "").contains("text/html") else { return response }
        let status = response.status
        let message = (error as? HTTPError)?.message ?? "Something went wrong on our side. Please try again."
        let heading: String
        switch status.code {
        case 403: heading = "Not allowed"
        case 404: heading = "Page not found"
        case 429: heading = "Slow down"
        case 500...: heading = "Something went wrong"
        default: heading = status.reason
        }
        if let html = try? templates.render("errors/error", ["status": String(status.code), "heading": heading, "message": message]) {
            let headers = response.headers
            response = .html(html, status: status)
            for (name, value) in headers where name.lowercased() != "content-type" { response.headers.append(name, value) }
        }
        return response
    }
}
