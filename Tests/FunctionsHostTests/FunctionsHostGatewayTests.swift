import ADTWire
import DTDL
import DeviceLifecycle
import DigitalTwinsClient
import Foundation
@testable import FunctionsHost
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TwinTestSupport

/// The functions host over HTTP, writing to a real gateway on a fresh database through the
/// libcurl client: the device's whole life (allocate, telemetry, retire) as DPS, IoT Hub and
/// Event Grid would call it.
@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)), .timeLimit(.minutes(2)))
struct FunctionsHostGatewayTests {
    static let keys = FunctionKeys(hostKeys: ["host-key"], functionKeys: [.allocation: ["alloc-key"]])

    /// The gateway, a client of it with the sample's models uploaded, and the functions host
    /// listening on a free port in front of it.
    static func run(
        allocation: AllocationConfiguration = AllocationConfiguration(),
        _ body: @escaping @Sendable (_ host: any TestClientProtocol, _ client: DigitalTwinsClient) async throws -> Void
    ) async throws {
        try await LiveGateway.run { client in
            let models = try #require(try JSONParser.parse(Fixtures.models).arrayValue)
            #expect(try await client.createModels(models).count == 2)
            let configuration = FunctionsHostConfiguration(
                host: "127.0.0.1", port: 0, keys: keys, allocation: allocation)
            let app = try buildFunctionsApplication(
                configuration: configuration, service: ClientTwinsService(client: client), logger: LiveGateway.logger)
            try await app.test(.live) { host in try await body(host, client) }
        }
    }

    @Test func theDevicesWholeLife() async throws {
        try await Self.run { host, client in
            // DPS calls the allocation webhook with the key in the URL.
            let allocated = try await host.execute(
                uri: "/api/DpsAdtAllocationFunc?code=alloc-key", method: .post,
                headers: [.contentType: "application/json"],
                body: ByteBuffer(string: Fixtures.allocationRequest()))
            #expect(allocated.status == .ok)
            #expect(allocated.headers[.contentType] == "application/json; charset=utf-8")
            let answer = try Fixtures.json(allocated)
            #expect(answer["iotHubHostName"] == "myhub.azure-devices.net")
            #expect(answer["initialTwin"]?["tags"]?["dtId"] == "thermostat-67")
            #expect(answer["initialTwin"]?["tags"]?["dtmi"] == .string(Fixtures.thermostatModelID))
            let twin = try await client.getTwin(id: "thermostat-67")
            #expect(twin.modelID == Fixtures.thermostatModelID)

            // A second registration (re-provisioning) keeps the twin; the host key works too.
            let again = try await host.execute(
                uri: "/api/DpsAdtAllocationFunc", method: .post, headers: Fixtures.keyHeader("host-key"),
                body: ByteBuffer(string: Fixtures.allocationRequest()))
            #expect(again.status == .ok)
            #expect(try await client.getTwin(id: "thermostat-67").etag == twin.etag)

            // Without a key, or with a wrong one, nothing reaches the gateway.
            for uri in ["/api/DpsAdtAllocationFunc", "/api/DpsAdtAllocationFunc?code=wrong"] {
                let refused = try await host.execute(
                    uri: uri, method: .post,
                    body: ByteBuffer(string: Fixtures.allocationRequest(registrationID: "intruder")))
                #expect(refused.status == .unauthorized)
                #expect(refused.body.readableBytes == 0)
            }
            await #expect { try await client.getTwin(id: "intruder") } throws: { ($0 as? ADTError)?.isNotFound == true }

            // Telemetry read from Event Hubs updates the twin's property.
            let ingested = try await host.execute(
                uri: "/api/DeviceTelemetryToTwinFunc?code=host-key", method: .post,
                body: ByteBuffer(string: Fixtures.telemetry(temperature: 25.3, messageID: "m-1")))
            #expect(ingested.status == .ok)
            #expect(try Fixtures.json(ingested)["properties"] == ["Temperature"])
            #expect(try await client.getTwin(id: "thermostat-67")["Temperature"] == .double(25.3))

            // The device gets relationships: it serves a room, and the room contains it.
            _ = try await client.createOrReplaceTwin(
                id: "room-1",
                JSONObject([("$metadata", .object(JSONObject([("$model", .string(Fixtures.spaceModelID))])))]))
            try await client.createOrReplaceRelationship(
                sourceID: "thermostat-67", relationshipID: "serves-room-1",
                JSONObject([("$targetId", "room-1"), ("$relationshipName", "serves")]))
            try await client.createOrReplaceRelationship(
                sourceID: "room-1", relationshipID: "contains-thermostat-67",
                JSONObject([("$targetId", "thermostat-67"), ("$relationshipName", "contains")]))

            // IoT Hub's DeviceDeleted through Event Grid retires the twin and its relationships.
            let retired = try await host.execute(
                uri: "/api/DeleteDeviceInTwinFunc?code=host-key", method: .post,
                headers: [HTTPField.Name("aeg-event-type")!: "Notification"],
                body: ByteBuffer(string: Fixtures.eventGridDeviceDeleted()))
            #expect(retired.status == .ok)
            let outcome = try Fixtures.json(retired)
            #expect(outcome["status"] == "retired")
            #expect(outcome["relationshipsDeleted"] == .integer(2))
            await #expect { try await client.getTwin(id: "thermostat-67") } throws: {
                ($0 as? ADTError)?.isNotFound == true
            }
            #expect(try await client.listRelationships(twinID: "room-1").collect().isEmpty)
            #expect(try await client.listIncomingRelationships(twinID: "room-1").collect().isEmpty)
            #expect(try await client.getTwin(id: "room-1").id == "room-1")

            // Event Grid delivers at least once: a second delivery is harmless.
            let redelivered = try await host.execute(
                uri: "/api/DeleteDeviceInTwinFunc", method: .post, headers: Fixtures.keyHeader("host-key"),
                body: ByteBuffer(string: Fixtures.eventGridDeviceDeleted()))
            #expect(redelivered.status == .ok)
            #expect(try Fixtures.json(redelivered)["status"] == "alreadyDeleted")

            // Telemetry for the retired device is final (404), not retried.
            let late = try await host.execute(
                uri: "/api/DeviceTelemetryToTwinFunc?code=host-key", method: .post,
                body: ByteBuffer(string: Fixtures.telemetry(temperature: 30, messageID: "m-2")))
            #expect(late.status == .notFound)
        }
    }

    @Test func handshakesOverTheSocket() async throws {
        try await Self.run { host, _ in
            let validation = try await host.execute(
                uri: "/api/DeleteDeviceInTwinFunc?code=host-key", method: .post,
                headers: [HTTPField.Name("aeg-event-type")!: "SubscriptionValidation"],
                body: ByteBuffer(string: Fixtures.subscriptionValidation))
            #expect(validation.status == .ok)
            #expect(try Fixtures.json(validation) == ["validationResponse": .string(Fixtures.validationCode)])

            let options = try await host.execute(
                uri: "/api/DeleteDeviceInTwinFunc?code=host-key", method: .options,
                headers: [HTTPField.Name("WebHook-Request-Origin")!: "eventgrid.azure.net"])
            #expect(options.status == .ok)
            #expect(options.headers[HTTPField.Name("WebHook-Allowed-Origin")!] == "eventgrid.azure.net")
        }
    }

    @Test func theAllocationSettingsReachTheFunction() async throws {
        let settings = AllocationConfiguration(
            defaultModelID: Fixtures.thermostatModelID, linkedHubs: ["emulated-hub.local"])
        try await Self.run(allocation: settings) { host, client in
            // No payload.modelId and no linkedHubs, as behind an emulator: the configured ones.
            let request =
                #"{"deviceRuntimeContext": {"registrationId": "plain-1", "symmetricKey": {}}, "linkedHubs": []}"#
            let response = try await host.execute(
                uri: "/api/DpsAdtAllocationFunc?code=alloc-key", method: .post, body: ByteBuffer(string: request))
            #expect(response.status == .ok)
            #expect(try Fixtures.json(response)["iotHubHostName"] == "emulated-hub.local")
            #expect(try await client.getTwin(id: "plain-1").modelID == Fixtures.thermostatModelID)
        }
    }

    @Test func anUnknownModelIsA400() async throws {
        try await Self.run { host, client in
            let request = Fixtures.allocationRequest(registrationID: "mystery-1")
                .replacingOccurrences(of: "Thermostat;2", with: "Unknown;1")
            let response = try await host.execute(
                uri: "/api/DpsAdtAllocationFunc?code=alloc-key", method: .post, body: ByteBuffer(string: request))
            #expect(response.status == .badRequest)
            #expect(try Fixtures.json(response)["error"]?["code"] == "ModelNotFound")
            await #expect { try await client.getTwin(id: "mystery-1") } throws: {
                ($0 as? ADTError)?.isNotFound == true
            }
        }
    }
}
