import ADTWire
import DTDL
@testable import DeviceLifecycle
import Logging
import Testing

@Suite struct AllocationTests {
    func function(
        _ service: FakeDigitalTwinsService, _ configuration: AllocationConfiguration = AllocationConfiguration(),
        logger: Logger = .silent
    ) -> AllocationFunction {
        AllocationFunction(
            service: service, configuration: configuration, logger: logger, models: ModelCache(timeToLive: .zero))
    }

    @Test func scenarioRequestCreatesTwinAndAnswersExactly() async throws {
        let service = FakeDigitalTwinsService()
        let response = await function(service).handle(body: Fixtures.scenarioAllocationRequest.bytes)
        #expect(response.status == 200)
        #expect(JSONWriter.string(response.body) == Fixtures.scenarioAllocationResponse)
        let twin = try #require(await service.twin("thermostat-67"))
        #expect(twin["$metadata"]?["$model"] == JSONValue.string(TestModels.thermostatID))
        #expect(await service.calls.contains("createTwin(thermostat-67, ifNoneMatch: true)"))
    }

    @Test func docsRequestWithoutPayloadUsesDefaultModelAndFirstHub() async throws {
        let service = FakeDigitalTwinsService()
        let f = function(service, AllocationConfiguration(defaultModelID: TestModels.spaceID))
        let response = await f.handle(body: Fixtures.docsAllocationRequest.bytes)
        #expect(response.status == 200)
        #expect(response.body["iotHubHostName"] == "custom-allocation-toasters-hub.azure-devices.net")
        #expect(response.body["initialTwin"]?["tags"]?["dtmi"] == JSONValue.string(TestModels.spaceID))
        #expect(response.body["initialTwin"]?["tags"]?["dtId"] == "breakroom499-contoso-tstrsd-007")
        #expect(
            await service.twin("breakroom499-contoso-tstrsd-007")?["$metadata"]?["$model"]
                == JSONValue.string(TestModels.spaceID))
    }

    @Test func docsRequestWithoutPayloadOrDefaultIs400() async throws {
        let response = await function(FakeDigitalTwinsService()).handle(body: Fixtures.docsAllocationRequest.bytes)
        #expect(response.status == 400)
        #expect(response.body["error"]?["message"]?.stringValue?.contains("payload.modelId") == true)
    }

    @Test(arguments: [
        ("not json", "not JSON"),
        ("[1,2]", "JSON object"),
        (#"{"linkedHubs":["h"]}"#, "deviceRuntimeContext"),
        (
            #"{"deviceRuntimeContext":{"symmetricKey":{}},"linkedHubs":["h"]}"#,
            "Registration ID not provided for the device."
        ),
        (
            #"{"deviceRuntimeContext":{"registrationId":""},"linkedHubs":["h"]}"#,
            "Registration ID not provided for the device."
        ),
        (
            #"{"deviceRuntimeContext":{"registrationId":"d1","payload":{"modelId":"dtmi:x:y;1"}},"linkedHubs":[]}"#,
            "No hub group defined for the enrollment."
        ),
        (
            #"{"deviceRuntimeContext":{"registrationId":"d1","payload":{"modelId":"dtmi:x:y;1"}}}"#,
            "No hub group defined for the enrollment."
        ),
        (#"{"deviceRuntimeContext":{"registrationId":"d1"},"linkedHubs":"h"}"#, "linkedHubs must be an array"),
        (#"{"deviceRuntimeContext":{"registrationId":"d1"},"linkedHubs":[1]}"#, "linkedHubs must hold"),
        (
            #"{"deviceRuntimeContext":{"registrationId":"d1","payload":{"modelId":"thermostat"}},"linkedHubs":["h"]}"#,
            "not a valid DTMI"
        ),
        (
            #"{"deviceRuntimeContext":{"registrationId":"d1","payload":{"modelId":7}},"linkedHubs":["h"]}"#,
            "must be a string"
        ),
        (
            #"{"deviceRuntimeContext":{"registrationId":"d1","payload":"x"},"linkedHubs":["h"]}"#,
            "payload must be a JSON object"
        ),
        (Fixtures.docsReprovisioningFragment, "not JSON"),
    ])
    func malformedRequestsAre400(body: String, expected: String) async throws {
        let service = FakeDigitalTwinsService()
        let response = await function(service).handle(body: body.bytes)
        #expect(response.status == 400)
        #expect(response.shouldRetry == false)
        let message = try #require(response.body["error"]?["message"]?.stringValue)
        #expect(message.contains(expected), "\(message)")
        #expect(await service.count("createTwin") == 0)
    }

    @Test func configuredHubsServeRequestsWithoutLinkedHubs() async throws {
        let f = function(FakeDigitalTwinsService(), AllocationConfiguration(linkedHubs: ["local-hub"]))
        let body =
            #"{"deviceRuntimeContext":{"registrationId":"d1","payload":{"modelId":"dtmi:contosocom:DigitalTwins:Thermostat;2"}}}"#
        let response = await f.handle(body: body.bytes)
        #expect(response.status == 200)
        #expect(response.body["iotHubHostName"] == "local-hub")
    }

    @Test func eachHubPolicyChoosesALinkedHub() async throws {
        let hubs = ["hub-a.azure-devices.net", "hub-b.azure-devices.net", "hub-c.azure-devices.net"]
        let policies: [(HubPolicy, String)] = [
            (.first, "hub-a.azure-devices.net"),
            (.hash, HubPolicy.hash.selectHub(for: "thermostat-67", among: hubs)!),
            (.map(["thermostat-": "HUB-C.azure-devices.net"], fallback: .first), "hub-c.azure-devices.net"),
            (.map(["other-": "hub-b.azure-devices.net"], fallback: .first), "hub-a.azure-devices.net"),
        ]
        for (policy, expected) in policies {
            let f = function(FakeDigitalTwinsService(), AllocationConfiguration(hubPolicy: policy))
            let response = await f.handle(body: Fixtures.allocationRequest("thermostat-67", hubs: hubs))
            #expect(response.status == 200)
            #expect(response.body["iotHubHostName"] == JSONValue.string(expected), "\(policy)")
        }
    }

    @Test func existingTwinWithSameModelIsKept() async throws {
        let service = FakeDigitalTwinsService()
        await service.put(
            id: "thermostat-67", ["$metadata": ["$model": .string(TestModels.thermostatID)], "Temperature": 21.5])
        let (_, outcome) = try await function(service).allocate(
            try AllocationRequest.parse(Fixtures.scenarioAllocationRequest.bytes))
        #expect(outcome == .kept)
        #expect(await service.count("createTwin") + service.count("updateTwin") + service.count("replaceTwin") == 0)
        #expect(await service.twin("thermostat-67")?["Temperature"] == 21.5)
    }

    @Test func existingTwinWhosePropertiesFitIsMigrated() async throws {
        let service = FakeDigitalTwinsService()
        await service.put(
            id: "thermostat-67",
            ["$metadata": ["$model": .string(TestModels.spaceID)], "Temperature": 21.5, "Location": "2nd floor"])
        let recorder = LogRecorder()
        let (_, outcome) = try await function(service, logger: recorder.logger).allocate(
            try AllocationRequest.parse(Fixtures.scenarioAllocationRequest.bytes))
        #expect(outcome == .migrated(from: TestModels.spaceID))
        let twin = try #require(await service.twin("thermostat-67"))
        #expect(twin["$metadata"]?["$model"] == JSONValue.string(TestModels.thermostatID))
        #expect(twin["Temperature"] == 21.5)
        #expect(twin["Location"] == "2nd floor")
        let patch = try #require(await service.patches.first)
        #expect(
            JSONWriter.string(patch.patch)
                == #"[{"op":"replace","path":"/$metadata/$model","value":"dtmi:contosocom:DigitalTwins:Thermostat;2"}]"#
        )
        #expect(patch.ifMatch != nil)
        #expect(recorder.contains("migrated"))
    }

    @Test func migrationAddsComponentsTheNewModelRequires() async throws {
        let service = FakeDigitalTwinsService()
        await service.put(id: "d1", ["$metadata": ["$model": .string(TestModels.thermostatID)], "Temperature": 20.0])
        let request = AllocationRequest(registrationID: "d1", linkedHubs: ["h"], modelID: TestModels.smartID)
        let (_, outcome) = try await function(service).allocate(request)
        #expect(outcome == .migrated(from: TestModels.thermostatID))
        let twin = try #require(await service.twin("d1"))
        #expect(twin["diagnostics"] == ["$metadata": [:]])
        #expect(twin["Temperature"] == 20.0)
    }

    @Test func existingTwinWithUndeclaredPropertiesIsReplacedAndLogged() async throws {
        let service = FakeDigitalTwinsService()
        await service.put(
            id: "thermostat-67",
            ["$metadata": ["$model": .string(TestModels.legacyID)], "Humidity": 40.0, "Temperature": 20.0])
        await service.addRelationship(source: "room-1", id: "r1", target: "thermostat-67")
        let recorder = LogRecorder()
        let (_, outcome) = try await function(service, logger: recorder.logger).allocate(
            try AllocationRequest.parse(Fixtures.scenarioAllocationRequest.bytes))
        #expect(outcome == .replaced(from: TestModels.legacyID))
        let twin = try #require(await service.twin("thermostat-67"))
        #expect(twin["$metadata"]?["$model"] == JSONValue.string(TestModels.thermostatID))
        #expect(twin["Humidity"] == nil)
        #expect(await service.calls.contains { $0.hasPrefix("replaceTwin(thermostat-67, ifMatch: W/") })
        #expect(recorder.contains("Humidity"))
        #expect(recorder.contains("replaced"))
        #expect(await service.relationshipCount == 1)
    }

    @Test func serviceRejectedMigrationFallsBackToReplace() async throws {
        let service = FakeDigitalTwinsService()
        await service.put(id: "d1", ["$metadata": ["$model": .string(TestModels.spaceID)], "Temperature": 20.0])
        await service.failNext(
            .updateTwin,
            with: ServiceFailure(status: 400, code: .validationFailed, message: "Temperature: wrong schema"))
        let request = AllocationRequest(registrationID: "d1", linkedHubs: ["h"], modelID: TestModels.thermostatID)
        let (_, outcome) = try await function(service).allocate(request)
        #expect(outcome == .replaced(from: TestModels.spaceID))
    }

    @Test func incompatibleTwinIsRefusedWhenReplacingIsDisabled() async throws {
        let service = FakeDigitalTwinsService()
        await service.put(
            id: "thermostat-67", ["$metadata": ["$model": .string(TestModels.legacyID)], "Humidity": 40.0])
        let f = function(service, AllocationConfiguration(incompatibleTwin: .reject))
        let response = await f.handle(body: Fixtures.scenarioAllocationRequest.bytes)
        #expect(response.status == 409)
        #expect(await service.twin("thermostat-67")?["Humidity"] == 40.0)
    }

    @Test func concurrentAllocationsOfOneIDCreateOnce() async throws {
        let service = FakeDigitalTwinsService()
        await service.armGetTwinBarrier(parties: 2)
        let f = function(service)
        let request = try AllocationRequest.parse(Fixtures.scenarioAllocationRequest.bytes)
        async let first = f.allocate(request)
        async let second = f.allocate(request)
        let outcomes: Set<AllocationFunction.TwinOutcome> = [try await first.1, try await second.1]
        #expect(outcomes == [.created, .kept])
        #expect(await service.successfulCreates == 1)
        #expect(await service.count("createTwin(thermostat-67, ifNoneMatch: true)") == 2)
        #expect(
            await service.twin("thermostat-67")?["$metadata"]?["$model"] == JSONValue.string(TestModels.thermostatID))
    }

    @Test func replaceRacingAnotherWriterRereadsAndRetries() async throws {
        let service = FakeDigitalTwinsService()
        await service.put(id: "d1", ["$metadata": ["$model": .string(TestModels.legacyID)], "Humidity": 1.0])
        await service.failNext(.replaceTwin, with: ServiceFailure.preconditionFailed())
        let request = AllocationRequest(registrationID: "d1", linkedHubs: ["h"], modelID: TestModels.thermostatID)
        let (_, outcome) = try await function(service).allocate(request)
        #expect(outcome == .replaced(from: TestModels.legacyID))
        #expect(await service.count("getTwin") == 2)
    }

    @Test func endlessContentionGivesUpWith503() async throws {
        let service = FakeDigitalTwinsService()
        await service.failNext(.createTwin, with: ServiceFailure.preconditionFailed(), times: 10)
        let f = function(service, AllocationConfiguration(maxAttempts: 3))
        let response = await f.handle(body: Fixtures.scenarioAllocationRequest.bytes)
        #expect(response.status == 503)
        #expect(response.shouldRetry)
        #expect(await service.count("createTwin") == 3)
    }

    @Test func unknownModelIs400() async throws {
        let f = function(FakeDigitalTwinsService())
        let response = await f.handle(body: Fixtures.allocationRequest("d1", model: "dtmi:com:example:Unknown;1"))
        #expect(response.status == 400)
        #expect(response.body["error"]?["code"] == "ModelNotFound")
    }

    @Test func missingBaseModelIsNamed() async throws {
        let service = FakeDigitalTwinsService(models: [TestModels.smart, TestModels.diagnostics])
        let response = await function(service).handle(body: Fixtures.allocationRequest("d1", model: TestModels.smartID))
        #expect(response.status == 400)
        #expect(response.body["error"]?["message"]?.stringValue?.contains("extended by \(TestModels.smartID)") == true)
    }

    @Test(arguments: [
        (ServiceFailure(status: 503, code: .serviceUnavailable) as any Error, 503),
        (ServiceFailure(status: 500, code: .internalServerError) as any Error, 503),
        (ServiceFailure(status: 429, code: .tooManyRequests) as any Error, 503),
        (ServiceFailure(status: 401, code: .unauthorized) as any Error, 502),
        (TransportFailure() as any Error, 503),
    ])
    func serviceFailuresMakeDPSRetry(error: any Error, status: Int) async throws {
        let service = FakeDigitalTwinsService()
        await service.failNext(.getTwin, with: error)
        let response = await function(service).handle(body: Fixtures.scenarioAllocationRequest.bytes)
        #expect(response.status == status)
        #expect(response.shouldRetry)
    }

    @Test func seedTwinHasEveryComponent() async throws {
        let service = FakeDigitalTwinsService()
        let contents = try await ModelContents.resolve(TestModels.smartID, using: service)
        let seed = AllocationFunction.seedTwin(modelID: TestModels.smartID, contents: contents)
        #expect(
            JSONWriter.string(.object(seed))
                == #"{"$metadata":{"$model":"dtmi:com:example:SmartThermostat;1"},"diagnostics":{"$metadata":{}}}"#)
    }
}
