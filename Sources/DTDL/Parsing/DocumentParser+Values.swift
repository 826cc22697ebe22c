import ADTWire

/// What the values of an element-valued property have produced so far.
private struct ChildValues {
    /// The references and nested elements accepted, in document order.
    var references: [Reference] = []
    /// The names of the nested elements (unique in a plural property).
    var names: Set<String> = []
    /// The enum values of nested EnumValues (unique in an Enum).
    var literals: Set<JSONValue> = []
    /// The explicit ids of the nested elements.
    var ids: Set<String> = []
    /// How many values failed in a way that leaves the property short.
    var failures = 0
}

extension DocumentParser {
    /// The literal datatypes of DTDL properties.
    enum LiteralType {
        case string, boolean, integer, literal

        /// The XSD datatype name (empty for `literal`, which accepts several).
        var xsd: String {
            switch self {
            case .string: return "string"
            case .boolean: return "boolean"
            case .integer: return "integer"
            case .literal: return ""
            }
        }

        /// Whether a plain JSON value is of this datatype.
        func accepts(_ value: JSONValue) -> Bool {
            switch (self, value) {
            case (.string, .string), (.boolean, .bool), (.integer, .integer), (.literal, .string), (.literal, .integer):
                return true
            default: return false
            }
        }
    }

    /// A literal written plainly or as a JSON-LD value object `{"@value": ..., "@type": "xsd:..."}`.
    /// Problems are reported with the .NET parser's datatype-specific validation ids.
    mutating func representational(
        _ item: JSONValue, owner: String, property: String, type: LiteralType, version: Int
    ) -> JSONValue? {
        if type.accepts(item) { return item }
        let datatype = type == .literal ? "literal" : type.xsd
        let capitalized = datatype.prefix(1).uppercased() + datatype.dropFirst()
        func bad(_ code: String, _ detail: String, _ value: JSONValue? = nil) -> JSONValue? {
            rejected(code, owner: owner, property: property, detail, value)
        }
        guard case .object(let object) = item else {
            return bad(
                type == .literal ? "literalNotValid" : "\(datatype)Not\(capitalized)",
                "'\(property)' must be a \(type == .literal ? "string or integer" : datatype)", item)
        }
        let noValue = "the value object of '\(property)' has no @value"
        // v2 tolerates other keywords in value objects, but never @id, @context or @graph.
        for (key, _) in object where key != "@value" && key != "@type" {
            switch key {
            case "@context": return bad("valueObjectContext", "a value object cannot have @context")
            case "@graph": return bad("valueObjectGraph", "a value object cannot have @graph")
            case "@id": return bad("valueObjectId", "a value object cannot have @id")
            case "@language" where version >= 3:
                return bad("valueObjectLanguage", "a value object of '\(property)' cannot have @language")
            default:
                if !key.hasPrefix("@") {
                    _ = bad("valueObjectInvalidProp", "a value object may only have @value and @type")
                    if object["@value"] == nil { return bad("\(datatype)ObjectNoValue", noValue) }
                    return nil
                }
                if version >= 3 { return bad("valueObjectKeyword", "a value object cannot have keyword \(key)") }
            }
        }
        guard let literal = object["@value"] else { return bad("\(datatype)ObjectNoValue", noValue) }
        if type == .literal, let declared = (object["@type"]?.arrayValue?.first ?? object["@type"])?.stringValue {
            // A typed literal must match its own @type before it can match the property.
            let declaredName =
                declared.hasPrefix("xsd:")
                ? String(declared.dropFirst(4))
                : declared.hasPrefix("http://www.w3.org/2001/XMLSchema#") ? String(declared.dropFirst(33)) : declared
            let matches: Bool
            switch (declaredName, literal) {
            case ("string", .string), ("integer", .integer), ("boolean", .bool): matches = true
            default: matches = false
            }
            if !matches, ["string", "integer", "boolean"].contains(declaredName) {
                let capitalizedName = declaredName.prefix(1).uppercased() + declaredName.dropFirst()
                _ = bad(
                    "\(declaredName)ValueNot\(capitalizedName)",
                    "the @value of '\(property)' is not a \(declaredName)", literal)
                return bad("literalNotValid", "'\(property)' must be a string or an integer", literal)
            }
        }
        guard type.accepts(literal) else {
            return bad(
                type == .literal ? "literalNotValid" : "\(datatype)ValueNot\(capitalized)",
                "the @value of '\(property)' must be a \(datatype)", literal)
        }
        if let typeValue = object["@type"] {
            var types: [JSONValue] = [typeValue]
            if case .array(let list) = typeValue { types = list }
            if types.count != 1 {
                return bad("literalTypeNotSingular", "the value object of '\(property)' must have one @type", typeValue)
            }
            let expected = type == .literal ? (literal.stringValue != nil ? "string" : "integer") : datatype
            let typeMatches =
                types[0].stringValue == "xsd:\(expected)"
                || types[0].stringValue == "http://www.w3.org/2001/XMLSchema#\(expected)"
            if !typeMatches {
                let reported = type == .literal ? expected : datatype
                let capitalizedReported = reported.prefix(1).uppercased() + reported.dropFirst()
                return bad(
                    "\(reported)TypeNot\(capitalizedReported)",
                    "the @type of the value of '\(property)' must be xsd:\(expected)", typeValue)
            }
        }
        return literal
    }

    /// A localizable string: a string (language "en"), a language map, a value object or an array
    /// of strings and value objects, each language at most once.
    mutating func langString(
        _ value: JSONValue, owner: String, property: String, maxLength: Int, version: Int
    ) -> [String: String]? {
        var strings: [String: String] = [:]
        func bad(_ code: String, _ detail: String, _ value: JSONValue? = nil) -> [String: String]? {
            rejected(code, owner: owner, property: property, detail, value)
        }
        switch value {
        case .string(let text): strings["en"] = text
        case .object(let object):
            if object["@value"] != nil, object["@language"] != nil, object.keys.allSatisfy({ $0.hasPrefix("@") }) {
                return bad(
                    "langTagValueInLangMap",
                    "'\(property)' is a value object; write a string or a language map {\"en\": \"...\"}")
            }
            for (language, entry) in object {
                guard !language.hasPrefix("@") else {
                    issues.add(
                        "langMapObjKeyword", primary: owner, property: property, value: language,
                        document: document, detail: "a language map cannot hold keyword \(language)")
                    return nil
                }
                guard IdentifierSyntax.isLanguageTag(language) else {
                    return bad("langStringInvalidCode", "'\(language)' is not a language code")
                }
                if case .object(let valueObject) = entry, valueObject["@value"] != nil {
                    return bad(
                        "langTagValueInLangMap",
                        "a language map value must be a plain string, not a value object", entry)
                }
                guard case .string(let text) = entry else {
                    return bad("langStringValueNotString", "language map values must be strings", entry)
                }
                strings[language] = text
            }
        case .array(let items):
            guard let localized = localizedValues(items, owner: owner, property: property, version: version) else {
                return nil
            }
            strings = localized
        default:
            _ = bad("langStringElementNotStringOrObject", "'\(property)' must be a string or a language map", value)
            return bad("langStringNotLangString", "'\(property)' must be a string or a language map", value)
        }
        for (_, text) in strings where text.utf16.count > maxLength {
            return bad("langStringValueTooLong", "'\(property)' is longer than \(maxLength) characters", .string(text))
        }
        return strings
    }

    /// The strings of a localizable string written as an array of strings (language "en") and
    /// value objects `{"@value": ..., "@language": ...}`, each language at most once; nil after reporting.
    private mutating func localizedValues(
        _ items: [JSONValue], owner: String, property: String, version: Int
    ) -> [String: String]? {
        var strings: [String: String] = [:]
        func bad(_ code: String, _ detail: String, _ value: JSONValue? = nil) -> [String: String]? {
            rejected(code, owner: owner, property: property, detail, value)
        }
        func put(_ language: String, _ text: String) -> Bool {
            if strings[language] != nil { return false }
            strings[language] = text
            return true
        }
        for item in items {
            switch item {
            case .string(let text):
                guard put("en", text) else {
                    return bad("langStringElementCodeNotUnique", "two values for one language")
                }
            case .object(let object):
                for (key, _) in object
                where key != "@value" && key != "@language"
                    && (version >= 3 || !key.hasPrefix("@") || key == "@id" || key == "@context" || key == "@graph")
                {
                    switch key {
                    case "@context": return bad("langStringElementContext", "a localized value cannot have @context")
                    case "@graph": return bad("langStringElementGraph", "a localized value cannot have @graph")
                    case "@id": return bad("langStringElementId", "a localized value cannot have @id")
                    case "@type": return bad("langStringElementType", "a localized value cannot have @type")
                    default:
                        if key.hasPrefix("@") {
                            return bad("langStringElementKeyword", "a localized value cannot have \(key)")
                        }
                        _ = bad("langStringElementInvalidProp", "a localized value may only have @value and @language")
                        if object["@value"] == nil {
                            return bad("langStringElementNoValue", "a localized value needs a @value")
                        }
                        return nil
                    }
                }
                guard let rawValue = object["@value"] else {
                    return bad("langStringElementNoValue", "a localized value needs a string @value")
                }
                guard case .string(let text) = rawValue else {
                    return bad(
                        "langStringElementValueNotString", "@value of a localized value must be a string",
                        rawValue)
                }
                var language = "en"
                if let languageValue = object["@language"] {
                    guard case .string(let tag) = languageValue else {
                        _ = bad("langStringElementCodeNotString", "@language must be a string", languageValue)
                        return bad("langStringElementInvalidCode", "@language must be a language code", languageValue)
                    }
                    guard IdentifierSyntax.isLanguageTag(tag) else {
                        return bad("langStringElementInvalidCode", "@language must be a language code", languageValue)
                    }
                    language = tag
                }
                guard put(language, text) else {
                    return bad("langStringElementCodeNotUnique", "two values for one language")
                }
            default:
                return bad(
                    "langStringElementNotStringOrObject", "a localized value must be a string or a value object",
                    item)
            }
        }
        return strings
    }

    /// Reads nested elements and references of an element-valued property.
    mutating func parseChildren(
        _ value: JSONValue, spec: PropertySpec, slot: PropertySpec.Slot, into element: ParsedElement,
        scope: ContextScope
    ) {
        let property = spec.name
        let items = values(value)
        if let max = spec.maxCount, items.count > max {
            issues.add(
                max == 1 ? "objectMultipleValues" : "objectCountAboveMax", primary: element.id,
                property: property, value: String(items.count), document: document,
                detail: "'\(property)' has \(items.count) values; at most \(max) are allowed")
            return
        }
        if items.count < spec.minCount {
            issues.add(
                "objectCountBelowMin", primary: element.id, property: property, document: document,
                detail: "'\(property)' needs at least \(spec.minCount) value(s)")
            return
        }
        var children = ChildValues()
        for (index, item) in items.enumerated() {
            switch item {
            case .string(let text):
                parseChildReference(text, property: property, slot: slot, of: element, scope: scope, into: &children)
            case .object(let object) where object.count == 1 && object["@id"] != nil:
                // A JSON-LD node reference `{"@id": ...}` is not DTDL: references are plain DTMI strings.
                issues.add(
                    "idReference", primary: element.id, property: property,
                    value: object["@id"]?.stringValue ?? JSONWriter.string(object["@id"]!), document: document,
                    detail: "'\(property)' must refer to an element by its DTMI as a string, "
                        + "not as {\"@id\": ...}")
            case .object(let object):
                parseInlineChild(
                    object, index: index, spec: spec, slot: slot, of: element, scope: scope, into: &children)
            default:
                issues.add(
                    "refNotStringOrObject", primary: element.id, property: property,
                    value: JSONWriter.string(item), document: document,
                    detail: "'\(property)' values must be DTMIs, terms or element objects")
                children.failures += 1
            }
        }
        let references = children.references
        if children.failures > 0, references.count < spec.minCount {
            issues.add(
                "objectCountBelowMin", primary: element.id, property: property,
                counts: [references.count, spec.minCount], document: document,
                detail: "'\(property)' has no valid value")
        }
        element.children[property, default: []].append(contentsOf: references)
    }

    /// Reads a string value of an element-valued property: a built-in schema term or a DTMI reference.
    private mutating func parseChildReference(
        _ text: String, property: String, slot: PropertySpec.Slot, of element: ParsedElement, scope: ContextScope,
        into children: inout ChildValues
    ) {
        let version = element.version
        if slot.primitives, let term = BuiltinSchemas.term(text, scope: scope) {
            children.references.append(.builtin(term))
        } else if slot.primitives, scope.extensions.contains(.quantitativeTypes),
            SemanticVocabulary.unitEnumSchema(text, scope: scope) != nil
        {
            children.references.append(.builtin(text))
        } else if IdentifierSyntax.check(text, requireVersion: version == 2, allowMinor: version >= 3) == nil {
            if IdentifierSyntax.isReserved(text) || text.hasPrefix("dtmi:iotcentral:") {
                issues.add(
                    "undefinedReservedId", primary: element.id, secondary: text, property: property,
                    document: document, detail: "'\(text)' uses a reserved prefix but is not defined by DTDL")
                children.failures += 1
            } else {
                children.references.append(.id(text))
            }
        } else if ElementClass.named(text, version: version) != nil || ElementClass.nonMaterialTerms.contains(text) {
            // A class name where an element or a reference is expected.
            issues.add(
                "badType", primary: element.id, property: property, value: text, document: document,
                detail: "'\(text)' is a class, not a schema or an element reference")
        } else {
            issues.add(
                "badDtmiOrTerm", primary: element.id, property: property, value: text,
                restriction: String(version), document: document,
                detail: "'\(text)' is neither a DTMI nor a DTDL term allowed in '\(property)'")
            children.failures += 1
        }
    }

    /// Parses an element written inline in an element-valued property, with its synthesised id
    /// (`_property`, or `_property:__name` in a plural property), and checks names and enum
    /// values are unique among its siblings.
    private mutating func parseInlineChild(
        _ object: JSONObject, index: Int, spec: PropertySpec, slot: PropertySpec.Slot, of element: ParsedElement,
        scope: ContextScope, into children: inout ChildValues
    ) {
        let property = spec.name
        var segment = "_" + property
        if spec.plural {
            let nameKey = "dtmi:dtdl:property:name;\(scope.version)"
            let nameValue = object["name"] ?? object[nameKey]
            guard let name = nameValue.flatMap(Self.literalString) else {
                // Without a name (or an @id), an element of a plural property has no id to
                // synthesise. (A missing or malformed name is reported on the element itself.)
                if nameValue == nil, object["@id"] == nil {
                    issues.add(
                        "missingDtmiSegPropertyValue", primary: element.id, property: property,
                        document: document, detail: "an element of '\(property)' needs a 'name' (or an @id)")
                    return
                }
                segment += ":__" + String(index)
                let synthetic = IdentifierSyntax.child(of: element.id, segment: segment)
                if let child = parseElement(
                    object, scope: scope, slot: slot, property: property, parentID: element.id, synthetic: synthetic)
                {
                    child.parent = element
                    children.references.append(.element(child))
                }
                return
            }
            segment += ":__" + name
        }
        let synthetic = IdentifierSyntax.child(of: element.id, segment: segment)
        guard
            let child = parseElement(
                object, scope: scope, slot: slot, property: property, parentID: element.id, synthetic: synthetic)
        else {
            // A missing @id is the whole story; other failures also leave the property short.
            if issues.issues.last?.validationID.hasSuffix(":missingRequiredId") != true { children.failures += 1 }
            return
        }
        child.parent = element
        let redefinition = child.explicitId && !children.ids.insert(child.id).inserted
        if spec.plural, !redefinition, let name = child.name, !children.names.insert(name).inserted {
            issues.add(
                "nonUniquePropertyValue", primary: element.id, secondary: child.id, property: property,
                value: name, document: document, detail: "name '\(name)' is used twice in '\(property)'")
        }
        if child.elementClass == .enumValue, let literal = child.literal, !children.literals.insert(literal).inserted {
            issues.add(
                "nonUniquePropertyValue", primary: element.id, secondary: child.id, property: "enumValue",
                value: JSONWriter.string(literal), document: document,
                detail: "enumValue \(JSONWriter.string(literal)) is used twice")
        }
        children.references.append(.element(child))
    }

    /// The string a literal designates: `"x"`, `{"@value": "x"}` or a one-element array of those.
    static func literalString(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): return text
        case .object(let object): return object["@value"]?.stringValue
        case .array(let items) where items.count == 1: return literalString(items[0])
        default: return nil
        }
    }
}

extension DocumentParser {
    /// Reports `code` on `owner`'s `property`, with the offending value if any, and answers nil.
    mutating func rejected<Value>(
        _ code: String, owner: String, property: String, _ detail: String, _ value: JSONValue? = nil
    ) -> Value? {
        issues.add(
            code, primary: owner, property: property, value: value.map { JSONWriter.string($0) },
            document: document, detail: detail)
        return nil
    }
}
