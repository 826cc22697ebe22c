import Foundation
import Metrics
import Prometheus

/// One server's metrics: recorded through swift-metrics, kept in a Prometheus registry of the
/// server's own (so several servers in one process, as in tests, count apart), and served at
/// `GET /metrics` in Prometheus' text format.
///
/// Names follow Prometheus' conventions (`_total` counters, `_seconds` in base units); labels
/// stay few and bounded: the HTTP method, the route template (`/digitaltwins/{id}`, never an id),
/// the status code, an endpoint's or a function's name, a reason from a fixed list.
public final class ServerMetrics: @unchecked Sendable {
    /// Where the values are kept.
    public let registry: PrometheusCollectorRegistry
    /// The factory that every component of this server records through.
    public let factory: any MetricsFactory
    private let lock = NSLock()
    private var requests: [RequestKey: (Metrics.Counter, Metrics.Timer)] = [:]
    private var collectors: [@Sendable () async -> Void] = []
    private var counters: [String: Metrics.Counter] = [:]
    private var gauges: [String: Metrics.Gauge] = [:]
    private var timers: [String: Metrics.Timer] = [:]
    private var recorders: [String: Metrics.Recorder] = [:]

    struct RequestKey: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    /// Metrics in a new registry.
    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Durations from 1 ms to 10 s: requests and statements take a few ms, a query, a delivery
        // or a large upload may take seconds.
        factory.defaultValueHistogramBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000]
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        self.factory = factory
    }

    /// Counts a request answered with `status` after `duration`.
    public func recordRequest(method: String, route: String, status: Int, duration: Duration) {
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

    /// Adds `amount` to the counter `label` (a name ending in `_total`) with `dimensions`.
    public func increment(_ label: String, _ dimensions: [(String, String)] = [], by amount: Int = 1) {
        cached(\.counters, label, dimensions) {
            Metrics.Counter(label: label, dimensions: dimensions, factory: factory)
        }
        .increment(by: amount)
    }

    /// Sets the gauge `label` with `dimensions` to `value`.
    public func set(_ label: String, _ dimensions: [(String, String)] = [], to value: Double) {
        cached(\.gauges, label, dimensions) { Metrics.Gauge(label: label, dimensions: dimensions, factory: factory) }
            .record(value)
    }

    /// Records `duration` in the histogram `label` (a name ending in `_seconds`).
    public func record(_ label: String, _ dimensions: [(String, String)] = [], duration: Duration) {
        cached(\.timers, label, dimensions) { Metrics.Timer(label: label, dimensions: dimensions, factory: factory) }
            .record(duration: duration)
    }

    /// Records `value` in the histogram `label` (for sizes and charges; buckets 1 to 1,000).
    public func observe(_ label: String, _ dimensions: [(String, String)] = [], value: Double) {
        cached(\.recorders, label, dimensions) {
            Metrics.Recorder(label: label, dimensions: dimensions, aggregate: true, factory: factory)
        }.record(value)
    }

    /// The metric of `label` and `dimensions` in `table`, made on first use.
    private func cached<Metric>(
        _ table: ReferenceWritableKeyPath<ServerMetrics, [String: Metric]>, _ label: String,
        _ dimensions: [(String, String)], make: () -> Metric
    ) -> Metric {
        let key = dimensions.reduce(into: label) { $0 += "\u{1}\($1.0)=\($1.1)" }
        return lock.withLock {
            if let known = self[keyPath: table][key] { return known }
            let made = make()
            self[keyPath: table][key] = made
            return made
        }
    }

    /// A counter to keep and increment on a hot path without a lookup per use.
    public func counter(_ label: String, _ dimensions: [(String, String)] = []) -> CounterHandle {
        CounterHandle(counter: Metrics.Counter(label: label, dimensions: dimensions, factory: factory))
    }

    /// Adds work run before every scrape: gauges whose values are read when asked for (a backlog
    /// counted in the database, a queue's length).
    public func addCollector(_ collect: @escaping @Sendable () async -> Void) {
        lock.withLock { collectors.append(collect) }
    }

    /// The metrics in Prometheus' text format (version 0.0.4), after the collectors ran.
    public func exposition() async -> [UInt8] {
        for collect in lock.withLock({ collectors }) { await collect() }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}

/// A counter made once (``ServerMetrics/counter(_:_:)``).
public struct CounterHandle: Sendable {
    let counter: Metrics.Counter

    /// Adds `amount`.
    public func increment(by amount: Int = 1) { counter.increment(by: amount) }
}
