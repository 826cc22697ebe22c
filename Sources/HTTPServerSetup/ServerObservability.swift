import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import Observability

/// What every server of the project (gateway, functions host, emulators) shows of its requests:
/// a span per request while tracing is on (continuing the caller's `traceparent`), the request's
/// trace context for its log lines (``RequestTrace``), its count and duration in the metrics, and
/// a log line at `debug` with method, route template, status and duration (never a header, so
/// never a token). `GET /metrics` is served beside the routes unless a separate port serves it
/// (``metricsApplication(host:port:logger:)``).
public struct ServerObservability: Sendable {
    /// Where the requests (and the server's other figures) are counted; `nil` with metrics off
    /// (`--no-metrics`).
    public let metrics: ServerMetrics?
    /// Whether `GET /metrics` is among the server's own routes.
    public var servesMetricsRoute: Bool

    /// Observability with `metrics`; `servesMetricsRoute: false` when a separate port serves them.
    public init(metrics: ServerMetrics? = ServerMetrics(), servesMetricsRoute: Bool = true) {
        self.metrics = metrics
        self.servesMetricsRoute = servesMetricsRoute
    }

    /// Adds the middleware (first, so that it sees every routed request) and the metrics route.
    public func install<Context: RequestContext>(on router: Router<Context>, logger: Logger) {
        if TraceContext.isTracing {
            // Query parameters that carry a credential: a function key (`code`), a SAS signature.
            router.add(
                middleware: TracingMiddleware<Context>(
                    recordingHeaders: [], redactingQueryParameters: ["code", "sig"]))
        }
        router.add(middleware: RequestObservationMiddleware<Context>(metrics: metrics, logger: logger))
        if servesMetricsRoute, let metrics { MetricsRoutes(metrics: metrics).register(on: router) }
    }

    /// A server of its own for `GET /metrics` (`--metrics-port`), to run beside the main one.
    public func metricsApplication(host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        if let metrics { MetricsRoutes(metrics: metrics).register(on: router) }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil),
            logger: logger)
    }
}

/// Times, counts and logs each request; requests that match no route are answered 404 by the
/// router before any middleware, and are not seen.
struct RequestObservationMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics?
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        let trace = RequestTrace.make(callerTraceparent: request.headers[.traceparent])
        return try await RequestTrace.$traceparent.withValue(trace) {
            do {
                let response = try await next(request, context)
                record(request, context, status: Int(response.status.code), start: start)
                return response
            } catch {
                let status = (error as? any HTTPResponseError)?.status.code ?? 500
                record(request, context, status: Int(status), start: start)
                throw error
            }
        }
    }

    func record(_ request: Request, _ context: Context, status: Int, start: ContinuousClock.Instant) {
        let duration = start.duration(to: .now)
        let route = context.endpointPath ?? "-"
        metrics?.recordRequest(method: request.method.rawValue, route: route, status: status, duration: duration)
        logger.debug(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "route": "\(route)", "status": "\(status)",
                "durationMs":
                    "\(Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)",
            ])
    }
}

/// `GET /metrics`: Prometheus' text format, no token needed (it holds counts, no data).
struct MetricsRoutes: Sendable {
    let metrics: ServerMetrics

    func register(on router: Router<some RequestContext>) {
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: await metrics.exposition())))
        }
    }
}

extension HTTPField.Name {
    static let traceparent = Self("traceparent")!
}
