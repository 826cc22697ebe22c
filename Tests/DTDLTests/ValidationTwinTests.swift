import ADTWire
@testable import DTDL
import Testing

@Suite struct ValidationTwinTests {
    let validator = ValidationModels.validator

    func refusal(_ text: String) throws -> DTDLError? {
        let twin = try ValidationModels.object(text)
        return ValidationModels.caught { () throws(DTDLError) in try validator.validateTwin(twin) }
    }

    @Test func validControllerTwinWithComponents() throws {
        let model = try validator.validateTwin(try ValidationModels.controllerTwin())
        #expect(model.id == ValidationModels.controllerID)
    }

    @Test func roundTripOfAServedTwinIsAccepted() throws {
        // The shape ADT serves (GetTwin example): $etag, $lastUpdateTime, lastUpdateTime, sourceTime.
        let twin = try ValidationModels.object(
            """
            {"$dtId": "t", "$etag": "W/\\"9c2876c2\\"", "targetTemperature": 1,
             "$metadata": {"$model": "\(ValidationModels.thermostatID)", "$lastUpdateTime": "2022-02-28T00:30:00.1234567Z",
               "targetTemperature": {"lastUpdateTime": "2022-02-28T00:30:00.1234567Z", "sourceTime": "2022-05-31T12:00:01.000125009Z"}}}
            """)
        #expect(try validator.validateTwin(twin).id == ValidationModels.thermostatID)
    }

    @Test func schemaMismatchNamesModelPropertyPathAndValue() throws {
        let error = try refusal(
            #"{"$metadata": {"$model": "dtmi:com:example:Thermostat;1"}, "targetTemperature": "hot"}"#)
        #expect(error?.code == .validationFailed)
        #expect(
            error?.message
                == #"Property 'targetTemperature' of model dtmi:com:example:Thermostat;1 expects schema double but got string "hot" at /targetTemperature"#
        )
    }

    @Test func integerLiteralIsADouble() throws {
        // Recorded: {"AverageTemperature": 68} is accepted for a double property and served as 68.
        #expect(
            try refusal(#"{"$metadata": {"$model": "dtmi:com:example:Thermostat;1"}, "targetTemperature": 68}"#) == nil)
    }

    @Test func missingOrUnknownModel() throws {
        let unknown = try refusal(#"{"$metadata": {"$model": "dtmi:samples:Building;2"}}"#)
        #expect(unknown?.message == "dtmi:samples:Building;2 or one of its dependencies does not exist.")
        #expect(try refusal(#"{"targetTemperature": 1}"#)?.message.contains("no $metadata") == true)
        #expect(try refusal(#"{"$metadata": {}}"#)?.message.contains("$metadata.$model") == true)
        #expect(try refusal(#"{"$metadata": {"$model": 5}}"#)?.code == .validationFailed)
        #expect(try refusal(#"{"$metadata": []}"#)?.code == .validationFailed)
    }

    @Test func unknownPropertyNamedWithModel() throws {
        let error = try refusal(#"{"$metadata": {"$model": "dtmi:com:example:Thermostat;1"}, "colour": "red"}"#)
        #expect(error?.message == "Property 'colour' at /colour is not defined in model dtmi:com:example:Thermostat;1.")
    }

    @Test func telemetryRelationshipCommandAndSystemNamesRejected() throws {
        let telemetry = try refusal(#"{"$metadata": {"$model": "dtmi:com:example:Thermostat;1"}, "temperature": 20}"#)
        #expect(telemetry?.message.contains("is a Telemetry of model dtmi:com:example:Thermostat;1") == true)
        let relationship = try refusal(
            #"{"$metadata": {"$model": "dtmi:digitaltwins:rec_3_3:building:Room;1"}, "isPartOf": "b1"}"#)
        #expect(relationship?.message.contains("is a Relationship") == true)
        let command = try refusal(#"{"$metadata": {"$model": "dtmi:com:example:Thermostat;1"}, "getMaxMinReport": 1}"#)
        #expect(command?.message.contains("is a Command") == true)
        let system = try refusal(#"{"$metadata": {"$model": "dtmi:com:example:Thermostat;1"}, "$foo": 1}"#)
        #expect(system?.message.contains("not a system property") == true)
    }

    @Test func inheritedPropertiesAccepted() throws {
        #expect(
            try refusal(
                #"{"$metadata": {"$model": "dtmi:digitaltwins:rec_3_3:building:Room;1"}, "name": "R1", "capacity": 4, "area": 12.5}"#
            ) == nil)
        let error = try refusal(
            #"{"$metadata": {"$model": "dtmi:digitaltwins:rec_3_3:building:Room;1"}, "capacity": 4.5}"#)
        #expect(error?.message.contains("expects schema integer but got number 4.5 at /capacity") == true)
    }

    @Test func nullValueRejected() throws {
        #expect(
            try refusal(#"{"$metadata": {"$model": "dtmi:com:example:Thermostat;1"}, "targetTemperature": null}"#)
                != nil)
    }

    @Test func everyComponentMustBePresentWithMetadata() throws {
        let missing = ValidationModels.caught { () throws(DTDLError) in
            var twin = try! ValidationModels.controllerTwin()
            twin["thermostat2"] = nil
            try validator.validateTwin(twin)
        }
        #expect(
            missing?.message.contains(
                "Component 'thermostat2' of model dtmi:com:example:TemperatureController;1 is missing") == true)
        let noMetadata = ValidationModels.caught { () throws(DTDLError) in
            var twin = try! ValidationModels.controllerTwin()
            twin["thermostat2"] = .object(JSONObject())
            try validator.validateTwin(twin)
        }
        #expect(noMetadata?.message.contains("has no $metadata at /thermostat2") == true)
        let notObject = ValidationModels.caught { () throws(DTDLError) in
            var twin = try! ValidationModels.controllerTwin()
            twin["thermostat2"] = 5
            try validator.validateTwin(twin)
        }
        #expect(notObject?.code == .validationFailed)
    }

    @Test func componentContentsValidatedAgainstComponentModel() throws {
        let error = ValidationModels.caught { () throws(DTDLError) in
            var twin = try! ValidationModels.controllerTwin()
            twin["thermostat1"] = try! JSONParser.parse(#"{"$metadata": {}, "targetTemperature": "warm"}"#)
            try validator.validateTwin(twin)
        }
        #expect(
            error?.message
                == #"Property 'targetTemperature' of component 'thermostat1' (model dtmi:com:example:Thermostat;1) expects schema double but got string "warm" at /thermostat1/targetTemperature"#
        )
        let unknown = ValidationModels.caught { () throws(DTDLError) in
            var twin = try! ValidationModels.controllerTwin()
            twin["thermostat1"] = try! JSONParser.parse(#"{"$metadata": {}, "serialNumber": "x"}"#)
            try validator.validateTwin(twin)
        }
        #expect(unknown?.message.contains("/thermostat1/serialNumber") == true)
    }

    @Test func metadataRules() throws {
        let model = ValidationModels.thermostatID
        #expect(
            try refusal(
                #"{"$metadata": {"$model": "\#(model)", "targetTemperature": {"sourceTime": "2022-05-31T12:00:01Z"}}}"#)
                == nil)
        #expect(
            try refusal(#"{"$metadata": {"$model": "\#(model)", "targetTemperature": {"sourceTime": "yesterday"}}}"#)?
                .message.contains("sourceTime") == true)
        #expect(
            try refusal(#"{"$metadata": {"$model": "\#(model)", "targetTemperature": {"desiredValue": 3}}}"#)?.message
                .contains("desiredValue") == true)
        #expect(
            try refusal(#"{"$metadata": {"$model": "\#(model)", "nope": {"sourceTime": "2022-05-31T12:00:01Z"}}}"#)?
                .message.contains("does not name a property") == true)
        #expect(
            try refusal(#"{"$metadata": {"$model": "\#(model)", "targetTemperature": "2022-05-31T12:00:01Z"}}"#) != nil)
        #expect(try refusal(#"{"$metadata": {"$model": "\#(model)", "$lastUpdateTime": 5}}"#) != nil)
    }

    @Test func componentMetadataSourceTimeAndModel() throws {
        var twin = try ValidationModels.controllerTwin()
        twin["thermostat1"] = try JSONParser.parse(
            #"{"$metadata": {"targetTemperature": {"sourceTime": "2022-05-31T12:00:00.000125009Z"}}, "targetTemperature": 20}"#
        )
        #expect(ValidationModels.caught { () throws(DTDLError) in try validator.validateTwin(twin) } == nil)
        twin["thermostat1"] = try JSONParser.parse(#"{"$metadata": {"$model": "dtmi:com:example:Other;1"}}"#)
        #expect(
            ValidationModels.caught { () throws(DTDLError) in try validator.validateTwin(twin) }?.message.contains(
                "$metadata.$model of component 'thermostat1'") == true)
    }

    @Test func everySchemaInATwin() throws {
        let twin = try ValidationModels.object(
            """
            {"$metadata": {"$model": "dtmi:test:Everything;1"},
             "p_boolean": true, "p_date": "2024-02-29", "p_dateTime": "2024-02-29T10:00:00Z", "p_double": 1.5,
             "p_duration": "PT5M", "p_float": 2, "p_integer": 3, "p_long": 9007199254740993, "p_string": "s",
             "p_time": "10:00:00+01:00", "p_byte": -3, "p_bytes": "AAE=", "p_decimal": 1.25, "p_short": 300,
             "p_unsignedByte": 200, "p_unsignedInteger": 4000000000, "p_unsignedLong": 5, "p_unsignedShort": 60000,
             "p_uuid": "123e4567-e89b-12d3-a456-426614174000",
             "p_point": {"type": "Point", "coordinates": [1, 2]},
             "p_multiPoint": {"type": "MultiPoint", "coordinates": []},
             "p_lineString": {"type": "LineString", "coordinates": [[1, 2], [3, 4]]},
             "p_multiLineString": {"type": "MultiLineString", "coordinates": [[[1, 2], [3, 4]]]},
             "p_polygon": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
             "p_multiPolygon": {"type": "MultiPolygon", "coordinates": []},
             "coordinates": {"latitude": 1}, "status": 1, "distances": {"home": 2},
             "places": {"home": {"longitude": 3}}, "readings": [1, 2, 3],
             "deep": [{"myField": {"k": {"myField": [1.5]}}}]}
            """)
        #expect(ValidationModels.caught { () throws(DTDLError) in try validator.validateTwin(twin) } == nil)
        var bad = twin
        bad["places"] = try JSONParser.parse(#"{"home": {"altitude": 3}}"#)
        #expect(
            ValidationModels.caught { () throws(DTDLError) in try validator.validateTwin(bad) }?.message
                == "Property 'places' of model dtmi:test:Everything;1 has no field 'altitude' in its Object schema at /places/home/altitude"
        )
    }

    @Test func sizeLimits() throws {
        let long = String(repeating: "x", count: 4097)
        let error = try refusal(#"{"$metadata": {"$model": "dtmi:com:example:Thermostat;1"}, "\#(long)": 1}"#)
        #expect(error?.message.contains("over the limit of 1024") == true)
        let everything = #"{"$metadata": {"$model": "dtmi:test:Everything;1"}, "p_string": "\#(long)"}"#
        #expect(
            try refusal(everything)?.message.contains("4097 UTF-8 bytes, over the limit of 4096 at /p_string") == true)
        let key = String(repeating: "k", count: 1025)
        let mapKey = #"{"$metadata": {"$model": "dtmi:test:Everything;1"}, "distances": {"\#(key)": 1}}"#
        #expect(try refusal(mapKey)?.message.contains("member name of 1025 UTF-8 bytes") == true)
        #expect(
            ValidationModels.caught { () throws(DTDLError) in try InstanceLimits.adt.checkBodySize(32 * 1024) } == nil)
        #expect(
            ValidationModels.caught { () throws(DTDLError) in try InstanceLimits.adt.checkBodySize(32 * 1024 + 1) }?
                .code == .validationFailed)
    }

    @Test func stampingOnCreate() throws {
        let twin = try ValidationModels.controllerTwin()
        let stamped = TwinMetadataStamping.stampCreated(
            twin, model: ValidationModels.controller, now: "2026-01-01T00:00:00.0000000Z")
        #expect(stamped["$metadata"]?["$lastUpdateTime"] == "2026-01-01T00:00:00.0000000Z")
        #expect(stamped["$metadata"]?["serialNumber"]?["lastUpdateTime"] == "2026-01-01T00:00:00.0000000Z")
        #expect(stamped["$metadata"]?["thermostat1"] == nil)
        #expect(
            stamped["thermostat1"]?["$metadata"]?["targetTemperature"]?["lastUpdateTime"]
                == "2026-01-01T00:00:00.0000000Z")
        #expect(stamped["thermostat2"]?["$metadata"]?["$lastUpdateTime"] == "2026-01-01T00:00:00.0000000Z")
        #expect(ValidationModels.caught { () throws(DTDLError) in try validator.validateTwin(stamped) } == nil)
    }
}
