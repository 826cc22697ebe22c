import ADTWire
import DTDL
@testable import DeviceEmulators
import DeviceLifecycle
import DigitalTwinsClient
import Foundation
import GatewayTestSupport
import HTTPTransport
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing
import TwinGateway
import TwinStore
import TwinTestSupport

/// The device's whole life with every piece running and talking HTTP on 127.0.0.1: the gateway
/// (no auth) on a fresh database, the functions host (`twins functions`, writing to the gateway
/// through the libcurl client, behind a function key), and the DPS and IoT Hub emulators on the
/// same database, calling the functions as DPS's custom allocation and as the hub's routes.
@Suite(
    "Device lifecycle end to end", .enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)),
    .timeLimit(.minutes(5)))
struct DeviceLifecycleEndToEndTests {
    /// Devices whose deletion is timed.
    static let deviceCount = 100
    /// Further devices, deleted while the functions host is down.
    static let outageCount = 5
    /// Registrations, messages and relationship writes in flight at once.
    static let width = 20
    static let floorCount = 5

    static let hubHost = "hub1.azure-devices.net"
    static let functionKey = "e2e-function-key"
    static let thermostat = "dtmi:contosocom:DigitalTwins:Thermostat;1"
    static let space = "dtmi:contosocom:DigitalTwins:Space;1"

    static let models: [JSONValue] = [
        [
            "@id": .string(thermostat), "@type": "Interface", "@context": "dtmi:dtdl:context;2",
            "displayName": "Thermostat",
            "contents": [
                ["@type": "Property", "name": "Temperature", "schema": "double"],
                ["@type": "Relationship", "name": "isLocatedIn", "target": .string(space)],
            ],
        ],
        [
            "@id": .string(space), "@type": "Interface", "@context": "dtmi:dtdl:context;2", "displayName": "Space",
            "contents": [["@type": "Relationship", "name": "contains", "target": .string(thermostat)]],
        ],
    ]

    static func deviceID(_ i: Int) -> String { "thermostat-\(String(format: "%03d", i))" }
    /// Distinct, exactly representable readings.
    static func temperature(_ i: Int) -> Double { 20.5 + Double(i) / 4 }
    static func floorID(_ i: Int) -> String { "floor-\(i % floorCount)" }

    /// One enrollment group (custom allocation through the functions host), one hub whose
    /// lifecycle events go to *retire* (Event Grid, key in the URL) and to `recorder`, and whose
    /// telemetry goes to *ingest* (Event Hubs envelopes, key in a header).
    static func configuration(functions: String, recorder: String) -> EmulatorConfiguration {
        let group = EnrollmentGroup(
            id: "e2e-thermostats", primaryKey: Fixture.groupKey, allocationPolicy: .custom,
            webhookURL: functions + "/api/DpsAdtAllocationFunc", webhookKey: functionKey, iotHubs: [hubHost])
        var configuration = EmulatorConfiguration(serviceKey: Fixture.serviceKey)
        configuration.dps = DPSConfiguration(
            host: "127.0.0.1", port: 0, idScope: Fixture.idScope, linkedHubs: [hubHost], enrollmentGroups: [group],
            retryAfterSeconds: 0, webhookTimeout: .seconds(20), pollInterval: .milliseconds(50))
        let hub = HubConfiguration(
            hostName: hubHost, sharedAccessPolicies: [.init(keyName: "iothubowner", primaryKey: Fixture.ownerKey)],
            endpoints: [
                RouteEndpoint(
                    name: "retire", url: functions + "/api/DeleteDeviceInTwinFunc?code=" + functionKey,
                    format: .eventGrid),
                RouteEndpoint(name: "recorder", url: recorder + "/lifecycle", format: .eventGrid),
                RouteEndpoint(
                    name: "ingest", url: functions + "/api/DeviceTelemetryToTwinFunc", format: .eventHubsEnvelope,
                    headers: ["x-functions-key": functionKey]),
            ],
            routes: [
                MessageRoute(
                    name: "retire", source: .deviceLifecycleEvents, condition: "opType = 'deleteDeviceIdentity'",
                    endpointNames: ["retire", "recorder"]),
                MessageRoute(name: "telemetry", source: .deviceMessages, endpointNames: ["ingest"]),
            ])
        configuration.hub = HubEmulatorConfiguration(host: "127.0.0.1", port: 0, hubs: [hub])
        configuration.delivery = DeliveryConfiguration(
            pollInterval: .milliseconds(50), initialBackoff: .milliseconds(100), maxBackoff: .milliseconds(500),
            requestTimeout: .seconds(20))
        return configuration
    }

    /// The gateway on `database`, plain HTTP on a free port, with a client of it.
    static func withGateway<T: Sendable>(
        _ database: PostgresClient, _ body: @escaping @Sendable (_ url: String, DigitalTwinsClient) async throws -> T
    ) async throws -> T {
        try await LiveGateway.serve(database: database) { endpoint in
            try await body(endpoint.url, try DigitalTwinsClient(endpoint: endpoint.url, options: .init(proxy: .none)))
        }
    }

    @Test(
        "register, telemetry, relationships, delete: N devices through DPS, the hub, the functions and the gateway",
        .enabled(if: FunctionsHostProcess.executable != nil, "needs the built twins executable: run scripts/test.sh"))
    func wholeLifecycle() async throws {
        let recorder = WebhookReceiver()
        try await recorder.run { recorderURL in
            try await Fixture.withDatabase { database in
                try await Self.withGateway(database) { gatewayURL, client in
                    try await FunctionsHostProcess.run(adtEndpoint: gatewayURL, functionKey: Self.functionKey) {
                        functions, functionsURL in
                        let configuration = Self.configuration(functions: functionsURL, recorder: recorderURL)
                        try await Fixture.withHub(configuration, database) { hubClient in
                            try await Fixture.withDPS(configuration, database) { dpsClient in
                                let hub = HubAPI(url: "http://127.0.0.1:\(try #require(hubClient.port))")
                                var device = DeviceSimulator.Configuration(
                                    provisioningEndpoint: "http://127.0.0.1:\(try #require(dpsClient.port))",
                                    idScope: Fixture.idScope, groupKey: Fixture.groupKey, modelID: Self.thermostat)
                                device.hubBaseURL = { [url = hub.url] in "\(url)/hubs/\($0)" }
                                let simulator = DeviceSimulator(
                                    configuration: device, transport: Fixture.transport, logger: Fixture.logger)

                                try await Self.scenario(
                                    Pieces(
                                        database: database, client: client, functions: functions,
                                        functionsURL: functionsURL, recorder: recorder, hub: hub, simulator: simulator))
                            }
                        }
                    }
                }
            }
        }
    }

    /// Everything running, as the scenario uses it.
    struct Pieces: Sendable {
        let database: PostgresClient
        let client: DigitalTwinsClient
        let functions: FunctionsHostProcess
        let functionsURL: String
        let recorder: WebhookReceiver
        let hub: HubAPI
        let simulator: DeviceSimulator
    }

    /// §1 of the reference's device flow, for ``deviceCount`` devices (plus ``outageCount``).
    static func scenario(_ pieces: Pieces) async throws {
        let database = pieces.database, client = pieces.client, hub = pieces.hub, simulator = pieces.simulator
        let functions = pieces.functions, functionsURL = pieces.functionsURL, recorder = pieces.recorder
        let total = Self.deviceCount + Self.outageCount

        // 1. The models.
        #expect(try await client.createModels(Self.models).count == 2)

        // 2. Registration through DPS: the allocation function creates each twin.
        let started = ContinuousClock.now
        let registrations = try await Self.concurrently(total) { i in
            try await simulator.register(Self.deviceID(i))
        }
        let registrationTime = ContinuousClock.now - started
        for (i, registration) in registrations.enumerated() {
            #expect(registration.assignedHub == Self.hubHost)
            #expect(registration.deviceID == Self.deviceID(i))
        }
        let thermostats = "SELECT COUNT() FROM DIGITALTWINS WHERE IS_OF_MODEL('\(Self.thermostat)')"
        #expect(try await Self.count(client, thermostats) == total)
        for i in [0, 42, total - 1] {
            #expect(try await client.getTwin(id: Self.deviceID(i)).modelID == Self.thermostat)
            let twin = try await hub.deviceTwin(Self.deviceID(i))
            #expect(twin?["tags"]?["dtmi"] == .string(Self.thermostat))
            #expect(twin?["tags"]?["dtId"] == .string(Self.deviceID(i)))
        }

        // 3. Telemetry through the hub's route to the ingest function.
        _ = try await Self.concurrently(total) { i in
            try await simulator.send(
                JSONObject([("Temperature", .double(Self.temperature(i)))]), from: registrations[i])
        }
        let readings = try await Self.waitFor("every twin has its Temperature") {
            let rows = try await client.query(
                "SELECT T.$dtId, T.Temperature FROM DIGITALTWINS T WHERE IS_OF_MODEL('\(Self.thermostat)')"
            ).items.collect()
            let matching = rows.filter { row in
                guard let id = row["$dtId"]?.stringValue,
                    let i = Int(id.dropFirst("thermostat-".count))
                else { return false }
                return row["Temperature"]?.numberValue == Self.temperature(i)
            }
            return matching.count == total ? matching.count : nil
        }
        #expect(readings == total)

        // 4. Two relationships per device: its floor contains it, it is located in the floor.
        for f in 0..<Self.floorCount {
            _ = try await client.createOrReplaceTwin(DigitalTwin(id: Self.floorID(f), modelID: Self.space))
        }
        _ = try await Self.concurrently(total) { i in
            let id = Self.deviceID(i)
            let floor = Self.floorID(i)
            try await client.createOrReplaceRelationship(
                sourceID: floor, relationshipID: "contains-\(id)",
                JSONObject([("$targetId", .string(id)), ("$relationshipName", "contains")]))
            try await client.createOrReplaceRelationship(
                sourceID: id, relationshipID: "isLocatedIn-\(floor)",
                JSONObject([("$targetId", .string(floor)), ("$relationshipName", "isLocatedIn")]))
        }
        #expect(try await Self.count(client, "SELECT COUNT() FROM RELATIONSHIPS") == 2 * total)

        // 5. Delete the N devices from the registry one after another, as an operator's script
        // would, and time each from its DELETE until the gateway no longer has its twin. (Deleting
        // 20 at a time outruns the retire function's throughput, so the times then measure the
        // queue rather than the path.)
        let clock = DeletionClock()
        async let deletions: [Int] = Self.concurrently(Self.deviceCount, width: 1) { i in
            await clock.sent(Self.deviceID(i))
            return try await hub.delete(Self.deviceID(i))
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while await clock.goneCount < Self.deviceCount, ContinuousClock.now < deadline {
            let present = try await Self.twinIDs(client)
            await clock.observe(present: present)
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(try await deletions.allSatisfy { $0 == 204 })
        let latencies = await clock.latencies
        try #require(latencies.count == Self.deviceCount, "only \(latencies.count) twins were retired")
        let p50 = Self.percentile(latencies, 0.50)
        let p99 = Self.percentile(latencies, 0.99)
        let rate = Double(total) / Self.seconds(registrationTime)
        let summary =
            "registration \(Int(rate)) devices/s (\(total) in \(registrationTime)); "
            + "delete→gone p50 \(Int(Self.seconds(p50) * 1000)) ms, p99 \(Int(Self.seconds(p99) * 1000)) ms"
        // The latency goal (p99 under 1 s) is measured by scripts/bench-lifecycle.sh on a quiet
        // machine; here, beside the whole parallel suite, only completeness is asserted (every
        // deleted device's twin gone, above; nothing else removed, below) and the times printed.
        print("device lifecycle end to end: \(summary)")
        // Only the outage devices' relationships are left; the floors stay.
        #expect(try await Self.count(client, "SELECT COUNT() FROM RELATIONSHIPS") == 2 * Self.outageCount)
        #expect(
            try await Self.count(client, "SELECT COUNT() FROM DIGITALTWINS WHERE IS_OF_MODEL('\(Self.space)')")
                == Self.floorCount)
        let targets = try await client.listRelationships(twinID: Self.floorID(0)).collect().map(\.targetID)
        let survivors = (Self.deviceCount..<total).filter { Self.floorID($0) == Self.floorID(0) }
        #expect(Set(targets) == Set(survivors.map(Self.deviceID)))

        // 6. A redelivered lifecycle event is harmless.
        let recorded = try await recorder.wait("/lifecycle", count: Self.deviceCount)
        let replayed = try await Fixture.transport.send(
            TransportRequest(
                method: .post, url: functionsURL + "/api/DeleteDeviceInTwinFunc",
                headers: [
                    "x-functions-key": Self.functionKey, "aeg-event-type": "Notification",
                    "Content-Type": "application/json",
                ],
                body: try #require(recorded.first).body))
        #expect(replayed.status == 200)
        #expect((try? JSONParser.parse(replayed.body))?["status"] == "alreadyDeleted")

        // Deletions while the functions host is down are retired once it is back.
        let port = try #require(URLComponents(string: functionsURL)?.port)
        await functions.stop()
        for i in Self.deviceCount..<total {
            #expect(try await hub.delete(Self.deviceID(i)) == 204)
        }
        let failed = try await Self.waitFor("deliveries to the stopped host failed") {
            let n = try await Self.failedRetireDeliveries(database)
            return n >= Self.outageCount ? n : nil
        }
        #expect(failed == Self.outageCount)
        #expect(try await Self.twinIDs(client).count == Self.outageCount)
        let restarted = try await functions.start(port: port)
        #expect(restarted == functionsURL)
        let left = try await Self.waitFor("the outage devices' twins are retired") {
            let n = try await Self.twinIDs(client).count
            return n == 0 ? n : nil
        }
        #expect(left == 0)
        #expect(try await Self.count(client, "SELECT COUNT() FROM RELATIONSHIPS") == 0)
        #expect(
            try await Self.count(client, "SELECT COUNT() FROM DIGITALTWINS WHERE IS_OF_MODEL('\(Self.space)')")
                == Self.floorCount)
    }

    @Test("a device key derived from the wrong group key: 401 with DPS's error body")
    func wrongGroupKey() async throws {
        let configuration = Self.configuration(functions: "http://127.0.0.1:9", recorder: "http://127.0.0.1:9")
        try await Fixture.withDatabase { database in
            try await Fixture.withDPS(configuration, database) { dps in
                let simulator = DeviceSimulator(
                    configuration: .init(
                        provisioningEndpoint: "http://127.0.0.1:\(try #require(dps.port))", idScope: Fixture.idScope,
                        groupKey: EmulatorRandom.key(), modelID: Self.thermostat),
                    transport: Fixture.transport, logger: Fixture.logger)
                let failure = await #expect(throws: DeviceSimulator.Failure.self) {
                    try await simulator.register("intruder-1")
                }
                let text = try #require(failure?.description)
                #expect(text.hasPrefix("DPS answered 401 to intruder-1: "))
                let brace = try #require(text.firstIndex(of: "{"))
                let body = try JSONParser.parse(Array(text[brace...].utf8))
                #expect(body["errorCode"] == .integer(401_002))
                #expect(body["trackingId"]?.stringValue?.isEmpty == false)
                #expect(body["message"]?.stringValue?.contains("not signed with a device key derived from") == true)
            }
        }
    }

    // MARK: Helpers

    /// The hub emulator's registry API, as an operator calls it (the `iothubowner` policy).
    struct HubAPI: Sendable {
        let url: String

        func token(_ id: String) throws -> String {
            try Fixture.sas(
                "\(DeviceLifecycleEndToEndTests.hubHost)/devices/\(id)", key: Fixture.ownerKey, keyName: "iothubowner")
        }

        /// `DELETE /hubs/{hub}/devices/{id}`; returns the status.
        func delete(_ id: String) async throws -> Int {
            try await Fixture.transport.send(
                TransportRequest(
                    method: .delete,
                    url: "\(url)/hubs/\(DeviceLifecycleEndToEndTests.hubHost)/devices/\(id)?api-version=2021-04-12",
                    headers: ["Authorization": try token(id), "If-Match": "*"])
            ).status
        }

        /// `GET /hubs/{hub}/twins/{id}`: the device twin, `nil` when not 200.
        func deviceTwin(_ id: String) async throws -> JSONValue? {
            let response = try await Fixture.transport.send(
                TransportRequest(
                    method: .get,
                    url: "\(url)/hubs/\(DeviceLifecycleEndToEndTests.hubHost)/twins/\(id)?api-version=2021-04-12",
                    headers: ["Authorization": try token(id)]))
            return response.status == 200 ? try JSONParser.parse(response.body) : nil
        }
    }

    /// When each deletion was sent and when its twin was first seen gone.
    actor DeletionClock {
        private var sentAt: [String: ContinuousClock.Instant] = [:]
        private var goneAt: [String: ContinuousClock.Instant] = [:]

        func sent(_ id: String) { sentAt[id] = .now }

        /// Marks every deleted device whose twin is not in `present` as gone now.
        func observe(present: Set<String>) {
            let now = ContinuousClock.now
            for id in sentAt.keys where goneAt[id] == nil && !present.contains(id) { goneAt[id] = now }
        }

        var goneCount: Int { goneAt.count }
        var latencies: [Duration] { goneAt.compactMap { id, gone in sentAt[id].map { gone - $0 } } }
    }

    /// `body(0..<count)` with at most ``width`` calls in flight; results in index order.
    static func concurrently<T: Sendable>(
        _ count: Int, width: Int = width, _ body: @escaping @Sendable (Int) async throws -> T
    ) async throws -> [T] {
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            var results = [T?](repeating: nil, count: count)
            var next = 0
            func add() {
                let i = next
                next += 1
                group.addTask { (i, try await body(i)) }
            }
            while next < min(width, count) { add() }
            while let (i, value) = try await group.next() {
                results[i] = value
                if next < count { add() }
            }
            return results.map { $0! }
        }
    }

    /// Polls `probe` every 50 ms until it returns a value; records an issue after 60 s.
    static func waitFor<T: Sendable>(_ what: String, _ probe: () async throws -> T?) async throws -> T? {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            if let value = try await probe() { return value }
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting until \(what)")
                return nil
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The ids of the Thermostat twins.
    static func twinIDs(_ client: DigitalTwinsClient) async throws -> Set<String> {
        let rows = try await client.query("SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL('\(thermostat)')").items
            .collect()
        return Set(rows.compactMap { $0["$dtId"]?.stringValue })
    }

    /// The value of a `SELECT COUNT() …` query.
    static func count(_ client: DigitalTwinsClient, _ query: String) async throws -> Int? {
        let rows = try await client.query(query).items.collect()
        return rows.first?["COUNT"]?.numberValue.map { Int($0) }
    }

    /// Deliveries to the retire endpoint that failed at least once and are still pending.
    static func failedRetireDeliveries(_ database: PostgresClient) async throws -> Int {
        let rows = try await database.query(
            """
            SELECT count(*)::int FROM hub_deliveries
            WHERE endpoint = 'retire' AND delivered_at IS NULL AND last_error IS NOT NULL
            """, logger: Fixture.logger)
        var n = 0
        for try await count in rows.decode(Int.self) { n = count }
        return n
    }

    static func percentile(_ values: [Duration], _ p: Double) -> Duration {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
