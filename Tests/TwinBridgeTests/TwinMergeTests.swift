import ADTWire
import Testing
import TwinBridge

/// The per-property rule of ``TwinMerge`` and the reading of deliveries, without any server.
struct TwinMergeTests {
    static func twin(_ text: String) -> JSONObject { try! JSONParser.parse(text).objectValue! }
    static func patch(_ text: String) -> [JSONPatchOperation] {
        try! JSONPatchOperation.parseDocument(try! JSONParser.parse(text))
    }

    static let target = twin(
        #"{"$dtId":"t","$metadata":{"$model":"dtmi:x:R;1","temperature":{"lastUpdateTime":"2026-01-01T10:00:05.0000000Z"},"name":{"lastUpdateTime":"2026-01-01T10:00:00Z"}},"temperature":5,"name":"a","thermostat":{"$metadata":{"setPoint":{"lastUpdateTime":"2026-01-01T10:00:00Z"}},"setPoint":20}}"#
    )

    @Test func aNewerChangeApplies() {
        let merge = TwinMerge.plan(
            patch: Self.patch(#"[{"op":"replace","path":"/temperature","value":7}]"#),
            eventTime: "2026-01-01T10:00:06Z", target: Self.target, remembered: [:])
        #expect(merge.conflicts.isEmpty)
        #expect(
            merge.operations.map(\.jsonValue) == [
                try! JSONParser.parse(#"{"op":"add","path":"/temperature","value":7}"#)
            ])
        #expect(merge.written["temperature"]?.hasSuffix("@2026-01-01T10:00:06Z") == true)
    }

    @Test func anOlderChangeLosesToTheTargetsOwnWrite() {
        let merge = TwinMerge.plan(
            patch: Self.patch(
                #"[{"op":"replace","path":"/temperature","value":7},{"op":"replace","path":"/name","value":"b"}]"#),
            eventTime: "2026-01-01T10:00:04.9Z", target: Self.target, remembered: [:])
        // temperature was written on the target at :05, after the change (:04.9); name at :00.
        #expect(merge.conflicts.count == 1)
        #expect(merge.conflicts.first?.hasPrefix("temperature") == true)
        #expect(merge.operations.map(\.path.description) == ["/name"])
    }

    @Test func theBridgesOwnValueIsReplacedByALaterChangeOnly() {
        let mine = TwinMerge.Remembered(fingerprint: fingerprint(.integer(5)), time: "2026-01-01T10:00:01Z").text
        // The target's lastUpdateTime (:05) is when the bridge wrote, later than the change
        // (:03); the value is the bridge's own, so the change applies without a conflict.
        let later = TwinMerge.plan(
            patch: Self.patch(#"[{"op":"replace","path":"/temperature","value":6}]"#),
            eventTime: "2026-01-01T10:00:03Z", target: Self.target, remembered: ["temperature": mine])
        #expect(later.conflicts.isEmpty && later.operations.count == 1)
        // A change older than the one the bridge wrote (delivered out of order) writes nothing.
        let older = TwinMerge.plan(
            patch: Self.patch(#"[{"op":"replace","path":"/temperature","value":4}]"#),
            eventTime: "2026-01-01T10:00:00.5Z", target: Self.target, remembered: ["temperature": mine])
        #expect(older.conflicts.isEmpty && older.operations.isEmpty)
    }

    @Test func aWriteWhoseRecordWasLostIsAdoptedWhenDeliveredAgain() {
        // The bridge wrote 5 (the target stamped it at :05) and crashed before recording it: the
        // memory still holds 4. The change delivered again writes nothing but records 5, so the
        // next change (made at :03, before the target's stamp) applies instead of losing.
        let stale = TwinMerge.Remembered(fingerprint: fingerprint(.integer(4)), time: "2026-01-01T10:00:01Z").text
        let again = TwinMerge.plan(
            patch: Self.patch(#"[{"op":"replace","path":"/temperature","value":5}]"#),
            eventTime: "2026-01-01T10:00:02Z", target: Self.target, remembered: ["temperature": stale])
        #expect(again.operations.isEmpty && again.conflicts.isEmpty)
        let adopted = try! #require(again.written["temperature"])
        let next = TwinMerge.plan(
            patch: Self.patch(#"[{"op":"replace","path":"/temperature","value":6}]"#),
            eventTime: "2026-01-01T10:00:03Z", target: Self.target, remembered: ["temperature": adopted])
        #expect(next.conflicts.isEmpty && next.operations.count == 1)
    }

    @Test func whatTheTargetHasWritesNothing() {
        let merge = TwinMerge.plan(
            patch: Self.patch(
                #"[{"op":"replace","path":"/temperature","value":5},{"op":"remove","path":"/missing"},{"op":"replace","path":"/thermostat/setPoint","value":20}]"#
            ), eventTime: "2026-01-01T09:00:00Z", target: Self.target, remembered: [:])
        #expect(merge.operations.isEmpty && merge.conflicts.isEmpty)
    }

    @Test func componentsAndSourceTimesAreCarried() {
        let merge = TwinMerge.plan(
            patch: Self.patch(
                #"[{"op":"replace","path":"/thermostat/setPoint","value":22},{"op":"add","path":"/thermostat/$metadata/setPoint/sourceTime","value":"2026-01-01T09:59:00Z"}]"#
            ), eventTime: "2026-01-01T10:00:01Z", target: Self.target, remembered: [:])
        #expect(
            merge.operations.map(\.path.description) == [
                "/thermostat/setPoint", "/thermostat/$metadata/setPoint/sourceTime",
            ])
        #expect(merge.written.keys.sorted() == ["thermostat/setPoint"])
    }

    @Test func aCreateOfAnExistingTwinReplacesPropertyByProperty() {
        let created = Self.twin(
            #"{"$dtId":"t","$metadata":{"$model":"dtmi:x:R;1"},"temperature":9,"thermostat":{"$metadata":{},"setPoint":20}}"#
        )
        let ops = TwinMerge.replacement(of: Self.target, with: created)
        let merge = TwinMerge.plan(patch: ops, eventTime: "2026-01-01T11:00:00Z", target: Self.target, remembered: [:])
        // temperature set, name removed, the unchanged component left alone.
        #expect(merge.operations.map(\.path.description).sorted() == ["/name", "/temperature"])
        #expect(merge.operations.first { $0.path.description == "/name" }?.kind == .remove)
    }

    @Test func deliveriesInEveryShape() throws {
        let cloud = try BridgeDelivery.parse(
            body: Array(
                #"[{"specversion":"1.0","id":"1","type":"Microsoft.DigitalTwins.Twin.Update","source":"x","subject":"t","time":"2026-01-01T10:00:00Z","traceparent":"00-b71d9e00aaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbb-01","data":{"modelId":"m","patch":[]}}]"#
                    .utf8),
            headers: [:])
        guard case .events(let events) = cloud else { Issue.record("not events"); return }
        #expect(events.count == 1 && BridgeMarker.isEcho(events[0]))

        let grid = try BridgeDelivery.parse(
            body: Array(
                #"[{"id":"1","eventType":"Microsoft.DigitalTwins.Twin.Delete","subject":"t","eventTime":"2026-01-01T10:00:00Z","data":{"$dtId":"t"},"dataVersion":"1.0"}]"#
                    .utf8),
            headers: [:])
        guard case .events(let gridEvents) = grid else { Issue.record("not events"); return }
        #expect(gridEvents[0]["type"] == "Microsoft.DigitalTwins.Twin.Delete")
        #expect(gridEvents[0]["time"] == "2026-01-01T10:00:00Z")
        #expect(!BridgeMarker.isEcho(gridEvents[0]))

        let validation = try BridgeDelivery.parse(
            body: Array(
                #"[{"id":"v","eventType":"Microsoft.EventGrid.SubscriptionValidationEvent","data":{"validationCode":"abc"}}]"#
                    .utf8),
            headers: [:])
        #expect(validation == .subscriptionValidation(code: "abc"))

        let binary = try BridgeDelivery.parse(
            body: Array(#"{"$dtId":"t"}"#.utf8),
            headers: [
                "ce-type": "Microsoft.DigitalTwins.Twin.Delete", "ce-subject": "t",
                "traceparent": "00-\(BridgeMarker.prefix)000000000000000000000000-0000000000000001-01",
            ])
        guard case .events(let binaryEvents) = binary else { Issue.record("not events"); return }
        #expect(binaryEvents[0]["subject"] == "t" && BridgeMarker.isEcho(binaryEvents[0]))

        #expect(throws: BridgeFailure.self) { try BridgeDelivery.parse(body: Array("[1]".utf8), headers: [:]) }
        #expect(throws: BridgeFailure.self) { try BridgeDelivery.parse(body: Array("nope".utf8), headers: [:]) }
    }

    @Test func theBridgesTraceContextIsValidAndMarked() {
        let parent = BridgeMarker.traceparent()
        let parts = parent.split(separator: "-")
        #expect(parts.count == 4 && parts[1].count == 32 && parts[2].count == 16)
        #expect(BridgeMarker.isEcho(JSONObject([(key: "traceparent", value: .string(parent))])))
    }
}
