import ADTWire
@testable import DTDL
import Testing

/// A micro-check that validating a twin of a ~20-property model stays cheap: no timing
/// assertion (shared CI machines vary), only many rounds that must all pass. Run with
/// `swift test -c release --filter ValidationPerformanceTests` to look at the duration.
@Suite struct ValidationPerformanceTests {
    static let model: InterfaceModel = {
        var properties: [String: Schema] = [:]
        for i in 0..<8 { properties["number\(i)"] = .primitive(.double) }
        for i in 0..<6 { properties["label\(i)"] = .primitive(.string) }
        properties["count"] = .primitive(.integer)
        properties["active"] = .primitive(.boolean)
        properties["installed"] = .primitive(.dateTime)
        properties["period"] = .primitive(.duration)
        properties["position"] = .object(ValidationModels.coordinates)
        properties["status"] = .enumeration(ValidationModels.statusEnum)
        return ValidationModels.interface("dtmi:test:Sensor;1", properties: properties)
    }()

    static let twin: JSONObject = {
        var text =
            #"{"$dtId": "s1", "$metadata": {"$model": "dtmi:test:Sensor;1", "number0": {"sourceTime": "2024-01-01T00:00:00Z"}}"#
        for i in 0..<8 { text += #", "number\#(i)": \#(i).5"# }
        for i in 0..<6 { text += #", "label\#(i)": "label number \#(i)""# }
        text += #", "count": 7, "active": true, "installed": "2024-01-01T10:00:00.123Z", "period": "PT15M""#
        text += #", "position": {"latitude": 47.6, "longitude": -122.1}, "status": 1}"#
        return try! ValidationModels.object(text)
    }()

    @Test func manyValidationsOfATwentyPropertyTwin() {
        let validator = InstanceValidator(graph: ModelGraph(interfaces: [Self.model.id: Self.model]))
        let twin = Self.twin
        #expect(twin.count == 22)
        var failures = 0
        for _ in 0..<20_000 {
            do { try validator.validateTwin(twin) } catch { failures += 1 }
        }
        #expect(failures == 0)
    }
}
