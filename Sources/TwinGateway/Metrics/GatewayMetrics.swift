import Foundation
import Metrics
import Prometheus

/// The gateway's metrics: recorded through swift-metrics, kept in a Prometheus registry of this
/// gateway's own (so several gateways in one process, as in tests, count apart), and served at
/// `GET /metrics` in Prometheus' text format.
///
/// Names follow Prometheus' conventions (`_total` counters, `_seconds` in base units); labels
/// stay few: the HTTP method, the route template (`/digitaltwins/{id}`, never an id) and the
/// status code.
public final class GatewayMetrics: @unchecked Sendable {
    /// Where the values are kept.
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    private let lock = NSLock()
    private var requests: [RequestKey: (Metrics.Counter, Metrics.Timer)] = [:]

    struct RequestKey: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    /// Metrics in a new registry.
    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Request durations from 1 ms to 10 s: the gateway's requests take a few ms, a query or a
        // large upload may take seconds.
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        self.factory = factory
    }

    /// Counts a request answered with `status` after `duration`.
    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let key = RequestKey(method: method, route: route, status: status)
        let (counter, timer) = lock.withLock {
            if let known = requests[key] { return known }
            let made = (
                Metrics.Counter(
                    label: "http_server_requests_total",
                    dimensions: [("method", method), ("route", route), ("status", String(status))], factory: factory),
                Metrics.Timer(
                    label: "http_server_request_duration_seconds",
                    dimensions: [("method", method), ("route", route)], factory: factory)
            )
            requests[key] = made
            return made
        }
        counter.increment()
        timer.record(duration: duration)
    }

    /// The metrics in Prometheus' text format (version 0.0.4).
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
