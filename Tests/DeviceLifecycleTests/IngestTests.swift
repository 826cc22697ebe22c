import ADTWire
import DTDL
@testable import DeviceLifecycle
import Foundation
import Logging
import Testing

@Suite struct IngestTests {
    func function(
        _ service: FakeDigitalTwinsService, _ configuration: IngestConfiguration = IngestConfiguration(),
        logger: Logger = .silent
    )
        -> IngestFunction
    {
        IngestFunction(
            service: service, configuration: configuration, logger: logger, models: ModelCache(timeToLive: .zero))
    }

    func service(model: String = TestModels.thermostatID, _ members: JSONValue = [:], id: String = "thermostat-67")
        async
        -> FakeDigitalTwinsService
    {
        let service = FakeDigitalTwinsService()
        var twin = JSONObject([("$metadata", ["$model": .string(model)])])
        if model == TestModels.smartID { twin["diagnostics"] = ["$metadata": [:]] }
        for (k, v) in members.objectValue! { twin[k] = v }
        await service.put(id: id, .object(twin))
        return service
    }

    /// A telemetry message in the Event Hubs envelope (enqueued 2022-05-27T18:49:38.534Z).
    func envelope(body: String, device: String = "thermostat-67", extraSystem: String = "", extraTop: String = "")
        -> String
    {
        """
        {"properties": {}, "systemProperties": {"iothub-connection-device-id": "\(device)", "iothub-connection-auth-method": "{}",
          "iothub-enqueuedtime": 1653677378534, "iothub-message-source": "Telemetry",
          "content-type": "application/json", "content-encoding": "utf-8"\(extraSystem)},
         "body": \(body)\(extraTop)}
        """
    }

    @Test func eventHubsJSONBodyAddsPropertyWithSourceTime() async throws {
        let service = await service()
        let response = await function(service).handle(body: envelope(body: #"{"Temperature": 25.3}"#).bytes)
        #expect(response.status == 200)
        #expect(JSONWriter.string(response.body["properties"]!) == #"["Temperature"]"#)
        let patch = try #require(await service.patches.first)
        #expect(
            JSONWriter.string(patch.patch)
                == #"[{"op":"add","path":"/Temperature","value":25.3},{"op":"replace","path":"/$metadata/Temperature/sourceTime","value":"2022-05-27T18:49:38.534Z"}]"#
        )
        #expect(patch.ifMatch?.hasPrefix("W/") == true)
        let twin = try #require(await service.twin("thermostat-67"))
        #expect(twin["Temperature"] == 25.3)
        #expect(twin["$metadata"]?["Temperature"]?["sourceTime"] == "2022-05-27T18:49:38.534Z")
    }

    /// A batch with ten readings for one twin (from two devices, one naming the twin by its
    /// `dtId` property) and one for another twin: the twin's readings are applied in the batch's
    /// order (the last wins), whatever runs concurrently.
    @Test func aBatchAppliesOneTwinsReadingsInOrder() async throws {
        let service = await service()
        await service.put(id: "other", ["$metadata": ["$model": .string(TestModels.thermostatID)]])
        let readings = (1...10).map { i in
            i % 2 == 0
                ? envelope(body: #"{"Temperature": \#(i).5}"#)
                : envelope(body: #"{"Temperature": \#(i).5}"#, device: "gateway-device").replacingOccurrences(
                    of: #""properties": {}"#, with: #""properties": {"dtId": "thermostat-67"}"#)
        }
        let body =
            "[" + (readings + [envelope(body: #"{"Temperature": 99.5}"#, device: "other")]).joined(separator: ",") + "]"
        let response = await function(service).handle(body: body.bytes)
        #expect(response.status == 200)
        #expect(response.body["results"]?.arrayValue?.count == 11)
        let values = await service.patches.filter { $0.id == "thermostat-67" }.map {
            $0.patch.arrayValue?.first?["value"]
        }
        #expect(values == (1...10).map { .double(Double($0) + 0.5) })
        #expect(await service.twin("thermostat-67")?["Temperature"] == 10.5)
        #expect(await service.twin("other")?["Temperature"] == 99.5)
    }

    @Test func existingPropertyIsReplaced() async throws {
        let service = await service(["Temperature": 20.0, "Location": "hall"])
        let response = await function(service).handle(
            body: envelope(body: #"{"Temperature": 25.3, "ComfortIndex": 0.8}"#).bytes)
        #expect(response.status == 200)
        let patch = try #require(await service.patches.first?.patch.arrayValue)
        #expect(patch.count == 4)
        #expect(patch[0] == ["op": "replace", "path": "/Temperature", "value": 25.3])
        #expect(patch[2] == ["op": "add", "path": "/ComfortIndex", "value": 0.8])
        #expect(await service.patches.count == 1)
    }

    @Test func base64BodyMarkedOrNot() async throws {
        let encoded = Data(#"{"Temperature": 22.5}"#.utf8).base64EncodedString()
        for text in [
            envelope(body: "\"\(encoded)\"", extraTop: #", "bodyEncoding": "base64""#),
            envelope(body: "\"\(encoded)\""),
            envelope(body: #""{\"Temperature\": 22.5}""#),
        ] {
            let service = await service()
            let response = await function(service).handle(body: text.bytes)
            #expect(response.status == 200, "\(text)")
            #expect(await service.twin("thermostat-67")?["Temperature"] == 22.5)
        }
    }

    @Test func enqueuedTimeAsISOString() async throws {
        let service = await service()
        let text = envelope(body: #"{"Temperature": 1.5}"#).replacingOccurrences(
            of: "1653677378534", with: #""2022-05-27T18:49:38.5340000Z""#)
        _ = await function(service).handle(body: text.bytes)
        #expect(
            await service.twin("thermostat-67")?["$metadata"]?["Temperature"]?["sourceTime"]
                == "2022-05-27T18:49:38.5340000Z")
    }

    @Test func eventGridTelemetryWithBase64Body() async throws {
        let service = await service(id: "d1")
        let encoded = Data(#"{"Temperature": 19.25, "Location": "lab"}"#.utf8).base64EncodedString()
        let body = """
            [{"id":"e1","subject":"devices/d1","eventType":"Microsoft.Devices.DeviceTelemetry","eventTime":"2019-01-07T20:58:31Z",
              "data":{"body":"\(encoded)","properties":{},
                      "systemProperties":{"iothub-connection-device-id":"d1","iothub-enqueuedtime":"2019-01-07T20:58:30.48Z",
                                          "iothub-message-source":"Telemetry"}},
              "dataVersion":"","metadataVersion":"1"}]
            """
        let response = await function(service).handle(body: body.bytes)
        #expect(response.status == 200)
        let twin = try #require(await service.twin("d1"))
        #expect(twin["Temperature"] == 19.25)
        #expect(twin["Location"] == "lab")
        #expect(twin["$metadata"]?["Location"]?["sourceTime"] == "2019-01-07T20:58:30.48Z")
    }

    @Test func eventGridDocsExamplePatchesDeclaredAndIgnoresTheRest() async throws {
        let service = await service(id: "d1")
        let response = await function(service).handle(body: Fixtures.eventGridTelemetryJSON.bytes)
        #expect(response.status == 200)
        #expect(JSONWriter.string(response.body["properties"]!) == #"["Location"]"#)
        #expect(JSONWriter.string(response.body["ignored"]!) == #"["Weather"]"#)
        #expect(await service.twin("d1")?["Location"] == "USA")
    }

    @Test func telemetryIsForwardedInOneCall() async throws {
        let service = await service(model: TestModels.smartID)
        let text = envelope(
            body: #"{"Temperature": 21.0, "humidity": 40, "pressure": 1013.2, "noise": 3}"#,
            extraSystem: #", "message-id": "msg-17""#)
        let recorder = LogRecorder()
        let response = await function(service, logger: recorder.logger).handle(body: text.bytes)
        #expect(response.status == 200)
        #expect(JSONWriter.string(response.body["telemetry"]!) == #"["humidity","pressure"]"#)
        #expect(JSONWriter.string(response.body["ignored"]!) == #"["noise"]"#)
        let sent = await service.telemetry
        #expect(sent.count == 1)
        #expect(sent.first?.payload == obj(["humidity": 40, "pressure": 1013.2]))
        #expect(sent.first?.messageID == "msg-17")
        #expect(sent.first?.sourceTime == "2022-05-27T18:49:38.534Z")
        #expect(await service.twin("thermostat-67")?["Temperature"] == 21.0)
        #expect(recorder.all.contains { $0.level == .debug && $0.metadata.contains("noise") })
    }

    @Test func telemetryForwardingCanBeTurnedOff() async throws {
        let service = await service(model: TestModels.smartID)
        let response = await function(service, IngestConfiguration(forwardTelemetry: false)).handle(
            body: envelope(body: #"{"humidity": 40}"#).bytes)
        #expect(response.status == 200)
        #expect(await service.telemetry.isEmpty)
    }

    @Test func undeclaredNamesAloneWriteNothing() async throws {
        let service = await service()
        let response = await function(service).handle(
            body: envelope(body: #"{"Weather": {"Temperature": 900}, "contains": 1}"#).bytes)
        #expect(response.status == 200)
        #expect(await service.count("updateTwin") == 0)
        #expect(await service.count("publishTelemetry") == 0)
    }

    @Test func sourceTimeCanBeTurnedOff() async throws {
        let service = await service()
        _ = await function(service, IngestConfiguration(setSourceTime: false)).handle(
            body: envelope(body: #"{"Temperature": 1.0}"#).bytes)
        #expect(await service.patches.first?.patch.arrayValue?.count == 1)
    }

    @Test func redeliveryWritesNothingNewAndKeepsTheMessageID() async throws {
        let service = await service(model: TestModels.smartID)
        let f = function(service)
        let text = envelope(body: #"{"Temperature": 21.0, "humidity": 40}"#)
        _ = await f.handle(body: text.bytes)
        let second = await f.handle(body: text.bytes)
        #expect(second.status == 200)
        #expect(await service.patches.count == 1)
        let sent = await service.telemetry
        #expect(sent.count == 2)
        #expect(sent[0].messageID == sent[1].messageID)
    }

    @Test func missingTwinIs404AndNotRetried() async throws {
        let recorder = LogRecorder()
        let response = await function(FakeDigitalTwinsService(), logger: recorder.logger).handle(
            body: envelope(body: #"{"Temperature": 1}"#).bytes)
        #expect(response.status == 404)
        #expect(response.shouldRetry == false)
        #expect(response.body["error"]?["code"] == "DigitalTwinNotFound")
        #expect(recorder.all.contains { $0.level == .warning })
    }

    @Test func missingModelIs404() async throws {
        let service = await service(model: "dtmi:com:example:Gone;1")
        let response = await function(service).handle(body: envelope(body: #"{"Temperature": 1}"#).bytes)
        #expect(response.status == 404)
        #expect(response.body["error"]?["code"] == "ModelNotFound")
    }

    @Test func preconditionFailedRereadsAndRebuildsThePatch() async throws {
        let service = await service()
        await service.failNext(.updateTwin, with: ServiceFailure.preconditionFailed())
        let response = await function(service).handle(body: envelope(body: #"{"Temperature": 3.0}"#).bytes)
        #expect(response.status == 200)
        #expect(await service.count("getTwin") == 2)
        #expect(await service.twin("thermostat-67")?["Temperature"] == 3.0)
    }

    @Test func serviceOutageIs503() async throws {
        let service = await service()
        await service.failNext(.updateTwin, with: ServiceFailure(status: 503, code: .serviceUnavailable))
        let response = await function(service).handle(body: envelope(body: #"{"Temperature": 3.0}"#).bytes)
        #expect(response.status == 503)
    }

    @Test func rejectedValueIs400() async throws {
        let service = await service()
        await service.failNext(
            .updateTwin,
            with: ServiceFailure(status: 400, code: .validationFailed, message: "Temperature must be double"))
        let response = await function(service).handle(body: envelope(body: #"{"Temperature": "hot"}"#).bytes)
        #expect(response.status == 400)
        #expect(response.body["error"]?["code"] == "ValidationFailed")
    }

    @Test func nonTelemetryMessagesAreIgnored() async throws {
        let response = await function(await service()).handle(body: Fixtures.lifecycleEnvelope().bytes)
        #expect(response.status == 202)
        let eventGrid = await function(await service()).handle(body: Fixtures.eventGridDeviceDeleted.bytes)
        #expect(eventGrid.status == 202)
    }

    @Test(arguments: [
        #"{"properties": {}, "systemProperties": {}, "body": {"Temperature": 1}}"#,
        #"{"properties": {}, "systemProperties": {"iothub-connection-device-id": "d1"}, "body": "not base64 or json!"}"#,
        #"{"properties": {}, "systemProperties": {"iothub-connection-device-id": "d1"}, "body": [1, 2]}"#,
    ])
    func malformedMessagesAre400(body: String) async throws {
        let response = await function(await service()).handle(body: body.bytes)
        #expect(response.status == 400)
    }

    @Test func validationHandshake() async throws {
        let response = await function(FakeDigitalTwinsService()).handle(body: Fixtures.subscriptionValidation.bytes)
        #expect(response.body["validationResponse"] == "512d38b6-c7b8-40c8-89fe-f46f9e9622b6")
    }

    @Test func enrichmentDtIdNamesTheTwin() async throws {
        let service = await service(id: "boiler-1")
        let text = envelope(body: #"{"Temperature": 5.0}"#).replacingOccurrences(
            of: #""properties": {}"#, with: #""properties": {"dtId": "boiler-1"}"#)
        let response = await function(service).handle(body: text.bytes)
        #expect(response.body["twinId"] == "boiler-1")
        #expect(await service.twin("boiler-1")?["Temperature"] == 5.0)
    }

    @Test func derivedMessageIDIsStable() {
        let a = TelemetryMessage(deviceID: "d1", body: obj(["x": 1]), sourceTime: "2022-05-27T18:49:38.534Z")
        let b = TelemetryMessage(deviceID: "d1", body: obj(["x": 1]), sourceTime: "2022-05-27T18:49:38.534Z")
        let c = TelemetryMessage(deviceID: "d1", body: obj(["x": 2]), sourceTime: "2022-05-27T18:49:38.534Z")
        #expect(a.messageID == b.messageID)
        #expect(a.messageID != c.messageID)
        #expect(a.messageID.count == 32)
    }

    @Test(arguments: [
        (JSONValue.integer(1_653_677_378_534), "2022-05-27T18:49:38.534Z"),
        (JSONValue.string("1653677378534"), "2022-05-27T18:49:38.534Z"),
        (JSONValue.string("2019-01-07T20:58:30.48Z"), "2019-01-07T20:58:30.48Z"),
        (JSONValue.string("2019-01-07T20:58:30+01:00"), "2019-01-07T20:58:30+01:00"),
        (JSONValue.string("2019-01-07T20:58:30.4800000"), "2019-01-07T20:58:30.4800000Z"),
    ])
    func timestampsNormalise(value: JSONValue, expected: String) {
        #expect(Timestamp.normalize(value) == expected)
    }

    @Test func badTimestampsAreDropped() {
        #expect(Timestamp.normalize(.string("yesterday")) == nil)
        #expect(Timestamp.normalize(.bool(true)) == nil)
        #expect(Timestamp.normalize(nil) == nil)
        // Epoch times RFC 3339 cannot write (and whose microseconds would overflow) are dropped.
        #expect(Timestamp.normalize(.string("10000000000000000")) == nil)
        #expect(Timestamp.normalize(.integer(Int64.max)) == nil)
        #expect(Timestamp.normalize(.integer(-62_135_596_800_001)) == nil)
        #expect(Timestamp.normalize(.double(1e300)) == nil)
        #expect(Timestamp.normalize(.integer(-62_135_596_800_000)) == "0001-01-01T00:00:00.000Z")
    }
}
