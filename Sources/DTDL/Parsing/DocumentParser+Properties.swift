import ADTWire

extension DocumentParser {
    /// Reads every non-keyword member of an element against its class's property table.
    mutating func parseProperties(_ o: JSONObject, into e: ParsedElement, scope: ContextScope, types: TypeInfo) {
        let undefinedCotype = types.undefinedCotype
        let v = e.version
        var table = PropertySpec.table(for: e.cls, version: v)
        // Properties that co-types bring (semantic types bring `unit`, annotation `annotates`, ...).
        for c in e.cotypes {
            switch c {
            case "ValueAnnotation": table["annotates"] = PropertySpec("annotates", .string(maxLength: nil, namePattern: true), min: 1)
            case "Override": table["overrides"] = PropertySpec("overrides", .term, min: 1)
            case "Historized", "State", "Event", "Location": break
            case "VelocityVector": table["unit"] = PropertySpec("unit", .unit("VelocityUnit"))
            case "AccelerationVector": table["unit"] = PropertySpec("unit", .unit("AccelerationUnit"))
            default:
                if let ut = SemanticVocabulary.unitType(ofSemanticType: c, scope: scope) {
                    table["unit"] = PropertySpec("unit", .unit(ut), min: 1, supplemental: true)
                }
            }
        }
        // Terms that rejected co-types would have brought.
        var orphaned: Set<String> = []
        for c in types.rejectedCotypes {
            switch c {
            case "ValueAnnotation": orphaned.insert("annotates")
            case "Override": orphaned.insert("overrides")
            case "Historized", "State", "Event", "Location": break
            default: orphaned.insert("unit")
            }
        }
        var seen: Set<String> = []
        var reportedUndefinedTypes = false
        for (key, value) in o where !key.hasPrefix("@") {
            if orphaned.contains(key) && table[key] == nil {
                if key == "overrides" { continue }
                issues.add("noTypeThatAllows", primary: e.id, property: key, document: document,
                           detail: "no @type of the element allows property '\(key)'")
                continue
            }
            guard let name = canonicalProperty(key, table: table, version: v) else {
                let kind = termKind(key, version: v, scope: scope)
                // Undefined properties need an undefined co-type on the element (`propertyNeedsCotype`).
                let tolerated: Bool
                switch kind {
                case .undefinedTerm, .irrelevantTerm, .dtmi: tolerated = undefinedCotype
                case .invalidDTMI, .notDTMINorTerm: tolerated = undefinedCotype && v == 2
                }
                if !tolerated {
                    let code: String
                    switch kind {
                    case .undefinedTerm: code = "propertyUndefinedTerm"
                    case .irrelevantTerm, .dtmi: code = "propertyIrrelevantDtmiOrTerm"
                    case .invalidDTMI: code = "propertyInvalidDtmi"
                    case .notDTMINorTerm: code = "propertyNotDtmiNorTerm"
                    }
                    issues.add(code, primary: e.id, property: key, restriction: String(v), document: document,
                               detail: "property '\(key)' is not defined for a \(e.cls.rawValue) in DTDL v\(v)")
                    // In v3 a property that can never be tolerated also withdraws the tolerance of
                    // the element's undefined co-types, as the .NET parser reports.
                    if v >= 3, kind == .invalidDTMI || kind == .notDTMINorTerm, !reportedUndefinedTypes {
                        reportedUndefinedTypes = true
                        for t in types.undefinedTerms {
                            issues.add("typeUndefinedTerm", primary: e.id, value: t, restriction: String(v), document: document,
                                       detail: "@type '\(t)' is not defined in the element's context")
                        }
                    }
                    if !types.unknownCotype {
                        issues.add(types.inferred ? "inferredTypeDoesNotAllow" : "noTypeThatAllows", primary: e.id, property: key,
                                   document: document, detail: "no @type of the element allows property '\(key)'")
                    }
                }
                continue
            }
            if !seen.insert(name).inserted {
                issues.add("duplicatePropertyName", primary: e.id, property: name, document: document,
                           detail: "property '\(name)' is given twice (as a term and as an IRI)")
                continue
            }
            if value.isNull {
                issues.add("propertyValueNull", primary: e.id, property: name, document: document,
                           detail: "property '\(name)' is null")
                seen.remove(name)
            }
            parseValue(value, spec: table[name]!, into: e, scope: scope)
        }
        checkCotypeSchemas(e)
        for (name, spec) in table where spec.minCount > 0 && !seen.contains(name) {
            issues.add(missingCode(spec), primary: e.id, property: name, document: document,
                       detail: "a \(e.cls.rawValue) must have property '\(name)'")
        }
    }

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
    func values(_ v: JSONValue) -> [JSONValue] {
        if case .array(let items) = v { return items }
        return [v]
    }

    /// Reads one property value into the element.
    private mutating func parseValue(_ value: JSONValue, spec: PropertySpec, into e: ParsedElement, scope: ContextScope) {
        let p = spec.name
        switch spec.kind {
        case .langString(let max):
            if let map = langString(value, owner: e.id, property: p, maxLength: max, version: e.version) { e.langStrings[p] = map }
            return
        case .elements(let slot):
            parseChildren(value, spec: spec, slot: slot, into: e, scope: scope)
            return
        default: break
        }
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
            issues.add("\(datatype)MultipleValues", primary: e.id, property: p, document: document,
                       detail: "property '\(p)' takes at most \(max) value(s)")
            return
        }
        if items.count < spec.minCount {
            issues.add("\(datatype)CountBelowMin", primary: e.id, property: p, document: document,
                       detail: "property '\(p)' needs a value")
            return
        }
        guard let item = items.first else { return }
        switch spec.kind {
        case .string(let max, let namePattern):
            guard case .string(let s)? = representational(item, owner: e.id, property: p, type: .string, version: e.version) else { return }
            if let max, s.utf16.count > max {
                issues.add("stringTooLong", primary: e.id, property: p, value: s, counts: [max], document: document,
                           detail: "'\(p)' is longer than \(max) characters")
            } else if namePattern && !IdentifierSyntax.isValidName(s) {
                issues.add("stringInvalid", primary: e.id, property: p, value: s,
                           restriction: "^[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?$", document: document,
                           detail: "'\(p)' must contain only letters, digits and '_', start with a letter and end with a letter or digit")
            } else {
                e.strings[p] = s
            }
        case .boolean:
            guard let s = representational(item, owner: e.id, property: p, type: .boolean, version: e.version), case .bool(let b) = s else { return }
            e.booleans[p] = b
        case .integer(let min, let max):
            guard let s = representational(item, owner: e.id, property: p, type: .integer, version: e.version), case .integer(let i) = s else { return }
            if let min, let max, min == max, i != min {
                issues.add("valueNotExact", primary: e.id, property: p, value: String(i), restriction: String(min), document: document,
                           detail: "'\(p)' must be \(min)")
            } else if let min, i < min {
                issues.add("valueBelowMin", primary: e.id, property: p, value: String(i), restriction: String(min), document: document,
                           detail: "'\(p)' must be at least \(min)")
                if i < 0 {
                    issues.add("valueBelowRange", primary: e.id, property: p, value: String(i), document: document,
                               detail: "'\(p)' cannot be negative")
                }
            } else if let max, i > max {
                // The .NET parser words an upper bound of a bounded range as out of range.
                issues.add(min != nil ? "valueAboveRange" : "valueAboveMax", primary: e.id, property: p, value: String(i),
                           document: document, detail: "'\(p)' must be at most \(max)")
            } else {
                e.integers[p] = i
            }
        case .literal:
            guard let s = representational(item, owner: e.id, property: p, type: .literal, version: e.version) else { return }
            e.literal = s
        case .identifier:
            guard case .string(let s) = item else {
                issues.add("identifierNotString", primary: e.id, property: p, value: JSONWriter.string(item), document: document,
                           detail: "'\(p)' must be a DTMI string")
                return
            }
            guard IdentifierSyntax.check(s, requireVersion: e.version == 2, allowMinor: e.version >= 3) == nil,
                  s.utf8.count <= 2048
            else {
                issues.add("identifierNotDtmi", primary: e.id, property: p, value: s, document: document,
                           detail: "'\(p)' must be a DTMI")
                return
            }
            e.strings[p] = s
        case .instance(let allowed):
            guard case .string(let s) = item, let term = instanceTerm(s, allowed: allowed, version: e.version) else {
                // A primitive schema outside the allowed ones is an incorrect value for valueSchema
                // (class PrimitiveSchema); anything else is of the wrong type.
                let str = item.stringValue
                let primitive = str.flatMap { BuiltinSchemas.term($0, scope: scope) }
                let knownTerm = str.map { termKind($0, version: e.version) == .irrelevantTerm || $0.hasPrefix("dtmi:") } ?? false
                if case .object = item {
                    issues.add("badType", primary: e.id, property: p, document: document,
                               detail: "'\(p)' must be one of \(allowed.sorted().joined(separator: ", "))")
                } else if let str, !knownTerm {
                    issues.add("badDtmiOrTerm", primary: e.id, property: p, value: str, restriction: String(e.version), document: document,
                               detail: "'\(str)' is not a DTDL term")
                } else if p == "valueSchema", primitive != nil {
                    issues.add("incorrectPropertyValue", primary: e.id, property: p, value: str, document: document,
                               detail: "'\(p)' must be one of \(allowed.sorted().joined(separator: ", "))")
                } else if str != nil {
                    issues.add("badType", primary: e.id, property: p, value: str, document: document,
                               detail: "'\(p)' must be one of \(allowed.sorted().joined(separator: ", "))")
                    if spec.minCount > 0 {
                        issues.add("propertyCountBelowMin", primary: e.id, property: p, document: document,
                                   detail: "'\(p)' has no valid value")
                    }
                } else {
                    issues.add("refNotStringOrObject", primary: e.id, property: p, value: JSONWriter.string(item), document: document,
                               detail: "'\(p)' must be one of \(allowed.sorted().joined(separator: ", "))")
                }
                return
            }
            e.strings[p] = term
        case .term:
            guard case .string(let s) = item, !s.isEmpty else {
                issues.add("badDtmiOrTerm", primary: e.id, property: p, value: JSONWriter.string(item), document: document,
                           detail: "'\(p)' must be a term or an IRI")
                return
            }
            e.strings[p] = s
        case .unit(let unitType):
            if case .object = item {
                issues.add("refObjectNotAllowed", primary: e.id, property: p, document: document,
                           detail: "'unit' must name a unit, not define one")
                issues.add("objectCountBelowMin", primary: e.id, property: p, counts: [0, 1], document: document,
                           detail: "'unit' has no valid value")
                return
            }
            guard case .string(let s) = item else {
                issues.add("badDtmiOrTerm", primary: e.id, property: p, value: JSONWriter.string(item), document: document,
                           detail: "'unit' must be a unit name")
                return
            }
            let term = s.contains(":") ? SemanticVocabulary.term(forIRI: s, scope: scope) ?? s : s
            if let units = SemanticVocabulary.units(ofUnitType: unitType, scope: scope), !units.contains(term) {
                // The .NET parser reports the type against the unit enum, and again against EnumValue
                // when the value is not a unit at all.
                let code = scope.version >= 3 ? "badType" : "notRequiredType"
                issues.add(code, primary: e.id, property: p, value: s, document: document,
                           detail: "'\(s)' is not a \(unitType)")
                if SemanticVocabulary.table(scope)?.unit(named: term) == nil {
                    issues.add(code, primary: e.id, property: p, value: s, document: document,
                               detail: "'\(s)' is not a unit")
                }
                issues.add("wrongParent", primary: e.id, property: p, value: s, document: document,
                           detail: "unit '\(s)' is not a \(unitType)")
                return
            }
            e.strings[p] = term
        case .langString, .elements: break
        }
    }

    /// The instance term for a term or its IRI (`dtmi:dtdl:instance:Schema:integer;2`).
    private func instanceTerm(_ s: String, allowed: Set<String>, version: Int) -> String? {
        if allowed.contains(s) { return s }
        for prefix in ["dtmi:dtdl:instance:Schema:", "dtmi:dtdl:instance:CommandType:"] where s.hasPrefix(prefix) {
            guard let semi = s.lastIndex(of: ";"), let v = Int(s[s.index(after: semi)...]), v >= 2, v <= version else { return nil }
            let name = String(s[s.index(s.startIndex, offsetBy: prefix.count)..<semi])
            return allowed.contains(name) ? name : nil
        }
        return nil
    }

    /// Schema constraints of co-types: semantic types need a numeric schema; the IoT Central
    /// types need vector, numeric-or-string, Enum or geospatial schemas.
    private mutating func checkCotypeSchemas(_ e: ParsedElement) {
        guard !e.cotypes.isEmpty, let first = e.children["schema"]?.first else { return }
        var builtin: String?
        if case .builtin(let t) = first { builtin = t }
        let numeric: Set<String> = ["double", "float", "integer", "long"]
        let isEnum: Bool = { if case .element(let x) = first { return x.cls == .enumeration }; return false }()
        for c in e.cotypes {
            let secondary = builtin.map { "dtmi:dtdl:instance:Schema:\($0);2" }
            switch c {
            case "ValueAnnotation", "Override", "Historized": continue
            case "VelocityVector", "AccelerationVector":
                if builtin != "vector" {
                    issues.add("notRequiredValue", primary: e.id, secondary: secondary, property: "schema", document: document,
                               detail: "co-type \(c) requires schema 'vector'")
                }
            case "Event":
                if !(builtin.map { numeric.contains($0) || $0 == "string" } ?? false) {
                    issues.add("notRequiredType", primary: e.id, secondary: secondary, property: "schema", document: document,
                               detail: "co-type Event requires a numeric or string schema")
                }
            case "State":
                if !isEnum {
                    issues.add("notRequiredType", primary: e.id, secondary: secondary, property: "schema", document: document,
                               detail: "co-type State requires an Enum schema")
                }
            case "Location":
                let geo: Set<String> = ["point", "multiPoint", "lineString", "multiLineString", "polygon", "multiPolygon", "geopoint"]
                if !(builtin.map(geo.contains) ?? false) {
                    issues.add("notRequiredValue", primary: e.id, secondary: secondary, property: "schema", document: document,
                               detail: "co-type Location requires a geospatial schema")
                }
            default:
                if !(builtin.map(numeric.contains) ?? false) {
                    issues.add("notRequiredType", primary: e.id, secondary: secondary, property: "schema", document: document,
                               detail: "an element with semantic type \(c) must have a numeric schema (double, float, integer or long)")
                }
            }
        }
    }
}
