/// What the server calls to answer requests. The router is one; tests and benchmarks may supply others.
public protocol HTTPResponder: Sendable {
    /// The largest body accepted for a request with this head, checked before any body byte is read;
    /// nil means the server's default.
    func maxBodySize(for head: RequestHead) -> Int64?

    /// Answers a request by calling `sink.send` exactly once — now on the event loop thread for fast
    /// work, or later from any thread (a worker, or a group commit that holds the request's write).
    func respond(to request: Request, sink: ResponseSink)
}

extension HTTPResponder {
    public func maxBodySize(for head: RequestHead) -> Int64? { nil }
}
