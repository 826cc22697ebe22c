import ArgumentParser
import DeviceEmulators
import DeviceLifecycle
import DigitalTwinsClient
import Foundation
import FunctionsHost
import Hummingbird
import HTTPServerSetup
import Logging
import Observability
import PostgresNIO
import PostgresSupport
import ServiceLifecycle
import TwinGateway
import TwinStore

/// `twins emulate`: the whole device lifecycle on one machine — the gateway, the functions, and
/// the DPS and IoT Hub emulators, in one process on one PostgreSQL database.
struct Emulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway, the functions and the DPS and IoT Hub emulators together (loopback).",
        discussion: """
            Without --config: one DPS (ID scope \(Self.idScope)) with the enrollment group \
            "devices" (custom allocation to the allocate function; key --group-key), one hub \
            \(Self.hubName) whose device deletions go to the retire function and whose \
            messages go to the ingest function. All on 127.0.0.1:
              gateway    --port (8080)
              functions  --functions-port (7071)
              DPS        --dps-port (8081)
              IoT Hub    --hub-port (8082), as <url>/hubs/\(Self.hubName)

            The development keys have defaults so that the README's walkthrough can be \
            pasted; everything listens on loopback only.

            Examples:
              twins emulate --default-model "dtmi:contosocom:DigitalTwins:Thermostat;1"
              twins emulate --config emulators.json
            """)

    static let idScope = "0ne00000001"
    static let hubName = "localhub.azure-devices.net"
    /// Development-only defaults (base64 of 32 known bytes, and a plain service key).
    static let developmentGroupKey = Data("twins-development-group-key-0001".utf8).base64EncodedString()
    static let developmentServiceKey = "twins-local-service-key"

    @Option(help: "Gateway port.") var port = 8080
    @Option(help: "Functions port.") var functionsPort = 7071
    // Optional so that giving them with --config (whose file has its own) can be refused.
    @Option(help: "DPS emulator port (default 8081).") var dpsPort: Int?
    @Option(help: "IoT Hub emulator port (default 8082).") var hubPort: Int?
    @Option(help: ArgumentHelp("Emulator configuration (JSON) instead of the defaults.", valueName: "file")) var config:
        String?
    @Option(help: ArgumentHelp("Model of twins whose device sends none (allocate's default).", valueName: "dtmi"))
    var defaultModel: String?
    @Option(
        help: ArgumentHelp(
            "The enrollment group's key, base64 (env TWINS_GROUP_KEY). Default: a development key.", valueName: "key"))
    var groupKey: String?
    @Option(
        help: ArgumentHelp(
            "Key of the emulators' management APIs (env TWINS_SERVICE_KEY). Default: twins-local-service-key.",
            valueName: "key"))
    var serviceKey: String?
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var observe: ObservabilityOptions

    func validate() throws {
        guard let config else { return }
        let given =
            [("--dps-port", dpsPort), ("--hub-port", hubPort)].filter { $0.1 != nil }.map(\.0)
            + [("--group-key", groupKey), ("--service-key", serviceKey)].filter { $0.1 != nil }.map(\.0)
        guard given.isEmpty else {
            throw ValidationError(
                "\(given.joined(separator: ", ")) set the built-in emulators; with --config, set them in \(config)")
        }
    }

    func run() async throws {
        try await runReportingFailure {
            let logger = try Environment.bootstrapLogging(database.logLevel, format: observe.format())
            let tracing = try observe.startTracing(serviceName: "twins-emulate", logger: logger)
            // One set of metrics for the four servers of the process (their routes tell them apart).
            let observability = try observe.observability()
            let url = try database.url()
            _ = try await DirectConnection.with(url, logger: logger) { connection in
                try await MigrationRunner(logger: logger).migrate(on: connection)
            }
            let host = "127.0.0.1"
            let functionsURL = "http://\(host):\(functionsPort)"
            var emulators: EmulatorConfiguration
            if let config {
                do {
                    emulators = try EmulatorConfiguration.load(path: config)
                } catch {
                    throw CommandFailure("\(config): \(error)")
                }
            } else {
                let key = Environment.optional(groupKey, "TWINS_GROUP_KEY") ?? Self.developmentGroupKey
                emulators = EmulatorConfiguration(
                    serviceKey: Environment.optional(serviceKey, "TWINS_SERVICE_KEY") ?? Self.developmentServiceKey,
                    dps: DPSConfiguration(
                        host: host, port: dpsPort ?? 8081, idScope: Self.idScope, linkedHubs: [Self.hubName],
                        enrollmentGroups: [
                            EnrollmentGroup(
                                id: "devices", primaryKey: key, webhookURL: "\(functionsURL)/api/DpsAdtAllocationFunc",
                                iotHubs: [Self.hubName])
                        ],
                        webhookRetries: 3),
                    hub: HubEmulatorConfiguration(
                        host: host, port: hubPort ?? 8082,
                        hubs: [
                            HubConfiguration(
                                hostName: Self.hubName,
                                endpoints: [
                                    RouteEndpoint(
                                        name: "retire", url: "\(functionsURL)/api/DeleteDeviceInTwinFunc",
                                        format: .eventHubsEnvelope),
                                    RouteEndpoint(
                                        name: "ingest", url: "\(functionsURL)/api/DeviceTelemetryToTwinFunc",
                                        format: .eventHubsEnvelope),
                                ],
                                routes: [
                                    MessageRoute(
                                        name: "lifecycle", source: .deviceLifecycleEvents,
                                        condition: "opType = 'deleteDeviceIdentity'",
                                        endpointNames: ["retire"]),
                                    MessageRoute(name: "telemetry", source: .deviceMessages, endpointNames: ["ingest"]),
                                ])
                        ]))
            }

            var gatewayConfiguration = GatewayConfiguration(host: host, port: port)
            gatewayConfiguration.queryExtensions = false
            let client = PostgresClient(configuration: url.clientConfiguration(), backgroundLogger: poolLogger(logger))
            let gateway = buildApplication(
                configuration: gatewayConfiguration, database: client, databaseURL: url,
                observability: observability, logger: logger
            ) { address in
                FileHandle.standardOutput.write(Data("twins: gateway at \(address)\n".utf8))
            }
            let adt = try DigitalTwinsClient(endpoint: "http://\(host):\(port)")
            var allocation = AllocationConfiguration()
            allocation.defaultModelID = defaultModel
            allocation.linkedHubs = [Self.hubName]
            let functions = try buildFunctionsApplication(
                configuration: FunctionsHostConfiguration(host: host, port: functionsPort, allocation: allocation),
                service: ClientTwinsService(client: adt), observability: observability, logger: logger
            ) { address in
                FileHandle.standardOutput.write(Data("twins: functions at \(address)\n".utf8))
            }
            let scope = emulators.dps.idScope
            let hubNames = emulators.hub.hubs.map(\.hostName)
            let dps = try DeviceEmulators.buildDPSApplication(
                configuration: emulators, database: client, observability: observability, logger: logger
            ) { address in
                FileHandle.standardOutput.write(Data("twins: DPS at \(address) (ID scope \(scope))\n".utf8))
            }
            let hub = try DeviceEmulators.buildHubApplication(
                configuration: emulators, database: client, observability: observability, logger: logger
            ) { address in
                let hubs = hubNames.map { "\(address)/hubs/\($0)" }.joined(separator: ", ")
                FileHandle.standardOutput.write(Data("twins: IoT Hub at \(hubs)\n".utf8))
            }
            try await observe.run(
                ServiceGroup(
                    configuration: .init(
                        services: [gateway, functions, dps, hub], gracefulShutdownSignals: [], logger: logger)),
                observability: observability, host: host, tracing: tracing, logger: logger)
        }
    }
}
