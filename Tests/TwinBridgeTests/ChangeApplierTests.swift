import ADTWire
import DigitalTwinsClient
import GatewayTestSupport
import Logging
import Testing
import TwinBridge
import TwinTestSupport

/// ``ChangeApplier`` against one real gateway, notification by notification: what it writes,
/// what it leaves, what it counts.
@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)), .timeLimit(.minutes(2)))
struct ChangeApplierTests {
    static func event(_ type: String, subject: String, time: String, data: String, traceparent: String? = nil)
        -> JSONObject
    {
        var event = JSONObject()
        event["specversion"] = "1.0"
        event["id"] = .string(time)
        event["type"] = .string("Microsoft.DigitalTwins." + type)
        event["source"] = "other.example"
        event["subject"] = .string(subject)
        event["time"] = .string(time)
        if let traceparent { event["traceparent"] = .string(traceparent) }
        event["data"] = try! JSONParser.parse(data)
        return event
    }

    static func update(_ path: String, _ value: String, at time: String) -> JSONObject {
        event(
            "Twin.Update", subject: "t", time: time,
            data: #"{"modelId":"dtmi:bridge:Room;1","patch":[{"op":"replace","path":"\#(path)","value":\#(value)}]}"#)
    }

    @Test func changesApplyOnceInOrderAndLoseToNewerLocalWrites() async throws {
        try await LiveGateway.plain { endpoint in
            let target = try DigitalTwinsClient(endpoint: endpoint.url)
            _ = try await target.createModels(BridgeSides.models)
            let applier = ChangeApplier(
                target: target, source: nil, memory: InMemoryBridgeMemory(), ordered: true, logger: BridgeSides.logger)
            let created = Self.event(
                "Twin.Create", subject: "t", time: "2026-01-01T10:00:00Z",
                data:
                    #"{"$dtId":"t","$etag":"W/\"x\"","$metadata":{"$model":"dtmi:bridge:Room;1"},"temperature":0,"name":"a","thermostat":{"$metadata":{}}}"#
            )
            #expect(await applier.apply(created).kind == .applied)
            #expect(await applier.apply(created).kind == .unchanged)
            #expect(await applier.apply(Self.update("/temperature", "14", at: "2026-01-01T10:00:14Z")).kind == .applied)
            // Delivered again, an older change does not undo a newer one.
            #expect(
                await applier.apply(Self.update("/temperature", "4", at: "2026-01-01T10:00:04Z")).kind == .unchanged)
            #expect(try await target.getTwin(id: "t").json["temperature"]?.numberValue == 14)

            // Written on the target itself now: an older change of that property loses, and is
            // counted; a newer change of another property applies.
            try await target.updateTwin(id: "t", patch: [.replace("/name", "local")])
            let older = await applier.apply(Self.update("/name", #""remote""#, at: "2026-01-01T10:00:20Z"))
            #expect(older.kind == .conflict && older.conflicts == 1)
            let newer = await applier.apply(Self.update("/temperature", "15", at: UTCTimestamp.now()))
            #expect(newer.kind == .applied && newer.conflicts == 0)
            let twin = try await target.getTwin(id: "t").json
            #expect(twin["name"] == "local" && twin["temperature"]?.numberValue == 15)

            // The bridge's own change coming back is not applied.
            let echo = Self.event(
                "Twin.Update", subject: "t", time: UTCTimestamp.now(),
                data: #"{"modelId":"dtmi:bridge:Room;1","patch":[{"op":"replace","path":"/name","value":"echo"}]}"#,
                traceparent: BridgeMarker.traceparent())
            #expect(await applier.apply(echo).kind == .echo)
            #expect(try await target.getTwin(id: "t").json["name"] == "local")

            // A relationship: created once, the same again writes nothing, deleted twice is done.
            var second = created
            second["data"] = try JSONParser.parse(
                #"{"$dtId":"u","$metadata":{"$model":"dtmi:bridge:Room;1"},"thermostat":{"$metadata":{}}}"#)
            #expect(await applier.apply(second).kind == .applied)
            let relationship = Self.event(
                "Relationship.Create", subject: "t/relationships/r1", time: UTCTimestamp.now(),
                data:
                    #"{"$relationshipId":"r1","$sourceId":"t","$targetId":"u","$relationshipName":"next","distance":1}"#
            )
            let made = await applier.apply(relationship)
            #expect(made.kind == .applied, "\(made.failure ?? "")")
            #expect(await applier.apply(relationship).kind == .unchanged)
            let gone = Self.event(
                "Relationship.Delete", subject: "t/relationships/r1", time: UTCTimestamp.now(),
                data: #"{"$relationshipId":"r1","$sourceId":"t","$targetId":"u","$relationshipName":"next"}"#)
            #expect(await applier.apply(gone).kind == .applied)
            #expect(await applier.apply(gone).kind == .unchanged)

            // A twin delete, twice; telemetry is not a change.
            let deleted = Self.event("Twin.Delete", subject: "t", time: UTCTimestamp.now(), data: #"{"$dtId":"t"}"#)
            #expect(await applier.apply(deleted).kind == .applied)
            #expect(await applier.apply(deleted).kind == .unchanged)
            var telemetry = JSONObject()
            telemetry["type"] = "microsoft.iot.telemetry"
            telemetry["data"] = .object(JSONObject())
            #expect(await applier.apply(telemetry).kind == .ignored)
        }
    }

    @Test func aModelTheTargetLacksIsCopiedFromTheSource() async throws {
        try await LiveGateway.plain { sourceEndpoint in
            try await LiveGateway.plain { targetEndpoint in
                let source = try DigitalTwinsClient(endpoint: sourceEndpoint.url)
                let target = try DigitalTwinsClient(endpoint: targetEndpoint.url)
                _ = try await source.createModels(BridgeSides.models)
                let applier = ChangeApplier(
                    target: target, source: ClientBridgeSource(client: source), memory: InMemoryBridgeMemory(),
                    ordered: true, logger: BridgeSides.logger)
                let created = Self.event(
                    "Twin.Create", subject: "t", time: UTCTimestamp.now(),
                    data: #"{"$dtId":"t","$metadata":{"$model":"dtmi:bridge:Room;1"},"thermostat":{"$metadata":{}}}"#)
                #expect(await applier.apply(created).kind == .applied)
                #expect(try await target.getModel(id: "dtmi:bridge:Thermostat;1").id == "dtmi:bridge:Thermostat;1")
                // Without a source, a missing model is a failure to retry, naming the model.
                let lonely = ChangeApplier(
                    target: try DigitalTwinsClient(endpoint: sourceEndpoint.url), source: nil,
                    memory: InMemoryBridgeMemory(), ordered: true, logger: BridgeSides.logger)
                var other = created
                other["data"] = try JSONParser.parse(#"{"$dtId":"u","$metadata":{"$model":"dtmi:none:X;1"}}"#)
                let failed = await lonely.apply(other)
                #expect(failed.kind == .failed && failed.failure?.contains("dtmi:none:X;1") == true)
            }
        }
    }
}
