import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOSSL
import PostgresNIO
import TwinQuery
import TwinStore

/// Builds the gateway application: routes, and the database client as a managed service.
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
    logger: Logger,
    onServerRunning: @escaping @Sendable (String) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let catalog = ModelCatalog(logger: logger)
    let router = buildRouter(
        database: database, databaseURL: databaseURL, configuration: configuration, catalog: catalog, logger: logger)

    var app = Application(
        router: router,
        server: serverBuilder(tls: configuration.tls),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        onServerRunning: { channel in
            let address = channel.localAddress
            let host = address?.ipAddress ?? configuration.host
            let hostText = host.contains(":") ? "[\(host)]" : host
            let scheme = configuration.tls == nil ? "http" : "https"
            await onServerRunning("\(scheme)://\(hostText):\(address?.port ?? configuration.port)")
        },
        logger: logger
    )
    app.addServices(database, ModelChangeListener(client: database, catalog: catalog, logger: logger))
    return app
}

/// Plain HTTP/1.1, or HTTP/1.1 over TLS.
///
/// Not HTTP/2 by ALPN: Hummingbird's `HTTP2UpgradeChannel` waits for the TLS handshake without a
/// limit, so one client that connects and sends nothing keeps a graceful shutdown (SIGTERM) from
/// ever finishing; the HTTP/1.1 channel closes such an idle connection. The channel is built
/// directly rather than through `.tls(.http1(), tlsConfiguration:)`, which is declared `throws`
/// although it only fails when a connection is set up (the files are checked before, by
/// `ServerTLS`).
func serverBuilder(tls: TLSConfiguration?) -> HTTPServerBuilder {
    guard let tls else { return .http1() }
    return HTTPServerBuilder { responder in
        try TLSChannel(HTTP1Channel(responder: responder), tlsConfiguration: tls)
    }
}

/// The gateway's routes. `openapi/openapi.yaml` must list exactly these (a test checks it).
///
/// Paths match case-insensitively: ADT's own `nextLink`s say `/Models`.
public func buildRouter(
    database: PostgresClient, databaseURL: DatabaseURL? = nil, configuration: GatewayConfiguration = .init(),
    catalog: ModelCatalog? = nil, logger: Logger
) -> Router<BasicRequestContext> {
    let router = Router(options: .caseInsensitive)
    HealthRoutes(database: database, databaseURL: databaseURL, logger: logger).register(on: router)

    if let issuer = configuration.auth.developmentIssuer {
        DevelopmentIssuerRoutes(issuer: issuer, scheme: configuration.tls == nil ? "http" : "https").register(on: router)
    }
    var adt = router.group()
    if configuration.auth.mode == .jwt {
        adt = adt.add(middleware: AuthMiddleware(verifier: TokenVerifier(configuration: configuration.auth), logger: logger))
    }
    adt = adt.add(middleware: ADTMiddleware(logger: logger))
    let catalog = catalog ?? ModelCatalog(logger: logger)
    let links = LinkBuilder(scheme: configuration.tls == nil ? "http" : "https")
    ModelRoutes(
        store: ModelStore(client: database, catalog: catalog, logger: logger), links: links,
        maxBodyBytes: configuration.maxBodyBytes
    ).register(on: adt)
    TwinRoutes(
        store: DigitalTwinStore(client: database, catalog: catalog, logger: logger),
        maxBodyBytes: configuration.maxBodyBytes
    ).register(on: adt)
    RelationshipRoutes(
        store: RelationshipStore(client: database, catalog: catalog, logger: logger), links: links,
        maxBodyBytes: configuration.maxBodyBytes
    ).register(on: adt)
    let queryOptions = ParseOptions(requireAnchor: !configuration.queryExtensions, allowOrderBy: configuration.queryExtensions)
    QueryRoutes(
        store: QueryStore(client: database, logger: logger, options: queryOptions), maxBodyBytes: configuration.maxBodyBytes
    ).register(on: adt)
    return router
}
