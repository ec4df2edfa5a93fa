import Foundation

/// The body of a request as the server received it: in memory, or spooled to a temporary file when large.
public enum RequestBody: Sendable {
    case empty
    case bytes([UInt8])
    /// A body larger than the spool threshold, written to `path` while it arrived. The file is removed once
    /// the response has been sent.
    case file(path: String, length: Int64)

    public var count: Int64 {
        switch self {
        case .empty: 0
        case .bytes(let bytes): Int64(bytes.count)
        case .file(_, let length): length
        }
    }

    /// The whole body in memory. For a spooled body this reads the file.
    public func readAll() throws -> [UInt8] {
        switch self {
        case .empty: return []
        case .bytes(let bytes): return bytes
        case .file(let path, _):
            guard let data = FileManager.default.contents(atPath: path) else { throw HTTPError(.internalServerError, "Request body file vanished") }
            return [UInt8](data)
        }
    }
}

/// A complete HTTP request handed to a responder.
public struct Request: Sendable {
    public var head: RequestHead
    public var body: RequestBody
    /// The peer's address as `ip:port` (`[ip]:port` for IPv6); `local` for socketpair connections.
    public var remoteAddress: String
    /// A short id unique within this process run, echoed in `X-Request-Id` and the access log.
    public var requestID: String
    /// Whether the request arrived over TLS (for `Secure` cookies and absolute URLs).
    public var isSecure: Bool

    public var method: HTTPMethod { head.method }
    public var headers: HTTPHeaders { head.headers }
    public var target: String { head.target }

    /// The raw (still percent-encoded) path of the target, without its query.
    public var path: Substring { Self.splitTarget(head.target).path }
    /// The raw query string after `?`, if any.
    public var query: Substring? { Self.splitTarget(head.target).query }

    /// Decoded query parameters (`+` is a space, as browsers send forms with GET).
    public var queryParameters: FormParameters { FormParameters(query.map(String.init) ?? "") }

    public init(head: RequestHead, body: RequestBody = .empty, remoteAddress: String = "local",
                requestID: String = "", isSecure: Bool = false) {
        self.head = head
        self.body = body
        self.remoteAddress = remoteAddress
        self.requestID = requestID
        self.isSecure = isSecure
    }

    /// Splits a request-target into path and query. Absolute-form (`http://host/p?q`) yields `/p`;
    /// asterisk-form and authority-form yield themselves as the path.
    static func splitTarget(_ target: String) -> (path: Substring, query: Substring?) {
        var rest = Substring(target)
        if let fragment = rest.firstIndex(of: "#") { rest = rest[..<fragment] }
        if !rest.hasPrefix("/"), let scheme = rest.range(of: "://") {
            let afterAuthority = rest[scheme.upperBound...]
            if let slash = afterAuthority.firstIndex(where: { $0 == "/" || $0 == "?" }) {
                rest = afterAuthority[slash...]
            } else {
                rest = "/"
            }
            if rest.hasPrefix("?") { return ("/", rest.dropFirst()) }
        }
        guard let mark = rest.firstIndex(of: "?") else { return (rest, nil) }
        return (rest[..<mark], rest[rest.index(after: mark)...])
    }

    /// The cookies the client sent, by name (first one wins, as browsers send the most specific first).
    public var cookies: [String: String] { Cookies.parse(headers.values("cookie")) }
}
