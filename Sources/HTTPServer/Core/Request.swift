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
        // On the UTF-8 view: this runs for every request, and Character iteration is needlessly slow here.
        var rest = Substring(target)
        if let fragment = rest.utf8.firstIndex(of: UInt8(ascii: "#")) { rest = rest[..<fragment] }
        if rest.utf8.first != UInt8(ascii: "/"), let scheme = schemeSeparatorEnd(rest) {
            let afterAuthority = rest[scheme...]
            if let slash = afterAuthority.utf8.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }) {
                rest = afterAuthority[slash...]
            } else {
                rest = "/"
            }
            if rest.utf8.first == UInt8(ascii: "?") { return ("/", rest.dropFirst()) }
        }
        guard let mark = rest.utf8.firstIndex(of: UInt8(ascii: "?")) else { return (rest, nil) }
        return (rest[..<mark], rest[rest.utf8.index(after: mark)...])
    }

    /// The index just past `://` in an absolute-form target, if there is one.
    private static func schemeSeparatorEnd(_ text: Substring) -> String.Index? {
        let utf8 = text.utf8
        var index = utf8.startIndex
        while index < utf8.endIndex {
            if utf8[index] == UInt8(ascii: ":") {
                let slash1 = utf8.index(after: index)
                guard slash1 < utf8.endIndex, utf8[slash1] == UInt8(ascii: "/") else { return nil }
                let slash2 = utf8.index(after: slash1)
                guard slash2 < utf8.endIndex, utf8[slash2] == UInt8(ascii: "/") else { return nil }
                return utf8.index(after: slash2)
            }
            index = utf8.index(after: index)
        }
        return nil
    }

    /// The cookies the client sent, by name (first one wins, as browsers send the most specific first).
    public var cookies: [String: String] { Cookies.parse(headers.values("cookie")) }
}
