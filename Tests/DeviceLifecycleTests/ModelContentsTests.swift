import ADTWire
import DTDL
@testable import DeviceLifecycle
import Testing

@Suite struct ModelContentsTests {
    @Test func inheritanceSemanticTypesAndComponents() async throws {
        let contents = try await ModelContents.resolve(TestModels.smartID, using: FakeDigitalTwinsService())
        #expect(contents.kind(of: "Temperature") == .property)
        #expect(contents.kind(of: "humidity") == .telemetry)
        #expect(contents.kind(of: "diagnostics") == .component)
        #expect(contents.kind(of: "serves") == .relationship)
        #expect(contents.kind(of: "Weather") == nil)
        #expect(contents.bases == [TestModels.thermostatID])
    }

    @Test func cyclesAndInlineBasesAndClassIRIs() async throws {
        let a = obj(
            .parse(
                """
                {"@id": "dtmi:t:A;1", "@type": "Interface", "extends": ["dtmi:t:B;1",
                   {"@id": "dtmi:t:Inline;1", "@type": "Interface",
                    "contents": [{"@type": "dtmi:dtdl:class:Telemetry;3", "name": "inlineT", "schema": "double"}]}],
                 "contents": [{"@type": "Property", "name": "a", "schema": "double"}]}
                """))
        let b = obj(
            .parse(
                """
                {"@id": "dtmi:t:B;1", "@type": "Interface", "extends": "dtmi:t:A;1",
                 "contents": [{"@type": "Property", "name": "a", "schema": "string"},
                              {"@type": "Property", "name": "b", "schema": "string"}]}
                """))
        let contents = try await ModelContents.resolve("dtmi:t:A;1", using: FakeDigitalTwinsService(models: [a, b]))
        #expect(contents.declarations == ["a": .property, "b": .property, "inlineT": .telemetry])
        #expect(Set(contents.bases) == ["dtmi:t:B;1", "dtmi:t:Inline;1"])
    }

    @Test func cacheServesRepeatsWithoutCallingTheService() async throws {
        let service = FakeDigitalTwinsService()
        let cache = ModelCache(timeToLive: .seconds(60))
        _ = try await cache.contents(of: TestModels.smartID, using: service)
        _ = try await cache.contents(of: TestModels.smartID, using: service)
        #expect(await service.count("model(") == 2)
        await cache.removeAll()
        _ = try await cache.contents(of: TestModels.smartID, using: service)
        #expect(await service.count("model(") == 4)
    }

    @Test func replacementPatchTurnsOneTwinIntoAnother() throws {
        let current = obj(
            .parse(
                #"{"$dtId":"d1","$etag":"W/\"1\"","Humidity":40,"Temperature":20,"$metadata":{"$model":"dtmi:com:example:LegacySensor;1"}}"#
            ))
        let replacement = obj(
            .parse(
                #"{"$metadata":{"$model":"dtmi:contosocom:DigitalTwins:Thermostat;2","Temperature":{"sourceTime":"2024-01-01T00:00:00Z"}},"Temperature":0.0,"Location":"x"}"#
            ))
        let patch = TwinReplacement.patch(from: current, to: replacement)
        #expect(
            JSONWriter.string(patch)
                == #"[{"op":"remove","path":"/Humidity"},{"op":"replace","path":"/$metadata/$model","value":"dtmi:contosocom:DigitalTwins:Thermostat;2"},{"op":"replace","path":"/Temperature","value":0.0},{"op":"add","path":"/Location","value":"x"},{"op":"replace","path":"/$metadata/Temperature/sourceTime","value":"2024-01-01T00:00:00Z"}]"#
        )
        var document = JSONValue.object(current)
        for op in patch.arrayValue! { try FakeDigitalTwinsService.apply(op, to: &document) }
        #expect(document["Humidity"] == nil)
        #expect(document["Location"] == "x")
        #expect(document["$metadata"]?["$model"] == "dtmi:contosocom:DigitalTwins:Thermostat;2")
    }

    @Test func serviceFailureReadsADTErrorBodies() {
        let body = Array(
            #"{"error":{"code":"DigitalTwinNotFound","message":"There is no digital twin instance that exists with the ID x."}}"#
                .utf8)
        let failure = ServiceFailure(status: 404, responseBody: body)
        #expect(failure.code == .digitalTwinNotFound)
        #expect(failure.isNotFound)
        #expect(ServiceFailure(status: 412, responseBody: []).code == .preconditionFailed)
        #expect(ServiceFailure(status: 502, responseBody: Array("<html>".utf8)).code == .serviceUnavailable)
        #expect(ServiceFailure(status: 400, responseBody: [], headerCode: "JsonPatchInvalid").code == .jsonPatchInvalid)
        #expect(ServiceFailure(status: 503, code: .serviceUnavailable).isTransient)
        #expect(!ServiceFailure(status: 403, code: .forbidden).isTransient)
    }
}
