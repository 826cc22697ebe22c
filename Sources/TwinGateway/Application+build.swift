import BulkJobs
import EventDelivery
import HTTPServerSetup
import Hummingbird
import HummingbirdCore
import Logging
import NIOSSL
import Observability
import PostgresNIO
import PostgresSupport
import TwinQuery
import TwinStore

/// Builds the gateway application: routes, and as managed services the database client, the
/// model-change listener, the event delivery worker and the bulk job worker.
///
/// Start-up work on the database (checking it answers, migrating) happens before, through
/// `DirectConnection`, so that a bad database fails fast with one clear line.
///
/// - Parameters:
///   - configuration: where to listen, and with which TLS certificate if any.
///   - database: the PostgreSQL client; the application runs it as a service.
///   - databaseURL: the client's URL, used to explain why the database is unreachable.
///   - onServerRunning: called with the server's URL (`http://…` or `https://…`) once it listens.
public func buildApplication(
    configuration: GatewayConfiguration,
    database: PostgresClient,
    databaseURL: DatabaseURL? = nil,
    observability: ServerObservability = ServerObservability(),
    logger: Logger,
    onServerRunning: @escaping @Sendable (String) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let catalog = ModelCatalog(logger: logger, metrics: observability.metrics)
    let jobWakeup = Wakeup()
    if let pool = configuration.databasePool, let metrics = observability.metrics {
        DatabasePoolMetrics.collect(
            into: metrics, client: database, applicationName: pool.applicationName,
            maximumConnections: pool.maximumConnections, logger: logger)
    }
    let router = buildRouter(
        database: database, databaseURL: databaseURL, configuration: configuration, catalog: catalog,
        jobWakeup: jobWakeup, observability: observability, logger: logger)

    var app = Application(
        router: router,
        server: HTTPServer.builder(tls: configuration.tls),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        onServerRunning: { channel in
            await onServerRunning(
                HTTPServer.url(
                    of: channel, tls: configuration.tls != nil, host: configuration.host, port: configuration.port))
        },
        logger: logger
    )
    app.addServices(
        database, ModelChangeListener(client: database, catalog: catalog, logger: logger),
        EventDeliveryWorker(
            client: database, endpoints: configuration.endpoints, configuration: configuration.eventDelivery,
            metrics: observability.metrics, logger: logger),
        JobWorker(
            client: database, catalog: catalog, configuration: configuration.jobs,
            eventSource: configuration.instanceHost, wakeup: jobWakeup, logger: logger))
    return app
}

/// The gateway's routes. `openapi/openapi.yaml` must list exactly these (a test checks it).
///
/// Paths match case-insensitively: ADT's own `nextLink`s say `/Models`.
/// With `observability`, every routed request is counted, timed, logged and traced
/// (``ServerObservability``), and `GET /metrics` serves the counts.
public func buildRouter(
    database: PostgresClient, databaseURL: DatabaseURL? = nil, configuration: GatewayConfiguration = .init(),
    catalog: ModelCatalog? = nil, jobWakeup: Wakeup = Wakeup(), observability: ServerObservability? = nil,
    logger: Logger
) -> Router<BasicRequestContext> {
    let router = Router(options: .caseInsensitive)
    observability?.install(on: router, logger: logger)
    HealthRoutes(database: database, databaseURL: databaseURL, endpoints: configuration.endpoints, logger: logger)
        .register(on: router)

    if let issuer = configuration.auth.developmentIssuer {
        DevelopmentIssuerRoutes(issuer: issuer, scheme: configuration.tls == nil ? "http" : "https").register(
            on: router)
    }
    var adt = router.group()
    if configuration.auth.mode == .jwt {
        adt = adt.add(
            middleware: AuthMiddleware(
                verifier: TokenVerifier(configuration: configuration.auth), logger: logger,
                metrics: observability?.metrics))
    }
    adt = adt.add(middleware: ADTMiddleware(logger: logger))
    let catalog = catalog ?? ModelCatalog(logger: logger, metrics: observability?.metrics)
    let links = LinkBuilder(scheme: configuration.tls == nil ? "http" : "https")
    ModelRoutes(
        store: ModelStore(client: database, catalog: catalog, logger: logger), links: links,
        maxBodyBytes: configuration.maxBodyBytes
    ).register(on: adt)
    TwinRoutes(
        store: DigitalTwinStore(
            client: database, catalog: catalog, logger: logger, eventSource: configuration.instanceHost,
            readSlots: configuration.twinReadSlots, writeSlots: configuration.twinWriteSlots,
            connections: configuration.twinConnections),
        maxBodyBytes: configuration.maxBodyBytes
    ).register(on: adt)
    RelationshipRoutes(
        store: RelationshipStore(
            client: database, catalog: catalog, logger: logger, eventSource: configuration.instanceHost),
        links: links,
        maxBodyBytes: configuration.maxBodyBytes
    ).register(on: adt)
    EventRouteRoutes(
        store: EventRouteStore(
            client: database, endpoints: Set(configuration.endpoints.map(\.name)), limit: configuration.maxEventRoutes,
            logger: logger),
        links: links, maxBodyBytes: configuration.maxBodyBytes
    ).register(on: adt)
    EventDeliveryRoutes(
        endpoints: configuration.endpoints, database: database,
        deadLetters: DeadLetterStore(client: database, logger: logger),
        stream: EventStream(client: database, logger: logger), links: links,
        maxBodyBytes: configuration.maxBodyBytes, logger: logger
    ).register(on: adt)
    JobRoutes(
        store: JobStore(client: database, inputs: configuration.jobs.inputs, logger: logger), wakeup: jobWakeup,
        links: links, maxBodyBytes: configuration.maxBodyBytes
    ).register(on: adt)
    let queryOptions = ParseOptions(
        requireAnchor: !configuration.queryExtensions, allowOrderBy: configuration.queryExtensions)
    QueryRoutes(
        store: QueryStore(client: database, logger: logger, options: queryOptions, metrics: observability?.metrics),
        maxBodyBytes: configuration.maxBodyBytes
    ).register(on: adt)
    return router
}
