import ADTWire
@testable import DTDL
import Testing

@Suite struct ValidationRelationshipTests {
    let validator = ValidationModels.validator

    func refusal(_ text: String, source: InterfaceModel = ValidationModels.room, target: String) throws -> DTDLError? {
        let body = try ValidationModels.object(text)
        return ValidationModels.caught { () throws(DTDLError) in
            try validator.validateRelationship(body, sourceModel: source, targetModelID: target)
        }
    }

    @Test func inheritedRelationshipToDerivedTargetModel() throws {
        // Room extends Space; isPartOf targets Space; Building extends Space.
        let body =
            #"{"$relationshipId": "r1", "$sourceId": "room1", "$targetId": "b1", "$relationshipName": "isPartOf", "$etag": "W/\"x\""}"#
        #expect(try refusal(body, target: ValidationModels.buildingID) == nil)
        #expect(try refusal(body, target: ValidationModels.spaceID) == nil)
    }

    @Test func wrongTargetModelRejected() throws {
        let error = try refusal(
            #"{"$targetId": "d1", "$relationshipName": "isPartOf"}"#, target: ValidationModels.deviceID)
        #expect(error?.code == .validationFailed)
        #expect(
            error?.message
                == "Relationship 'isPartOf' of model dtmi:digitaltwins:rec_3_3:building:Room;1 targets twins of model dtmi:digitaltwins:rec_3_3:core:Space;1 (or of models extending it), but the target twin has model dtmi:digitaltwins:rec_3_3:device:Device;1."
        )
    }

    @Test func targetWhoseModelWasDeletedIsNotChecked() throws {
        #expect(
            try refusal(#"{"$targetId": "x", "$relationshipName": "isPartOf"}"#, target: "dtmi:deleted:Model;1") == nil)
    }

    @Test func untargetedRelationshipAcceptsAnyTwin() throws {
        #expect(
            try refusal(#"{"$targetId": "x", "$relationshipName": "relatedTo"}"#, target: ValidationModels.thermostatID)
                == nil)
    }

    @Test func unknownNameRejected() throws {
        let error = try refusal(#"{"$targetId": "x", "$relationshipName": "feeds"}"#, target: ValidationModels.roomID)
        #expect(
            error?.message
                == "Relationship 'feeds' is not defined in model dtmi:digitaltwins:rec_3_3:building:Room;1 nor in the models it extends."
        )
        // A relationship of the derived model is not one of the base.
        #expect(
            try refusal(
                #"{"$targetId": "x", "$relationshipName": "name"}"#, source: ValidationModels.space,
                target: ValidationModels.roomID) != nil)
    }

    @Test func requiredAndSystemFields() throws {
        #expect(
            try refusal(#"{"$relationshipName": "relatedTo"}"#, target: ValidationModels.roomID)?.message.contains(
                "$targetId") == true)
        #expect(
            try refusal(#"{"$targetId": "x"}"#, target: ValidationModels.roomID)?.message.contains("$relationshipName")
                == true)
        #expect(
            try refusal(#"{"$targetId": 5, "$relationshipName": "relatedTo"}"#, target: ValidationModels.roomID) != nil)
        #expect(
            try refusal(
                #"{"$targetId": "x", "$relationshipName": "relatedTo", "$foo": 1}"#, target: ValidationModels.roomID)?
                .message.contains("not a system field") == true)
    }

    @Test func propertiesValidated() throws {
        let ok =
            #"{"$targetId": "d1", "$relationshipName": "hasDevice", "isPrimary": true, "since": "2024-01-01T00:00:00Z"}"#
        #expect(try refusal(ok, target: ValidationModels.deviceID) == nil)
        let wrong = try refusal(
            #"{"$targetId": "d1", "$relationshipName": "hasDevice", "isPrimary": "yes"}"#,
            target: ValidationModels.deviceID)
        #expect(
            wrong?.message
                == #"Property 'isPrimary' of relationship 'hasDevice' of model dtmi:digitaltwins:rec_3_3:building:Room;1 expects schema boolean but got string "yes" at /isPrimary"#
        )
        let unknown = try refusal(
            #"{"$targetId": "d1", "$relationshipName": "hasDevice", "colour": "red"}"#,
            target: ValidationModels.deviceID)
        #expect(
            unknown?.message.contains("Property 'colour' at /colour is not defined in relationship 'hasDevice'") == true
        )
    }

    func stored() throws -> JSONObject {
        try ValidationModels.object(
            #"{"$relationshipId": "r1", "$sourceId": "room1", "$targetId": "d1", "$relationshipName": "hasDevice", "$etag": "W/\"1\"", "isPrimary": true}"#
        )
    }

    func patchError(_ text: String) throws -> DTDLError? {
        let document = try JSONParser.parse(text)
        let relationship = try stored()
        return ValidationModels.caught { () throws(DTDLError) in
            _ = try validator.applyRelationshipPatch(document, to: relationship, sourceModel: ValidationModels.room)
        }
    }

    @Test func patchProperties() throws {
        let document = try JSONParser.parse(
            #"[{"op": "replace", "path": "/isPrimary", "value": false}, {"op": "add", "path": "/since", "value": "2024-01-01T00:00:00Z"}]"#
        )
        let result = try validator.applyRelationshipPatch(
            document, to: try stored(), sourceModel: ValidationModels.room)
        #expect(result["isPrimary"] == false)
        #expect(result["since"] == "2024-01-01T00:00:00Z")
        #expect(result["$targetId"] == "d1")
        let removed = try validator.applyRelationshipPatch(
            try JSONParser.parse(#"[{"op": "remove", "path": "/isPrimary"}]"#), to: try stored(),
            sourceModel: ValidationModels.room)
        #expect(removed["isPrimary"] == nil)
    }

    @Test func patchRefusals() throws {
        #expect(try patchError(#"[{"op": "replace", "path": "/$targetId", "value": "d2"}]"#)?.code == .jsonPatchInvalid)
        #expect(
            try patchError(#"[{"op": "replace", "path": "/$relationshipName", "value": "relatedTo"}]"#)?.code
                == .jsonPatchInvalid)
        #expect(try patchError(#"[{"op": "add", "path": "/colour", "value": "red"}]"#)?.code == .validationFailed)
        #expect(try patchError(#"[{"op": "replace", "path": "/isPrimary", "value": 1}]"#)?.code == .validationFailed)
        #expect(try patchError(#"[{"op": "remove", "path": "/since"}]"#)?.code == .jsonPatchInvalid)
        #expect(try patchError(#"[{"op": "move", "from": "/isPrimary", "path": "/since"}]"#)?.code == .jsonPatchInvalid)
    }
}

@Suite struct ValidationTelemetryTests {
    let validator = ValidationModels.validator

    func refusal(_ text: String, model: InterfaceModel = ValidationModels.thermostat) throws -> DTDLError? {
        let payload = try JSONParser.parse(text)
        return ValidationModels.caught { () throws(DTDLError) in try validator.validateTelemetry(payload, model: model)
        }
    }

    @Test func declaredTelemetryValidated() throws {
        #expect(try refusal(#"{"temperature": 21.5}"#) == nil)
        let error = try refusal(#"{"temperature": "warm"}"#)
        #expect(
            error?.message
                == #"The telemetry content is invalid: Telemetry 'temperature' of model dtmi:com:example:Thermostat;1 expects schema double but got string "warm" at /temperature"#
        )
    }

    @Test func undeclaredNamesPassAsADTDoes() throws {
        // Recorded: {"ComponentTelemetry1": 5} to a twin whose model declares no telemetry gives 204.
        #expect(try refusal(#"{"ComponentTelemetry1": 5, "anything": {"a": [1]}}"#) == nil)
    }

    @Test func payloadMustBeAnObject() throws {
        #expect(try refusal("[1]")?.message.hasPrefix("The telemetry content is invalid") == true)
        #expect(try refusal("5") != nil)
    }

    @Test func complexTelemetry() throws {
        #expect(
            try refusal(
                #"{"deep": [{"myField": {"k": {"myField": [1]}}}], "status": 0}"#, model: ValidationModels.everything)
                == nil)
        #expect(try refusal(#"{"status": 2}"#, model: ValidationModels.everything)?.code == .validationFailed)
    }

    @Test func componentTelemetry() throws {
        let ok = ValidationModels.caught { () throws(DTDLError) in
            try validator.validateComponentTelemetry(
                ["temperature": 20], component: "thermostat1", of: ValidationModels.controller)
        }
        #expect(ok == nil)
        let wrong = ValidationModels.caught { () throws(DTDLError) in
            try validator.validateComponentTelemetry(
                ["temperature": true], component: "thermostat1", of: ValidationModels.controller)
        }
        #expect(wrong?.message.contains("of component 'thermostat1' (model dtmi:com:example:Thermostat;1)") == true)
        let missing = ValidationModels.caught { () throws(DTDLError) in
            try validator.validateComponentTelemetry(
                ["temperature": 1], component: "nope", of: ValidationModels.controller)
        }
        #expect(missing?.code == .componentNotFound)
    }
}
