/// What the server calls to answer requests. The router is one; tests and benchmarks may supply others.
public protocol HTTPResponder: Sendable {
    /// The largest body accepted for a request with this head, checked before any body byte is read;
    /// nil means the server's default.
    func maxBodySize(for head: RequestHead) -> Int64?

    /// Answers a request by calling `sink.send` exactly once — now on the event loop thread for fast
    /// work, or later from any thread (a worker, or a group commit that holds the request's write).
    func respond(to request: Request, sink: ResponseSink)

    /// The body of an error the server answers itself, before any handler runs (`413` for a body over the
    /// route's limit, `408`, …): a content type and bytes, or nil for the server's plain-text default. Lets an
    /// API answer those in its own error format too.
    func connectionErrorBody(_ status: HTTPStatus, reason: String, head: RequestHead?) -> (contentType: String, body: [UInt8])?
}

extension HTTPResponder {
    public func maxBodySize(for head: RequestHead) -> Int64? { nil }
    public func connectionErrorBody(_ status: HTTPStatus, reason: String, head: RequestHead?) -> (contentType: String, body: [UInt8])? { nil }
}
