import ADTWire

extension DocumentParser {
    /// The literal datatypes of DTDL properties.
    enum LiteralType {
        case string, boolean, integer, literal

        var xsd: String {
            switch self {
            case .string: return "string"
            case .boolean: return "boolean"
            case .integer: return "integer"
            case .literal: return ""
            }
        }

        func accepts(_ v: JSONValue) -> Bool {
            switch (self, v) {
            case (.string, .string), (.boolean, .bool), (.integer, .integer), (.literal, .string), (.literal, .integer): return true
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
        let x = type == .literal ? "literal" : type.xsd
        let X = x.prefix(1).uppercased() + x.dropFirst()
        func bad(_ code: String, _ detail: String, _ v: JSONValue? = nil) -> JSONValue? {
            issues.add(code, primary: owner, property: property, value: v.map { JSONWriter.string($0) }, document: document,
                       detail: detail)
            return nil
        }
        guard case .object(let o) = item else {
            return bad(type == .literal ? "literalNotValid" : "\(x)Not\(X)",
                       "'\(property)' must be a \(type == .literal ? "string or integer" : x)", item)
        }
        // v2 tolerates other keywords in value objects, but never @id, @context or @graph.
        for (k, _) in o where k != "@value" && k != "@type" {
            switch k {
            case "@context": return bad("valueObjectContext", "a value object cannot have @context")
            case "@graph": return bad("valueObjectGraph", "a value object cannot have @graph")
            case "@id": return bad("valueObjectId", "a value object cannot have @id")
            case "@language" where version >= 3: return bad("valueObjectLanguage", "a value object of '\(property)' cannot have @language")
            default:
                if !k.hasPrefix("@") {
                    _ = bad("valueObjectInvalidProp", "a value object may only have @value and @type")
                    if o["@value"] == nil { return bad("\(x)ObjectNoValue", "the value object of '\(property)' has no @value") }
                    return nil
                }
                if version >= 3 { return bad("valueObjectKeyword", "a value object cannot have keyword \(k)") }
            }
        }
        guard let v = o["@value"] else { return bad("\(x)ObjectNoValue", "the value object of '\(property)' has no @value") }
        if type == .literal, let declared = (o["@type"]?.arrayValue?.first ?? o["@type"])?.stringValue {
            // A typed literal must match its own @type before it can match the property.
            let t = declared.hasPrefix("xsd:") ? String(declared.dropFirst(4))
                : declared.hasPrefix("http://www.w3.org/2001/XMLSchema#") ? String(declared.dropFirst(33)) : declared
            let matches: Bool
            switch (t, v) {
            case ("string", .string), ("integer", .integer), ("boolean", .bool): matches = true
            default: matches = false
            }
            if !matches, ["string", "integer", "boolean"].contains(t) {
                _ = bad("\(t)ValueNot\(t.prefix(1).uppercased() + t.dropFirst())", "the @value of '\(property)' is not a \(t)", v)
                return bad("literalNotValid", "'\(property)' must be a string or an integer", v)
            }
        }
        guard type.accepts(v) else {
            return bad(type == .literal ? "literalNotValid" : "\(x)ValueNot\(X)", "the @value of '\(property)' must be a \(x)", v)
        }
        if let t = o["@type"] {
            var ts: [JSONValue] = [t]
            if case .array(let a) = t { ts = a }
            if ts.count != 1 { return bad("literalTypeNotSingular", "the value object of '\(property)' must have one @type", t) }
            let want = type == .literal ? (v.stringValue != nil ? "string" : "integer") : x
            let ok = ts[0].stringValue == "xsd:\(want)" || ts[0].stringValue == "http://www.w3.org/2001/XMLSchema#\(want)"
            if !ok {
                let tx = type == .literal ? want : x
                return bad("\(tx)TypeNot\(tx.prefix(1).uppercased() + tx.dropFirst())", "the @type of the value of '\(property)' must be xsd:\(want)", t)
            }
        }
        return v
    }

    /// A localizable string: a string (language "en"), a language map, a value object or an array
    /// of strings and value objects, each language at most once.
    mutating func langString(
        _ value: JSONValue, owner: String, property: String, maxLength: Int, version: Int
    ) -> [String: String]? {
        var out: [String: String] = [:]
        func bad(_ code: String, _ detail: String, _ v: JSONValue? = nil) -> [String: String]? {
            issues.add(code, primary: owner, property: property, value: v.map { JSONWriter.string($0) }, document: document,
                       detail: detail)
            return nil
        }
        func put(_ lang: String, _ s: String) -> Bool {
            if out[lang] != nil { return false }
            out[lang] = s
            return true
        }
        switch value {
        case .string(let s): out["en"] = s
        case .object(let o):
            if o["@value"] != nil, o["@language"] != nil, o.keys.allSatisfy({ $0.hasPrefix("@") }) {
                return bad("langTagValueInLangMap", "'\(property)' is a value object; write a string or a language map {\"en\": \"...\"}")
            }
            for (lang, v) in o {
                guard !lang.hasPrefix("@") else {
                    issues.add("langMapObjKeyword", primary: owner, property: property, value: lang, document: document,
                               detail: "a language map cannot hold keyword \(lang)")
                    return nil
                }
                guard IdentifierSyntax.isLanguageTag(lang) else { return bad("langStringInvalidCode", "'\(lang)' is not a language code") }
                if case .object(let vo) = v, vo["@value"] != nil {
                    return bad("langTagValueInLangMap", "a language map value must be a plain string, not a value object", v)
                }
                guard case .string(let s) = v else { return bad("langStringValueNotString", "language map values must be strings", v) }
                out[lang] = s
            }
        case .array(let items):
            for item in items {
                switch item {
                case .string(let s):
                    guard put("en", s) else { return bad("langStringElementCodeNotUnique", "two values for one language") }
                case .object(let o):
                    for (k, _) in o where k != "@value" && k != "@language"
                        && (version >= 3 || !k.hasPrefix("@") || k == "@id" || k == "@context" || k == "@graph")
                    {
                        switch k {
                        case "@context": return bad("langStringElementContext", "a localized value cannot have @context")
                        case "@graph": return bad("langStringElementGraph", "a localized value cannot have @graph")
                        case "@id": return bad("langStringElementId", "a localized value cannot have @id")
                        case "@type": return bad("langStringElementType", "a localized value cannot have @type")
                        default:
                            if k.hasPrefix("@") { return bad("langStringElementKeyword", "a localized value cannot have \(k)") }
                            _ = bad("langStringElementInvalidProp", "a localized value may only have @value and @language")
                            if o["@value"] == nil { return bad("langStringElementNoValue", "a localized value needs a @value") }
                            return nil
                        }
                    }
                    guard let rawValue = o["@value"] else {
                        return bad("langStringElementNoValue", "a localized value needs a string @value")
                    }
                    guard case .string(let s) = rawValue else {
                        return bad("langStringElementValueNotString", "@value of a localized value must be a string", rawValue)
                    }
                    var lang = "en"
                    if let l = o["@language"] {
                        guard case .string(let ls) = l else {
                            _ = bad("langStringElementCodeNotString", "@language must be a string", l)
                            return bad("langStringElementInvalidCode", "@language must be a language code", l)
                        }
                        guard IdentifierSyntax.isLanguageTag(ls) else {
                            return bad("langStringElementInvalidCode", "@language must be a language code", l)
                        }
                        lang = ls
                    }
                    guard put(lang, s) else { return bad("langStringElementCodeNotUnique", "two values for one language") }
                default:
                    return bad("langStringElementNotStringOrObject", "a localized value must be a string or a value object", item)
                }
            }
        default:
            _ = bad("langStringElementNotStringOrObject", "'\(property)' must be a string or a language map", value)
            return bad("langStringNotLangString", "'\(property)' must be a string or a language map", value)
        }
        for (_, s) in out where s.utf16.count > maxLength {
            return bad("langStringValueTooLong", "'\(property)' is longer than \(maxLength) characters", .string(s))
        }
        return out
    }

    /// Reads nested elements and references of an element-valued property.
    mutating func parseChildren(
        _ value: JSONValue, spec: PropertySpec, slot: PropertySpec.Slot, into e: ParsedElement, scope: ContextScope
    ) {
        let p = spec.name
        let items = values(value)
        if let max = spec.maxCount, items.count > max {
            issues.add(max == 1 ? "objectMultipleValues" : "objectCountAboveMax", primary: e.id, property: p,
                       value: String(items.count), document: document,
                       detail: "'\(p)' has \(items.count) values; at most \(max) are allowed")
            return
        }
        if items.count < spec.minCount {
            issues.add("objectCountBelowMin", primary: e.id, property: p, document: document,
                       detail: "'\(p)' needs at least \(spec.minCount) value(s)")
            return
        }
        var refs: [Reference] = []
        var names: Set<String> = []
        var literals: Set<JSONValue> = []
        var ids: Set<String> = []
        var failures = 0
        for (i, item) in items.enumerated() {
            switch item {
            case .string(let s):
                if slot.primitives, let t = BuiltinSchemas.term(s, scope: scope) {
                    refs.append(.builtin(t))
                } else if slot.primitives, scope.extensions.contains(.quantitativeTypes),
                          SemanticVocabulary.unitEnumSchema(s, scope: scope) != nil
                {
                    refs.append(.builtin(s))
                } else if IdentifierSyntax.check(s, requireVersion: e.version == 2, allowMinor: e.version >= 3) == nil {
                    if IdentifierSyntax.isReserved(s) || s.hasPrefix("dtmi:iotcentral:") {
                        issues.add("undefinedReservedId", primary: e.id, secondary: s, property: p, document: document,
                                   detail: "'\(s)' uses a reserved prefix but is not defined by DTDL")
                        failures += 1
                    } else {
                        refs.append(.id(s))
                    }
                } else if ElementClass.named(s, version: e.version) != nil || ElementClass.nonMaterialTerms.contains(s) {
                    // A class name where an element or a reference is expected.
                    issues.add("badType", primary: e.id, property: p, value: s, document: document,
                               detail: "'\(s)' is a class, not a schema or an element reference")
                } else {
                    issues.add("badDtmiOrTerm", primary: e.id, property: p, value: s, restriction: String(e.version), document: document,
                               detail: "'\(s)' is neither a DTMI nor a DTDL term allowed in '\(p)'")
                    failures += 1
                }
            case .object(let o) where o.count == 1 && o["@id"] != nil:
                // A JSON-LD node reference `{"@id": ...}` is not DTDL: references are plain DTMI strings.
                issues.add("idReference", primary: e.id, property: p, value: o["@id"]?.stringValue ?? JSONWriter.string(o["@id"]!),
                           document: document, detail: "'\(p)' must refer to an element by its DTMI as a string, not as {\"@id\": ...}")
            case .object(let o):
                var segment = "_" + p
                if spec.plural {
                    let nameKey = "dtmi:dtdl:property:name;\(scope.version)"
                    let nameValue = o["name"] ?? o[nameKey]
                    guard let n = nameValue.flatMap(Self.literalString) else {
                        // Without a name (or an @id), an element of a plural property has no id to
                        // synthesise. (A missing or malformed name is reported on the element itself.)
                        if nameValue == nil, o["@id"] == nil {
                            issues.add("missingDtmiSegPropertyValue", primary: e.id, property: p, document: document,
                                       detail: "an element of '\(p)' needs a 'name' (or an @id)")
                            continue
                        }
                        segment += ":__" + String(i)
                        let synthetic = IdentifierSyntax.child(of: e.id, segment: segment)
                        if let child = parseElement(o, scope: scope, slot: slot, property: p, parentID: e.id, synthetic: synthetic) {
                            child.parent = e
                            refs.append(.element(child))
                        }
                        continue
                    }
                    segment += ":__" + n
                }
                let synthetic = IdentifierSyntax.child(of: e.id, segment: segment)
                guard let child = parseElement(o, scope: scope, slot: slot, property: p, parentID: e.id, synthetic: synthetic)
                else {
                    // A missing @id is the whole story; other failures also leave the property short.
                    if issues.issues.last?.validationID.hasSuffix(":missingRequiredId") != true { failures += 1 }
                    continue
                }
                child.parent = e
                let redefinition = child.explicitId && !ids.insert(child.id).inserted
                if spec.plural, !redefinition, let n = child.name, !names.insert(n).inserted {
                    issues.add("nonUniquePropertyValue", primary: e.id, secondary: child.id, property: p, value: n,
                               document: document, detail: "name '\(n)' is used twice in '\(p)'")
                }
                if child.cls == .enumValue, let lit = child.literal, !literals.insert(lit).inserted {
                    issues.add("nonUniquePropertyValue", primary: e.id, secondary: child.id, property: "enumValue",
                               value: JSONWriter.string(lit), document: document, detail: "enumValue \(JSONWriter.string(lit)) is used twice")
                }
                refs.append(.element(child))
            default:
                issues.add("refNotStringOrObject", primary: e.id, property: p, value: JSONWriter.string(item), document: document,
                           detail: "'\(p)' values must be DTMIs, terms or element objects")
                failures += 1
            }
        }
        if failures > 0, refs.count < spec.minCount {
            issues.add("objectCountBelowMin", primary: e.id, property: p, counts: [refs.count, spec.minCount], document: document,
                       detail: "'\(p)' has no valid value")
        }
        e.children[p, default: []].append(contentsOf: refs)
    }

    /// The string a literal designates: `"x"`, `{"@value": "x"}` or a one-element array of those.
    static func literalString(_ v: JSONValue) -> String? {
        switch v {
        case .string(let s): return s
        case .object(let o): return o["@value"]?.stringValue
        case .array(let a) where a.count == 1: return literalString(a[0])
        default: return nil
        }
    }
}
