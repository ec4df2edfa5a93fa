import Logging

/// A trie router: routes by path segment (static segments before `{parameters}` before a trailing `*`
/// catch-all), then by method, with `405` + `Allow` when the path exists but the method does not,
/// automatic `HEAD` for `GET` routes and automatic `OPTIONS`.
///
/// Routes are added during setup, before the server starts; after that the router is only read, which
/// is why it can be shared between threads (`@unchecked Sendable`).
public final class Router: HTTPResponder, @unchecked Sendable {
    struct Route {
        let handler: Handler
        let options: RouteOptions
        /// Set for routes that answer later through the sink (see `deferred`).
        var deferred: DeferredHandler?
    }

    final class Node {
        var children: [String: Node] = [:]
        var parameter: (name: String, node: Node)?
        var catchAll: (name: String, node: Node)?
        var routes: [HTTPMethod: Route] = [:]
    }

    private let root = Node()
    private var middleware: [any Middleware] = []
    /// Answers requests no route matched (a static file server, say); runs on a worker. nil → 404.
    public var fallback: (@Sendable (Request) -> Response?)?
    /// Turns a thrown error into a response. The default writes the `HTTPError` message as text and hides
    /// any other error behind a plain `500`.
    public var errorRenderer: @Sendable (any Error, Request) -> Response = Router.defaultErrorResponse
    public var logger = Logger(label: "portal.router")

    public init() {}

    /// Middleware for every route added after this call.
    public func add(middleware: any Middleware) {
        self.middleware.append(middleware)
    }

    /// Adds a route. The path uses `{name}` for a segment parameter and a final `*` (or `{name...}`) for the rest.
    public func on(_ method: HTTPMethod, _ path: String, options: RouteOptions = .standard, _ handler: @escaping Handler) {
        add(method, path, options: options, middleware: middleware, handler)
    }

    public func get(_ path: String, options: RouteOptions = .standard, _ handler: @escaping Handler) { on(.get, path, options: options, handler) }
    public func post(_ path: String, options: RouteOptions = .standard, _ handler: @escaping Handler) { on(.post, path, options: options, handler) }
    public func put(_ path: String, options: RouteOptions = .standard, _ handler: @escaping Handler) { on(.put, path, options: options, handler) }
    public func patch(_ path: String, options: RouteOptions = .standard, _ handler: @escaping Handler) { on(.patch, path, options: options, handler) }
    public func delete(_ path: String, options: RouteOptions = .standard, _ handler: @escaping Handler) { on(.delete, path, options: options, handler) }

    /// A route that answers later: its handler runs on the event loop, must not block, and calls `sink.send`
    /// once — for instance when the transaction that holds its write has committed. Middleware does not wrap
    /// it (there is no response to wrap yet); it is for hot paths such as the tracking redirect.
    public func deferred(_ method: HTTPMethod, _ path: String, options: RouteOptions = .eventLoop, _ handler: @escaping DeferredHandler) {
        add(method, path, options: options, middleware: [], { _, _ in throw HTTPError(.internalServerError, "Deferred route called directly") },
            deferred: handler)
    }

    /// A group of routes under a common prefix sharing extra middleware.
    public func group(_ prefix: String, middleware extra: [any Middleware] = []) -> RouterGroup {
        RouterGroup(router: self, prefix: prefix, middleware: middleware + extra)
    }

    func add(_ method: HTTPMethod, _ path: String, options: RouteOptions, middleware: [any Middleware], _ handler: @escaping Handler,
             deferred: DeferredHandler? = nil) {
        var node = root
        for segment in Self.patternSegments(path) {
            if segment == "*" || (segment.hasPrefix("{") && segment.hasSuffix("...}")) {
                let name = segment == "*" ? "*" : String(segment.dropFirst().dropLast(4))
                if node.catchAll == nil { node.catchAll = (name, Node()) }
                node = node.catchAll!.node
                break
            } else if segment.hasPrefix("{") && segment.hasSuffix("}") {
                let name = String(segment.dropFirst().dropLast())
                if let existing = node.parameter {
                    precondition(existing.name == name, "Conflicting parameter names at \(path): {\(existing.name)} and {\(name)}")
                } else {
                    node.parameter = (name, Node())
                }
                node = node.parameter!.node
            } else {
                if node.children[segment] == nil { node.children[segment] = Node() }
                node = node.children[segment]!
            }
        }
        precondition(node.routes[method] == nil, "Duplicate route \(method) \(path)")
        node.routes[method] = Route(handler: middleware.wrap(handler), options: options, deferred: deferred)
    }

    /// Every route added, as `(method, pattern)` with `{name}` parameters and `*` catch-alls — for tests and
    /// generated documents that must list exactly the routes the router answers.
    public func routeTable() -> [(method: HTTPMethod, path: String)] {
        var table: [(method: HTTPMethod, path: String)] = []
        func walk(_ node: Node, _ path: String) {
            for method in node.routes.keys { table.append((method, path.isEmpty ? "/" : path)) }
            for (segment, child) in node.children { walk(child, path + "/" + segment) }
            if let (name, child) = node.parameter { walk(child, path + "/{\(name)}") }
            if let (name, child) = node.catchAll { walk(child, path + "/" + (name == "*" ? "*" : "{\(name)...}")) }
        }
        walk(root, "")
        return table.sorted { ($0.path, $0.method.rawValue) < ($1.path, $1.method.rawValue) }
    }

    static func patternSegments(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    // MARK: - Matching

    enum Match {
        case found(Route, Parameters)
        case methodNotAllowed(allowed: [HTTPMethod])
        case notFound
        case badPath
    }

    func match(method: HTTPMethod, path: Substring) -> Match {
        var segments: [String] = []
        for raw in path.split(separator: "/", omittingEmptySubsequences: true) {
            guard let decoded = PercentDecoding.decode(raw) else { return .badPath }
            segments.append(decoded)
        }
        var parameters = Parameters()
        guard let node = Self.find(root, segments[...], &parameters) else { return .notFound }
        if let route = node.routes[method] ?? (method == .head ? node.routes[.get] : nil) {
            return .found(route, parameters)
        }
        if node.routes.isEmpty { return .notFound }
        return .methodNotAllowed(allowed: Self.allowed(node))
    }

    /// Depth-first with backtracking: a static child is tried first, then the parameter, then the catch-all.
    private static func find(_ node: Node, _ segments: ArraySlice<String>, _ parameters: inout Parameters) -> Node? {
        guard let segment = segments.first else {
            if !node.routes.isEmpty { return node }
            // `/files/*` also matches `/files` with an empty rest.
            if let (name, child) = node.catchAll, !child.routes.isEmpty { parameters.append(name, ""); return child }
            return node.routes.isEmpty ? nil : node
        }
        let rest = segments.dropFirst()
        if let child = node.children[segment], let found = find(child, rest, &parameters) { return found }
        if let (name, child) = node.parameter {
            parameters.append(name, segment)
            if let found = find(child, rest, &parameters) { return found }
            parameters.removeLast()
        }
        if let (name, child) = node.catchAll, !child.routes.isEmpty {
            parameters.append(name, segments.joined(separator: "/"))
            return child
        }
        return nil
    }

    private static func allowed(_ node: Node) -> [HTTPMethod] {
        var methods = Set(node.routes.keys)
        if methods.contains(.get) { methods.insert(.head) }
        methods.insert(.options)
        return methods.sorted { $0.rawValue < $1.rawValue }
    }

    // MARK: - HTTPResponder

    public func maxBodySize(for head: RequestHead) -> Int64? {
        if case .found(let route, _) = match(method: head.method, path: Request.splitTarget(head.target).path) {
            return route.options.maxBodySize
        }
        return nil
    }

    /// Bodies for errors the connection answers before routing (see `HTTPResponder.connectionErrorBody`).
    public var connectionErrorRenderer: @Sendable (HTTPStatus, String, RequestHead?) -> (contentType: String, body: [UInt8])? = { _, _, _ in nil }

    public func connectionErrorBody(_ status: HTTPStatus, reason: String, head: RequestHead?) -> (contentType: String, body: [UInt8])? {
        connectionErrorRenderer(status, reason, head)
    }

    public func respond(to request: Request, sink: ResponseSink) {
        switch match(method: request.method, path: request.path) {
        case .found(let route, let parameters):
            if let deferred = route.deferred {
                deferred(request, parameters, sink)
            } else if route.options.runsOnEventLoop {
                sink.send(run(route.handler, request, parameters))
            } else {
                sink.sendFromWorker { [self] in self.run(route.handler, request, parameters) }
            }
        case .methodNotAllowed(let allowed):
            if request.method == .options {
                var response = Response(status: .noContent)
                response.headers.append("Allow", allowed.map(\.rawValue).joined(separator: ", "))
                sink.send(response)
            } else {
                var headers = HTTPHeaders()
                headers.append("Allow", allowed.map(\.rawValue).joined(separator: ", "))
                sink.send(errorRenderer(HTTPError(.methodNotAllowed, "Method not allowed", headers: headers), request))
            }
        case .badPath:
            sink.send(errorRenderer(HTTPError(.badRequest, "Malformed percent-encoding in path"), request))
        case .notFound:
            if let fallback {
                sink.sendFromWorker { [self] in
                    fallback(request) ?? self.errorRenderer(HTTPError(.notFound, "Not found"), request)
                }
            } else {
                sink.send(errorRenderer(HTTPError(.notFound, "Not found"), request))
            }
        }
    }

    private func run(_ handler: Handler, _ request: Request, _ parameters: Parameters) -> Response {
        do {
            return try handler(request, RequestContext(parameters: parameters))
        } catch {
            if !(error is HTTPError) {
                logger.error("handler failed: \(error)", metadata: ["request_id": "\(request.requestID)"])
            }
            return errorRenderer(error, request)
        }
    }

    public static func defaultErrorResponse(_ error: any Error, _ request: Request) -> Response {
        guard let error = error as? HTTPError else {
            return .text("Internal Server Error\n", status: .internalServerError)
        }
        var response = Response.text(error.message + "\n", status: error.status)
        for (name, value) in error.headers { response.headers.append(name, value) }
        return response
    }
}

/// Routes under a shared prefix and middleware: `router.group("/admin", middleware: [auth]).get("/") { … }`.
public struct RouterGroup: Sendable {
    let router: Router
    let prefix: String
    let middleware: [any Middleware]

    public func group(_ path: String, middleware extra: [any Middleware] = []) -> RouterGroup {
        RouterGroup(router: router, prefix: join(path), middleware: middleware + extra)
    }

    public func on(_ method: HTTPMethod, _ path: String, options: RouteOptions = .standard, _ handler: @escaping Handler) {
        router.add(method, join(path), options: options, middleware: middleware, handler)
    }

    public func get(_ path: String, options: RouteOptions = .standard, _ handler: @escaping Handler) { on(.get, path, options: options, handler) }
    public func post(_ path: String, options: RouteOptions = .standard, _ handler: @escaping Handler) { on(.post, path, options: options, handler) }
    public func put(_ path: String, options: RouteOptions = .standard, _ handler: @escaping Handler) { on(.put, path, options: options, handler) }
    public func patch(_ path: String, options: RouteOptions = .standard, _ handler: @escaping Handler) { on(.patch, path, options: options, handler) }
    public func delete(_ path: String, options: RouteOptions = .standard, _ handler: @escaping Handler) { on(.delete, path, options: options, handler) }

    private func join(_ path: String) -> String {
        "/" + (Router.patternSegments(prefix) + Router.patternSegments(path)).joined(separator: "/")
    }
}
