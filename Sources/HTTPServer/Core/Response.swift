/// Something a streaming response body writes into. `write` blocks while the client is slow to read
/// (back-pressure) and throws once the connection has gone away.
public protocol BodyWriter: Sendable {
    func write(_ bytes: [UInt8]) throws
}

/// A streamed body's producer: runs on a worker thread and writes the body piece by piece.
public typealias BodyProducer = @Sendable (any BodyWriter) throws -> Void

/// The body of a response.
public enum ResponseBody: Sendable {
    case empty
    case bytes([UInt8])
    /// A body produced while it is sent. With a known `length` it goes out with `Content-Length`;
    /// without one, chunked (HTTP/1.1) or until close (HTTP/1.0).
    case stream(length: Int64?, producer: BodyProducer)
}

/// An HTTP response a responder sends back.
public struct Response: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: ResponseBody

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: ResponseBody = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(status: HTTPStatus = .ok, contentType: String, body: [UInt8]) {
        var headers = HTTPHeaders()
        headers.append("Content-Type", contentType)
        self.init(status: status, headers: headers, body: .bytes(body))
    }

    public static func text(_ text: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }

    public static func html(_ html: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, contentType: "text/html; charset=utf-8", body: Array(html.utf8))
    }

    public static func json(_ json: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, contentType: "application/json", body: Array(json.utf8))
    }

    public static func redirect(to location: String, status: HTTPStatus = .found) -> Response {
        var headers = HTTPHeaders()
        headers.append("Location", location)
        return Response(status: status, headers: headers)
    }

    /// Adds a `Set-Cookie` header.
    public mutating func setCookie(_ cookie: SetCookie) {
        headers.append("Set-Cookie", cookie.headerValue)
    }
}

/// An error a handler throws to answer with a status and a message the client may see.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPStatus
    public var message: String
    public var headers: HTTPHeaders
    public init(_ status: HTTPStatus, _ message: String? = nil, headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.message = message ?? status.reason
        self.headers = headers
    }
    public var description: String { "\(status.code) \(message)" }
}
