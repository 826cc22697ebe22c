import ADTWire
import DTDL
@testable import DeviceEmulators
import DigitalTwinsClient
import Foundation
import GatewayTestSupport
import HTTPTransport
import Testing
import TwinTestSupport

@Suite("Emulator configuration")
struct ConfigurationTests {
    static let sample = #"""
        {"serviceKey": "c2VydmljZS1rZXk=",
         "dps": {"port": 0, "idScope": "0ne00000A1B", "retryAfterSeconds": 2, "webhookTimeoutSeconds": 5,
                 "enrollmentGroups": [{"enrollmentGroupId": "g1", "allocationPolicy": "custom",
                                       "customAllocationDefinition": {"webhookUrl": "http://127.0.0.1:7071/api/allocate"},
                                       "iotHubs": ["myhub.azure-devices.net"]}]},
         "hub": {"port": 0, "hubs": [{"hostName": "myhub.azure-devices.net",
                   "sharedAccessPolicies": [{"keyName": "iothubowner", "primaryKey": "cGFzc3dvcmQ=", "rights": "RegistryWrite"}],
                   "endpoints": [{"name": "lifecycle", "url": "http://127.0.0.1:7071/api/retire", "format": "eventgrid",
                                  "headers": {"x-functions-key": "abc"}}],
                   "routes": [{"name": "retire", "source": "DeviceLifecycleEvents",
                               "condition": "opType = 'deleteDeviceIdentity'", "endpointNames": ["lifecycle"]}]}]},
         "delivery": {"initialBackoffMilliseconds": 100, "maxBackoffSeconds": 5}}
        """#

    @Test("a configuration file is read")
    func parse() throws {
        let c = try EmulatorConfiguration.parse(Array(Self.sample.utf8))
        #expect(c.serviceKey == "c2VydmljZS1rZXk=")
        #expect(c.dps.idScope == "0ne00000A1B")
        #expect(c.dps.retryAfterSeconds == 2)
        #expect(c.dps.webhookTimeout == .seconds(5))
        #expect(c.dps.enrollmentGroups.map(\.id) == ["g1"])
        #expect(c.dps.enrollmentGroups.first?.webhookURL == "http://127.0.0.1:7071/api/allocate")
        let hub = try #require(c.hub.hubs.first)
        #expect(hub.name == "myhub")
        #expect(hub.eventGridTopic.hasSuffix("/IOTHUBS/MYHUB"))
        #expect(hub.endpoints.first?.format == .eventGrid)
        #expect(hub.endpoints.first?.headers == ["x-functions-key": "abc"])
        #expect(hub.routes.first?.source == .deviceLifecycleEvents)
        #expect(c.delivery.initialBackoff == .milliseconds(100))
        #expect(c.delivery.backoff(afterAttempts: 1) == .milliseconds(100))
        #expect(c.delivery.backoff(afterAttempts: 3) == .milliseconds(400))
        #expect(c.delivery.backoff(afterAttempts: 40) == .seconds(5))
    }

    @Test(
        "mistakes are reported",
        arguments: [
            (#"{"dps": {"idScop": "x"}}"#, "unknown member"),
            (
                #"{"hub": {"hubs": [{"hostName": "h", "routes": [{"name": "r", "source": "DeviceMessages", "endpointNames": ["nope"]}]}]}}"#,
                "unknown endpoint"
            ),
            (
                #"{"hub": {"hubs": [{"hostName": "h", "routes": [{"name": "r", "source": "DeviceMessages", "condition": "a =", "endpointNames": []}]}]}}"#,
                "invalid"
            ),
            (#"{"hub": {"hubs": [{"hostName": "h", "endpoints": [{"name": "e", "url": "ftp://x"}]}]}}"#, "http(s)"),
            (
                #"{"dps": {"enrollmentGroups": [{"enrollmentGroupId": "g", "allocationPolicy": "custom"}]}}"#,
                "webhookUrl"
            ),
            (#"{"dps": {"port": "80"}}"#, "integer"),
        ])
    func mistakes(text: String, expected: String) {
        do {
            _ = try EmulatorConfiguration.parse(Array(text.utf8))
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test("times and etags are written as DPS and IoT Hub write them")
    func formats() {
        #expect(EmulatorTime.iso(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.0000000Z")
        #expect(EmulatorTime.iso(Date(timeIntervalSince1970: 1_661_983_370.5)) == "2022-08-31T22:02:50.5000000Z")
        #expect(EmulatorTime.epochMilliseconds(Date(timeIntervalSince1970: 1_653_677_378.534)) == 1_653_677_378_534)
        let device = HubDevice(
            hub: "h", deviceID: "d", generationID: "1", version: 1, twinVersion: 2, status: "enabled",
            statusReason: nil,
            authType: "sas", primaryKey: nil, secondaryKey: nil, iotEdge: false, tags: JSONObject(),
            desired: JSONObject(),
            createdAt: Date(), updatedAt: Date(), statusUpdatedAt: nil, lastActivityAt: nil)
        #expect(device.etag == "MQ==")
        #expect(device.twinETag == "AAAAAAAAAAI=")
        #expect(ifMatchAccepts("*", "MA=="))
        #expect(ifMatchAccepts("\"*\"", "MA=="))
        #expect(ifMatchAccepts("W/\"MA==\"", "MA=="))
        #expect(!ifMatchAccepts("MQ==", "MA=="))
    }

    @Test("enrollment group JSON round-trips, without secrets for the webhook")
    func enrollmentJSON() throws {
        let group = EnrollmentGroup(
            id: "g", primaryKey: "cGFzc3dvcmQ=", secondaryKey: "cGFzc3dvcmQy", webhookURL: "http://x/api",
            webhookKey: "secret", iotHubs: ["h1"], initialTwin: (["tags": ["a": 1]] as JSONValue).objectValue)
        let back = try EnrollmentGroup(json: group.json())
        #expect(back == group)
        let public_ = group.json(secrets: false)
        #expect(public_["attestation"] == ["type": "symmetricKey"])
        #expect(public_["customAllocationDefinition"]?["webhookKey"] == nil)
        #expect(!EnrollmentGroup.isValidID("bad/id"))
        #expect(!EnrollmentGroup.isValidID("ends."))
        #expect(EnrollmentGroup.isValidID("ok-id_1.2:3-"))
    }
}

@Suite(
    "IoT Hub emulator: hosts and restarts",
    .enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)),
    .timeLimit(.minutes(2)))
struct HubHostingTests {
    @Test("the Host header chooses among several hubs")
    func hostHeader() async throws {
        let policy = SharedAccessPolicy(keyName: "iothubowner", primaryKey: Fixture.ownerKey)
        let configuration = {
            var c = Fixture.configuration()
            c.hub.hubs = [
                HubConfiguration(hostName: "hub-a.azure-devices.net", sharedAccessPolicies: [policy]),
                HubConfiguration(hostName: "hub-b.azure-devices.net", sharedAccessPolicies: [policy]),
            ]
            return c
        }()
        try await Fixture.withDatabase { database in
            try await Fixture.withHub(configuration, database) { hub in
                let port = try #require(hub.port)
                func call(_ method: HTTPMethod, host: String?, id: String) async throws -> TransportResponse {
                    var headers: HTTPHeaders = [
                        "Authorization": try Fixture.sas(
                            "\(host ?? "hub-a.azure-devices.net")", key: Fixture.ownerKey, keyName: "iothubowner")
                    ]
                    if let host { headers["Host"] = host + ":443" }
                    return try await Fixture.transport.send(
                        TransportRequest(
                            method: method, url: "http://127.0.0.1:\(port)/devices/\(id)?api-version=2021-04-12",
                            headers: headers, body: method == .put ? Array("{}".utf8) : nil))
                }
                #expect(try await call(.put, host: "hub-a.azure-devices.net", id: "d1").status == 200)
                #expect(try await call(.get, host: "hub-a.azure-devices.net", id: "d1").status == 200)
                #expect(try await call(.get, host: "hub-b.azure-devices.net", id: "d1").status == 404)
                // A token for hub A does not open hub B.
                #expect(try await call(.get, host: nil, id: "d1").status == 404)  // no hub named: IotHubNotFound
                let wrongHub = try await Fixture.transport.send(
                    TransportRequest(
                        method: .get, url: "http://127.0.0.1:\(port)/hubs/hub-b/devices/d1",
                        headers: [
                            "Authorization": try Fixture.sas(
                                "hub-a.azure-devices.net", key: Fixture.ownerKey, keyName: "iothubowner")
                        ]))
                #expect(wrongHub.status == 401)
            }
        }
    }

    @Test("messages queued while the emulator was stopped and the endpoint down are delivered after a restart")
    func restart() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { base in
            await receiver.plan("/eh/events", statuses: [503])
            let configuration = Fixture.configuration(
                hub: HubConfiguration(
                    hostName: Fixture.hubHost,
                    sharedAccessPolicies: [SharedAccessPolicy(keyName: "iothubowner", primaryKey: Fixture.ownerKey)],
                    endpoints: [RouteEndpoint(name: "events", url: base + "/eh/events", format: .eventHubsEnvelope)],
                    routes: [MessageRoute(name: "all", source: .deviceLifecycleEvents, endpointNames: ["events"])]))
            try await Fixture.withDatabase { database in
                try await Fixture.withHub(configuration, database) { hub in
                    try await HubTests.create(hub, "survivor")
                    _ = try await receiver.wait("/eh/events", count: 1, status: 503)
                }
                await receiver.plan("/eh/events", statuses: [200])
                try await Fixture.withHub(configuration, database) { _ in
                    let delivered = try await receiver.wait("/eh/events", count: 1, status: 200)
                    let message = try #require(delivered.first?.json?.arrayValue?.first)
                    #expect(message["properties"]?["opType"] == "createDeviceIdentity")
                    #expect(message["properties"]?["deviceId"] == "survivor")
                }
            }
        }
    }

    /// The complete example of docs/emulators.md parses, with the values it shows.
    @Test func theDocumentedExampleParses() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/emulators.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let example = try #require(text.range(of: "A complete example"))
        let start = try #require(text.range(of: "```json\n", range: example.upperBound..<text.endIndex))
        let end = try #require(text.range(of: "\n```", range: start.upperBound..<text.endIndex))
        let configuration = try EmulatorConfiguration.parse(Array(text[start.upperBound..<end.lowerBound].utf8))
        #expect(configuration.dps.idScope == "0ne00000A1B")
        let hub = try #require(configuration.hub.hubs.first)
        #expect(hub.endpoints.map(\.format) == [.eventGrid, .eventHubsEnvelope])
        #expect(hub.endpoints.map(\.maxBatchSize) == [1, 16])
        #expect(hub.routes.count == 2)
    }

    @Test func maxBatchSizeOutOfRangeIsRefused() throws {
        let text =
            #"{"hub": {"hubs": [{"hostName": "h.azure-devices.net", "endpoints": [{"name": "e", "url": "http://127.0.0.1:1/x", "maxBatchSize": 0}]}]}}"#
        #expect(throws: EmulatorConfigurationError.self) { try EmulatorConfiguration.parse(Array(text.utf8)) }
    }
}
