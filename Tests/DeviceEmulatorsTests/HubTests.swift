import ADTWire
import DTDL
@testable import DeviceEmulators
import DeviceLifecycle
import Foundation
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing
import TwinTestSupport

@Suite(
    "IoT Hub emulator", .enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)),
    .timeLimit(.minutes(2)))
struct HubTests {
    static let owner = SharedAccessPolicy(keyName: "iothubowner", primaryKey: Fixture.ownerKey)

    /// Creates `id` through the registry API; returns the device JSON.
    @discardableResult
    static func create(_ hub: any TestClientProtocol, _ id: String, prefix: String = "") async throws -> JSONValue {
        let response = try await hub.execute(
            uri: "\(prefix)/devices/\(id)?api-version=2021-04-12", method: .put,
            headers: [.authorization: try Fixture.ownerToken(), .contentType: "application/json"],
            body: Fixture.body([
                "deviceId": .string(id),
                "authentication": ["type": "sas", "symmetricKey": ["primaryKey": "", "secondaryKey": ""]],
            ]))
        #expect(response.status == .ok)
        return try #require(Fixture.json(response))
    }

    /// Waits (up to 30 s) until the hub has routed every queued message and `pending`
    /// deliveries are left undelivered: from then on, what a receiver has not got, it will not
    /// get (the absence a test asserts is observed, not assumed after a sleep).
    static func settled(_ database: PostgresClient, pending: Int = 0) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            for try await (unrouted, undelivered) in try await database.query(
                """
                SELECT (SELECT count(*)::int FROM hub_outbox WHERE routed_at IS NULL),
                       (SELECT count(*)::int FROM hub_deliveries WHERE delivered_at IS NULL)
                """, logger: Fixture.logger
            ).decode((Int, Int).self) where unrouted == 0 && undelivered == pending {
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the hub did not settle within 30 s")
    }

    static func delete(_ hub: any TestClientProtocol, _ id: String, ifMatch: String = "*") async throws -> TestResponse
    {
        try await hub.execute(
            uri: "/devices/\(id)?api-version=2021-04-12", method: .delete,
            headers: [.authorization: try Fixture.ownerToken(), .ifMatch: ifMatch])
    }

    /// Sends telemetry as the device, with its primary key.
    static func send(
        _ hub: any TestClientProtocol, _ id: String, key: String, body: [UInt8], headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers: HTTPFields = [
            .authorization: try Fixture.sas("\(Fixture.hubHost)/devices/\(id)", key: key)
        ]
        headers.append(contentsOf: extra)
        return try await hub.execute(
            uri: "/devices/\(id)/messages/events?api-version=2021-04-12", method: .post, headers: headers,
            body: ByteBuffer(bytes: body))
    }

    @Test("device registry: create, get, If-Match mismatch 412, conflict 409, delete, 404 shapes")
    func registry() async throws {
        let configuration = Fixture.configuration()
        try await Fixture.withDatabase { database in
            try await Fixture.withHub(configuration, database) { hub in
                let device = try await Self.create(hub, "sensor-1")
                #expect(device["deviceId"] == "sensor-1")
                #expect(device["etag"] == "MA==")
                #expect(device["status"] == "enabled")
                #expect(device["connectionState"] == "Disconnected")
                #expect(device["authentication"]?["type"] == "sas")
                let primary = try #require(device["authentication"]?["symmetricKey"]?["primaryKey"]?.stringValue)
                #expect(primary.count == 44)
                #expect(device["generationId"]?.stringValue?.count == 18)

                let again = try await hub.execute(
                    uri: "/devices/sensor-1", method: .put, headers: [.authorization: try Fixture.ownerToken()],
                    body: Fixture.body(["deviceId": "sensor-1"]))
                #expect(again.status == .conflict)
                #expect(
                    Fixture.json(again)?["Message"]?.stringValue?.hasPrefix("ErrorCode:DeviceAlreadyExists;") == true)

                // Update with the etag: status disabled, keys kept; the etag moves on.
                let updated = try await hub.execute(
                    uri: "/devices/sensor-1", method: .put,
                    headers: [.authorization: try Fixture.ownerToken(), .ifMatch: "\"MA==\""],
                    body: Fixture.body(["deviceId": "sensor-1", "status": "disabled"]))
                #expect(updated.status == .ok)
                #expect(Fixture.json(updated)?["etag"] == "MQ==")
                #expect(Fixture.json(updated)?["authentication"]?["symmetricKey"]?["primaryKey"] == .string(primary))

                let got = try await hub.execute(
                    uri: "/devices/sensor-1?api-version=2021-04-12", method: .get,
                    headers: [.authorization: "Bearer \(Fixture.serviceKey)"])
                #expect(got.status == .ok)
                #expect(Fixture.json(got)?["status"] == "disabled")

                let stale = try await Self.delete(hub, "sensor-1", ifMatch: "\"MA==\"")
                #expect(stale.status == .preconditionFailed)
                #expect(stale.headers[Fixture.header("iothub-errorcode")] == "PreconditionFailed")
                #expect(
                    Fixture.json(stale)?["Message"]?.stringValue?.hasPrefix("ErrorCode:PreconditionFailed;") == true)

                let deleted = try await Self.delete(hub, "sensor-1", ifMatch: "MQ==")
                #expect(deleted.status == .noContent)
                let missing = try await hub.execute(
                    uri: "/devices/sensor-1", method: .get, headers: [.authorization: try Fixture.ownerToken()])
                #expect(missing.status == .notFound)
                let error = try #require(Fixture.json(missing)?.objectValue)
                #expect(error.keys == ["Message", "ExceptionMessage"])
                #expect(error["Message"]?.stringValue?.hasPrefix("ErrorCode:DeviceNotFound;") == true)
                #expect((try await Self.delete(hub, "sensor-1")).status == .notFound)

                // Authorization: none, a wrong policy key, a device token on the registry.
                let anonymous = try await hub.execute(uri: "/devices/sensor-2", method: .get)
                #expect(anonymous.status == .unauthorized)
                let wrong = try await hub.execute(
                    uri: "/devices/sensor-2", method: .get,
                    headers: [
                        .authorization: try Fixture.sas(
                            Fixture.hubHost, key: EmulatorRandom.key(), keyName: "iothubowner")
                    ])
                #expect(wrong.status == .unauthorized)

                // The path prefix names the hub explicitly; an unknown hub is IotHubNotFound.
                try await Self.create(hub, "sensor-3", prefix: "/hubs/\(Fixture.hubHost)")
                let viaPrefix = try await hub.execute(
                    uri: "/hubs/myhub/devices/sensor-3", method: .get,
                    headers: [.authorization: try Fixture.ownerToken()])
                #expect(viaPrefix.status == .ok)
                let unknown = try await hub.execute(
                    uri: "/hubs/otherhub.azure-devices.net/devices/sensor-3", method: .get,
                    headers: [.authorization: try Fixture.ownerToken()])
                #expect(unknown.status == .notFound)
                #expect(Fixture.json(unknown)?["Message"]?.stringValue?.hasPrefix("ErrorCode:IotHubNotFound;") == true)
            }
        }
    }

    @Test("a delete produces one deleteDeviceIdentity event: Event Hubs envelope and Event Grid schema")
    func lifecycleDelivery() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { base in
            let hubConfiguration = HubConfiguration(
                hostName: Fixture.hubHost, sharedAccessPolicies: [Self.owner],
                endpoints: [
                    RouteEndpoint(name: "lifecycle", url: base + "/eh/lifecycle", format: .eventHubsEnvelope),
                    RouteEndpoint(
                        name: "grid", url: base + "/eg/retire", format: .eventGrid, headers: ["x-functions-key": "k"]),
                ],
                routes: [
                    MessageRoute(
                        name: "retire", source: .deviceLifecycleEvents, condition: "opType = 'deleteDeviceIdentity'",
                        endpointNames: ["lifecycle", "grid"])
                ])
            let configuration = Fixture.configuration(hub: hubConfiguration)
            try await Fixture.withDatabase { database in
                try await Fixture.withHub(configuration, database) { hub in
                    try await Self.create(hub, Fixture.registrationID)
                    #expect((try await Self.delete(hub, Fixture.registrationID)).status == .noContent)

                    let envelopes = try await receiver.wait("/eh/lifecycle")
                    let grid = try await receiver.wait("/eg/retire")
                    try await Self.settled(database)
                    #expect(await receiver.requests("/eh/lifecycle").count == 1)  // the create was filtered out
                    #expect(await receiver.requests("/eg/retire").count == 1)

                    let envelope = try #require(envelopes.first)
                    guard case .events(let events) = try InboundDelivery.classify(body: envelope.body),
                        case .eventHubs(let message)? = events.first, events.count == 1
                    else {
                        Issue.record("not one Event Hubs message")
                        return
                    }
                    #expect(message.properties["opType"] == "deleteDeviceIdentity")
                    #expect(message.properties["hubName"] == "myhub")
                    #expect(message.properties["deviceId"] == .string(Fixture.registrationID))
                    #expect(message.properties["iothub-message-schema"] == "deviceLifecycleNotification")
                    #expect(message.properties["operationTimestamp"]?.stringValue?.hasSuffix("Z") == true)
                    #expect(message.systemProperties["iothub-connection-device-id"] == .string(Fixture.registrationID))
                    #expect(message.systemProperties["iothub-message-source"] == "deviceLifecycleEvents")
                    #expect(message.systemProperties["user-id"] == "myhub")
                    #expect(message.systemProperties["content-type"] == "application/json")
                    #expect(message.systemProperties["content-encoding"] == "utf-8")
                    if case .integer(let ms)? = message.systemProperties["iothub-enqueuedtime"] {
                        #expect(abs(Double(ms) / 1000 - Date().timeIntervalSince1970) < 60)
                    } else {
                        Issue.record("iothub-enqueuedtime is not epoch milliseconds")
                    }
                    let twin = try #require(message.bodyObject)
                    #expect(twin["deviceId"] == .string(Fixture.registrationID))
                    #expect(twin["version"] != nil && twin["etag"] != nil)
                    #expect(twin["properties"]?["reported"]?["$version"] == 1)

                    let event = try #require(grid.first)
                    #expect(event.headers["aeg-event-type"] == "Notification")
                    #expect(event.headers["x-functions-key"] == "k")
                    guard case .events(let gridEvents) = try InboundDelivery.classify(body: event.body),
                        case .grid(let deleted)? = gridEvents.first
                    else {
                        Issue.record("not an Event Grid event")
                        return
                    }
                    #expect(deleted.schema == .eventGrid)
                    #expect(deleted.type == "Microsoft.Devices.DeviceDeleted")
                    #expect(deleted.subject == "devices/\(Fixture.registrationID)")
                    #expect(deleted.data?["deviceId"] == .string(Fixture.registrationID))
                    #expect(deleted.data?["hubName"] == "myhub")
                    #expect(deleted.data?["twin"]?["deviceId"] == .string(Fixture.registrationID))
                    #expect(deleted.data?["twin"]?["authenticationType"] == "sas")
                    let raw = try #require(event.json?.arrayValue?.first?.objectValue)
                    #expect(
                        raw.keys == [
                            "id", "topic", "subject", "eventType", "eventTime", "data", "dataVersion",
                            "metadataVersion",
                        ])
                    #expect(raw["topic"]?.stringValue?.hasSuffix("/IOTHUBS/MYHUB") == true)

                    // Event Grid validated the subscription once, before the notification; the
                    // Event Hubs endpoint had no handshake.
                    let validations = await receiver.validations
                    #expect(validations.map(\.path) == ["/eg/retire"])
                    let validation = try #require(validations.first)
                    #expect(validation.headers["x-functions-key"] == "k")
                    let validationEvent = try #require(validation.json?.arrayValue?.first)
                    #expect(validationEvent["eventType"] == "Microsoft.EventGrid.SubscriptionValidationEvent")
                    #expect(validationEvent["data"]?["validationCode"]?.stringValue?.count == 36)
                    #expect(validationEvent["topic"] == raw["topic"])
                }
            }
        }
    }

    @Test("messages due together go to an endpoint in batches of at most its maxBatchSize, in queue order")
    func batchedDelivery() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { base in
            let hubConfiguration = HubConfiguration(
                hostName: Fixture.hubHost, sharedAccessPolicies: [Self.owner],
                endpoints: [
                    RouteEndpoint(
                        name: "telemetry", url: base + "/eh/telemetry", format: .eventHubsEnvelope, maxBatchSize: 3)
                ],
                routes: [MessageRoute(name: "all", source: .deviceMessages, endpointNames: ["telemetry"])])
            let configuration = Fixture.configuration(hub: hubConfiguration)
            try await Fixture.withDatabase { database in
                // Seven messages queued before the hub (and its delivery worker) starts: all due at once.
                for n in 0..<7 {
                    try await database.query(
                        """
                        INSERT INTO hub_outbox (hub, source, event_id, device_id, properties, system_properties, body, enqueued_at)
                        VALUES (\(hubConfiguration.key), 'DeviceMessages', \("e\(n)"), 'sensor-b', '{}',
                                '{"content-type": "application/json", "iothub-connection-device-id": "sensor-b"}',
                                convert_to(\("{\"n\": \(n)}"), 'UTF8'), now())
                        """, logger: Fixture.logger)
                }
                try await Fixture.withHub(configuration, database) { _ in
                    let posts = try await receiver.wait("/eh/telemetry", count: 3, timeout: .seconds(20))
                    let numbers: [[JSONValue]] = posts.map { post in
                        (post.json?.arrayValue ?? []).map { $0["body"]?["n"] ?? .null }
                    }
                    // The three POSTs run concurrently: compare them in the order of their first message.
                    let ordered = numbers.sorted { ($0.first?.numberValue ?? -1) < ($1.first?.numberValue ?? -1) }
                    #expect(ordered == [[0, 1, 2], [3, 4, 5], [6]])
                }
            }
        }
    }

    @Test("an Event Grid endpoint that does not echo the validation code gets nothing until it does")
    func eventGridValidationHoldsDeliveries() async throws {
        let receiver = WebhookReceiver()
        await receiver.echoValidation(false)
        try await receiver.run { base in
            let hubConfiguration = HubConfiguration(
                hostName: Fixture.hubHost, sharedAccessPolicies: [Self.owner],
                endpoints: [RouteEndpoint(name: "grid", url: base + "/eg/retire", format: .eventGrid)],
                routes: [
                    MessageRoute(
                        name: "retire", source: .deviceLifecycleEvents, condition: "opType = 'deleteDeviceIdentity'",
                        endpointNames: ["grid"])
                ])
            let configuration = Fixture.configuration(hub: hubConfiguration)
            try await Fixture.withDatabase { database in
                try await Fixture.withHub(configuration, database) { hub in
                    try await Self.create(hub, Fixture.registrationID)
                    #expect((try await Self.delete(hub, Fixture.registrationID)).status == .noContent)
                    let deadline = ContinuousClock.now + .seconds(30)
                    while await receiver.validations.isEmpty, ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(25))
                    }
                    // The delivery has met the failed handshake and is waiting (its error recorded).
                    try await Self.settled(database, pending: 1)
                    let recorded = ContinuousClock.now + .seconds(30)
                    while ContinuousClock.now < recorded {
                        let rows = try await database.query(
                            "SELECT count(*)::int FROM hub_deliveries WHERE last_error IS NOT NULL",
                            logger: Fixture.logger)
                        var seen = 0
                        for try await count in rows.decode(Int.self) { seen = count }
                        if seen > 0 { break }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    #expect(await !receiver.validations.isEmpty)
                    #expect(await receiver.requests("/eg/retire").isEmpty)
                    let pending = try await database.query(
                        "SELECT count(*)::int, max(last_error) FROM hub_deliveries WHERE delivered_at IS NULL",
                        logger: Fixture.logger)
                    for try await (count, error) in pending.decode((Int, String?).self) {
                        #expect(count == 1)
                        #expect(error?.contains("validationResponse") == true)
                    }

                    // Once the subscriber answers the handshake, the waiting event arrives.
                    await receiver.echoValidation(true)
                    let delivered = try await receiver.wait("/eg/retire")
                    #expect(delivered.count == 1)
                }
            }
        }
    }

    @Test("telemetry is routed: envelope and Event Grid forms, properties from headers, queries filter")
    func telemetryRouting() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { base in
            let hubConfiguration = HubConfiguration(
                hostName: Fixture.hubHost, sharedAccessPolicies: [Self.owner],
                endpoints: [
                    RouteEndpoint(name: "telemetry", url: base + "/eh/telemetry", format: .eventHubsEnvelope),
                    RouteEndpoint(name: "grid", url: base + "/eg/telemetry", format: .eventGrid),
                    RouteEndpoint(name: "lifecycle", url: base + "/eh/lifecycle", format: .eventHubsEnvelope),
                    RouteEndpoint(name: "hot", url: base + "/eh/hot", format: .eventHubsEnvelope),
                ],
                routes: [
                    MessageRoute(name: "all", source: .deviceMessages, endpointNames: ["telemetry", "grid"]),
                    // A lifecycle query on the telemetry source matches nothing.
                    MessageRoute(
                        name: "wrong", source: .deviceMessages, condition: "opType = 'deleteDeviceIdentity'",
                        endpointNames: ["lifecycle"]),
                    MessageRoute(
                        name: "retire", source: .deviceLifecycleEvents, condition: "opType = 'deleteDeviceIdentity'",
                        endpointNames: ["lifecycle"]),
                    MessageRoute(
                        name: "hot", source: .deviceMessages,
                        condition: "$body.Temperature > 30 AND $connectionDeviceId = 'sensor-9'", endpointNames: ["hot"]
                    ),
                ])
            let configuration = Fixture.configuration(hub: hubConfiguration)
            try await Fixture.withDatabase { database in
                try await Fixture.withHub(configuration, database) { hub in
                    let device = try await Self.create(hub, "sensor-9")
                    let key = try #require(device["authentication"]?["symmetricKey"]?["primaryKey"]?.stringValue)
                    let json: HTTPFields = [
                        Fixture.header("iothub-contenttype"): "application/json",
                        Fixture.header("iothub-contentencoding"): "utf-8",
                        Fixture.header("iothub-messageid"): "m-1",
                        Fixture.header("iothub-app-status"): "active",
                    ]
                    let cool = try await Self.send(
                        hub, "sensor-9", key: key, body: Array(#"{"Temperature": 25.3}"#.utf8), headers: json)
                    #expect(cool.status == .noContent)

                    let envelopes = try await receiver.wait("/eh/telemetry")
                    let envelope = try #require(envelopes.first)
                    #expect(String(decoding: envelope.body, as: UTF8.self).contains(#""body":{"Temperature": 25.3}"#))
                    guard case .events(let events) = try InboundDelivery.classify(body: envelope.body),
                        case .eventHubs(let message)? = events.first
                    else {
                        Issue.record("not an Event Hubs message")
                        return
                    }
                    #expect(JSONValue.object(message.properties) == ["status": "active"])
                    #expect(message.systemProperties["message-id"] == "m-1")
                    #expect(message.systemProperties["content-type"] == "application/json")
                    #expect(message.systemProperties["iothub-connection-device-id"] == "sensor-9")
                    #expect(message.systemProperties["iothub-message-source"] == "Telemetry")
                    #expect(message.systemProperties["iothub-connection-auth-generation-id"] == device["generationId"])
                    #expect(message.bodyObject?["Temperature"] == 25.3)

                    let grids = try await receiver.wait("/eg/telemetry")
                    guard
                        case .events(let gridEvents) = try InboundDelivery.classify(
                            body: try #require(grids.first).body),
                        case .grid(let event)? = gridEvents.first
                    else {
                        Issue.record("not an Event Grid event")
                        return
                    }
                    #expect(event.type == "Microsoft.Devices.DeviceTelemetry")
                    #expect(event.data?["body"]?["Temperature"] == 25.3)
                    #expect(event.data?["systemProperties"]?["iothub-content-type"] == "application/json")
                    #expect(
                        event.data?["systemProperties"]?["iothub-enqueuedtime"]?.stringValue?.hasSuffix("Z") == true)
                    #expect(event.data?["properties"]?["status"] == "active")

                    // Without content type and encoding: base64 in both forms.
                    let hot = try await Self.send(hub, "sensor-9", key: key, body: Array(#"{"Temperature": 35}"#.utf8))
                    #expect(hot.status == .noContent)
                    let second = try await receiver.wait("/eh/telemetry", count: 2)
                    let plain = try #require(second.last?.json?.arrayValue?.first)
                    #expect(plain["bodyEncoding"] == nil)  // still JSON text: embedded as JSON
                    let grid2 = try await receiver.wait("/eg/telemetry", count: 2)
                    let base64 = try #require(grid2.last?.json?.arrayValue?.first?["data"]?["body"]?.stringValue)
                    #expect(Data(base64Encoded: base64) == Data(#"{"Temperature": 35}"#.utf8))

                    // $body needs a JSON content type: the second message is not "hot" either.
                    let binary = try await Self.send(
                        hub, "sensor-9", key: key, body: [0xff, 0x00, 0x01],
                        headers: [Fixture.header("iothub-contenttype"): "application/octet-stream"])
                    #expect(binary.status == .noContent)
                    let third = try await receiver.wait("/eh/telemetry", count: 3)
                    #expect(third.last?.json?.arrayValue?.first?["bodyEncoding"] == "base64")
                    let hotJSON = try await Self.send(
                        hub, "sensor-9", key: key, body: Array(#"{"Temperature": 36}"#.utf8), headers: json)
                    #expect(hotJSON.status == .noContent)
                    let hots = try await receiver.wait("/eh/hot")
                    #expect(hots.first?.json?.arrayValue?.first?["body"]?["Temperature"] == 36)

                    // Wrong device key: 401; unknown device: 401.
                    let forged = try await Self.send(hub, "sensor-9", key: EmulatorRandom.key(), body: [])
                    #expect(forged.status == .unauthorized)
                    let unknown = try await Self.send(hub, "nobody", key: key, body: [])
                    #expect(unknown.status == .unauthorized)

                    // The telemetry-source route with a lifecycle query sent nothing.
                    try await Self.settled(database)
                    #expect(await receiver.requests("/eh/lifecycle").isEmpty)
                    #expect(await receiver.requests("/eh/hot").count == 1)
                    #expect(await receiver.requests("/eh/telemetry").count == 4)
                }
            }
        }
    }

    @Test("an endpoint answering 503 for a while gets the event once it recovers; nothing is lost")
    func retryUntilDelivered() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { base in
            await receiver.plan("/eh/flaky", statuses: [503, 503, 503, 200])
            let hubConfiguration = HubConfiguration(
                hostName: Fixture.hubHost, sharedAccessPolicies: [Self.owner],
                endpoints: [
                    RouteEndpoint(name: "flaky", url: base + "/eh/flaky", format: .eventHubsEnvelope),
                    RouteEndpoint(name: "down", url: "http://127.0.0.1:9/never", format: .eventHubsEnvelope),
                ],
                routes: [
                    MessageRoute(name: "lifecycle", source: .deviceLifecycleEvents, endpointNames: ["flaky", "down"])
                ])
            let configuration = Fixture.configuration(hub: hubConfiguration)
            try await Fixture.withDatabase { database in
                try await Fixture.withHub(configuration, database) { hub in
                    for i in 0..<3 { try await Self.create(hub, "device-\(i)") }
                    #expect((try await Self.delete(hub, "device-1")).status == .noContent)

                    // 4 events (3 creates, 1 delete); the first 3 attempts failed.
                    let delivered = try await receiver.wait("/eh/flaky", count: 4)
                    let all = await receiver.requests("/eh/flaky")
                    #expect(all.filter { $0.status == 503 }.count == 3)
                    var seen: [String: Int] = [:]
                    for request in delivered {
                        let message = try #require(request.json?.arrayValue?.first)
                        let key =
                            "\(message["properties"]?["opType"]?.stringValue ?? "")/\(message["properties"]?["deviceId"]?.stringValue ?? "")"
                        seen[key, default: 0] += 1
                    }
                    #expect(
                        seen == [
                            "createDeviceIdentity/device-0": 1, "createDeviceIdentity/device-1": 1,
                            "createDeviceIdentity/device-2": 1, "deleteDeviceIdentity/device-1": 1,
                        ])

                    // The queue agrees: the flaky endpoint is done, the dead one is still pending.
                    // (A delivery is marked after its answer arrives: wait for the last mark.)
                    var state: [String: (Int, Int, Int)] = [:]
                    let deadline = ContinuousClock.now + .seconds(10)
                    repeat {
                        let rows = try await database.query(
                            """
                            SELECT endpoint, count(*) FILTER (WHERE delivered_at IS NOT NULL),
                                   count(*) FILTER (WHERE delivered_at IS NULL), max(attempts)
                            FROM hub_deliveries GROUP BY endpoint ORDER BY endpoint
                            """, logger: Fixture.logger)
                        state = [:]
                        for try await (endpoint, done, pending, attempts) in rows.decode((String, Int, Int, Int).self) {
                            state[endpoint] = (done, pending, attempts)
                        }
                        if state["flaky"]?.0 == 4 { break }
                        try await Task.sleep(for: .milliseconds(50))
                    } while ContinuousClock.now < deadline
                    #expect(state["flaky"]?.0 == 4)
                    #expect(state["flaky"]?.1 == 0)
                    #expect(state["down"]?.0 == 0)
                    #expect(state["down"]?.1 == 4)
                    #expect((state["down"]?.2 ?? 0) >= 1)
                }
            }
        }
    }
}
