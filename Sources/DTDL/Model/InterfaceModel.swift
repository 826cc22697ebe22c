import ADTWire

/// A resolved Interface: its own and inherited contents, ready for instance validation.
public final class InterfaceModel: Sendable {
    /// The interface's DTMI.
    public let id: String
    /// The DTDL major version of its context (2 or 3).
    public let dtdlVersion: Int
    /// The DTMIs it `extends` directly, in the order written.
    public let directBases: [String]
    /// Every interface it derives from, transitively, without itself.
    public let allBases: Set<String>
    /// Properties by name, inherited ones included.
    public let properties: [String: PropertyModel]
    /// Telemetries by name, inherited ones included.
    public let telemetries: [String: TelemetryModel]
    /// Relationships by name, inherited ones included.
    public let relationships: [String: RelationshipModel]
    /// Components by name, inherited ones included.
    public let components: [String: ComponentModel]
    /// Commands by name, inherited ones included (valid DTDL; ADT refuses them on upload).
    public let commandNames: Set<String>
    /// `displayName` by language code (a plain string is stored under "en").
    public let displayName: [String: String]
    /// `description` by language code.
    public let description: [String: String]
    /// The definition as written.
    public let definition: JSONObject
    /// The names of the contents the interface declares itself (not inherited).
    public let ownContentNames: Set<String>

    /// A resolved interface. `ownContentNames` defaults to every content name (right for an
    /// interface without bases).
    public init(
        id: String, dtdlVersion: Int, directBases: [String], allBases: Set<String>,
        properties: [String: PropertyModel], telemetries: [String: TelemetryModel],
        relationships: [String: RelationshipModel], components: [String: ComponentModel],
        commandNames: Set<String>, displayName: [String: String], description: [String: String],
        definition: JSONObject, ownContentNames: Set<String>? = nil
    ) {
        self.id = id
        self.dtdlVersion = dtdlVersion
        self.directBases = directBases
        self.allBases = allBases
        self.properties = properties
        self.telemetries = telemetries
        self.relationships = relationships
        self.components = components
        self.commandNames = commandNames
        self.displayName = displayName
        self.description = description
        self.definition = definition
        self.ownContentNames =
            ownContentNames
            ?? Set(properties.keys).union(telemetries.keys).union(relationships.keys).union(components.keys).union(
                commandNames)
    }

    /// Whether this interface is `other` or derives from it.
    public func isOrDerives(from other: String) -> Bool { other == id || allBases.contains(other) }
}

/// A `Property` content.
public struct PropertyModel: Sendable {
    /// The property's name.
    public let name: String
    /// The schema values must conform to.
    public let schema: Schema
    /// `writable` as declared (default false; ADT does not enforce it).
    public let writable: Bool
    /// A property model.
    public init(name: String, schema: Schema, writable: Bool) {
        self.name = name
        self.schema = schema
        self.writable = writable
    }
}

/// A `Telemetry` content.
public struct TelemetryModel: Sendable {
    /// The telemetry's name.
    public let name: String
    /// The schema values must conform to.
    public let schema: Schema
    /// A telemetry model.
    public init(name: String, schema: Schema) {
        self.name = name
        self.schema = schema
    }
}

/// A `Relationship` content.
public struct RelationshipModel: Sendable {
    /// The relationship's name.
    public let name: String
    /// The declared `target` interface, if any; any twin may be targeted otherwise.
    public let target: String?
    /// Relationship properties by name.
    public let properties: [String: PropertyModel]
    /// `minMultiplicity` as declared (DTDL requires 0).
    public let minMultiplicity: Int?
    /// `maxMultiplicity` as declared, if any.
    public let maxMultiplicity: Int?
    /// A relationship model.
    public init(
        name: String, target: String?, properties: [String: PropertyModel], minMultiplicity: Int?,
        maxMultiplicity: Int?
    ) {
        self.name = name
        self.target = target
        self.properties = properties
        self.minMultiplicity = minMultiplicity
        self.maxMultiplicity = maxMultiplicity
    }
}

/// A `Component` content: a named instance of another interface inside the twin.
public struct ComponentModel: Sendable {
    /// The component's name.
    public let name: String
    /// The component's interface DTMI.
    public let schema: String
    /// A component model.
    public init(name: String, schema: String) {
        self.name = name
        self.schema = schema
    }
}
