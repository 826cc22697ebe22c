import ADTWire

extension DocumentParser {
    /// Reads every non-keyword member of an element against its class's property table.
    mutating func parseProperties(
        _ object: JSONObject, into element: ParsedElement, scope: ContextScope, types: TypeInfo
    ) {
        let version = element.version
        let table = propertyTable(of: element, scope: scope)
        let orphaned = orphanedProperties(types.rejectedCotypes)
        var seen: Set<String> = []
        var reportedUndefinedTypes = false
        for (key, value) in object where !key.hasPrefix("@") {
            if orphaned.contains(key) && table[key] == nil {
                if key == "overrides" { continue }
                issues.add(
                    "noTypeThatAllows", primary: element.id, property: key, document: document,
                    detail: "no @type of the element allows property '\(key)'")
                continue
            }
            guard let name = canonicalProperty(key, table: table, version: version) else {
                reportUndefinedProperty(
                    key, of: element, scope: scope, types: types, reportedUndefinedTypes: &reportedUndefinedTypes)
                continue
            }
            if !seen.insert(name).inserted {
                issues.add(
                    "duplicatePropertyName", primary: element.id, property: name, document: document,
                    detail: "property '\(name)' is given twice (as a term and as an IRI)")
                continue
            }
            if value.isNull {
                issues.add(
                    "propertyValueNull", primary: element.id, property: name, document: document,
                    detail: "property '\(name)' is null")
                seen.remove(name)
            }
            parseValue(value, spec: table[name]!, into: element, scope: scope)
        }
        checkCotypeSchemas(element)
        for (name, spec) in table where spec.minCount > 0 && !seen.contains(name) {
            issues.add(
                missingCode(spec), primary: element.id, property: name, document: document,
                detail: "a \(element.elementClass.rawValue) must have property '\(name)'")
        }
    }

    /// The property table of an element: its class's, plus the properties its co-types bring
    /// (semantic types bring `unit`, annotation `annotates`, ...).
    private func propertyTable(of element: ParsedElement, scope: ContextScope) -> [String: PropertySpec] {
        var table = PropertySpec.table(for: element.elementClass, version: element.version)
        for cotype in element.cotypes {
            switch cotype {
            case "ValueAnnotation":
                table["annotates"] = PropertySpec("annotates", .string(maxLength: nil, namePattern: true), min: 1)
            case "Override": table["overrides"] = PropertySpec("overrides", .term, min: 1)
            case "Historized", "State", "Event", "Location": break
            case "VelocityVector": table["unit"] = PropertySpec("unit", .unit("VelocityUnit"))
            case "AccelerationVector": table["unit"] = PropertySpec("unit", .unit("AccelerationUnit"))
            default:
                if let unitType = SemanticVocabulary.unitType(ofSemanticType: cotype, scope: scope) {
                    table["unit"] = PropertySpec("unit", .unit(unitType), min: 1, supplemental: true)
                }
            }
        }
        return table
    }

    /// The property terms that rejected co-types would have brought.
    private func orphanedProperties(_ rejectedCotypes: [String]) -> Set<String> {
        var orphaned: Set<String> = []
        for cotype in rejectedCotypes {
            switch cotype {
            case "ValueAnnotation": orphaned.insert("annotates")
            case "Override": orphaned.insert("overrides")
            case "Historized", "State", "Event", "Location": break
            default: orphaned.insert("unit")
            }
        }
        return orphaned
    }

    /// Reports a member that is not a property of the element, unless an undefined co-type
    /// tolerates it. `reportedUndefinedTypes` records that the undefined co-types were reported.
    private mutating func reportUndefinedProperty(
        _ key: String, of element: ParsedElement, scope: ContextScope, types: TypeInfo,
        reportedUndefinedTypes: inout Bool
    ) {
        let version = element.version
        let kind = termKind(key, version: version, scope: scope)
        // Undefined properties need an undefined co-type on the element (`propertyNeedsCotype`).
        let tolerated: Bool
        switch kind {
        case .undefinedTerm, .irrelevantTerm, .dtmi: tolerated = types.undefinedCotype
        case .invalidDTMI, .notDTMINorTerm: tolerated = types.undefinedCotype && version == 2
        }
        if tolerated { return }
        let code: String
        switch kind {
        case .undefinedTerm: code = "propertyUndefinedTerm"
        case .irrelevantTerm, .dtmi: code = "propertyIrrelevantDtmiOrTerm"
        case .invalidDTMI: code = "propertyInvalidDtmi"
        case .notDTMINorTerm: code = "propertyNotDtmiNorTerm"
        }
        issues.add(
            code, primary: element.id, property: key, restriction: String(version), document: document,
            detail: "property '\(key)' is not defined for a \(element.elementClass.rawValue) in DTDL v\(version)")
        // In v3 a property that can never be tolerated also withdraws the tolerance of
        // the element's undefined co-types, as the .NET parser reports.
        if version >= 3, kind == .invalidDTMI || kind == .notDTMINorTerm, !reportedUndefinedTypes {
            reportedUndefinedTypes = true
            for term in types.undefinedTerms {
                issues.add(
                    "typeUndefinedTerm", primary: element.id, value: term, restriction: String(version),
                    document: document, detail: "@type '\(term)' is not defined in the element's context")
            }
        }
        if !types.unknownCotype {
            issues.add(
                types.inferred ? "inferredTypeDoesNotAllow" : "noTypeThatAllows", primary: element.id,
                property: key, document: document, detail: "no @type of the element allows property '\(key)'")
        }
    }

    /// The validation id for a required property that is missing.
    private func missingCode(_ spec: PropertySpec) -> String {
        if spec.supplemental { return "missingSupplementalObjectProperty" }
        switch spec.kind {
        case .elements, .instance, .unit, .term, .identifier: return "missingObjectProperty"
        default: return "missingLiteralProperty"
        }
    }

    /// The property a member key designates: a term of the table, or the term's IRI.
    private func canonicalProperty(_ key: String, table: [String: PropertySpec], version: Int) -> String? {
        if table[key] != nil { return key }
        guard key.hasPrefix("dtmi:") else { return nil }
        let prefix = "dtmi:dtdl:property:", suffix = ";\(version)"
        if key.hasPrefix(prefix), key.hasSuffix(suffix) {
            let term = String(key.dropFirst(prefix.count).dropLast(suffix.count))
            return table[term] != nil ? term : nil
        }
        for (ext, term) in [
            ("dtmi:dtdl:extension:annotation:v", "annotates"), ("dtmi:dtdl:extension:overriding:v", "overrides"),
        ] where key.hasPrefix(ext) && key.hasSuffix(":" + term) && table[term] != nil {
            return term
        }
        if key == "dtmi:dtdl:extension:quantitativeTypes:v1:property:unit", table["unit"] != nil { return "unit" }
        return nil
    }

    /// The values of a member: an array's items, or the value itself.
    func values(_ value: JSONValue) -> [JSONValue] {
        if case .array(let items) = value { return items }
        return [value]
    }

    /// Reads one property value into the element.
    private mutating func parseValue(
        _ value: JSONValue, spec: PropertySpec, into element: ParsedElement, scope: ContextScope
    ) {
        let property = spec.name
        switch spec.kind {
        case .langString(let maxLength):
            if let map = langString(
                value, owner: element.id, property: property, maxLength: maxLength, version: element.version)
            {
                element.langStrings[property] = map
            }
            return
        case .elements(let slot):
            parseChildren(value, spec: spec, slot: slot, into: element, scope: scope)
            return
        default: break
        }
        guard let item = singleValue(value, spec: spec, owner: element.id) else { return }
        switch spec.kind {
        case .string(let maxLength, let namePattern):
            parseString(item, property: property, maxLength: maxLength, namePattern: namePattern, into: element)
        case .boolean:
            guard
                let literal = representational(
                    item, owner: element.id, property: property, type: .boolean, version: element.version),
                case .bool(let flag) = literal
            else { return }
            element.booleans[property] = flag
        case .integer(let min, let max):
            parseInteger(item, property: property, min: min, max: max, into: element)
        case .literal:
            guard
                let literal = representational(
                    item, owner: element.id, property: property, type: .literal, version: element.version)
            else { return }
            element.literal = literal
        case .identifier:
            parseIdentifier(item, property: property, into: element)
        case .instance(let allowed):
            parseInstance(item, spec: spec, allowed: allowed, into: element, scope: scope)
        case .term:
            guard case .string(let term) = item, !term.isEmpty else {
                issues.add(
                    "badDtmiOrTerm", primary: element.id, property: property, value: JSONWriter.string(item),
                    document: document, detail: "'\(property)' must be a term or an IRI")
                return
            }
            element.strings[property] = term
        case .unit(let unitType):
            parseUnit(item, property: property, unitType: unitType, into: element, scope: scope)
        case .langString, .elements: break
        }
    }

    /// The one value of a literal- or term-valued property, after checking the number of values;
    /// nil when there is none or there are too many or too few (reported).
    private mutating func singleValue(_ value: JSONValue, spec: PropertySpec, owner: String) -> JSONValue? {
        let property = spec.name
        let items = values(value)
        let datatype: String
        switch spec.kind {
        case .string: datatype = "string"
        case .boolean: datatype = "boolean"
        case .integer: datatype = "integer"
        case .identifier: datatype = "identifier"
        case .unit, .instance, .term: datatype = "object"
        default: datatype = "literal"
        }
        if let max = spec.maxCount, items.count > max {
            issues.add(
                "\(datatype)MultipleValues", primary: owner, property: property, document: document,
                detail: "property '\(property)' takes at most \(max) value(s)")
            return nil
        }
        if items.count < spec.minCount {
            issues.add(
                "\(datatype)CountBelowMin", primary: owner, property: property, document: document,
                detail: "property '\(property)' needs a value")
            return nil
        }
        return items.first
    }

    /// Reads a string property, checking its length and, for names, the DTDL name pattern.
    private mutating func parseString(
        _ item: JSONValue, property: String, maxLength: Int?, namePattern: Bool, into element: ParsedElement
    ) {
        guard
            case .string(let text)? = representational(
                item, owner: element.id, property: property, type: .string, version: element.version)
        else { return }
        if let maxLength, text.utf16.count > maxLength {
            issues.add(
                "stringTooLong", primary: element.id, property: property, value: text, counts: [maxLength],
                document: document, detail: "'\(property)' is longer than \(maxLength) characters")
        } else if namePattern && !IdentifierSyntax.isValidName(text) {
            issues.add(
                "stringInvalid", primary: element.id, property: property, value: text,
                restriction: "^[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?$", document: document,
                detail: "'\(property)' must contain only letters, digits and '_', start with a letter "
                    + "and end with a letter or digit")
        } else {
            element.strings[property] = text
        }
    }

    /// Reads an integer property, checking it against its bounds.
    private mutating func parseInteger(
        _ item: JSONValue, property: String, min: Int64?, max: Int64?, into element: ParsedElement
    ) {
        guard
            let literal = representational(
                item, owner: element.id, property: property, type: .integer, version: element.version),
            case .integer(let number) = literal
        else { return }
        if let min, let max, min == max, number != min {
            issues.add(
                "valueNotExact", primary: element.id, property: property, value: String(number),
                restriction: String(min), document: document, detail: "'\(property)' must be \(min)")
        } else if let min, number < min {
            issues.add(
                "valueBelowMin", primary: element.id, property: property, value: String(number),
                restriction: String(min), document: document, detail: "'\(property)' must be at least \(min)")
            if number < 0 {
                issues.add(
                    "valueBelowRange", primary: element.id, property: property, value: String(number),
                    document: document, detail: "'\(property)' cannot be negative")
            }
        } else if let max, number > max {
            // The .NET parser words an upper bound of a bounded range as out of range.
            issues.add(
                min != nil ? "valueAboveRange" : "valueAboveMax", primary: element.id, property: property,
                value: String(number), document: document, detail: "'\(property)' must be at most \(max)")
        } else {
            element.integers[property] = number
        }
    }

    /// Reads an unresolved DTMI property (`target`).
    private mutating func parseIdentifier(_ item: JSONValue, property: String, into element: ParsedElement) {
        guard case .string(let identifier) = item else {
            issues.add(
                "identifierNotString", primary: element.id, property: property, value: JSONWriter.string(item),
                document: document, detail: "'\(property)' must be a DTMI string")
            return
        }
        guard
            IdentifierSyntax.check(
                identifier, requireVersion: element.version == 2, allowMinor: element.version >= 3) == nil,
            identifier.utf8.count <= 2048
        else {
            issues.add(
                "identifierNotDtmi", primary: element.id, property: property, value: identifier,
                document: document, detail: "'\(property)' must be a DTMI")
            return
        }
        element.strings[property] = identifier
    }

    /// Reads a property whose value is one of a fixed set of instance terms (`valueSchema`, ...).
    private mutating func parseInstance(
        _ item: JSONValue, spec: PropertySpec, allowed: Set<String>, into element: ParsedElement, scope: ContextScope
    ) {
        guard case .string(let text) = item, let term = instanceTerm(text, allowed: allowed, version: element.version)
        else {
            reportInvalidInstance(item, spec: spec, allowed: allowed, owner: element, scope: scope)
            return
        }
        element.strings[spec.name] = term
    }

    /// Reports a value that is not one of the allowed instance terms, by what it is instead.
    private mutating func reportInvalidInstance(
        _ item: JSONValue, spec: PropertySpec, allowed: Set<String>, owner element: ParsedElement, scope: ContextScope
    ) {
        let property = spec.name
        let expected = "'\(property)' must be one of \(allowed.sorted().joined(separator: ", "))"
        // A primitive schema outside the allowed ones is an incorrect value for valueSchema
        // (class PrimitiveSchema); anything else is of the wrong type.
        let text = item.stringValue
        let primitive = text.flatMap { BuiltinSchemas.term($0, scope: scope) }
        let knownTerm =
            text.map {
                termKind($0, version: element.version) == .irrelevantTerm || $0.hasPrefix("dtmi:")
            } ?? false
        if case .object = item {
            issues.add("badType", primary: element.id, property: property, document: document, detail: expected)
        } else if let text, !knownTerm {
            issues.add(
                "badDtmiOrTerm", primary: element.id, property: property, value: text,
                restriction: String(element.version), document: document, detail: "'\(text)' is not a DTDL term")
        } else if property == "valueSchema", primitive != nil {
            issues.add(
                "incorrectPropertyValue", primary: element.id, property: property, value: text,
                document: document, detail: expected)
        } else if text != nil {
            issues.add(
                "badType", primary: element.id, property: property, value: text, document: document,
                detail: expected)
            if spec.minCount > 0 {
                issues.add(
                    "propertyCountBelowMin", primary: element.id, property: property, document: document,
                    detail: "'\(property)' has no valid value")
            }
        } else {
            issues.add(
                "refNotStringOrObject", primary: element.id, property: property, value: JSONWriter.string(item),
                document: document, detail: expected)
        }
    }

    /// Reads a `unit` value, which must name a unit of the co-type's unit type.
    private mutating func parseUnit(
        _ item: JSONValue, property: String, unitType: String, into element: ParsedElement, scope: ContextScope
    ) {
        if case .object = item {
            issues.add(
                "refObjectNotAllowed", primary: element.id, property: property, document: document,
                detail: "'unit' must name a unit, not define one")
            issues.add(
                "objectCountBelowMin", primary: element.id, property: property, counts: [0, 1],
                document: document, detail: "'unit' has no valid value")
            return
        }
        guard case .string(let written) = item else {
            issues.add(
                "badDtmiOrTerm", primary: element.id, property: property, value: JSONWriter.string(item),
                document: document, detail: "'unit' must be a unit name")
            return
        }
        let term = written.contains(":") ? SemanticVocabulary.term(forIRI: written, scope: scope) ?? written : written
        if let units = SemanticVocabulary.units(ofUnitType: unitType, scope: scope), !units.contains(term) {
            // The .NET parser reports the type against the unit enum, and again against EnumValue
            // when the value is not a unit at all.
            let code = scope.version >= 3 ? "badType" : "notRequiredType"
            issues.add(
                code, primary: element.id, property: property, value: written, document: document,
                detail: "'\(written)' is not a \(unitType)")
            if SemanticVocabulary.table(scope)?.unit(named: term) == nil {
                issues.add(
                    code, primary: element.id, property: property, value: written, document: document,
                    detail: "'\(written)' is not a unit")
            }
            issues.add(
                "wrongParent", primary: element.id, property: property, value: written, document: document,
                detail: "unit '\(written)' is not a \(unitType)")
            return
        }
        element.strings[property] = term
    }

    /// The instance term for a term or its IRI (`dtmi:dtdl:instance:Schema:integer;2`).
    private func instanceTerm(_ text: String, allowed: Set<String>, version: Int) -> String? {
        if allowed.contains(text) { return text }
        for prefix in ["dtmi:dtdl:instance:Schema:", "dtmi:dtdl:instance:CommandType:"] where text.hasPrefix(prefix) {
            guard let semicolon = text.lastIndex(of: ";"), let termVersion = Int(text[text.index(after: semicolon)...]),
                termVersion >= 2, termVersion <= version
            else { return nil }
            let name = String(text[text.index(text.startIndex, offsetBy: prefix.count)..<semicolon])
            return allowed.contains(name) ? name : nil
        }
        return nil
    }

    /// Schema constraints of co-types: semantic types need a numeric schema; the IoT Central
    /// types need vector, numeric-or-string, Enum or geospatial schemas.
    private mutating func checkCotypeSchemas(_ element: ParsedElement) {
        guard !element.cotypes.isEmpty, let first = element.children["schema"]?.first else { return }
        var builtin: String?
        if case .builtin(let term) = first { builtin = term }
        let numeric: Set<String> = ["double", "float", "integer", "long"]
        let isEnum: Bool = {
            if case .element(let schema) = first { return schema.elementClass == .enumeration }
            return false
        }()
        for cotype in element.cotypes {
            let secondary = builtin.map { "dtmi:dtdl:instance:Schema:\($0);2" }
            func report(_ code: String, _ detail: String) {
                issues.add(
                    code, primary: element.id, secondary: secondary, property: "schema", document: document,
                    detail: detail)
            }
            switch cotype {
            case "ValueAnnotation", "Override", "Historized": continue
            case "VelocityVector", "AccelerationVector":
                if builtin != "vector" { report("notRequiredValue", "co-type \(cotype) requires schema 'vector'") }
            case "Event":
                if !(builtin.map { numeric.contains($0) || $0 == "string" } ?? false) {
                    report("notRequiredType", "co-type Event requires a numeric or string schema")
                }
            case "State":
                if !isEnum { report("notRequiredType", "co-type State requires an Enum schema") }
            case "Location":
                let geospatial: Set<String> = [
                    "point", "multiPoint", "lineString", "multiLineString", "polygon", "multiPolygon", "geopoint",
                ]
                if !(builtin.map(geospatial.contains) ?? false) {
                    report("notRequiredValue", "co-type Location requires a geospatial schema")
                }
            default:
                if !(builtin.map(numeric.contains) ?? false) {
                    report(
                        "notRequiredType",
                        "an element with semantic type \(cotype) must have a numeric schema "
                            + "(double, float, integer or long)")
                }
            }
        }
    }
}
