import DeviceLifecycle
import HTTPServerSetup
import Hummingbird
import HummingbirdCore
import Logging
import Observability

/// The functions host's routes (see ``FunctionName``): every function behind the configured
/// keys, plus `GET /healthz`. Paths match case-insensitively, as Azure Functions routes do.
///
/// Does not check the configuration; ``buildFunctionsApplication(configuration:service:applyEvents:logger:tlsServer:onServerRunning:)``
/// does.
///
/// - Parameters:
///   - configuration: keys, body limit and the functions' settings (host and port are unused).
///   - service: where the twins live: ``DeviceLifecycle/ClientTwinsService`` over a
///     `DigitalTwinsClient` pointed at the gateway or at Azure Digital Twins.
///   - logger: the functions' decisions; invocations are logged through the request context's
///     logger (the application's, with the request id).
///   - applyEvents: the bridge function, when the host is part of a bridge.
public func buildFunctionsRouter(
    configuration: FunctionsHostConfiguration, service: any DigitalTwinsService,
    applyEvents: ApplyEventsFunction? = nil, observability: ServerObservability? = nil, logger: Logger
) -> Router<BasicRequestContext> {
    let router = Router(options: .caseInsensitive)
    observability?.install(on: router, logger: logger)
    // Allocation and ingest both resolve models: one cache.
    let models = ModelCache()
    FunctionRoutes(
        keys: configuration.keys, maxBodyBytes: configuration.maxBodyBytes,
        allocation: AllocationFunction(
            service: service, configuration: configuration.allocation, logger: logger, models: models),
        retire: RetireFunction(service: service, configuration: configuration.retire, logger: logger),
        ingest: IngestFunction(service: service, configuration: configuration.ingest, logger: logger, models: models),
        applyEvents: applyEvents, metrics: observability?.metrics
    ).register(on: router)
    return router
}

/// Builds the functions host: the routes of ``buildFunctionsRouter(configuration:service:logger:)``
/// served on the configured address. Run it with `runService()` (graceful shutdown on SIGTERM
/// and SIGINT).
///
/// - Parameters:
///   - tlsServer: a server that speaks TLS (for example HummingbirdTLS's `TLSChannel` around
///     `HTTP1Channel`); `nil` serves plain HTTP/1.1.
///   - onServerRunning: called with the host's URL (`http://…` or `https://…`, with the port
///     actually bound) once it listens.
/// - Throws: ``FunctionsHostConfigurationError`` when ``FunctionsHostConfiguration/validate()``
///   refuses the configuration (for example no keys on an address other than loopback).
public func buildFunctionsApplication(
    configuration: FunctionsHostConfiguration, service: any DigitalTwinsService,
    applyEvents: ApplyEventsFunction? = nil, observability: ServerObservability = ServerObservability(),
    logger: Logger, tlsServer: HTTPServerBuilder? = nil,
    onServerRunning: @escaping @Sendable (String) async -> Void = { _ in }
) throws(FunctionsHostConfigurationError) -> some ApplicationProtocol {
    try configuration.validate()
    let router = buildFunctionsRouter(
        configuration: configuration, service: service, applyEvents: applyEvents, observability: observability,
        logger: logger)
    return Application(
        router: router,
        server: tlsServer ?? .http1(),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        onServerRunning: { channel in
            await onServerRunning(
                HTTPServer.url(of: channel, tls: tlsServer != nil, host: configuration.host, port: configuration.port))
        },
        logger: logger
    )
}
