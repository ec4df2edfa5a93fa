/// How a request's body is delimited, decided from its headers (RFC 9112 §6.3).
public enum BodyFraming: Sendable, Equatable {
    case none
    case length(Int64)
    case chunked
}

/// Everything before a request's body: the request line, the header fields, and what they imply.
public struct RequestHead: Sendable {
    public var method: HTTPMethod
    /// The request-target exactly as sent (origin-form `/path?query`, absolute-form, authority-form or `*`).
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var framing: BodyFraming
    /// Whether the connection may carry another request after this one (HTTP/1.0 and 1.1 rules).
    public var keepAlive: Bool
    /// `Expect: 100-continue` was sent: the client waits for a `100` before sending the body.
    public var expectsContinue: Bool
    /// `Connection: upgrade` with an `Upgrade` header, or `CONNECT`: after this request the bytes are
    /// no longer HTTP, so the server closes the connection once it has answered.
    public var upgrade: Bool

    public init(method: HTTPMethod, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders(),
                framing: BodyFraming = .none, keepAlive: Bool = true, expectsContinue: Bool = false, upgrade: Bool = false) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.framing = framing
        self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue
        self.upgrade = upgrade
    }
}
