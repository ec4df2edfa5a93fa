import Foundation

/// Every limit and timeout of the server in one place, each with a default suited to a public deployment.
public struct ServerConfiguration: Sendable {
    /// Address to listen on: an IPv4 or IPv6 literal, or a host name (`localhost`).
    public var host = "127.0.0.1"
    /// Port to listen on; 0 picks a free one (tests), readable afterwards from `Server.port`.
    public var port = 8080
    /// Event loops, each a thread with its own epoll set and `SO_REUSEPORT` listener. Default: one per core.
    public var eventLoops = ProcessInfo.processInfo.activeProcessorCount
    /// Threads that run handlers that may block (SQLite, password hashing, file reads).
    public var workerThreads = max(4, ProcessInfo.processInfo.activeProcessorCount * 4)
    /// Requests that may wait for a worker; beyond this the server answers `503` at once.
    public var workerQueueCapacity = 4096
    /// Threads that produce streamed response bodies (large files, exports). Kept apart from the handler
    /// workers because a slow reader holds its producer, and must not starve handlers.
    public var streamThreads = 32
    /// Streamed responses that may wait for a stream thread; beyond this: `503`.
    public var streamQueueCapacity = 1024
    public var listenBacklog: Int32 = 1024
    /// A second port that speaks TLS (nil: none; 0 picks a free one, readable from `Server.tlsPort`). Its
    /// certificates come from the `TLSCertificateStore` given to the server, chosen by SNI.
    public var tlsPort: Int?
    /// `Strict-Transport-Security` sent on every response over TLS (nil: none).
    public var strictTransportSecurity: String? = "max-age=31536000"

    /// Request line, header and chunk-extension limits.
    public var parser = ParserLimits()
    /// Largest request body a route accepts unless it says otherwise. Past it: `413`, before reading it.
    public var maxBodySize: Int64 = 1 << 20
    /// Bodies larger than this are written to a temporary file as they arrive instead of kept in memory.
    public var bodySpoolThreshold: Int64 = 256 << 10
    public var temporaryDirectory = NSTemporaryDirectory()

    /// Open connections at once; one more is answered `503` and closed.
    public var maxConnections = 10_000
    /// From a request's first byte to the end of its headers (slowloris defence): `408`, then close.
    public var headerReadTimeout: Duration = .seconds(10)
    /// Longest wait for more body bytes while a body is being read: `408`, then close.
    public var bodyReadTimeout: Duration = .seconds(30)
    /// How long an idle keep-alive connection stays open between requests.
    public var keepAliveTimeout: Duration = .seconds(30)
    /// How long a handler may take before the client gets `503` and the connection closes.
    public var handlerTimeout: Duration = .seconds(30)
    /// Longest wait for the client to accept more response bytes before the connection is dropped.
    public var writeTimeout: Duration = .seconds(30)
    /// On shutdown, how long in-flight requests have to finish before their connections are closed.
    public var shutdownGracePeriod: Duration = .seconds(10)
    /// After an error response, how long unread request bytes are drained so the client sees the
    /// response rather than a reset.
    public var lingerTimeout: Duration = .seconds(2)

    /// Streamed bodies: a producer blocks while more than this many bytes wait to be sent.
    public var streamHighWatermark = 256 << 10

    public init() {}
}

extension Duration {
    /// Whole nanoseconds, saturating, for the monotonic clock arithmetic of the event loops.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled.addingSaturating(attoseconds / 1_000_000_000)
    }
}

extension Int64 {
    /// Addition that stops at the bounds instead of trapping: deadlines far in the future mean "never".
    func addingSaturating(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        if overflow { return other > 0 ? .max : .min }
        return sum
    }
}
