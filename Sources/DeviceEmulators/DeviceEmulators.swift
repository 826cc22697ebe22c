import HTTPTransport
import Hummingbird
import HTTPServerSetup
import Logging
import Observability
import PostgresNIO
import PostgresSupport
import ServiceLifecycle

/// Local emulators of the Device Provisioning Service and IoT Hub (`twins emulate`), with their
/// state in PostgreSQL (tables `dps_*` and `hub_*`, created by migration 0006).
///
/// Hosting both, with the database client run once beside them:
///
/// ```swift
/// let configuration = try EmulatorConfiguration.load(path: "emulators.json")
/// let dps = try DeviceEmulators.buildDPSApplication(configuration: configuration, database: client, logger: logger)
/// let hub = try DeviceEmulators.buildHubApplication(configuration: configuration, database: client, logger: logger)
/// let group = ServiceGroup(configuration: .init(services: [client, dps, hub], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
/// try await group.run()
/// ```
///
/// The database must be migrated first (`MigrationRunner`). Each application runs its own
/// background worker (``AllocationWorker``, ``DeliveryWorker``); neither runs the database
/// client, so both can share one.
public enum DeviceEmulators {
    /// The transport the emulators call webhooks with when given none: libcurl, 5 s to connect,
    /// proxies from the environment.
    public static func defaultTransport() -> any Transport {
        CurlTransport(
            configuration: .init(connectTimeout: .seconds(5), logger: Logger(label: "DeviceEmulators.webhooks")))
    }

    /// The DPS emulator: the device registration API and the enrollment group API, with its
    /// ``AllocationWorker``. Before the server starts, the configured enrollment groups (and
    /// those of ``DPSConfiguration/enrollmentFile``) are written to the database.
    ///
    /// - Parameters:
    ///   - transport: how the custom-allocation webhooks are called.
    ///   - onServerRunning: called with the server's URL (`http://host:port`) once it listens.
    /// - Throws: ``EmulatorConfigurationError`` when the configuration is invalid.
    public static func buildDPSApplication(
        configuration: EmulatorConfiguration, database: PostgresClient, transport: (any Transport)? = nil,
        observability: ServerObservability = ServerObservability(), logger: Logger,
        onServerRunning: @escaping @Sendable (String) async -> Void = { _ in }
    ) throws(EmulatorConfigurationError) -> some ApplicationProtocol {
        try configuration.validate()
        let dps = configuration.dps
        let wakeup = Wakeup()
        let router = Router()
        observability.install(on: router, logger: logger)
        if let metrics = observability.metrics {
            EmulatorMetrics.collectDPS(into: metrics, database: database, logger: logger)
        }
        let enrollments = EnrollmentStore(client: database, logger: logger)
        DPSRoutes(
            configuration: dps, enrollments: enrollments,
            operations: RegistrationStore(client: database, logger: logger), wakeup: wakeup, logger: logger
        ).register(on: router)
        DPSServiceRoutes(serviceKey: configuration.serviceKey, enrollments: enrollments, logger: logger).register(
            on: router)
        var app = Application(
            router: router, configuration: .init(address: .hostname(dps.host, port: dps.port), serverName: nil),
            onServerRunning: { channel in
                await onServerRunning(serverURL(channel.localAddress, fallback: dps.host, dps.port))
            },
            logger: logger)
        app.addServices(
            AllocationWorker(
                configuration: dps, linkedHubs: linkedHubs(configuration), client: database,
                transport: transport ?? defaultTransport(), wakeup: wakeup, logger: logger))
        let groups = dps.enrollmentGroups
        let file = dps.enrollmentFile
        app.beforeServerStarts {
            var all = groups
            if let file { all += try EnrollmentGroup.load(path: file) }
            for group in all { _ = try await enrollments.put(group) }
            if !all.isEmpty { logger.info("enrollment groups loaded", metadata: ["count": "\(all.count)"]) }
        }
        return app
    }

    /// The IoT Hub emulator for every configured hub: the device registry, telemetry, and the
    /// ``DeliveryWorker`` sending routed messages to endpoints.
    ///
    /// - Throws: ``EmulatorConfigurationError`` when the configuration is invalid.
    public static func buildHubApplication(
        configuration: EmulatorConfiguration, database: PostgresClient, transport: (any Transport)? = nil,
        observability: ServerObservability = ServerObservability(), logger: Logger,
        onServerRunning: @escaping @Sendable (String) async -> Void = { _ in }
    ) throws(EmulatorConfigurationError) -> some ApplicationProtocol {
        try configuration.validate()
        let hub = configuration.hub
        let wakeup = Wakeup()
        let router = Router()
        observability.install(on: router, logger: logger)
        if let metrics = observability.metrics {
            EmulatorMetrics.collectHub(into: metrics, database: database, logger: logger)
        }
        HubRoutes(
            configuration: hub, authorization: HubAuthorization(serviceKey: configuration.serviceKey),
            registry: HubRegistry(client: database, logger: logger), delivery: wakeup, logger: logger
        ).register(on: router)
        var app = Application(
            router: router, configuration: .init(address: .hostname(hub.host, port: hub.port), serverName: nil),
            onServerRunning: { channel in
                await onServerRunning(serverURL(channel.localAddress, fallback: hub.host, hub.port))
            },
            logger: logger)
        app.addServices(
            try DeliveryWorker(
                hubs: hub.hubs, configuration: configuration.delivery, client: database,
                transport: transport ?? defaultTransport(), wakeup: wakeup, logger: logger))
        return app
    }

    /// A delivery worker on its own (for a process that runs delivery without serving HTTP).
    ///
    /// - Throws: ``EmulatorConfigurationError`` when a routing query does not parse.
    public static func makeDeliveryWorker(
        configuration: EmulatorConfiguration, database: PostgresClient, transport: (any Transport)? = nil,
        logger: Logger
    ) throws(EmulatorConfigurationError) -> DeliveryWorker {
        try DeliveryWorker(
            hubs: configuration.hub.hubs, configuration: configuration.delivery, client: database,
            transport: transport ?? defaultTransport(), wakeup: Wakeup(), logger: logger)
    }

    /// An allocation worker on its own (for a process that allocates without serving HTTP).
    public static func makeAllocationWorker(
        configuration: EmulatorConfiguration, database: PostgresClient, transport: (any Transport)? = nil,
        logger: Logger
    ) -> AllocationWorker {
        AllocationWorker(
            configuration: configuration.dps, linkedHubs: linkedHubs(configuration), client: database,
            transport: transport ?? defaultTransport(), wakeup: Wakeup(), logger: logger)
    }

    /// The DPS instance's linked hubs: as configured, else the hub emulator's hubs.
    static func linkedHubs(_ configuration: EmulatorConfiguration) -> [String] {
        configuration.dps.linkedHubs.isEmpty ? configuration.hub.hubs.map(\.hostName) : configuration.dps.linkedHubs
    }

    static func serverURL(_ address: SocketAddress?, fallback host: String, _ port: Int) -> String {
        let ip = address?.ipAddress ?? host
        let text = ip.contains(":") ? "[\(ip)]" : ip
        return "http://\(text):\(address?.port ?? port)"
    }
}
