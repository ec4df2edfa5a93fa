/// How a route runs.
public struct RouteOptions: Sendable {
    /// Largest request body this route accepts; nil uses the server default.
    public var maxBodySize: Int64?
    /// Run the handler on the event loop thread itself. Only for handlers that never block and finish in
    /// microseconds (a health check, an in-memory redirect): everything else runs on the worker pool.
    public var runsOnEventLoop: Bool

    public init(maxBodySize: Int64? = nil, runsOnEventLoop: Bool = false) {
        self.maxBodySize = maxBodySize
        self.runsOnEventLoop = runsOnEventLoop
    }

    public static let standard = RouteOptions()
    public static let eventLoop = RouteOptions(runsOnEventLoop: true)
}
