import HTTPServer

/// `GET /healthz` and `GET /metrics` (CONTRACTS.md): liveness for load balancers, counters for Prometheus.
struct HealthController {
    let metrics: ServerMetrics

    func register(on router: Router) {
        // Answered on the event loop: no I/O, so a health check is never queued behind slow work.
        router.get("/healthz", options: .eventLoop) { _, _ in
            .json(#"{"status":"ok"}"#)
        }
        router.get("/metrics", options: .eventLoop) { [metrics] _, _ in
            Response(contentType: "text/plain; version=0.0.4; charset=utf-8", body: Array(metrics.prometheusText().utf8))
        }
    }
}
