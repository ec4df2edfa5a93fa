import HTTPServer
import Synchronization

/// Request counters by status class, exposed at `/metrics` in Prometheus text format.
public final class ServerMetrics: Middleware {
    private struct Counts {
        var byClass = [Int](repeating: 0, count: 6)
        var durationMicros = 0
    }
    private let counts = Mutex(Counts())

    public init() {}

    public func handle(_ request: Request, context: RequestContext, next: (Request, RequestContext) throws -> Response) throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try next(request, context)
        } catch let error as HTTPError {
            count(error.status.code, since: start)
            throw error
        } catch {
            count(500, since: start)
            throw error
        }
        count(response.status.code, since: start)
        return response
    }

    private func count(_ status: Int, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let micros = Int(elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000)
        counts.withLock {
            $0.byClass[min(max(status / 100, 0), 5)] += 1
            $0.durationMicros += micros
        }
    }

    public func prometheusText() -> String {
        var lines = [
            "# HELP portal_http_requests_total Requests answered by a route, by status class.",
            "# TYPE portal_http_requests_total counter",
        ]
        let snapshot = counts.withLock { $0 }
        for index in 1...5 {
            lines.append("portal_http_requests_total{class=\"\(index)xx\"} \(snapshot.byClass[index])")
        }
        lines.append("# HELP portal_http_handler_seconds_total Time spent in route handlers.")
        lines.append("# TYPE portal_http_handler_seconds_total counter")
        lines.append("portal_http_handler_seconds_total \(Double(snapshot.durationMicros) / 1_000_000)")
        return lines.joined(separator: "\n") + "\n"
    }
}
