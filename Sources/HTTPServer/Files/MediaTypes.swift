/// Content types for static files by extension. Text types say `charset=utf-8`, since browsers otherwise
/// guess (and a wrong guess can turn text into script); anything unknown is `application/octet-stream`,
/// which browsers download rather than render.
public enum MediaTypes {
    public static let fallback = "application/octet-stream"

    static let byExtension: [String: String] = [
        "html": "text/html; charset=utf-8",
        "htm": "text/html; charset=utf-8",
        "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8",
        "mjs": "text/javascript; charset=utf-8",
        "txt": "text/plain; charset=utf-8",
        "csv": "text/csv; charset=utf-8",
        // JSON and XML carry their encoding themselves; RFC 8259 defines no charset parameter for JSON.
        "json": "application/json",
        "map": "application/json",
        "webmanifest": "application/manifest+json",
        "xml": "application/xml",
        "svg": "image/svg+xml",
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "gif": "image/gif",
        "webp": "image/webp",
        "avif": "image/avif",
        "ico": "image/x-icon",
        "pdf": "application/pdf",
        "woff": "font/woff",
        "woff2": "font/woff2",
        "wasm": "application/wasm",
        "mp4": "video/mp4",
        "gz": "application/gzip",
    ]

    /// The content type for a file path or name, from its extension (case-insensitive).
    public static func forPath<S: StringProtocol>(_ path: S) -> String {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return fallback }
        return byExtension[name[name.index(after: dot)...].lowercased()] ?? fallback
    }
}
