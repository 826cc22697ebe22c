/// The semantic types, unit enums and units of DTDL: built into DTDL v2, and the
/// `dtmi:dtdl:extension:quantitativeTypes;1` extension of DTDL v3.
///
/// A semantic type (e.g. `Temperature`) is a co-type of a Property, Telemetry or Field whose
/// `unit` must be a unit of its unit enum (e.g. `TemperatureUnit`, whose units include
/// `degreeCelsius`). Models may also use a unit enum name as a schema: the values are then the
/// unit names as strings (see ``unitEnumSchema(named:)``).
///
/// Tables are built once; lookups are dictionary reads.
public final class QuantitativeTypes: Sendable {
    /// The units and semantic types built into DTDL v2 (`dtmi:dtdl:context;2`).
    public static let v2 = QuantitativeTypes(v2: ())
    /// The units and semantic types of the DTDL v3 extension `dtmi:dtdl:extension:quantitativeTypes;1`.
    public static let v3 = QuantitativeTypes(v3: ())

    /// The context id that defines these terms (`dtmi:dtdl:context;2` or
    /// `dtmi:dtdl:extension:quantitativeTypes;1`).
    public let contextID: String
    /// Semantic types by name, e.g. `Temperature`.
    public let semanticTypes: [String: SemanticType]
    /// Unit enums by name, e.g. `TemperatureUnit` (v3 also lists the `DecimalPrefix` and
    /// `BinaryPrefix` enums of unit prefixes).
    public let unitEnums: [String: UnitEnum]
    /// Units by name, e.g. `degreeCelsius`.
    public let units: [String: Unit]
    private let byID: [String: String]
    private let schemas: [String: Schema]

    /// A semantic type.
    public struct SemanticType: Sendable, Hashable {
        /// The term, e.g. `Temperature`.
        public let name: String
        /// Its DTMI, e.g. `dtmi:standard:class:Temperature;2`.
        public let id: String
        /// The name of the unit enum its `unit` must belong to, e.g. `TemperatureUnit`.
        public let unitEnum: String
    }

    /// A unit enum (v2 "unit type"): a named set of units.
    public struct UnitEnum: Sendable, Hashable {
        /// The term, e.g. `TemperatureUnit`.
        public let name: String
        /// Its DTMI.
        public let id: String
        /// Its unit names, in the order defined.
        public let unitNames: [String]
    }

    /// A unit (or, in v3, a unit prefix).
    public struct Unit: Sendable, Hashable {
        /// The term, e.g. `degreeCelsius`.
        public let name: String
        /// Its DTMI.
        public let id: String
        /// The name of the first unit enum that lists it.
        public let unitEnum: String
        /// Its symbol, e.g. `°C` (v3 only).
        public let symbol: String?
    }

    /// The semantic type with this term, e.g. `Temperature`.
    public func semanticType(named name: String) -> SemanticType? { semanticTypes[name] }

    /// The unit with this term, e.g. `degreeCelsius`.
    public func unit(named name: String) -> Unit? { units[name] }

    /// The unit names of the unit enum with this term, e.g. `TemperatureUnit`.
    public func unitEnum(named name: String) -> [String]? { unitEnums[name]?.unitNames }

    /// Whether `unit` is a valid `unit` for the semantic type `semanticType` (both terms).
    public func unit(_ unit: String, isValidFor semanticType: String) -> Bool {
        guard let enumName = semanticTypes[semanticType]?.unitEnum else { return false }
        return unitEnums[enumName]?.unitNames.contains(unit) ?? false
    }

    /// The term of a semantic type, unit enum or unit given by its DTMI.
    public func term(forID id: String) -> String? { byID[id] }

    /// The unit enum with this term as a string `Enum` schema whose values are the unit names.
    public func unitEnumSchema(named name: String) -> Schema? { schemas[name] }

    /// The unit enum with this DTMI as a string `Enum` schema.
    public func unitEnumSchema(id: String) -> Schema? { byID[id].flatMap { schemas[$0] } }

    private init(
        contextID: String, semantic: [(String, String, String)], enums: [(String, String, [(String, String, String?)])]
    ) {
        self.contextID = contextID
        var semanticTypes: [String: SemanticType] = [:]
        var unitEnums: [String: UnitEnum] = [:]
        var units: [String: Unit] = [:]
        var byID: [String: String] = [:]
        var schemas: [String: Schema] = [:]
        for (name, id, unitEnum) in semantic {
            semanticTypes[name] = SemanticType(name: name, id: id, unitEnum: unitEnum)
            byID[id] = name
        }
        for (name, id, members) in enums {
            unitEnums[name] = UnitEnum(name: name, id: id, unitNames: members.map(\.0))
            byID[id] = name
            for (unitName, unitID, symbol) in members where units[unitName] == nil {
                units[unitName] = Unit(name: unitName, id: unitID, unitEnum: name, symbol: symbol)
                byID[unitID] = unitName
            }
            let values = members.map { EnumValue(name: $0.0, enumValue: .string($0.0)) }
            schemas[name] = .enumeration(EnumSchema(id: id, valueSchema: .string, values: values))
        }
        self.semanticTypes = semanticTypes
        self.unitEnums = unitEnums
        self.units = units
        self.byID = byID
        self.schemas = schemas
    }

    private convenience init(v2: Void) {
        self.init(contextID: "dtmi:dtdl:context;2", semantic: Self.v2SemanticRows, enums: Self.v2EnumRows)
    }

    private convenience init(v3: Void) {
        let enums = Self.v3EnumRows.map { row in
            (row.0, row.1, row.2.map { ($0.0, $0.2, $0.3) })
        }
        self.init(contextID: "dtmi:dtdl:extension:quantitativeTypes;1", semantic: Self.v3SemanticRows, enums: enums)
    }

    /// The table for a context id: ``v2`` for `dtmi:dtdl:context;2`, ``v3`` for
    /// `dtmi:dtdl:extension:quantitativeTypes;1`, `nil` otherwise.
    public static func forContext(_ contextID: String) -> QuantitativeTypes? {
        switch contextID {
        case v2.contextID: return v2
        case v3.contextID: return v3
        default: return nil
        }
    }
}
