import ADTWire
import DTDL
@testable import DeviceLifecycle
import Logging
import Testing

@Suite struct RetireTests {
    func function(_ service: FakeDigitalTwinsService, _ configuration: RetireConfiguration = RetireConfiguration())
        -> RetireFunction
    {
        RetireFunction(service: service, configuration: configuration, logger: .silent)
    }

    /// A service holding twin thermostat-67 plus its neighbours.
    func populated(outgoing: Int = 0, incoming: Int = 0) async -> FakeDigitalTwinsService {
        let service = FakeDigitalTwinsService()
        await service.put(id: "thermostat-67", ["$metadata": ["$model": .string(TestModels.thermostatID)]])
        for i in 0..<max(outgoing, incoming) {
            await service.put(id: "space-\(i)", ["$metadata": ["$model": .string(TestModels.spaceID)]])
        }
        for i in 0..<outgoing {
            await service.addRelationship(
                source: "thermostat-67", id: "serves-\(i)", target: "space-\(i)", name: "serves")
        }
        for i in 0..<incoming {
            await service.addRelationship(source: "space-\(i)", id: "contains-thermostat", target: "thermostat-67")
        }
        return service
    }

    @Test func eventHubsLifecycleMessageDeletesRelationshipsThenTwin() async throws {
        let service = await populated(outgoing: 250, incoming: 120)
        let response = await function(service).handle(body: Fixtures.lifecycleEnvelope().bytes)
        #expect(response.status == 200)
        #expect(response.body["status"] == "retired")
        #expect(response.body["twinId"] == "thermostat-67")
        #expect(response.body["relationshipsDeleted"] == 370)
        #expect(await service.twin("thermostat-67") == nil)
        #expect(await service.relationshipCount == 0)
        #expect(await service.twin("space-0") != nil)
        let calls = await service.calls
        let lastRelationshipDelete = try #require(calls.lastIndex { $0.hasPrefix("deleteRelationship") })
        let twinDelete = try #require(calls.firstIndex { $0.hasPrefix("deleteTwin(thermostat-67, ifMatch: W/") })
        #expect(lastRelationshipDelete < twinDelete)
    }

    @Test func batchOfEnvelopesIsHandledEventByEvent() async throws {
        let service = await populated()
        await service.put(id: "d2", ["$metadata": ["$model": .string(TestModels.thermostatID)]])
        let body = "[\(Fixtures.lifecycleEnvelope()), \(Fixtures.lifecycleEnvelope(deviceID: "d2", dtId: nil))]"
        let response = await function(service).handle(body: body.bytes)
        #expect(response.status == 200)
        #expect(response.body["results"]?.arrayValue?.count == 2)
        #expect(await service.twin("thermostat-67") == nil)
        #expect(await service.twin("d2") == nil)
    }

    /// Four deletions in one batch: their reads meet at a barrier, which only concurrent
    /// handling can pass (one after the other, the first would wait out the barrier's timeout).
    @Test func aBatchRetiresDifferentDevicesAtOnce() async throws {
        let service = FakeDigitalTwinsService()
        for i in 0..<4 { await service.put(id: "d\(i)", ["$metadata": ["$model": .string(TestModels.thermostatID)]]) }
        await service.armGetTwinBarrier(parties: 4, timeout: .seconds(5))
        let body =
            "[" + (0..<4).map { Fixtures.lifecycleEnvelope(deviceID: "d\($0)", dtId: nil) }.joined(separator: ",") + "]"
        let response = await function(service).handle(body: body.bytes)
        #expect(response.status == 200)
        #expect(await !service.barrierTimedOut)
        for i in 0..<4 { #expect(await service.twin("d\(i)") == nil) }
    }

    @Test(arguments: ["createDeviceIdentity", "deleteModuleIdentity", "createModuleIdentity", "updateTwin"])
    func otherOperationsAreIgnored(opType: String) async throws {
        let service = await populated()
        let response = await function(service).handle(body: Fixtures.lifecycleEnvelope(opType: opType).bytes)
        #expect(response.status == 202)
        #expect(response.body["status"] == "ignored")
        #expect(response.body["reason"] == JSONValue.string("opType \(opType)"))
        #expect(await service.twin("thermostat-67") != nil)
    }

    @Test func moduleDeletionRetiresWhenConfigured() async throws {
        let service = await populated()
        let f = function(service, RetireConfiguration(retireOnModuleDeletion: true))
        let response = await f.handle(body: Fixtures.lifecycleEnvelope(opType: "deleteModuleIdentity").bytes)
        #expect(response.status == 200)
        #expect(await service.twin("thermostat-67") == nil)
    }

    @Test func messageWithoutOpTypeIsIgnored() async throws {
        let body =
            #"{"properties":{},"systemProperties":{"iothub-connection-device-id":"d1"},"body":{"Temperature":1}}"#
        let response = await function(await populated()).handle(body: body.bytes)
        #expect(response.status == 202)
    }

    @Test func twinTagDtIdNamesTheTwin() async throws {
        let service = await populated()
        await service.put(id: "boiler-room-thermostat", ["$metadata": ["$model": .string(TestModels.thermostatID)]])
        let response = await function(service).handle(
            body: Fixtures.lifecycleEnvelope(dtId: "boiler-room-thermostat").bytes)
        #expect(response.body["twinId"] == "boiler-room-thermostat")
        #expect(await service.twin("boiler-room-thermostat") == nil)
        #expect(await service.twin("thermostat-67") != nil)
    }

    @Test func eventGridDeviceDeleted() async throws {
        let service = await populated(outgoing: 3, incoming: 2)
        let response = await function(service).handle(body: Fixtures.eventGridDeviceDeleted.bytes)
        #expect(response.status == 200)
        #expect(response.body["relationshipsDeleted"] == 5)
        #expect(await service.twin("thermostat-67") == nil)
    }

    @Test func eventGridSubjectAloneNamesTheDevice() async throws {
        let service = await populated()
        let body =
            #"[{"id":"1","subject":"devices/thermostat-67","eventType":"Microsoft.Devices.DeviceDeleted","data":{}}]"#
        let response = await function(service).handle(body: body.bytes)
        #expect(response.status == 200)
        #expect(await service.twin("thermostat-67") == nil)
    }

    @Test func eventGridOtherTypesAreIgnored() async throws {
        let service = await populated()
        let body = Fixtures.eventGridDeviceDeleted.replacingOccurrences(of: "DeviceDeleted", with: "DeviceCreated")
        let response = await function(service).handle(body: body.bytes)
        #expect(response.status == 202)
        #expect(await service.twin("thermostat-67") != nil)
    }

    @Test func subscriptionValidationHandshake() async throws {
        let service = await populated()
        let response = await function(service).handle(body: Fixtures.subscriptionValidation.bytes)
        #expect(response.status == 200)
        #expect(JSONWriter.string(response.body) == #"{"validationResponse":"512d38b6-c7b8-40c8-89fe-f46f9e9622b6"}"#)
        #expect(await service.calls.isEmpty)
    }

    @Test func cloudEventStructuredAndBatch() async throws {
        for body in [Fixtures.cloudEventDeviceDeleted, "[\(Fixtures.cloudEventDeviceDeleted)]"] {
            let service = await populated(incoming: 1)
            let response = await function(service).handle(
                body: body.bytes, headers: ["Content-Type": "application/cloudevents+json; charset=utf-8"])
            #expect(response.status == 200)
            #expect(await service.twin("thermostat-67") == nil)
        }
    }

    @Test func cloudEventBinaryMode() async throws {
        let service = await populated(outgoing: 1)
        let headers = [
            "Ce-Specversion": "1.0", "Ce-Type": "Microsoft.Devices.DeviceDeleted",
            "Ce-Subject": "devices/thermostat-67",
            "Ce-Id": "1", "Ce-Source": "/subscriptions/x/resourceGroups/y/providers/Microsoft.Devices/IotHubs/myhub",
        ]
        let response = await function(service).handle(body: #"{"hubName":"myhub"}"#.bytes, headers: headers)
        #expect(response.status == 200)
        #expect(await service.twin("thermostat-67") == nil)

        let ignored = await function(service).handle(
            body: [], headers: ["ce-type": "Microsoft.Devices.DeviceConnected", "ce-subject": "devices/x"])
        #expect(ignored.status == 202)
    }

    @Test func abuseProtectionHandshake() {
        let response = InboundDelivery.abuseProtectionResponse(headers: [
            "WebHook-Request-Origin": "eventgrid.azure.net"
        ])
        #expect(response?.status == 200)
        #expect(response?.headers["WebHook-Allowed-Origin"] == "eventgrid.azure.net")
        #expect(InboundDelivery.abuseProtectionResponse(headers: [:]) == nil)
    }

    @Test func twinAlreadyGoneIsSuccess() async throws {
        let service = FakeDigitalTwinsService()
        let response = await function(service).handle(body: Fixtures.lifecycleEnvelope().bytes)
        #expect(response.status == 200)
        #expect(response.body["status"] == "alreadyDeleted")
    }

    @Test func redeliveryIsHarmless() async throws {
        let service = await populated(outgoing: 2)
        let f = function(service)
        let first = await f.handle(body: Fixtures.lifecycleEnvelope().bytes)
        let second = await f.handle(body: Fixtures.lifecycleEnvelope().bytes)
        #expect(first.body["status"] == "retired")
        #expect(second.status == 200)
        #expect(second.body["status"] == "alreadyDeleted")
        #expect(second.body["relationshipsDeleted"] == 0)
    }

    @Test func preconditionFailedRereadsAndRetries() async throws {
        let service = await populated()
        await service.failNext(.deleteTwin, with: ServiceFailure.preconditionFailed())
        let response = await function(service).handle(body: Fixtures.lifecycleEnvelope().bytes)
        #expect(response.status == 200)
        #expect(response.body["status"] == "retired")
        #expect(await service.count("deleteTwin") == 2)
        #expect(await service.count("getTwin") == 2)
    }

    @Test func relationshipCreatedMeanwhileIsDeletedOnTheNextRound() async throws {
        let service = await populated(outgoing: 1)
        await service.failNext(.deleteTwin, with: ServiceFailure(status: 400, code: .relationshipsNotDeleted))
        let response = await function(service).handle(body: Fixtures.lifecycleEnvelope().bytes)
        #expect(response.status == 200)
        #expect(await service.count("relationships(thermostat-67)") == 2)
    }

    @Test func relationshipAlreadyDeletedIsSkipped() async throws {
        let service = await populated(outgoing: 2)
        await service.failNext(.deleteRelationship, with: ServiceFailure(status: 404, code: .relationshipNotFound))
        let response = await function(service).handle(body: Fixtures.lifecycleEnvelope().bytes)
        // The 404 is skipped; the relationship (still there in the fake) makes the twin delete
        // answer RelationshipsNotDeleted, and the next round removes it.
        #expect(response.status == 200)
        #expect(response.body["relationshipsDeleted"] == 2)
        #expect(await service.count("deleteTwin") == 2)
        #expect(await service.twin("thermostat-67") == nil)
    }

    @Test func persistentContentionIs503() async throws {
        let service = await populated()
        await service.failNext(.deleteTwin, with: ServiceFailure.preconditionFailed(), times: 10)
        let response = await function(service, RetireConfiguration(maxAttempts: 3)).handle(
            body: Fixtures.lifecycleEnvelope().bytes)
        #expect(response.status == 503)
        #expect(await service.count("deleteTwin") == 3)
    }

    @Test func serviceOutageIs503AndBatchAsksForRedelivery() async throws {
        let service = await populated()
        await service.put(id: "d2", ["$metadata": ["$model": .string(TestModels.thermostatID)]])
        await service.failNext(.relationships, with: ServiceFailure(status: 503, code: .serviceUnavailable))
        let body = "[\(Fixtures.lifecycleEnvelope()), \(Fixtures.lifecycleEnvelope(deviceID: "d2", dtId: nil))]"
        let response = await function(service).handle(body: body.bytes)
        #expect(response.status == 503)
        #expect(response.shouldRetry)
        // The batch's events run concurrently, so either may meet the outage; the other is done.
        let left = [await service.twin("thermostat-67"), await service.twin("d2")].compactMap { $0 }
        #expect(left.count == 1)
        let again = await function(service).handle(body: body.bytes)
        #expect(again.status == 200)
        #expect(await service.twin("thermostat-67") == nil)
        #expect(await service.twin("d2") == nil)
    }

    @Test(arguments: [
        "{", "42", "[]", #"{"foo":1}"#, "[1]",
        #"{"properties":{"opType":"deleteDeviceIdentity"},"systemProperties":{}}"#,
        #"[{"id":"1","subject":"","eventType":"Microsoft.Devices.DeviceDeleted","data":{}}]"#,
        #"[{"id":"1","eventType":"Microsoft.EventGrid.SubscriptionValidationEvent","data":{}}]"#,
    ])
    func malformedInputIs400(body: String) async throws {
        let response = await function(await populated()).handle(body: body.bytes)
        #expect(response.status == 400)
    }
}
