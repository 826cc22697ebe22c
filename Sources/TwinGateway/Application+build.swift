import Hummingbird
import Logging
import PostgresNIO
import TwinStore

/// Builds the gateway application: routes, and the database client as a managed service.
///
/// Start-up work on the database (checking it answers, migrating) happens before, through
/// `DirectConnection`, so that a bad database fails fast with one clear line.
///
/// - Parameters:
///   - configuration: where to listen.
///   - database: the PostgreSQL client; the application runs it as a service.
///   - databaseURL: the client's URL, used to explain why the database is unreachable.
///   - onServerRunning: called with the bound address once the server listens.
public func buildApplication(
    configuration: GatewayConfiguration,
    database: PostgresClient,
    databaseURL: DatabaseURL? = nil,
    logger: Logger,
    onServerRunning: @escaping @Sendable (String) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = buildRouter(database: database, databaseURL: databaseURL, logger: logger)

    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        onServerRunning: { channel in
            let address = channel.localAddress
            let host = address?.ipAddress ?? configuration.host
            let hostText = host.contains(":") ? "[\(host)]" : host
            await onServerRunning("http://\(hostText):\(address?.port ?? configuration.port)")
        },
        logger: logger
    )
    app.addServices(database)
    return app
}

/// The gateway's routes. `openapi/openapi.yaml` must list exactly these (a test checks it).
public func buildRouter(database: PostgresClient, databaseURL: DatabaseURL? = nil, logger: Logger) -> Router<BasicRequestContext> {
    let router = Router()
    HealthRoutes(database: database, databaseURL: databaseURL, logger: logger).register(on: router)
    return router
}
