import ADTWire
@testable import DTDL
import Testing

@Suite struct ValidationPatchTests {
    let validator = ValidationModels.validator

    /// A stored thermostat twin, stamped as the service would have it.
    func storedThermostat() throws -> JSONObject {
        try ValidationModels.object(
            """
            {"$dtId": "th", "$etag": "W/\\"1\\"", "targetTemperature": 20, "maxTempSinceLastReboot": 25,
             "$metadata": {"$model": "\(ValidationModels.thermostatID)", "$lastUpdateTime": "2022-01-01T00:00:00Z",
               "targetTemperature": {"lastUpdateTime": "2022-01-01T00:00:00Z", "sourceTime": "2021-12-31T00:00:00Z"},
               "maxTempSinceLastReboot": {"lastUpdateTime": "2022-01-01T00:00:00Z"}}}
            """)
    }

    func patch(_ text: String, _ twin: JSONObject) throws(DTDLError) -> TwinPatchResult {
        let document: JSONValue
        do { document = try JSONParser.parse(text) } catch { throw DTDLError(.invalidArgument, "\(error)") }
        return try validator.applyTwinPatch(document, to: twin)
    }

    func error(_ text: String, _ twin: JSONObject) -> DTDLError? {
        ValidationModels.caught { () throws(DTDLError) in _ = try patch(text, twin) }
    }

    @Test func replaceKeepsSourceTimeAndReportsChange() throws {
        let result = try patch(
            #"[{"op": "replace", "path": "/targetTemperature", "value": 22.5}]"#, try storedThermostat())
        #expect(result.twin["targetTemperature"] == .double(22.5))
        #expect(result.twin["$metadata"]?["targetTemperature"]?["sourceTime"] == "2021-12-31T00:00:00Z")
        #expect(result.changes == [PropertyChange(component: nil, name: "targetTemperature", effect: .valueSet)])
        #expect(!result.modelChanged)
    }

    @Test func removeDropsValueAndMetadata() throws {
        let result = try patch(#"[{"op": "remove", "path": "/maxTempSinceLastReboot"}]"#, try storedThermostat())
        #expect(result.twin["maxTempSinceLastReboot"] == nil)
        #expect(result.twin["$metadata"]?["maxTempSinceLastReboot"] == nil)
        #expect(result.changes == [PropertyChange(component: nil, name: "maxTempSinceLastReboot", effect: .removed)])
    }

    @Test func unsupportedOperationsUseADTWording() throws {
        let twin = try storedThermostat()
        let move = error(#"[{"op": "move", "path": "/targetTemperature", "value": 42}]"#, twin)
        #expect(move?.code == .jsonPatchInvalid)
        #expect(move?.message == "Unsupported operation type move. Please provide a valid patch document.")
        for op in ["copy", "test", "frobnicate"] {
            #expect(
                error(#"[{"op": "\#(op)", "path": "/targetTemperature", "from": "/x", "value": 1}]"#, twin)?.code
                    == .jsonPatchInvalid)
        }
    }

    @Test func malformedDocuments() throws {
        let twin = try storedThermostat()
        for text in [
            #"{"op": "add", "path": "/targetTemperature", "value": 1}"#, #"["targetTemperature"]"#, #"[{}]"#,
            #"[{"path": "/targetTemperature", "value": 1}]"#, #"[{"op": 1, "path": "/targetTemperature"}]"#,
            #"[{"op": "add", "value": 1}]"#, #"[{"op": "add", "path": "targetTemperature", "value": 1}]"#,
            #"[{"op": "add", "path": "/a~2", "value": 1}]"#, #"[{"op": "replace", "path": "/targetTemperature"}]"#,
        ] {
            #expect(error(text, twin)?.code == .jsonPatchInvalid, "\(text)")
        }
        #expect(try patch("[]", twin).twin == twin)
        #expect(
            try patch(#"[{"op": "Replace", "path": "/targetTemperature", "value": 1}]"#, twin).twin["targetTemperature"]
                == 1)
    }

    @Test func replaceOrRemoveMissingFails() throws {
        var twin = try storedThermostat()
        twin["maxTempSinceLastReboot"] = nil
        let replace = error(#"[{"op": "replace", "path": "/maxTempSinceLastReboot", "value": 1}]"#, twin)
        #expect(replace?.code == .jsonPatchInvalid)
        #expect(replace?.message.contains("there is no value at that path") == true)
        #expect(error(#"[{"op": "remove", "path": "/maxTempSinceLastReboot"}]"#, twin)?.code == .jsonPatchInvalid)
        // add works on a property never set.
        #expect(
            try patch(#"[{"op": "add", "path": "/maxTempSinceLastReboot", "value": 1}]"#, twin).twin[
                "maxTempSinceLastReboot"] == 1)
    }

    @Test func objectFieldsNeedTheObjectFirst() throws {
        let twin = try ValidationModels.object(#"{"$metadata": {"$model": "dtmi:test:Everything;1"}}"#)
        let early = error(#"[{"op": "add", "path": "/coordinates/latitude", "value": 1}]"#, twin)
        #expect(early?.code == .jsonPatchInvalid)
        #expect(early?.message.contains("does not exist") == true)
        let result = try patch(
            #"[{"op": "add", "path": "/coordinates", "value": {"latitude": 1}}, {"op": "add", "path": "/coordinates/longitude", "value": 2}, {"op": "replace", "path": "/coordinates/latitude", "value": 3}]"#,
            twin)
        #expect(result.twin["coordinates"] == ["latitude": 3, "longitude": 2])
        #expect(result.changes.map(\.name) == ["coordinates"])
        let badField = error(
            #"[{"op": "add", "path": "/coordinates", "value": {}}, {"op": "add", "path": "/coordinates/altitude", "value": 2}]"#,
            twin)
        #expect(badField?.code == .validationFailed)
        #expect(badField?.message.contains("at /coordinates/altitude") == true)
    }

    @Test func mapKeysArraysAndEscapes() throws {
        let twin = try ValidationModels.object(
            #"{"$metadata": {"$model": "dtmi:test:Everything;1"}, "distances": {"home": 1}, "readings": [1, 2]}"#)
        let result = try patch(
            #"""
            [{"op": "add", "path": "/distances/a~1b", "value": 2}, {"op": "add", "path": "/distances/c~0d", "value": 3},
             {"op": "remove", "path": "/distances/home"}, {"op": "add", "path": "/readings/-", "value": 3},
             {"op": "add", "path": "/readings/0", "value": 0}, {"op": "replace", "path": "/readings/1", "value": 10}]
            """#, twin)
        #expect(result.twin["distances"] == ["a/b": 2, "c~d": 3])
        #expect(result.twin["readings"] == [0, 10, 2, 3])
        #expect(error(#"[{"op": "add", "path": "/readings/5", "value": 1}]"#, twin)?.code == .jsonPatchInvalid)
        #expect(error(#"[{"op": "remove", "path": "/readings/01"}]"#, twin)?.code == .jsonPatchInvalid)
        #expect(
            error(#"[{"op": "add", "path": "/distances/x", "value": "far"}]"#, twin)?.message.contains(
                "at /distances/x") == true)
        #expect(
            error(#"[{"op": "add", "path": "/readings/-", "value": 1.5}]"#, twin)?.message.contains("at /readings/2")
                == true)
    }

    @Test func sourceTimePaths() throws {
        let twin = try storedThermostat()
        let result = try patch(
            #"[{"op": "replace", "path": "/$metadata/maxTempSinceLastReboot/sourceTime", "value": "2022-05-31T12:00:01.000125009Z"}]"#,
            twin)
        #expect(result.twin["$metadata"]?["maxTempSinceLastReboot"]?["sourceTime"] == "2022-05-31T12:00:01.000125009Z")
        #expect(
            result.changes == [PropertyChange(component: nil, name: "maxTempSinceLastReboot", effect: .sourceTimeOnly)])
        // On a property without metadata yet, together with its value.
        var bare = twin
        bare["maxTempSinceLastReboot"] = nil
        bare["$metadata"] = try JSONParser.parse(#"{"$model": "dtmi:com:example:Thermostat;1"}"#)
        let both = try patch(
            #"[{"op": "add", "path": "/maxTempSinceLastReboot", "value": 1}, {"op": "add", "path": "/$metadata/maxTempSinceLastReboot/sourceTime", "value": "2022-05-31T12:00:01Z"}]"#,
            bare)
        #expect(both.changes == [PropertyChange(component: nil, name: "maxTempSinceLastReboot", effect: .valueSet)])
        #expect(
            error(#"[{"op": "add", "path": "/$metadata/targetTemperature/sourceTime", "value": "noon"}]"#, twin)?.code
                == .validationFailed)
        #expect(
            error(#"[{"op": "add", "path": "/$metadata/colour/sourceTime", "value": "2022-05-31T12:00:01Z"}]"#, twin)?
                .code == .validationFailed)
        #expect(
            error(
                #"[{"op": "add", "path": "/$metadata/targetTemperature/lastUpdateTime", "value": "2022-05-31T12:00:01Z"}]"#,
                twin)?.code == .jsonPatchInvalid)
        #expect(
            error(#"[{"op": "replace", "path": "/$metadata/$lastUpdateTime", "value": "2022-05-31T12:00:01Z"}]"#, twin)?
                .code == .jsonPatchInvalid)
        #expect(
            error(#"[{"op": "remove", "path": "/$metadata/maxTempSinceLastReboot/sourceTime"}]"#, twin)?.code
                == .jsonPatchInvalid)
        #expect(error(#"[{"op": "replace", "path": "/$dtId", "value": "x"}]"#, twin)?.code == .jsonPatchInvalid)
        #expect(error(#"[{"op": "replace", "path": "", "value": {}}]"#, twin)?.code == .jsonPatchInvalid)
    }

    @Test func unknownPropertyAndTelemetryRejected() throws {
        let twin = try storedThermostat()
        #expect(
            error(#"[{"op": "add", "path": "/colour", "value": "red"}]"#, twin)?.message.contains(
                "Property 'colour' at /colour is not defined in model dtmi:com:example:Thermostat;1") == true)
        #expect(
            error(#"[{"op": "add", "path": "/temperature", "value": 1}]"#, twin)?.message.contains("is a Telemetry")
                == true)
        #expect(
            error(#"[{"op": "replace", "path": "/targetTemperature", "value": "hot"}]"#, twin)?.code
                == .validationFailed)
    }

    @Test func atomicOnFailure() throws {
        let twin = try storedThermostat()
        #expect(
            error(
                #"[{"op": "replace", "path": "/targetTemperature", "value": 1}, {"op": "remove", "path": "/nothing"}]"#,
                twin) != nil)
        #expect(twin["targetTemperature"] == 20)
    }

    @Test func modelMigrationSucceedsWhenResultConforms() throws {
        let result = try patch(
            #"""
            [{"op": "replace", "path": "/$metadata/$model", "value": "dtmi:com:example:Thermostat;2"},
             {"op": "remove", "path": "/maxTempSinceLastReboot"}, {"op": "add", "path": "/mode", "value": "heat"}]
            """#, try storedThermostat())
        #expect(result.modelChanged)
        #expect(result.twin["$metadata"]?["$model"] == "dtmi:com:example:Thermostat;2")
        #expect(result.changes.map(\.name) == ["maxTempSinceLastReboot", "mode"])
    }

    @Test func modelMigrationFailsWhenResultDoesNotConform() throws {
        let twin = try storedThermostat()
        let leftover = error(
            #"[{"op": "replace", "path": "/$metadata/$model", "value": "dtmi:com:example:Thermostat;2"}]"#, twin)
        #expect(leftover?.code == .validationFailed)
        #expect(leftover?.message.contains("maxTempSinceLastReboot") == true)
        #expect(leftover?.message.contains("dtmi:com:example:Thermostat;2") == true)
        let missing = error(
            #"[{"op": "replace", "path": "/$metadata/$model", "value": "dtmi:com:example:Thermostat;9"}]"#, twin)
        #expect(missing?.message == "dtmi:com:example:Thermostat;9 or one of its dependencies does not exist.")
        #expect(error(#"[{"op": "remove", "path": "/$metadata/$model"}]"#, twin)?.code == .jsonPatchInvalid)
        #expect(
            error(#"[{"op": "replace", "path": "/$metadata/$model", "value": 3}]"#, twin)?.code == .validationFailed)
        // Migrating to a model with components requires them in the same patch.
        let toController = error(
            #"[{"op": "replace", "path": "/$metadata/$model", "value": "dtmi:com:example:TemperatureController;1"}]"#,
            twin)
        #expect(toController?.code == .validationFailed)
    }

    @Test func twinPatchIntoComponents() throws {
        let twin = try ValidationModels.controllerTwin()
        let result = try patch(
            #"""
            [{"op": "replace", "path": "/thermostat1/targetTemperature", "value": 23},
             {"op": "add", "path": "/thermostat2/$metadata/targetTemperature/sourceTime", "value": "2022-05-31T12:00:00Z"},
             {"op": "add", "path": "/thermostat2/targetTemperature", "value": 19}]
            """#, twin)
        #expect(result.twin["thermostat1"]?["targetTemperature"] == 23)
        #expect(
            result.changes == [
                PropertyChange(component: "thermostat1", name: "targetTemperature", effect: .valueSet),
                PropertyChange(component: "thermostat2", name: "targetTemperature", effect: .valueSet),
            ])
        #expect(
            error(#"[{"op": "add", "path": "/thermostat1/temperature", "value": 1}]"#, twin)?.message.contains(
                "/thermostat1/temperature") == true)
        #expect(
            error(#"[{"op": "remove", "path": "/thermostat2"}]"#, twin)?.message.contains("Component 'thermostat2'")
                == true)
        #expect(
            error(#"[{"op": "replace", "path": "/thermostat2", "value": {}}]"#, twin)?.message.contains(
                "has no $metadata") == true)
    }

    @Test func componentPatchPathsAreRelative() throws {
        let twin = try ValidationModels.controllerTwin()
        let document = try JSONParser.parse(
            #"[{"op": "replace", "path": "/targetTemperature", "value": 18}, {"op": "add", "path": "/$metadata/targetTemperature/sourceTime", "value": "2022-05-31T12:00:01.000125009Z"}, {"op": "add", "path": "/maxTempSinceLastReboot", "value": 30}]"#
        )
        let result = try validator.applyComponentPatch(document, component: "thermostat1", of: twin)
        #expect(result.twin["thermostat1"]?["targetTemperature"] == 18)
        #expect(
            result.twin["thermostat1"]?["$metadata"]?["targetTemperature"]?["sourceTime"]
                == "2022-05-31T12:00:01.000125009Z")
        #expect(result.changes.map(\.component) == ["thermostat1", "thermostat1"])
        let notFound = ValidationModels.caught { () throws(DTDLError) in
            _ = try validator.applyComponentPatch(document, component: "thermostat3", of: twin)
        }
        #expect(notFound?.code == .componentNotFound)
        let wrongSchema = ValidationModels.caught { () throws(DTDLError) in
            _ = try validator.applyComponentPatch(
                try! JSONParser.parse(#"[{"op": "add", "path": "/targetTemperature", "value": true}]"#),
                component: "thermostat1", of: twin)
        }
        #expect(wrongSchema?.message.contains("at /thermostat1/targetTemperature") == true)
        let modelPath = ValidationModels.caught { () throws(DTDLError) in
            _ = try validator.applyComponentPatch(
                try! JSONParser.parse(#"[{"op": "replace", "path": "/$metadata/$model", "value": "x"}]"#),
                component: "thermostat1", of: twin)
        }
        #expect(modelPath?.code == .jsonPatchInvalid)
    }

    @Test func stampingAfterPatch() throws {
        let twin = try ValidationModels.controllerTwin()
        let result = try patch(
            #"[{"op": "replace", "path": "/thermostat1/targetTemperature", "value": 23}, {"op": "replace", "path": "/serialNumber", "value": "SN-2"}]"#,
            twin)
        let stamped = TwinMetadataStamping.stampPatched(
            result.twin, changes: result.changes, now: "2026-01-01T00:00:00Z")
        #expect(stamped["thermostat1"]?["$metadata"]?["targetTemperature"]?["lastUpdateTime"] == "2026-01-01T00:00:00Z")
        #expect(stamped["$metadata"]?["serialNumber"]?["lastUpdateTime"] == "2026-01-01T00:00:00Z")
        #expect(stamped["thermostat2"]?["$metadata"]?["$lastUpdateTime"] == nil)
    }
}
