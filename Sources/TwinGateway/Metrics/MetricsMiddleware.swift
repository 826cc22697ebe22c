import Hummingbird

/// Counts every request and its duration per method, route template and status
/// (``GatewayMetrics``). Requests that match no route are answered 404 by the router before any
/// middleware, and are not counted.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: GatewayMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
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

    func record(_ request: Request, _ context: Context, status: Int, start: ContinuousClock.Instant) {
        metrics.recordRequest(
            method: request.method.rawValue, route: context.endpointPath ?? "-", status: status,
            duration: start.duration(to: .now))
    }
}

/// `GET /metrics`: Prometheus' text format, no token needed (it holds counts, no data).
struct MetricsRoutes: Sendable {
    let metrics: GatewayMetrics

    func register(on router: Router<some RequestContext>) {
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
    }
}
