import ADTWire
@testable import DTDL
import Foundation
import Testing

/// Instance validation through the real parser: models parsed from DTDL text (hand-written
/// Thermostat-style models, and the published RealEstateCore and smart-cities ontologies),
/// then twins, patches, relationships and telemetry checked against them.
@Suite struct ThermostatInstanceTests {
    /// A thermostat and a temperature controller with two thermostat components, written in the
    /// style of the DTDL v2 samples (without the Command, which ADT refuses), plus a room that
    /// relates to thermostats.
    static let models = """
        [
          {"@context": "dtmi:dtdl:context;2", "@id": "dtmi:com:example:Thermostat;1", "@type": "Interface",
           "displayName": "Thermostat",
           "contents": [
             {"@type": ["Telemetry", "Temperature"], "name": "temperature", "schema": "double", "unit": "degreeCelsius"},
             {"@type": ["Property", "Temperature"], "name": "targetTemperature", "schema": "double", "unit": "degreeCelsius", "writable": true},
             {"@type": ["Property", "Temperature"], "name": "maxTempSinceLastReboot", "schema": "double", "unit": "degreeCelsius"},
             {"@type": "Property", "name": "mode", "schema": {"@type": "Enum", "valueSchema": "string",
               "enumValues": [{"name": "heat", "enumValue": "heat"}, {"name": "cool", "enumValue": "cool"}]}},
             {"@type": "Property", "name": "schedule", "schema": {"@type": "Object", "fields": [
               {"name": "start", "schema": "time"},
               {"name": "days", "schema": {"@type": "Map", "mapKey": {"name": "day", "schema": "string"},
                 "mapValue": {"name": "on", "schema": "boolean"}}}]}}
           ]},
          {"@context": "dtmi:dtdl:context;2", "@id": "dtmi:com:example:TemperatureController;1", "@type": "Interface",
           "contents": [
             {"@type": "Property", "name": "serialNumber", "schema": "string"},
             {"@type": "Component", "name": "thermostat1", "schema": "dtmi:com:example:Thermostat;1"},
             {"@type": "Component", "name": "thermostat2", "schema": "dtmi:com:example:Thermostat;1"}
           ]},
          {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:com:example:Room;1", "@type": "Interface",
           "contents": [
             {"@type": "Relationship", "name": "hasThermostat", "target": "dtmi:com:example:Thermostat;1",
              "properties": [{"@type": "Property", "name": "since", "schema": "dateTime"}]}
           ]}
        ]
        """

    let graph: ModelGraph
    let validator: InstanceValidator

    init() throws {
        graph = try ModelParser.parse(texts: [Self.models], options: .init(adtRestrictions: true))
        validator = InstanceValidator(graph: graph)
    }

    func twin(_ json: String) throws -> JSONObject {
        try #require(try JSONParser.parse(json).objectValue)
    }

    @Test func parsedModelsHaveTheirContents() throws {
        let thermostat = try #require(graph["dtmi:com:example:Thermostat;1"])
        #expect(Set(thermostat.properties.keys) == ["targetTemperature", "maxTempSinceLastReboot", "mode", "schedule"])
        #expect(thermostat.telemetries["temperature"] != nil)
        #expect(graph["dtmi:com:example:TemperatureController;1"]?.components.count == 2)
    }

    @Test func aCommandIsValidDTDLButRefusedByADT() throws {
        let withCommand = """
            {"@context": "dtmi:dtdl:context;2", "@id": "dtmi:com:example:Commanded;1", "@type": "Interface",
             "contents": [{"@type": "Command", "name": "reboot"}]}
            """
        _ = try ModelParser.parse(texts: [withCommand])
        #expect(throws: DTDLError.self) {
            try ModelParser.parse(texts: [withCommand], options: .init(adtRestrictions: true))
        }
    }

    @Test func validTwinsPass() throws {
        try validator.validateTwin(
            twin(
                """
                {"$dtId": "t1", "$metadata": {"$model": "dtmi:com:example:Thermostat;1",
                  "targetTemperature": {"sourceTime": "2024-01-01T00:00:00Z"}},
                 "targetTemperature": 21, "maxTempSinceLastReboot": 30.5, "mode": "heat",
                 "schedule": {"start": "07:30:00Z", "days": {"mon": true, "tue": false}}}
                """))
        try validator.validateTwin(
            twin(
                """
                {"$metadata": {"$model": "dtmi:com:example:TemperatureController;1"}, "serialNumber": "A1",
                 "thermostat1": {"$metadata": {}, "targetTemperature": 20.0}, "thermostat2": {"$metadata": {}}}
                """))
    }

    @Test(arguments: [
        // wrong type
        #"{"$metadata": {"$model": "dtmi:com:example:Thermostat;1"}, "targetTemperature": "hot"}"#,
        // unknown property
        #"{"$metadata": {"$model": "dtmi:com:example:Thermostat;1"}, "colour": "red"}"#,
        // telemetry is not twin state
        #"{"$metadata": {"$model": "dtmi:com:example:Thermostat;1"}, "temperature": 20.0}"#,
        // not an enum value
        #"{"$metadata": {"$model": "dtmi:com:example:Thermostat;1"}, "mode": "auto"}"#,
        // bad time in a nested object field
        #"{"$metadata": {"$model": "dtmi:com:example:Thermostat;1"}, "schedule": {"start": "7:30"}}"#,
        // unknown field of an object
        #"{"$metadata": {"$model": "dtmi:com:example:Thermostat;1"}, "schedule": {"end": "08:00:00"}}"#,
        // a component missing
        #"{"$metadata": {"$model": "dtmi:com:example:TemperatureController;1"}, "thermostat1": {"$metadata": {}}}"#,
        // a bad value inside a component
        #"{"$metadata": {"$model": "dtmi:com:example:TemperatureController;1"}, "thermostat1": {"$metadata": {}, "mode": 1}, "thermostat2": {"$metadata": {}}}"#,
        // a model that does not exist
        #"{"$metadata": {"$model": "dtmi:com:example:Nothing;1"}}"#,
        // no model
        #"{"targetTemperature": 20.0}"#,
        // bad sourceTime
        #"{"$metadata": {"$model": "dtmi:com:example:Thermostat;1", "targetTemperature": {"sourceTime": "yesterday"}}, "targetTemperature": 20.0}"#,
    ])
    func invalidTwinsFailWithValidationFailed(_ json: String) throws {
        let body = try twin(json)
        do {
            try validator.validateTwin(body)
            Issue.record("accepted \(json)")
        } catch {
            #expect(error.code == .validationFailed, "\(error)")
            #expect(!error.message.isEmpty)
        }
    }

    @Test func errorMessagesNameTheProperty() throws {
        let body = try twin(#"{"$metadata": {"$model": "dtmi:com:example:Thermostat;1"}, "targetTemperature": "hot"}"#)
        #expect {
            try validator.validateTwin(body)
        } throws: { error in
            "\(error)".contains("targetTemperature")
        }
    }

    @Test func patchesFollowADTRules() throws {
        let stored = try twin(
            #"{"$dtId": "t1", "$metadata": {"$model": "dtmi:com:example:Thermostat;1"}, "targetTemperature": 21.0}"#)
        let replaced = try validator.applyTwinPatch(
            try JSONParser.parse(
                #"[{"op": "replace", "path": "/targetTemperature", "value": 22.5}, {"op": "add", "path": "/mode", "value": "cool"}]"#
            ),
            to: stored)
        #expect(replaced.twin["targetTemperature"] == .double(22.5))
        #expect(replaced.twin["mode"] == .string("cool"))
        #expect(Set(replaced.changes.map(\.name)) == ["targetTemperature", "mode"])

        let failing = [
            #"[{"op": "replace", "path": "/maxTempSinceLastReboot", "value": 1.0}]"#,  // replace on a missing path
            #"[{"op": "remove", "path": "/mode"}]"#,  // remove on a missing path
            #"[{"op": "move", "from": "/targetTemperature", "path": "/maxTempSinceLastReboot"}]"#,  // op not allowed
            #"[{"op": "add", "path": "/targetTemperature", "value": "warm"}]"#,  // bad value
            #"[{"op": "add", "path": "/nothing", "value": 1}]"#,  // undeclared property
            #"{"op": "add"}"#,  // not an array
        ]
        for patch in failing {
            #expect(throws: DTDLError.self, "\(patch)") {
                try validator.applyTwinPatch(try JSONParser.parse(patch), to: stored)
            }
        }
    }

    @Test func componentPatches() throws {
        let stored = try twin(
            #"{"$metadata": {"$model": "dtmi:com:example:TemperatureController;1"}, "thermostat1": {"$metadata": {}}, "thermostat2": {"$metadata": {}}}"#
        )
        let patched = try validator.applyComponentPatch(
            try JSONParser.parse(#"[{"op": "add", "path": "/targetTemperature", "value": 19}]"#),
            component: "thermostat1",
            of: stored)
        #expect(patched.twin["thermostat1"]?["targetTemperature"] == .integer(19))
        #expect(throws: DTDLError.self) {
            try validator.applyComponentPatch(
                try JSONParser.parse(#"[{"op": "add", "path": "/targetTemperature", "value": true}]"#),
                component: "thermostat2", of: stored)
        }
    }

    @Test func relationshipsAreCheckedAgainstTheSourceModel() throws {
        let room = try #require(graph["dtmi:com:example:Room;1"])
        let good = try twin(
            #"{"$targetId": "t1", "$relationshipName": "hasThermostat", "since": "2024-01-01T00:00:00Z"}"#)
        try validator.validateRelationship(good, sourceModel: room, targetModelID: "dtmi:com:example:Thermostat;1")
        // wrong target model
        #expect(throws: DTDLError.self) {
            try validator.validateRelationship(good, sourceModel: room, targetModelID: "dtmi:com:example:Room;1")
        }
        // undeclared name, bad property value, undeclared property
        for bad in [
            #"{"$targetId": "t1", "$relationshipName": "controls"}"#,
            #"{"$targetId": "t1", "$relationshipName": "hasThermostat", "since": "never"}"#,
            #"{"$targetId": "t1", "$relationshipName": "hasThermostat", "colour": "red"}"#,
        ] {
            #expect(throws: DTDLError.self, "\(bad)") {
                try validator.validateRelationship(
                    try twin(bad), sourceModel: room, targetModelID: "dtmi:com:example:Thermostat;1")
            }
        }
    }

    @Test func telemetryIsCheckedAgainstDeclaredTelemetry() throws {
        let thermostat = try #require(graph["dtmi:com:example:Thermostat;1"])
        try validator.validateTelemetry(try JSONParser.parse(#"{"temperature": 20.5}"#), model: thermostat)
        #expect(throws: DTDLError.self) {
            try validator.validateTelemetry(try JSONParser.parse(#"{"temperature": "warm"}"#), model: thermostat)
        }
    }
}

/// The same checks on the published RealEstateCore (v3, deep `extends`, components) and smart
/// cities (v2, components) ontologies.
@Suite(.enabled(if: Fixtures.available, Comment(rawValue: Fixtures.skipMessage)))
struct OntologyInstanceTests {
    static func graph(_ folder: String) throws -> ModelGraph {
        let documents = try Fixtures.jsonFiles(under: "ontologies/\(folder)").map { try Fixtures.load($0) }
        return try ModelParser.parse(documents: documents, options: .init(adtRestrictions: true))
    }

    static let rec = Result { try graph("realestatecore") }
    static let cities = Result { try graph("smartcities") }

    func object(_ json: String) throws -> JSONObject { try #require(try JSONParser.parse(json).objectValue) }

    static let roomComponents = """
        "area": {"$metadata": {}}, "capacity": {"$metadata": {}}, "occupancy": {"$metadata": {}},
        "temperature": {"$metadata": {}}, "humidity": {"$metadata": {}}, "CO2": {"$metadata": {}}
        """

    @Test func realEstateCoreRoomTwins() throws {
        let validator = InstanceValidator(graph: try Self.rec.get())
        try validator.validateTwin(
            object(
                """
                {"$metadata": {"$model": "dtmi:digitaltwins:rec_3_3:core:Room;1"}, "name": "Room 1.01",
                 "personCapacity": 12, "customTags": {"east-wing": true}, \(Self.roomComponents)}
                """))
        for bad in [
            #""personCapacity": 12.5"#,  // integer property
            #""customTags": {"wing": "east"}"#,  // a map of booleans
            #""roomColour": "red""#,  // not declared
        ] {
            #expect(throws: DTDLError.self, "\(bad)") {
                try validator.validateTwin(
                    try object(
                        #"{"$metadata": {"$model": "dtmi:digitaltwins:rec_3_3:core:Room;1"}, \#(bad), \#(Self.roomComponents)}"#
                    ))
            }
        }
        // a Room without its inherited components
        #expect(throws: DTDLError.self) {
            try validator.validateTwin(
                try object(#"{"$metadata": {"$model": "dtmi:digitaltwins:rec_3_3:core:Room;1"}}"#))
        }
    }

    @Test func realEstateCoreRelationshipsFollowInheritance() throws {
        let graph = try Self.rec.get()
        let validator = InstanceValidator(graph: graph)
        let room = try #require(graph["dtmi:digitaltwins:rec_3_3:core:Room;1"])
        let isPartOf = try object(#"{"$targetId": "level-1", "$relationshipName": "isPartOf"}"#)
        // Level derives from Space, the declared target of the inherited isPartOf.
        try validator.validateRelationship(
            isPartOf, sourceModel: room, targetModelID: "dtmi:digitaltwins:rec_3_3:core:Level;1")
        #expect(throws: DTDLError.self) {
            try validator.validateRelationship(
                isPartOf, sourceModel: room, targetModelID: "dtmi:digitaltwins:rec_3_3:agents:Company;1")
        }
    }

    @Test func realEstateCorePatchMigratesBetweenModels() throws {
        let validator = InstanceValidator(graph: try Self.rec.get())
        let stored = try object(
            #"{"$dtId": "r1", "$metadata": {"$model": "dtmi:digitaltwins:rec_3_3:core:Room;1"}, "name": "R", \#(Self.roomComponents)}"#
        )
        // Level has levelNumber; Room does not.
        let migrated = try validator.applyTwinPatch(
            try JSONParser.parse(
                #"[{"op": "replace", "path": "/$metadata/$model", "value": "dtmi:digitaltwins:rec_3_3:core:Level;1"}, {"op": "add", "path": "/levelNumber", "value": 2}]"#
            ),
            to: stored)
        #expect(migrated.modelChanged)
        #expect(migrated.twin["levelNumber"] == .integer(2))
        #expect(throws: DTDLError.self) {
            try validator.applyTwinPatch(
                try JSONParser.parse(#"[{"op": "add", "path": "/levelNumber", "value": 2}]"#), to: stored)
        }
    }

    @Test func smartCitiesComponents() throws {
        let graph = try Self.cities.get()
        let validator = InstanceValidator(graph: graph)
        let model = try #require(graph["dtmi:digitaltwins:ngsi_ld:city:EVChargingStation;1"])
        #expect(!model.components.isEmpty)
        var twin = JSONObject()
        twin["$metadata"] = ["$model": .string(model.id)]
        for name in model.components.keys { twin[name] = ["$metadata": [:]] }
        try validator.validateTwin(twin)

        var missing = twin
        missing[model.components.keys.sorted()[0]] = nil
        #expect(throws: DTDLError.self) { try validator.validateTwin(missing) }
    }
}
