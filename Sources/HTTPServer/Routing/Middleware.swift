/// What a handler is: a request and its context in, a response out. Throw `HTTPError` for client errors.
public typealias Handler = @Sendable (Request, RequestContext) throws -> Response

/// A handler that answers later through `sink` (see `Router.deferred`).
public typealias DeferredHandler = @Sendable (Request, Parameters, ResponseSink) -> Void

/// Code that wraps handlers: it may answer by itself, change the request or context, or change the
/// response that `next` returns. Middleware runs on the same thread as the handler.
public protocol Middleware: Sendable {
    func handle(_ request: Request, context: RequestContext, next: (Request, RequestContext) throws -> Response) throws -> Response
}

/// Middleware from a closure, for small cases and tests.
public struct ClosureMiddleware: Middleware {
    let body: @Sendable (Request, RequestContext, (Request, RequestContext) throws -> Response) throws -> Response
    public init(_ body: @escaping @Sendable (Request, RequestContext, (Request, RequestContext) throws -> Response) throws -> Response) {
        self.body = body
    }
    public func handle(_ request: Request, context: RequestContext, next: (Request, RequestContext) throws -> Response) throws -> Response {
        try body(request, context, next)
    }
}

extension Array where Element == any Middleware {
    /// Wraps `handler` so the first middleware runs first.
    func wrap(_ handler: @escaping Handler) -> Handler {
        reversed().reduce(handler) { next, middleware in
            { request, context in try middleware.handle(request, context: context, next: next) }
        }
    }
}
