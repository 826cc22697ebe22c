import ADTWire
@testable import DTDL

/// Hand-built resolved models for the instance validation tests (the parser is not involved):
/// a Thermostat and a TemperatureController with components, a RealEstateCore-like Space
/// hierarchy with relationships, a model with every primitive schema and nested complex ones,
/// and second versions for model migration.
enum ValidationModels {
    static func property(_ name: String, _ schema: Schema) -> (String, PropertyModel) {
        (name, PropertyModel(name: name, schema: schema, writable: true))
    }

    static func primitive(_ p: PrimitiveSchema) -> Schema { .primitive(p) }

    /// An interface; `base` contents are merged in, as the resolver does for `extends`.
    static func interface(
        _ id: String, version: Int = 3, extending base: InterfaceModel? = nil,
        properties: [String: Schema] = [:], telemetries: [String: Schema] = [:],
        relationships: [RelationshipModel] = [], components: [String: String] = [:], commands: Set<String> = []
    ) -> InterfaceModel {
        var props = base?.properties ?? [:]
        for (name, schema) in properties { props[name] = PropertyModel(name: name, schema: schema, writable: true) }
        var tels = base?.telemetries ?? [:]
        for (name, schema) in telemetries { tels[name] = TelemetryModel(name: name, schema: schema) }
        var rels = base?.relationships ?? [:]
        for r in relationships { rels[r.name] = r }
        var comps = base?.components ?? [:]
        for (name, schema) in components { comps[name] = ComponentModel(name: name, schema: schema) }
        var bases: Set<String> = []
        if let base { bases = base.allBases.union([base.id]) }
        return InterfaceModel(
            id: id, dtdlVersion: version, directBases: base.map { [$0.id] } ?? [], allBases: bases,
            properties: props, telemetries: tels, relationships: rels, components: comps,
            commandNames: commands.union(base?.commandNames ?? []), displayName: [:], description: [:],
            definition: JSONObject()
        )
    }

    static func relationship(_ name: String, target: String? = nil, properties: [String: Schema] = [:])
        -> RelationshipModel
    {
        var props: [String: PropertyModel] = [:]
        for (n, s) in properties { props[n] = PropertyModel(name: n, schema: s, writable: true) }
        return RelationshipModel(
            name: name, target: target, properties: props, minMultiplicity: nil, maxMultiplicity: nil)
    }

    // MARK: Thermostat and TemperatureController (DTDL samples)

    static let thermostatID = "dtmi:com:example:Thermostat;1"
    static let controllerID = "dtmi:com:example:TemperatureController;1"
    static let deviceInformationID = "dtmi:azure:DeviceManagement:DeviceInformation;1"

    static let thermostat = interface(
        thermostatID, version: 2,
        properties: ["targetTemperature": primitive(.double), "maxTempSinceLastReboot": primitive(.double)],
        telemetries: ["temperature": primitive(.double)], commands: ["getMaxMinReport"]
    )

    static let deviceInformation = interface(
        deviceInformationID, version: 2,
        properties: ["manufacturer": primitive(.string), "totalMemory": primitive(.double)]
    )

    static let controller = interface(
        controllerID, version: 2,
        properties: ["serialNumber": primitive(.string)],
        telemetries: ["workingSet": primitive(.double)],
        components: [
            "thermostat1": thermostatID, "thermostat2": thermostatID, "deviceInformation": deviceInformationID,
        ],
        commands: ["reboot"]
    )

    /// Version 2 of the Thermostat: adds `mode`, drops `maxTempSinceLastReboot`.
    static let thermostatV2 = interface(
        "dtmi:com:example:Thermostat;2", version: 3,
        properties: ["targetTemperature": primitive(.double), "mode": .enumeration(modeEnum)],
        telemetries: ["temperature": primitive(.double)]
    )

    static let modeEnum = EnumSchema(
        id: "dtmi:com:example:Thermostat:mode;2", valueSchema: .string,
        values: [EnumValue(name: "heat", enumValue: "heat"), EnumValue(name: "cool", enumValue: "cool")]
    )

    // MARK: RealEstateCore-like spaces

    static let spaceID = "dtmi:digitaltwins:rec_3_3:core:Space;1"
    static let roomID = "dtmi:digitaltwins:rec_3_3:building:Room;1"
    static let buildingID = "dtmi:digitaltwins:rec_3_3:building:Building;1"
    static let deviceID = "dtmi:digitaltwins:rec_3_3:device:Device;1"

    static let space = interface(
        spaceID,
        properties: ["name": primitive(.string), "capacity": primitive(.integer)],
        relationships: [
            relationship("isPartOf", target: spaceID),
            relationship(
                "hasDevice", target: deviceID,
                properties: ["isPrimary": primitive(.boolean), "since": primitive(.dateTime)]),
            relationship("relatedTo"),
        ]
    )

    static let room = interface(roomID, extending: space, properties: ["area": primitive(.double)])
    static let building = interface(buildingID, extending: space, properties: ["yearBuilt": primitive(.integer)])
    static let device = interface(
        deviceID, properties: ["serial": primitive(.string)], telemetries: ["on": primitive(.boolean)])

    // MARK: Every schema

    static let everythingID = "dtmi:test:Everything;1"

    static let coordinates = ObjectSchema(
        id: "dtmi:test:Everything:coordinates;1",
        fields: [
            Field(name: "latitude", schema: primitive(.double)), Field(name: "longitude", schema: primitive(.double)),
        ]
    )

    static let statusEnum = EnumSchema(
        id: "dtmi:test:Everything:status;1", valueSchema: .integer,
        values: [EnumValue(name: "off", enumValue: 0), EnumValue(name: "on", enumValue: 1)]
    )

    /// Array of Objects with a Map of Objects with an Array of double (DTDLParser `MixedComplexSchema`).
    static let deepSchema = Schema.array(
        ArraySchema(
            id: "dtmi:test:deepSchema;1",
            elementSchema: .object(
                ObjectSchema(
                    id: nil,
                    fields: [
                        Field(
                            name: "myField",
                            schema: .map(
                                MapSchema(
                                    id: nil, keyName: "myMapKey", valueName: "myMapValue",
                                    valueSchema: .object(
                                        ObjectSchema(
                                            id: nil,
                                            fields: [
                                                Field(
                                                    name: "myField",
                                                    schema: .array(
                                                        ArraySchema(id: nil, elementSchema: primitive(.double))))
                                            ])
                                    )
                                ))
                        )
                    ])
            )
        ))

    static let everything: InterfaceModel = {
        var properties: [String: Schema] = [:]
        for p in PrimitiveSchema.allCases { properties["p_" + p.rawValue] = .primitive(p) }
        properties["coordinates"] = .object(coordinates)
        properties["status"] = .enumeration(statusEnum)
        properties["distances"] = .map(
            MapSchema(id: nil, keyName: "place", valueName: "km", valueSchema: primitive(.double)))
        properties["places"] = .map(
            MapSchema(id: nil, keyName: "name", valueName: "where", valueSchema: .object(coordinates)))
        properties["readings"] = .array(ArraySchema(id: nil, elementSchema: primitive(.integer)))
        properties["deep"] = deepSchema
        return interface(
            everythingID, properties: properties, telemetries: ["deep": deepSchema, "status": .enumeration(statusEnum)])
    }()

    static let graph = ModelGraph(
        interfaces: Dictionary(
            uniqueKeysWithValues: [
                thermostat, deviceInformation, controller, thermostatV2, space, room, building, device, everything,
            ].map { ($0.id, $0) })
    )

    static let validator = InstanceValidator(graph: graph)

    /// Parses JSON text into an object, failing the test on bad text.
    static func object(_ text: String) throws -> JSONObject {
        guard case .object(let o) = try JSONParser.parse(text) else {
            throw DTDLError(.invalidArgument, "not an object")
        }
        return o
    }

    /// A minimal valid controller twin.
    static func controllerTwin(extra: String = "") throws -> JSONObject {
        try object(
            """
            {"$dtId": "ctl", "$metadata": {"$model": "\(controllerID)"}, "serialNumber": "SN-1"\(extra),
             "thermostat1": {"$metadata": {}, "targetTemperature": 21.5},
             "thermostat2": {"$metadata": {}},
             "deviceInformation": {"$metadata": {}, "manufacturer": "Contoso"}}
            """)
    }

    /// The error a throwing call raised, or `nil`.
    static func caught(_ body: () throws(DTDLError) -> Void) -> DTDLError? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }
}
