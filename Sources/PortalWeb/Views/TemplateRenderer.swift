import Foundation
import HTTPServer
import Mustache
import Synchronization

/// Renders pages from `Templates/` with swift-mustache. Values are HTML-escaped unless a template uses
/// triple braces (which our templates never do for user data). In development the templates are read
/// from disk on every render so edits show on reload; otherwise they are parsed once at start.
public final class TemplateRenderer: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let directory: String
    private let reloads: Bool
    private let library: Mutex<MustacheLibrary>

    public init(directory: String, reloads: Bool) throws {
        self.directory = directory
        self.reloads = reloads
        self.library = Mutex(try Self.load(directory))
    }

    private static func load(_ directory: String) throws -> MustacheLibrary {
        guard FileManager.default.fileExists(atPath: directory) else {
            throw Failure(description: "Templates folder not found at \(directory)")
        }
        var library = MustacheLibrary()
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        guard let paths = FileManager.default.enumerator(atPath: base) else { return library }
        for case let path as String in paths where path.hasSuffix(".mustache") {
            let text = try String(contentsOfFile: base + path, encoding: .utf8)
            do {
                try library.register(text, named: Self.name(String(path.dropLast(".mustache".count))))
            } catch {
                throw Failure(description: "Template \(path) does not parse: \(error)")
            }
        }
        return library
    }

    /// Templates are named by their path with dots for slashes (`layouts/app.mustache` is `layouts.app`):
    /// swift-mustache allows no `/` in a section's closing tag, which a parent layout needs.
    static func name(_ path: String) -> String {
        path.replacingOccurrences(of: "/", with: ".")
    }

    /// Renders `template` (`auth.login`, or the path `auth/login`) with a view model.
    public func render(_ template: String, _ model: Any) throws -> String {
        if reloads {
            let fresh = try Self.load(directory)
            library.withLock { $0 = fresh }
        }
        let current = library.withLock { $0 }
        guard let html = current.render(model, withTemplate: Self.name(template)) else {
            throw Failure(description: "No template named \(template)")
        }
        return html
    }

    /// A `200 text/html` response of the rendered page.
    public func page(_ template: String, _ model: Any, status: HTTPStatus = .ok) throws -> Response {
        var response = Response.html(try render(template, model), status: status)
        // Pages carry per-user data and CSRF tokens: never let a shared cache keep them.
        response.headers.append("Cache-Control", "no-store")
        return response
    }
}
