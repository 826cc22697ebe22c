/// The material (instantiable) classes of DTDL v2 and v3 that a model may define.
///
/// Abstract classes of the metamodel (Entity, Schema, Content, ...) and the built-in primitive
/// schema classes are not here: a model cannot instantiate them, and naming one in `@type` is an
/// error.
enum ElementClass: String, CaseIterable, Sendable {
    case interface = "Interface"
    case telemetry = "Telemetry"
    case property = "Property"
    case command = "Command"
    case relationship = "Relationship"
    case component = "Component"
    case commandPayload = "CommandPayload"
    case commandRequest = "CommandRequest"
    case commandResponse = "CommandResponse"
    case array = "Array"
    case enumeration = "Enum"
    case enumValue = "EnumValue"
    case map = "Map"
    case mapKey = "MapKey"
    case mapValue = "MapValue"
    case object = "Object"
    case field = "Field"

    /// Whether the class exists in the given DTDL major version. v3 replaced CommandPayload by
    /// CommandRequest and CommandResponse (where CommandPayload became abstract).
    func exists(in version: Int) -> Bool {
        switch self {
        case .commandPayload: return version == 2
        case .commandRequest, .commandResponse: return version >= 3
        default: return true
        }
    }

    /// Whether the class is a complex schema (may appear in `schemas` and be referenced by id).
    var isComplexSchema: Bool {
        switch self {
        case .array, .enumeration, .map, .object: return true
        default: return false
        }
    }

    /// Whether semantic types (v2 built-in, v3 QuantitativeTypes) may co-type this class.
    /// v2: Property, Telemetry; v3 adds the SchemaField subclasses. (The metamodel lists
    /// Relationship too, but no unit property applies to it and the .NET parser rejects it.)
    func acceptsSemanticType(version: Int) -> Bool {
        switch self {
        case .property, .telemetry: return true
        case .field, .mapValue, .commandRequest, .commandResponse, .commandPayload: return version >= 3
        default: return false
        }
    }

    /// Every class by its term.
    private static let byName: [String: ElementClass] = {
        var classes: [String: ElementClass] = [:]
        for elementClass in allCases { classes[elementClass.rawValue] = elementClass }
        return classes
    }()

    /// The class named by a DTDL context term, if it is material in that version.
    static func named(_ term: String, version: Int) -> ElementClass? {
        guard let elementClass = byName[term], elementClass.exists(in: version) else { return nil }
        return elementClass
    }

    /// Class terms of the DTDL contexts that are abstract or built in (not definable by a model).
    static let nonMaterialTerms: Set<String> = [
        "Entity", "NamedEntity", "SchemaField", "Schema", "ComplexSchema", "PrimitiveSchema", "Content",
        "NumericSchema", "TemporalSchema", "Unit", "UnitAttribute", "SemanticType", "SemanticUnit", "LatentType",
        "NamedLatentType", "AdjunctType", "Alias", "CommandType", "Boolean", "Date", "DateTime", "Double",
        "Duration", "Float", "Integer", "Long", "String", "Time", "CommandPayload",
    ]
}
