import ArgumentParser
import Foundation
import HTTPServerSetup
import Instrumentation
import Logging
import OTel
import Observability
import ServiceLifecycle

/// `--log-format`, `--otlp-endpoint` and `--metrics-port`, shared by the commands that serve
/// (serve, functions, emulate).
struct ObservabilityOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "text or json: one JSON object per line (env TWINS_LOG_FORMAT). Default: text", valueName: "format"))
    var logFormat: String?

    @Option(
        name: .customLong("otlp-endpoint"),
        help: ArgumentHelp(
            "Export traces over OTLP/HTTP (protobuf) to this collector; /v1/traces is added (env OTEL_EXPORTER_OTLP_ENDPOINT; the other OTEL_* variables apply too). Default: no tracing",
            valueName: "url"))
    var otlpEndpoint: String?

    @Option(
        help: ArgumentHelp(
            "Serve GET /metrics on this port (same address) instead of beside the API (env TWINS_METRICS_PORT)",
            valueName: "port"))
    var metricsPort: Int?

    @Flag(help: "Count nothing and serve no /metrics (env TWINS_NO_METRICS=1).")
    var noMetrics = false

    /// What the servers record and serve, as the options ask.
    func observability() throws -> ServerObservability {
        let off = Environment.bool(noMetrics, "TWINS_NO_METRICS")
        let port = try separateMetricsPort()
        if off, port != nil { throw CommandFailure("--metrics-port has nothing to serve with --no-metrics") }
        return ServerObservability(metrics: off ? nil : ServerMetrics(), servesMetricsRoute: port == nil)
    }

    /// The log format: `text` or `json`.
    func format() throws -> Environment.LogFormat {
        let text = Environment.string(logFormat, "TWINS_LOG_FORMAT", default: "text")
        guard let format = Environment.LogFormat(rawValue: text.lowercased()) else {
            throw CommandFailure("--log-format must be text or json, not '\(text)'")
        }
        return format
    }

    /// The metrics port, if /metrics has one of its own.
    func separateMetricsPort() throws -> Int? {
        guard let port = try Environment.optionalInt(metricsPort, "TWINS_METRICS_PORT") else { return nil }
        guard (0...65535).contains(port) else { throw CommandFailure("--metrics-port must be a port number") }
        return port
    }

    /// Starts tracing when a collector is configured: bootstraps swift-otel's tracer (OTLP/HTTP
    /// with protobuf; sampler, batching and resource from the standard `OTEL_*` variables) and
    /// returns the service that exports the spans; `nil` leaves tracing off.
    func startTracing(serviceName: String, logger: Logger) throws -> (any Service)? {
        let variables = ProcessInfo.processInfo.environment
        let configured =
            otlpEndpoint != nil || variables["OTEL_EXPORTER_OTLP_ENDPOINT"] != nil
            || variables["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] != nil
        guard configured, variables["OTEL_SDK_DISABLED"]?.lowercased() != "true" else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = serviceName
        configuration.diagnosticLogger = .custom(logger)
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        if let base = otlpEndpoint {
            guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
                throw CommandFailure("--otlp-endpoint must be an http:// or https:// URL, not '\(base)'")
            }
            configuration.traces.otlpExporter.endpoint = base + (base.hasSuffix("/") ? "" : "/") + "v1/traces"
        }
        do {
            let backend = try OTel.makeTracingBackend(configuration: configuration)
            InstrumentationSystem.bootstrap(backend.factory)
            TraceContext.tracingStarted()
            return backend.service
        } catch {
            throw CommandFailure("tracing: \(error)")
        }
    }

    /// Runs `app` with what the options add beside it: the span exporter (stopped last, so that
    /// the last spans are sent) and the metrics server. Stops on SIGTERM and SIGINT.
    func run(
        _ app: some Service, observability: ServerObservability, host: String, tracing: (any Service)?,
        logger: Logger
    ) async throws {
        var services: [any Service] = []
        if let tracing { services.append(tracing) }
        if let port = try separateMetricsPort() {
            services.append(observability.metricsApplication(host: host, port: port, logger: logger))
        }
        services.append(app)
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}
