import HTTPServer

/// Files the portal and the API hand out for saving (exports, statements): one shape for all of them.
enum Downloads {
    /// A CSV attachment named `fileName`, never cached (it carries one partner's or program's money).
    static func csv(_ text: String, fileName: String) -> Response {
        var response = Response(status: .ok, contentType: "text/csv; charset=utf-8", body: Array(text.utf8))
        response.headers.append("Content-Disposition", "attachment; filename=\"\(fileName)\"")
        response.headers.append("Cache-Control", "no-store")
        return response
    }
}

/// Values for Mustache sections. swift-mustache opens `{{#x}}` for any string, the empty one included, so text
/// that may be absent goes in as `false` when empty.
enum TemplateValue {
    static func section(_ text: String) -> Any { text.isEmpty ? false : text }
}
