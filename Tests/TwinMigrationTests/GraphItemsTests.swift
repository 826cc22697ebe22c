import ADTWire
import Testing
import TwinMigration

@Suite struct GraphItemsTests {
    func model(_ id: String, extends: String? = nil, component: String? = nil) -> JSONValue {
        var object = JSONObject([(key: "@id", value: .string(id)), (key: "@type", value: "Interface")])
        if let extends { object["extends"] = .string(extends) }
        if let component {
            object["contents"] = .array([
                .object(
                    JSONObject([
                        (key: "@type", value: "Component"), (key: "name", value: "c"),
                        (key: "schema", value: .string(component)),
                    ]))
            ])
        }
        return .object(object)
    }

    @Test func modelsComeAfterWhatTheyExtendAndUse() {
        let models = [
            model("dtmi:a;1", extends: "dtmi:b;1"), model("dtmi:b;1", component: "dtmi:c;1"), model("dtmi:c;1"),
            model("dtmi:d;1", extends: "dtmi:elsewhere;1"),
        ]
        let order = GraphItems.dependencyOrder(models).compactMap { $0["@id"]?.stringValue }
        #expect(order == ["dtmi:c;1", "dtmi:b;1", "dtmi:a;1", "dtmi:d;1"])
        let batches = GraphItems.uploadBatches(models, size: 2).map { $0.compactMap { $0["@id"]?.stringValue } }
        #expect(batches == [["dtmi:c;1", "dtmi:b;1"], ["dtmi:a;1", "dtmi:d;1"]])
    }

    @Test func aPortableTwinDropsWhatTheServiceSets() throws {
        let served = try #require(
            try JSONParser.parse(
                #"{"$dtId":"t","$etag":"W/\"1\"","temperature":20,"thermostat":{"setPoint":21,"$metadata":{"$lastUpdateTime":"x","setPoint":{"lastUpdateTime":"y"}}},"$metadata":{"$model":"dtmi:ex:Room;1","$lastUpdateTime":"z","temperature":{"lastUpdateTime":"z","sourceTime":"2026-01-01T00:00:00Z"}}}"#
            ).objectValue)
        #expect(
            JSONWriter.string(.object(GraphItems.portableTwin(served)))
                == #"{"$dtId":"t","temperature":20,"thermostat":{"setPoint":21,"$metadata":{}},"$metadata":{"$model":"dtmi:ex:Room;1","temperature":{"sourceTime":"2026-01-01T00:00:00Z"}}}"#
        )
        // Another etag and other times, the same twin; 20 and 20.0 are the same value.
        var other = served
        other["$etag"] = "W/\"2\""
        other["temperature"] = .double(20)
        #expect(GraphItems.twinFingerprint(served) == GraphItems.twinFingerprint(other))
        other["temperature"] = .double(21)
        #expect(GraphItems.twinFingerprint(served) != GraphItems.twinFingerprint(other))
    }

    @Test func aPortableRelationshipNamesItsSourceAsDtId() throws {
        let served = try #require(
            try JSONParser.parse(
                #"{"$relationshipId":"r","$etag":"W/\"1\"","$sourceId":"a","$relationshipName":"next","$targetId":"b","distance":2}"#
            ).objectValue)
        let portable = GraphItems.portableRelationship(served)
        #expect(
            JSONWriter.string(.object(portable))
                == #"{"$dtId":"a","$relationshipId":"r","$targetId":"b","$relationshipName":"next","distance":2}"#)
        #expect(
            JSONWriter.string(.object(GraphItems.relationshipBody(portable)))
                == #"{"$relationshipId":"r","$targetId":"b","$relationshipName":"next","distance":2}"#)
    }
}
