import ADTWire
import DeviceLifecycle
import DigitalTwinsClient
import EventDelivery
import EventRoutes
import Foundation
import FunctionsHost
import GatewayTestSupport
import HTTPTransport
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import PostgresSupport
import Testing
import TwinBridge
import TwinGateway
import TwinMigration
import TwinTestSupport

/// Two instances kept in step: "us" (a plain gateway) and "Azure" (a gateway over HTTPS with
/// JWT auth through its development issuer), each on its own database with its own delivery
/// worker. Out: our route `bridge` → the `digitaltwins` endpoint `toAzure`. In: Azure's route
/// `bridge` → a webhook to the functions host's ApplyDigitalTwinsEvents, which applies to us.
/// Each side also routes every notification to a receiver (`/us`, `/azure`), to count them.
final class BridgeSides: @unchecked Sendable {
    static let logger: Logger = {
        var logger = Logger(label: "bridge-tests")
        logger.logLevel = .critical
        return logger
    }()

    static let models: [JSONValue] = [
        try! JSONParser.parse(
            #"{"@context":"dtmi:dtdl:context;3","@id":"dtmi:bridge:Thermostat;1","@type":"Interface","contents":[{"@type":"Property","name":"setPoint","schema":"double","writable":true}]}"#
        ),
        try! JSONParser.parse(
            #"{"@context":"dtmi:dtdl:context;3","@id":"dtmi:bridge:Room;1","@type":"Interface","contents":[{"@type":"Property","name":"temperature","schema":"double","writable":true},{"@type":"Property","name":"name","schema":"string","writable":true},{"@type":"Component","name":"thermostat","schema":"dtmi:bridge:Thermostat;1"},{"@type":"Relationship","name":"next","properties":[{"@type":"Property","name":"distance","schema":"double","writable":true}]}]}"#
        ),
    ]

    let us: DigitalTwinsClient
    let azure: DigitalTwinsClient
    let usDatabase: PostgresClient
    let azureDatabase: PostgresClient
    let receiver: WebhookReceiver
    let inbound: BridgeStatistics
    let usEndpoints: [EventEndpoint]
    let azureEndpoints: [EventEndpoint]
    /// The functions host's `ApplyDigitalTwinsEvents`.
    var functionsURL = ""
    private let lock = NSLock()
    private var workers: [Task<Void, Never>] = []

    init(
        us: DigitalTwinsClient, azure: DigitalTwinsClient, usDatabase: PostgresClient, azureDatabase: PostgresClient,
        receiver: WebhookReceiver, inbound: BridgeStatistics, usEndpoints: [EventEndpoint],
        azureEndpoints: [EventEndpoint]
    ) {
        self.us = us
        self.azure = azure
        self.usDatabase = usDatabase
        self.azureDatabase = azureDatabase
        self.receiver = receiver
        self.inbound = inbound
        self.usEndpoints = usEndpoints
        self.azureEndpoints = azureEndpoints
    }

    /// Delivery timings for tests: quick polls and retries.
    static func quick() -> EventDeliveryConfiguration {
        var configuration = EventDeliveryConfiguration()
        configuration.pollInterval = .milliseconds(10)
        configuration.firstRetryDelay = .milliseconds(100)
        configuration.maxRetryDelay = .seconds(1)
        configuration.leaseDuration = .seconds(3)
        configuration.requestTimeout = .seconds(10)
        return configuration
    }

    /// Runs `body` with both sides up, their delivery workers running, and routes to the
    /// receiver; the bridge's own routes as `out` and `in` ask.
    static func run(
        out: Bool, in inbound: Bool, _ body: @escaping @Sendable (BridgeSides) async throws -> Void
    ) async throws {
        try await LiveGateway.withMigratedDatabase { azureDatabase in
            try await LiveGateway.withMigratedDatabase { usDatabase in
                let receiver = WebhookReceiver()
                try await receiver.run { receiverURL in
                    let watch = { @Sendable (path: String) in
                        EventEndpoint(
                            name: "watch", kind: .webhook,
                            settings: JSONObject([
                                (key: "url", value: .string(receiverURL + path)), (key: "maxBatchSize", value: 100),
                            ]))
                    }
                    let placeholder = EventEndpoint(
                        name: "toUs", kind: .webhook, settings: JSONObject([(key: "url", value: "http://127.0.0.1:9/")])
                    )
                    try await LiveGateway.secured(on: azureDatabase, endpoints: [placeholder, watch("/azure")]) {
                        azureEndpoint in
                        let azure = try client(azureEndpoint)
                        let toAzure = EventEndpoint(
                            name: "toAzure", kind: .digitaltwins,
                            settings: JSONObject([
                                (key: "url", value: .string(azureEndpoint.url)),
                                (key: "caFile", value: .string(azureEndpoint.caFile!)),
                                (
                                    key: "credential",
                                    value: .object(
                                        JSONObject([
                                            (key: "tenantId", value: "tenant-1"), (key: "clientId", value: "owner-app"),
                                            (key: "clientSecret", value: "owner-secret"),
                                            (key: "authorityHost", value: .string(azureEndpoint.authorityHost)),
                                        ]))
                                ),
                            ]))
                        var configuration = GatewayConfiguration(host: "127.0.0.1", port: 0)
                        configuration.endpoints = [toAzure, watch("/us")]
                        try await LiveGateway.serve(database: usDatabase, configuration: configuration) { usEndpoint in
                            let us = try DigitalTwinsClient(endpoint: usEndpoint.url)
                            let statistics = BridgeStatistics()
                            let applier = ChangeApplier(
                                target: us, source: ClientBridgeSource(client: azure), memory: InMemoryBridgeMemory(),
                                ordered: false, logger: logger)
                            let functions = try buildFunctionsApplication(
                                configuration: FunctionsHostConfiguration(host: "127.0.0.1", port: 0),
                                service: ClientTwinsService(client: us),
                                applyEvents: ApplyEventsFunction(
                                    applier: applier, statistics: statistics, logger: logger),
                                logger: logger)
                            try await functions.test(.live) { host in
                                let functionsURL = "http://127.0.0.1:\(host.port!)/api/ApplyDigitalTwinsEvents"
                                let toUs = EventEndpoint(
                                    name: "toUs", kind: .webhook,
                                    settings: JSONObject([
                                        (key: "url", value: .string(functionsURL)), (key: "maxBatchSize", value: 50),
                                    ]))
                                let sides = BridgeSides(
                                    us: us, azure: azure, usDatabase: usDatabase, azureDatabase: azureDatabase,
                                    receiver: receiver, inbound: statistics, usEndpoints: [toAzure, watch("/us")],
                                    azureEndpoints: [toUs, watch("/azure")])
                                sides.functionsURL = functionsURL
                                _ = try await us.createModels(models)
                                try await us.upsertEventRoute(id: "watch", endpointName: "watch", filter: "true")
                                try await azure.upsertEventRoute(id: "watch", endpointName: "watch", filter: "true")
                                if out {
                                    try await us.upsertEventRoute(id: "bridge", endpointName: "toAzure", filter: "true")
                                }
                                if inbound {
                                    try await azure.upsertEventRoute(id: "bridge", endpointName: "toUs", filter: "true")
                                }
                                sides.startWorkers()
                                do {
                                    try await body(sides)
                                } catch {
                                    await sides.stopWorkers()
                                    throw error
                                }
                                await sides.stopWorkers()
                            }
                        }
                    }
                }
            }
        }
    }

    /// A client of a secured gateway, signed in through its development issuer.
    static func client(_ endpoint: LiveGateway.Endpoint) throws -> DigitalTwinsClient {
        let credential = ClientSecretCredential(
            tenantID: "tenant-1", clientID: "owner-app", clientSecret: "owner-secret",
            authorityHost: endpoint.authorityHost,
            transport: CurlTransport(configuration: .init(caFile: endpoint.caFile)))
        return try DigitalTwinsClient(
            endpoint: endpoint.url, credential: credential, options: .init(caFile: endpoint.caFile))
    }

    /// Starts each side's delivery worker.
    func startWorkers() {
        let configuration = Self.quick()
        let made = [
            EventDeliveryWorker(
                client: usDatabase, endpoints: usEndpoints, configuration: configuration, logger: Self.logger),
            EventDeliveryWorker(
                client: azureDatabase, endpoints: azureEndpoints, configuration: configuration, logger: Self.logger),
        ].map { worker in Task { _ = try? await worker.run() } }
        lock.withLock { workers += made }
    }

    /// Stops the delivery workers and waits until they have (what they had not delivered waits
    /// in the database).
    func stopWorkers() async {
        let running = lock.withLock {
            defer { workers = [] }
            return workers
        }
        for task in running { task.cancel() }
        for task in running { await task.value }
    }

    /// Waits until neither side has anything left to route or deliver.
    func drain(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        var quietPasses = 0
        while quietPasses < 3 {
            guard ContinuousClock.now < deadline else {
                let (ours, theirs) = (try await pending(usDatabase), try await pending(azureDatabase))
                Issue.record(
                    "the bridge did not drain: \(ours) pending on us, \(theirs) on Azure; last errors: \(try await lastErrors())"
                )
                throw CancellationError()
            }
            let waiting = try await pending(usDatabase) + pending(azureDatabase)
            quietPasses = waiting == 0 ? quietPasses + 1 : 0
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The delivery errors each side last recorded.
    func lastErrors() async throws -> [String] {
        var errors: [String] = []
        for database in [usDatabase, azureDatabase] {
            let rows = try await database.query(
                "SELECT endpoint, last_error FROM event_delivery_stats WHERE last_error IS NOT NULL",
                logger: Self.logger)
            for try await (endpoint, error) in rows.decode((String, String).self) {
                errors.append("\(endpoint): \(error)")
            }
        }
        return errors
    }

    func pending(_ database: PostgresClient) async throws -> Int {
        let rows = try await database.query(
            "SELECT (SELECT count(*) FROM outbox)::int + (SELECT count(*) FROM event_deliveries)::int",
            logger: Self.logger)
        for try await count in rows.decode(Int.self) { return count }
        return -1
    }

    /// Compares the two instances as `twins migrate verify` does.
    func verify() async throws -> GraphVerify.Report {
        try await GraphVerify(
            source: GraphReader(client: us), target: GraphReader(client: azure),
            progress: MigrationProgress(quiet: true)
        ).run()
    }

    /// Every notification a side's receiver got, in arrival order.
    ///
    /// Each notification once: delivery is at least once, so a batch whose answer was lost (a
    /// timeout under load) arrives again, and its copies are not changes of their own.
    func notifications(_ side: String) async -> [JSONObject] {
        var seen: Set<String> = []
        return await receiver.requests("/" + side).flatMap { request -> [JSONObject] in
            switch request.json {
            case .array(let items)?: return items.compactMap(\.objectValue)
            case .object(let object)?: return [object]
            default: return []
            }
        }.filter { event in
            guard let id = event["id"]?.stringValue else { return true }
            return seen.insert(id).inserted
        }
    }

    /// `bridge_stats` of the out direction.
    func outStatistics() async throws -> (applied: Int, echoes: Int, conflicts: Int) {
        let rows = try await usDatabase.query(
            "SELECT applied::int, echoes::int, conflicts::int FROM bridge_stats WHERE endpoint = 'toAzure'",
            logger: Self.logger)
        for try await row in rows.decode((Int, Int, Int).self) { return row }
        return (0, 0, 0)
    }
}
