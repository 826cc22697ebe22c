import ADTWire

/// A resolved DTDL schema: what a value of a property, telemetry, field, map value or array
/// element must look like. Reusable schemas referenced by id are resolved into this tree
/// (DTDL forbids cycles), so validation never looks anything up by id.
public indirect enum Schema: Sendable {
    /// A primitive or geospatial schema.
    case primitive(PrimitiveSchema)
    /// An `Array`.
    case array(ArraySchema)
    /// An `Enum`.
    case enumeration(EnumSchema)
    /// A `Map`.
    case map(MapSchema)
    /// An `Object`.
    case object(ObjectSchema)
}

/// The primitive schemas of DTDL v2 and v3, including the geospatial ones.
public enum PrimitiveSchema: String, Sendable, CaseIterable {
    case boolean, date, dateTime, double, duration, float, integer, long, string, time
    // DTDL v3 additions
    case byte, bytes, decimal, short, unsignedByte, unsignedInteger, unsignedLong, unsignedShort, uuid
    // Geospatial (GeoJSON) schemas
    case point, multiPoint, lineString, multiLineString, polygon, multiPolygon
}

/// `Array`: every element conforms to `elementSchema`.
public final class ArraySchema: Sendable {
    /// The element's DTMI, when it has one (given or synthesised).
    public let id: String?
    /// The schema of every element.
    public let elementSchema: Schema
    /// An array schema.
    public init(id: String?, elementSchema: Schema) {
        self.id = id
        self.elementSchema = elementSchema
    }
}

/// `Enum`: the value is one of the `enumValue`s, of type `valueSchema` (integer or string).
public final class EnumSchema: Sendable {
    /// The element's DTMI, when it has one (given or synthesised).
    public let id: String?
    /// `.integer` or `.string`.
    public let valueSchema: PrimitiveSchema
    /// The values, in the order declared.
    public let values: [EnumValue]
    /// An enum schema.
    public init(id: String?, valueSchema: PrimitiveSchema, values: [EnumValue]) {
        self.id = id
        self.valueSchema = valueSchema
        self.values = values
    }
}

/// One value of an `Enum`.
public struct EnumValue: Sendable {
    /// The value's name.
    public let name: String
    /// The value as it appears in instances (`.string` or `.integer`).
    public let enumValue: JSONValue
    /// An enum value.
    public init(name: String, enumValue: JSONValue) {
        self.name = name
        self.enumValue = enumValue
    }
}

/// `Map`: an object whose member names are the keys and whose values conform to `valueSchema`.
public final class MapSchema: Sendable {
    /// The element's DTMI, when it has one (given or synthesised).
    public let id: String?
    /// The `name` of `mapKey` (keys are strings).
    public let keyName: String
    /// The `name` of `mapValue`.
    public let valueName: String
    /// The schema of every value.
    public let valueSchema: Schema
    /// A map schema.
    public init(id: String?, keyName: String, valueName: String, valueSchema: Schema) {
        self.id = id
        self.keyName = keyName
        self.valueName = valueName
        self.valueSchema = valueSchema
    }
}

/// `Object`: named fields, each optional in instances.
public final class ObjectSchema: Sendable {
    /// The element's DTMI, when it has one (given or synthesised).
    public let id: String?
    /// The fields, in the order declared.
    public let fields: [Field]
    /// Field lookup by name.
    public let fieldsByName: [String: Field]
    /// An object schema.
    public init(id: String?, fields: [Field]) {
        self.id = id
        self.fields = fields
        var byName: [String: Field] = [:]
        for f in fields { byName[f.name] = f }
        self.fieldsByName = byName
    }
}

/// A field of an `Object` schema.
public struct Field: Sendable {
    /// The field's name.
    public let name: String
    /// The field's schema.
    public let schema: Schema
    /// A field.
    public init(name: String, schema: Schema) {
        self.name = name
        self.schema = schema
    }
}
