import HTTPServer
import PortalSecurity

/// The synchronizer-token check: every unsafe browser request must carry the session's `csrf_token` in its
/// form body (or an `X-CSRF-Token` header), compared in constant time. Anything else is `403`.
struct CSRFMiddleware: Middleware {
    /// Where file parts of uploads are spooled for the length of their request.
    var uploadDirectory = MultipartBody.defaultUploadDirectory

    func handle(_ request: Request, context: RequestContext, next: (Request, RequestContext) throws -> Response) throws -> Response {
        guard request.method.isUnsafe else { return try next(request, context) }
        guard let expected = context.webSession.session?.csrfToken else {
            throw HTTPError(.forbidden, "Your session has expired. Reload the page and try again.")
        }
        var sent = request.headers["x-csrf-token"]
        var upload: MultipartForm?
        if sent == nil, MultipartBody.isMultipart(request) {
            // An upload form carries its token as a field: decode it once here (files go to disk as they arrive)
            // and hand the decoded form to the controller.
            let form = try MultipartBody.decode(request, uploadDirectory: uploadDirectory)
            upload = form
            sent = form.fields["csrf_token"]
        } else if sent == nil {
            sent = (try? FormBody.parse(request))?["csrf_token"]
        }
        guard ConstantTime.equals(Array((sent ?? "").utf8), Array(expected.utf8)) else {
            upload?.removeFiles()
            throw HTTPError(.forbidden, "This form has expired or did not come from this site. Reload the page and try again.")
        }
        guard let upload else { return try next(request, context) }
        context[UploadedFormKey.self] = upload
        // The controller has read what it keeps by the time it answers; spooled files never outlive the request.
        defer { upload.removeFiles() }
        return try next(request, context)
    }
}

enum UploadedFormKey: ContextKey {
    typealias Value = MultipartForm
}

/// `multipart/form-data` bodies of browser upload forms (logos, resources).
enum MultipartBody {
    static let defaultUploadDirectory: String = {
        let path = NSTemporaryDirectory() + "partnerportal-uploads-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return path
    }()

    static func isMultipart(_ request: Request) -> Bool {
        request.headers["content-type"]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == "multipart/form-data"
    }

    static func decode(_ request: Request, uploadDirectory: String) throws -> MultipartForm {
        try MultipartForm.decode(body: request.body, contentType: request.headers["content-type"] ?? "", uploadDirectory: uploadDirectory)
    }

    /// The upload form the CSRF check decoded for this request; `415` when the request was not an upload.
    static func form(_ context: RequestContext) throws -> MultipartForm {
        guard let form = context[UploadedFormKey.self] else { throw HTTPError(.unsupportedMediaType, "Expected a file upload form.") }
        return form
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
