import ADTWire

/// An element as parsed from a document, before resolution: its class, identifiers, literal
/// property values and nested elements or references.
final class ParsedElement {
    /// The element's DTMI, given or synthesised.
    let id: String
    /// Whether `@id` was written (synthesised ids are never referenceable).
    let explicitId: Bool
    /// The material class.
    let elementClass: ElementClass
    /// The DTDL major version of the element's context.
    let version: Int
    /// The input document the element came from.
    let documentIndex: Int
    /// The enclosing element, if any.
    weak var parent: ParsedElement?
    /// Co-types other than the material class, as terms (semantic types, adjunct types).
    var cotypes: [String] = []
    /// Literal values by property: strings (name, comment, target, unit, valueSchema, ...).
    var strings: [String: String] = [:]
    /// Integer literals (maxMultiplicity, ...).
    var integers: [String: Int64] = [:]
    /// Boolean literals (writable).
    var booleans: [String: Bool] = [:]
    /// Localizable strings by property, then by language.
    var langStrings: [String: [String: String]] = [:]
    /// `enumValue`, as written.
    var literal: JSONValue?
    /// Nested elements or references, by property, in document order.
    var children: [String: [Reference]] = [:]
    /// For top-level elements, the JSON as written.
    var definition: JSONObject?

    init(id: String, explicitId: Bool, elementClass: ElementClass, version: Int, documentIndex: Int) {
        self.id = id
        self.explicitId = explicitId
        self.elementClass = elementClass
        self.version = version
        self.documentIndex = documentIndex
    }

    /// The `name`, if any.
    var name: String? { strings["name"] }
}

/// A property value that designates an element.
enum Reference {
    /// An element written inline.
    case element(ParsedElement)
    /// A DTMI to resolve.
    case id(String)
    /// A built-in schema term (`double`, `point`, an iotcentral or unit-enum schema), canonical name.
    case builtin(String)
}
