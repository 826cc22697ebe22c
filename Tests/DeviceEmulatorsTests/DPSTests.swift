import ADTWire
import DTDL
@testable import DeviceEmulators
import DeviceLifecycle
import Foundation
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TwinTestSupport

@Suite(
    "DPS emulator", .enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)),
    .timeLimit(.minutes(2)))
struct DPSTests {
    static func group(webhook: String, secondaryKey: String? = nil) -> EnrollmentGroup {
        EnrollmentGroup(
            id: "adt-thermostats", primaryKey: Fixture.groupKey, secondaryKey: secondaryKey ?? EmulatorRandom.key(),
            allocationPolicy: .custom, webhookURL: webhook, webhookKey: "function-key", iotHubs: [Fixture.hubHost],
            initialTwin: (["tags": ["fromGroup": true], "properties": ["desired": [:]]] as JSONValue).objectValue)
    }

    static let registerPath =
        "/\(Fixture.idScope)/registrations/\(Fixture.registrationID)/register?api-version=2021-06-01"

    static func registrationToken(key: String = Fixture.derivedKey, registrationID: String = Fixture.registrationID)
        throws -> String
    {
        try Fixture.sas("\(Fixture.idScope)/registrations/\(registrationID)", key: key, keyName: "registration")
    }

    /// Registers and polls until the operation leaves `assigning`; returns the final body.
    static func register(
        _ client: any TestClientProtocol, token: String, registrationID: String = Fixture.registrationID
    ) async throws -> JSONValue {
        let accepted = try await client.execute(
            uri: "/\(Fixture.idScope)/registrations/\(registrationID)/register?api-version=2021-06-01", method: .put,
            headers: [.authorization: token, .contentType: "application/json"],
            body: Fixture.body([
                "registrationId": .string(registrationID), "payload": ["modelId": .string(Fixture.modelID)],
            ]))
        #expect(accepted.status == .accepted)
        #expect(accepted.headers[.retryAfter] == "1")
        let started = try #require(Fixture.json(accepted))
        #expect(started["status"] == "assigning")
        #expect(started.objectValue?.keys == ["operationId", "status"])
        let operationID = try #require(started["operationId"]?.stringValue)
        for _ in 0..<200 {
            let poll = try await client.execute(
                uri:
                    "/\(Fixture.idScope)/registrations/\(registrationID)/operations/\(operationID)?api-version=2021-06-01",
                method: .get, headers: [.authorization: token])
            let body = try #require(Fixture.json(poll))
            if body["status"] == "assigning" {
                #expect(poll.status == .accepted)
                #expect(poll.headers[.retryAfter] == "1")
                try await Task.sleep(for: .milliseconds(25))
                continue
            }
            #expect(poll.status == .ok)
            #expect(body["operationId"]?.stringValue == operationID)
            return body
        }
        Issue.record("the operation stayed assigning")
        return .null
    }

    @Test("a device registers with its derived key: webhook called with the AllocationRequest, device in the hub")
    func registerAssigned() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { base in
            await receiver.plan(
                "/api/allocate", statuses: [200],
                body: [
                    "iotHubHostName": .string(Fixture.hubHost),
                    "initialTwin": [
                        "tags": ["dtmi": .string(Fixture.modelID), "dtId": .string(Fixture.registrationID)],
                        "properties": ["desired": [:]],
                    ],
                    "payload": ["note": "from the webhook"],
                ])
            let configuration = Fixture.configuration(groups: [Self.group(webhook: base + "/api/allocate?code=abc")])
            try await Fixture.withDatabase { database in
                try await Fixture.withHub(configuration, database) { hub in
                    try await Fixture.withDPS(configuration, database) { dps in
                        #expect(
                            try SharedAccessSignature.deriveDeviceKey(
                                groupKey: Fixture.groupKey, registrationID: Fixture.registrationID)
                                == Fixture.derivedKey)
                        let result = try await Self.register(dps, token: try Self.registrationToken())
                        #expect(result["status"] == "assigned")
                        let state = try #require(result["registrationState"]?.objectValue)
                        #expect(
                            state.keys == [
                                "registrationId", "createdDateTimeUtc", "assignedHub", "deviceId", "status",
                                "substatus",
                                "lastUpdatedDateTimeUtc", "etag", "payload",
                            ])
                        #expect(state["registrationId"] == .string(Fixture.registrationID))
                        #expect(state["assignedHub"] == .string(Fixture.hubHost))
                        #expect(state["deviceId"] == .string(Fixture.registrationID))
                        #expect(state["substatus"] == "initialAssignment")
                        #expect(state["payload"] == ["note": "from the webhook"])
                        #expect(state["createdDateTimeUtc"]?.stringValue?.hasSuffix("Z") == true)

                        // The webhook got DPS's AllocationRequest, without any key in the body.
                        let calls = await receiver.requests("/api/allocate")
                        #expect(calls.count == 1)
                        let call = try #require(calls.first)
                        #expect(call.headers["x-functions-key"] == "function-key")
                        let request = try AllocationRequest.parse(call.body)
                        #expect(request.registrationID == Fixture.registrationID)
                        #expect(request.linkedHubs == [Fixture.hubHost])
                        #expect(request.modelID == Fixture.modelID)
                        #expect(request.enrollmentID == "adt-thermostats")
                        #expect(request.currentHubHostName == nil)
                        let body = try #require(call.json)
                        #expect(body["enrollmentGroup"]?["attestation"] == ["type": "symmetricKey"])
                        #expect(body["enrollmentGroup"]?["allocationPolicy"] == "custom")
                        #expect(body["enrollmentGroup"]?["iotHubs"] == [.string(Fixture.hubHost)])
                        #expect(body["enrollmentGroup"]?["customAllocationDefinition"]?["webhookKey"] == nil)
                        #expect(body["deviceRuntimeContext"]?["symmetricKey"] == .object(JSONObject()))
                        #expect(!String(decoding: call.body, as: UTF8.self).contains(Fixture.groupKey))

                        // The device is in the hub's registry with the derived key and the initial twin.
                        let device = try await hub.execute(
                            uri: "/devices/\(Fixture.registrationID)?api-version=2021-04-12", method: .get,
                            headers: [.authorization: try Fixture.ownerToken()])
                        #expect(device.status == .ok)
                        let deviceJSON = try #require(Fixture.json(device))
                        #expect(
                            deviceJSON["authentication"]?["symmetricKey"]?["primaryKey"] == .string(Fixture.derivedKey))
                        let twin = try await hub.execute(
                            uri: "/twins/\(Fixture.registrationID)", method: .get,
                            headers: [.authorization: try Fixture.ownerToken()])
                        #expect(Fixture.json(twin)?["tags"]?["dtId"] == .string(Fixture.registrationID))

                        // ...and can send telemetry to it with the same key.
                        let sent = try await hub.execute(
                            uri: "/devices/\(Fixture.registrationID)/messages/events?api-version=2021-04-12",
                            method: .post,
                            headers: [
                                .authorization: try Fixture.sas(
                                    "\(Fixture.hubHost)/devices/\(Fixture.registrationID)", key: Fixture.derivedKey),
                                .contentType: "application/json",
                            ], body: Fixture.body(["Temperature": 25.3]))
                        #expect(sent.status == .noContent)

                        // A second registration (Node-style token: sr not encoded) is a re-provisioning.
                        let expiry = Int64(Date().timeIntervalSince1970) + 600
                        let raw = "\(Fixture.idScope)/registrations/\(Fixture.registrationID)"
                        let node = SharedAccessSignature(
                            resource: raw,
                            signature: try SharedAccessSignature.sign("\(raw)\n\(expiry)", key: Fixture.derivedKey),
                            expiry: expiry, keyName: "registration")
                        let again = try await Self.register(dps, token: node.token)
                        #expect(again["registrationState"]?["substatus"] == "reprovisionedToInitialAssignment")
                        let second = try #require(await receiver.requests("/api/allocate").last)
                        #expect(try AllocationRequest.parse(second.body).currentHubHostName == Fixture.hubHost)

                        // The status lookup returns the latest registration state.
                        let lookup = try await dps.execute(
                            uri: "/\(Fixture.idScope)/registrations/\(Fixture.registrationID)?api-version=2021-06-01",
                            method: .post, headers: [.authorization: try Self.registrationToken()],
                            body: Fixture.body(["registrationId": .string(Fixture.registrationID)]))
                        #expect(lookup.status == .ok)
                        #expect(Fixture.json(lookup)?["status"] == "assigned")
                    }
                }
            }
        }
    }

    @Test("the secondary group key works too; a wrong key gets 401 with DPS's error body")
    func wrongKey() async throws {
        let secondary = EmulatorRandom.key()
        let configuration = Fixture.configuration(
            groups: [Self.group(webhook: "http://127.0.0.1:9/unused", secondaryKey: secondary)])
        try await Fixture.withDatabase { database in
            try await Fixture.withDPS(configuration, database) { dps in
                let wrong = try Self.registrationToken(key: EmulatorRandom.key())
                let refused = try await dps.execute(
                    uri: Self.registerPath, method: .put, headers: [.authorization: wrong],
                    body: Fixture.body(["registrationId": .string(Fixture.registrationID)]))
                #expect(refused.status == .unauthorized)
                #expect(refused.headers[Fixture.header("x-ms-error-code")] == "401002")
                let error = try #require(Fixture.json(refused)?.objectValue)
                #expect(error.keys == ["errorCode", "trackingId", "message", "timestampUtc"])
                #expect(error["errorCode"] == .integer(401_002))
                #expect(error["trackingId"]?.stringValue?.isEmpty == false)
                #expect(error["timestampUtc"]?.stringValue?.hasSuffix("Z") == true)

                // No Authorization header, an expired token, a token for another registration.
                let none = try await dps.execute(uri: Self.registerPath, method: .put)
                #expect(none.status == .unauthorized)
                let expired = try Fixture.sas(
                    "\(Fixture.idScope)/registrations/\(Fixture.registrationID)", key: Fixture.derivedKey,
                    keyName: "registration", lifetime: -10)
                let late = try await dps.execute(
                    uri: Self.registerPath, method: .put, headers: [.authorization: expired])
                #expect(late.status == .unauthorized)
                #expect(Fixture.json(late)?["message"]?.stringValue?.contains("expired") == true)
                let other = try await dps.execute(
                    uri: Self.registerPath, method: .put,
                    headers: [.authorization: try Self.registrationToken(registrationID: "another-device")])
                #expect(other.status == .unauthorized)

                // sr encoded with lower-case %2f (as the DPS docs write it) verifies too.
                let expiry = Int64(Date().timeIntervalSince1970) + 600
                let lower = "\(Fixture.idScope)%2fregistrations%2f\(Fixture.registrationID)"
                let lowerToken = SharedAccessSignature(
                    resource: lower,
                    signature: try SharedAccessSignature.sign("\(lower)\n\(expiry)", key: Fixture.derivedKey),
                    expiry: expiry, keyName: "registration")
                let lowerAccepted = try await dps.execute(
                    uri: Self.registerPath, method: .put, headers: [.authorization: lowerToken.token])
                #expect(lowerAccepted.status == .accepted)

                // The key derived from the secondary group key is accepted.
                let fromSecondary = try SharedAccessSignature.deriveDeviceKey(
                    groupKey: secondary, registrationID: Fixture.registrationID)
                let accepted = try await dps.execute(
                    uri: Self.registerPath, method: .put,
                    headers: [.authorization: try Self.registrationToken(key: fromSecondary)])
                #expect(accepted.status == .accepted)
            }
        }
    }

    @Test("a webhook answering 500 ends the operation failed with a reason; nothing reaches the hub")
    func webhookFails() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { base in
            await receiver.plan("/api/allocate", statuses: [500], body: ["error": "boom"])
            let configuration = Fixture.configuration(groups: [Self.group(webhook: base + "/api/allocate")])
            try await Fixture.withDatabase { database in
                try await Fixture.withHub(configuration, database) { hub in
                    try await Fixture.withDPS(configuration, database) { dps in
                        let result = try await Self.register(dps, token: try Self.registrationToken())
                        #expect(result["status"] == "failed")
                        let state = try #require(result["registrationState"])
                        #expect(state["status"] == "failed")
                        #expect(state["errorCode"] == .integer(400_207))
                        let message = try #require(state["errorMessage"]?.stringValue)
                        #expect(message.contains("500"))
                        #expect(state["assignedHub"] == nil)

                        let device = try await hub.execute(
                            uri: "/devices/\(Fixture.registrationID)", method: .get,
                            headers: [.authorization: try Fixture.ownerToken()])
                        #expect(device.status == .notFound)
                        #expect(
                            Fixture.json(device)?["Message"]?.stringValue?.hasPrefix("ErrorCode:DeviceNotFound;")
                                == true)
                    }
                }
            }
        }
    }

    @Test("a webhook choosing a hub outside linkedHubs, or timing out, fails the operation")
    func webhookInvalidAnswers() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { base in
            await receiver.plan(
                "/api/allocate", statuses: [200], body: ["iotHubHostName": "elsewhere.azure-devices.net"])
            let configuration = Fixture.configuration(groups: [Self.group(webhook: base + "/api/allocate")])
            try await Fixture.withDatabase { database in
                try await Fixture.withDPS(configuration, database) { dps in
                    let result = try await Self.register(dps, token: try Self.registrationToken())
                    #expect(result["registrationState"]?["errorCode"] == .integer(400_208))
                }
            }
            // A webhook that cannot be reached.
            let unreachable = Fixture.configuration(groups: [Self.group(webhook: "http://127.0.0.1:9/api/allocate")])
            try await Fixture.withDatabase { database in
                try await Fixture.withDPS(unreachable, database) { dps in
                    let result = try await Self.register(dps, token: try Self.registrationToken())
                    #expect(result["status"] == "failed")
                    #expect(result["registrationState"]?["errorMessage"]?.stringValue?.contains("webhook") == true)
                }
            }
        }
    }

    @Test("with webhookRetries, a webhook answering 503 is called again")
    func webhookRetried() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { base in
            await receiver.plan("/api/busy", statuses: [503, 200], body: ["iotHubHostName": .string(Fixture.hubHost)])
            let configuration = {
                var c = Fixture.configuration(groups: [Self.group(webhook: base + "/api/busy")])
                c.dps.webhookRetries = 2
                return c
            }()
            try await Fixture.withDatabase { database in
                try await Fixture.withDPS(configuration, database) { dps in
                    let result = try await Self.register(dps, token: try Self.registrationToken())
                    #expect(result["status"] == "assigned")
                    #expect(await receiver.requests("/api/busy").map(\.status) == [503, 200])
                }
            }
        }
    }

    @Test("a webhook slower than the timeout fails the operation")
    func webhookTimeout() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { base in
            await receiver.plan(
                "/api/slow", statuses: [200], body: ["iotHubHostName": .string(Fixture.hubHost)],
                delay: .milliseconds(1500))
            let configuration = {
                var c = Fixture.configuration(groups: [Self.group(webhook: base + "/api/slow")])
                c.dps.webhookTimeout = .milliseconds(300)
                return c
            }()
            try await Fixture.withDatabase { database in
                try await Fixture.withDPS(configuration, database) { dps in
                    let result = try await Self.register(dps, token: try Self.registrationToken())
                    #expect(result["status"] == "failed")
                    #expect(result["registrationState"]?["errorCode"] == .integer(400_207))
                    #expect(result["registrationState"]?["errorMessage"]?.stringValue?.contains("timed out") == true)
                }
            }
        }
    }

    @Test("enrollment groups: REST API behind the service key, and the enrollment file")
    func enrollmentAPI() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "enrollments-\(UUID().uuidString).json")
        let fromFile: JSONValue = [
            "enrollmentGroups": [
                [
                    "enrollmentGroupId": "from-file", "allocationPolicy": "static",
                    "iotHubs": [.string(Fixture.hubHost)],
                    "attestation": ["type": "symmetricKey", "symmetricKey": ["primaryKey": .string(Fixture.groupKey)]],
                ]
            ]
        ]
        try Data(JSONWriter.bytes(fromFile)).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let configuration = {
            var c = Fixture.configuration()
            c.dps.enrollmentFile = file.path
            return c
        }()
        try await Fixture.withDatabase { database in
            try await Fixture.withHub(configuration, database) { hub in
                try await Fixture.withDPS(configuration, database) { dps in
                    let auth: HTTPFields = [.authorization: "Bearer \(Fixture.serviceKey)"]
                    let loaded = try await dps.execute(uri: "/enrollmentGroups/from-file", method: .get, headers: auth)
                    #expect(loaded.status == .ok)
                    let group = try #require(Fixture.json(loaded))
                    #expect(group["attestation"]?["symmetricKey"]?["primaryKey"] == .string(Fixture.groupKey))
                    #expect(group["attestation"]?["symmetricKey"]?["secondaryKey"]?.stringValue?.count == 44)

                    // The static policy assigns without a webhook.
                    let result = try await Self.register(dps, token: try Self.registrationToken())
                    #expect(result["registrationState"]?["assignedHub"] == .string(Fixture.hubHost))
                    let device = try await hub.execute(
                        uri: "/devices/\(Fixture.registrationID)", method: .get,
                        headers: [.authorization: "Bearer \(Fixture.serviceKey)"])
                    #expect(device.status == .ok)

                    // Without the service key: 401.
                    let anonymous = try await dps.execute(uri: "/enrollmentGroups/from-file", method: .get)
                    #expect(anonymous.status == .unauthorized)

                    let body: JSONValue = [
                        "enrollmentGroupId": "api-group", "allocationPolicy": "custom",
                        "customAllocationDefinition": [
                            "webhookUrl": "https://example.invalid/api/allocate", "apiVersion": "2021-10-01",
                        ],
                        "iotHubs": [.string(Fixture.hubHost)],
                        "initialTwin": ["tags": ["site": "lab"], "properties": ["desired": [:]]],
                    ]
                    let created = try await dps.execute(
                        uri: "/enrollmentGroups/api-group", method: .put, headers: auth, body: Fixture.body(body))
                    #expect(created.status == .ok)
                    let stored = try #require(Fixture.json(created))
                    #expect(stored["attestation"]?["symmetricKey"]?["primaryKey"]?.stringValue?.count == 44)
                    #expect(stored["initialTwin"]?["tags"]?["site"] == "lab")
                    let etag = try #require(stored["etag"]?.stringValue)

                    var stale = auth
                    stale[.ifMatch] = "\"not-the-etag\""
                    let conflict = try await dps.execute(
                        uri: "/enrollmentGroups/api-group", method: .put, headers: stale, body: Fixture.body(body))
                    #expect(conflict.status == .preconditionFailed)
                    var current = auth
                    current[.ifMatch] = etag
                    let replaced = try await dps.execute(
                        uri: "/enrollmentGroups/api-group", method: .put, headers: current, body: Fixture.body(body))
                    #expect(replaced.status == .ok)
                    #expect(
                        Fixture.json(replaced)?["attestation"]?["symmetricKey"]?["primaryKey"]
                            == stored["attestation"]?["symmetricKey"]?["primaryKey"])

                    let invalid = try await dps.execute(
                        uri: "/enrollmentGroups/bad", method: .put, headers: auth,
                        body: Fixture.body(["allocationPolicy": "custom"]))
                    #expect(invalid.status == .badRequest)

                    let list = try await dps.execute(uri: "/enrollmentGroups/query", method: .post, headers: auth)
                    #expect(Fixture.json(list)?.arrayValue?.count == 2)
                    let deleted = try await dps.execute(
                        uri: "/enrollmentGroups/api-group", method: .delete, headers: auth)
                    #expect(deleted.status == .noContent)
                    let gone = try await dps.execute(uri: "/enrollmentGroups/api-group", method: .get, headers: auth)
                    #expect(gone.status == .notFound)
                    #expect(Fixture.json(gone)?["errorCode"] == .integer(404_201))
                }
            }
        }
    }
}
