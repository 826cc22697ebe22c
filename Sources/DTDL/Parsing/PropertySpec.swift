/// One DTDL property of an element class, as the metamodel (`*RDF-SHACL.json`) describes it:
/// the kind of value, the cardinality and the value constraints. The parser is driven by these
/// tables (`PropertySpec.table(for:version:)`) rather than by code per element.
struct PropertySpec: Sendable {
    /// What a property value may be.
    enum Kind: Sendable {
        /// A localizable string (`rdf:langString`): a string, a language map or a value-object array.
        case langString(maxLength: Int)
        /// A plain string literal, optionally restricted to the DTDL name pattern.
        case string(maxLength: Int?, namePattern: Bool)
        /// A boolean literal.
        case boolean
        /// An integer literal within bounds.
        case integer(min: Int64?, max: Int64?)
        /// A string or integer literal (`enumValue`).
        case literal
        /// Nested elements of the given classes, or references to them by DTMI.
        case elements(Slot)
        /// A DTMI that is not resolved (`target`).
        case identifier
        /// One of a fixed set of DTDL instance terms (`valueSchema`, MapKey `schema`, `commandType`).
        case instance(Set<String>)
        /// A term or IRI (`overrides`).
        case term
        /// A unit of the given unit type (`unit`, with a semantic co-type).
        case unit(String)
    }

    /// Where nested elements may go: which classes, and how they may be written.
    struct Slot: Sendable {
        /// The classes an element here may have.
        var classes: Set<ElementClass>
        /// The class assumed when `@type` is omitted (`dtmm:typeInferable`).
        var inferred: ElementClass?
        /// Whether an inline element needs an explicit `@id` (`sh:nodeKind sh:IRI`).
        var inlineNeedsId: Bool = false
        /// Whether a built-in schema term (`double`, `point`, ...) is accepted.
        var primitives: Bool = false
        /// Whether an element of an earlier DTDL version may appear here (the v3 metamodel's
        /// `sh:or [Class;3, Class;2]` on contents, extends, schema, elementSchema, properties).
        var earlierVersion: Bool = false
    }

    /// The property term.
    let name: String
    /// What its values may be.
    let kind: Kind
    /// The minimum number of values (0 or 1; `sh:minCount`).
    let minCount: Int
    /// The maximum number of values (`sh:maxCount`), nil when unbounded.
    let maxCount: Int?
    /// Whether children get synthesised ids `_prop:__name` (plural, `dtmm:dtmiSegment`) rather than `_prop`.
    let plural: Bool
    /// Whether a co-type brings the property (e.g. `unit` with a semantic type).
    let supplemental: Bool

    /// A property with its kind, cardinality (`min`, `max`; nil for unbounded) and id synthesis.
    init(_ name: String, _ kind: Kind, min: Int = 0, max: Int? = 1, plural: Bool = false, supplemental: Bool = false) {
        self.name = name
        self.kind = kind
        self.minCount = min
        self.maxCount = max
        self.plural = plural
        self.supplemental = supplemental
    }

    /// The values of a `schema`-like slot: any schema, inline or by reference, or a built-in term.
    static let anySchema = Slot(classes: [.array, .enumeration, .map, .object], primitives: true, earlierVersion: true)

    /// The property table of a class in a DTDL version (inherited Entity/NamedEntity properties included).
    static func table(for elementClass: ElementClass, version: Int) -> [String: PropertySpec] {
        version >= 3 ? v3Tables[elementClass] ?? [:] : v2Tables[elementClass] ?? [:]
    }

    private static let v2Tables = makeTables(version: 2)
    private static let v3Tables = makeTables(version: 3)

    /// The property tables of every class that exists in a DTDL version.
    private static func makeTables(version: Int) -> [ElementClass: [String: PropertySpec]] {
        let v2 = version == 2
        // Limits differ by version: v2 caps names and display names at 64 characters and sets per
        // collection; v3 raises strings to 512 and replaces set caps by a total element count.
        let nameMax = v2 ? 64 : 512
        let entity: [PropertySpec] = [
            .init("displayName", .langString(maxLength: v2 ? 64 : 512), max: nil),
            .init("description", .langString(maxLength: 512), max: nil),
            .init("comment", .string(maxLength: 512, namePattern: false)),
        ]
        let name = PropertySpec("name", .string(maxLength: nameMax, namePattern: true), min: 1)
        let schema = PropertySpec("schema", .elements(anySchema), min: 1)
        let payload: ElementClass = v2 ? .commandPayload : .commandRequest
        var specs: [ElementClass: [PropertySpec]] = [:]
        specs[.interface] =
            entity + [
                .init(
                    "contents",
                    .elements(
                        Slot(
                            classes: [.telemetry, .property, .command, .relationship, .component],
                            earlierVersion: true)),
                    max: v2 ? 300 : nil, plural: true),
                .init(
                    "extends", .elements(Slot(classes: [.interface], inlineNeedsId: true, earlierVersion: true)),
                    max: v2 ? 2 : nil),
                .init(
                    "schemas", .elements(Slot(classes: [.array, .enumeration, .map, .object], inlineNeedsId: true)),
                    max: nil),
            ]
        specs[.telemetry] = entity + [name, schema]
        specs[.property] = entity + [name, schema, .init("writable", .boolean)]
        specs[.command] =
            entity + [
                name,
                .init("request", .elements(Slot(classes: [payload], inferred: payload))),
                .init(
                    "response",
                    .elements(
                        Slot(
                            classes: [v2 ? .commandPayload : .commandResponse],
                            inferred: v2 ? .commandPayload : .commandResponse))),
                .init("commandType", .instance(["asynchronous", "synchronous"])),
            ]
        specs[.commandPayload] = entity + [name, schema]
        specs[.commandRequest] = entity + [name, schema]
        specs[.commandResponse] = entity + [name, schema]
        specs[.relationship] =
            entity + [
                name,
                .init("maxMultiplicity", .integer(min: 1, max: v2 ? 500 : nil)),
                .init("minMultiplicity", .integer(min: 0, max: 0)),
                .init("target", .identifier),
                .init(
                    "properties", .elements(Slot(classes: [.property], earlierVersion: true)), max: v2 ? 300 : nil,
                    plural: true),
                .init("writable", .boolean),
            ]
        specs[.component] =
            entity + [
                name,
                .init(
                    "schema", .elements(Slot(classes: [.interface], inlineNeedsId: true, earlierVersion: true)), min: 1),
            ]
        specs[.array] = entity + [.init("elementSchema", .elements(anySchema), min: 1)]
        specs[.enumeration] =
            entity + [
                .init("valueSchema", .instance(["integer", "string"]), min: 1),
                .init(
                    "enumValues", .elements(Slot(classes: [.enumValue], inferred: .enumValue)),
                    min: v2 ? 1 : 0, max: v2 ? 100 : nil, plural: true),
            ]
        specs[.enumValue] = entity + [name, .init("enumValue", .literal, min: 1)]
        specs[.map] =
            entity + [
                .init("mapKey", .elements(Slot(classes: [.mapKey], inferred: .mapKey)), min: 1),
                .init("mapValue", .elements(Slot(classes: [.mapValue], inferred: .mapValue)), min: 1),
            ]
        specs[.mapKey] = entity + [name, .init("schema", .instance(["string"]), min: 1)]
        specs[.mapValue] = entity + [name, schema]
        specs[.object] =
            entity + [
                .init(
                    "fields", .elements(Slot(classes: [.field], inferred: .field)),
                    min: v2 ? 1 : 0, max: v2 ? 30 : nil, plural: true)
            ]
        specs[.field] = entity + [name, schema]
        var tables: [ElementClass: [String: PropertySpec]] = [:]
        for (elementClass, classSpecs) in specs where elementClass.exists(in: version) {
            var table: [String: PropertySpec] = [:]
            for spec in classSpecs { table[spec.name] = spec }
            tables[elementClass] = table
        }
        return tables
    }

    /// Every DTDL property term of a version (used to tell an irrelevant term from an undefined one).
    static func isPropertyTerm(_ term: String, version: Int) -> Bool {
        (version >= 3 ? v3Terms : v2Terms).contains(term)
    }

    private static let v2Terms: Set<String> = [
        "baseUnit", "bottomUnit", "commandType", "comment", "contents", "description", "displayName", "elementSchema",
        "enumValue", "enumValues", "exponent", "extends", "fields", "languageMajorVersion", "mapKey", "mapValue",
        "maxMultiplicity", "minMultiplicity", "name", "prefix", "properties", "request", "response", "schema",
        "schemas", "symbol", "target", "topUnit", "unit", "valueSchema", "writable",
    ]
    private static let v3Terms: Set<String> = [
        "aliasFor", "commandType", "comment", "contents", "description", "displayName", "elementSchema", "enumValue",
        "enumValues", "exponent", "extends", "fields", "languageMajorVersion", "mapKey", "mapValue", "maxMultiplicity",
        "minMultiplicity", "name", "properties", "request", "response", "schema", "schemas", "symbol", "target",
        "valueSchema", "writable",
    ]
}
