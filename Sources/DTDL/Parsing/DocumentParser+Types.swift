/// The outcome of reading `@type`.
struct TypeInfo {
    /// The material class.
    var cls: ElementClass
    /// Known co-types, as terms (semantic types, adjunct types, IoT Central types).
    var cotypes: [String]
    /// Whether an undefined co-type was tolerated (it lets the element carry undefined properties).
    var undefinedCotype: Bool
    /// Whether any co-type was not recognised, tolerated or not.
    var unknownCotype = false
    /// Known co-types that cannot apply to this element (reported).
    var rejectedCotypes: [String] = []
    /// Whether the class was inferred from the position (no @type).
    var inferred = false
}

/// The adjunct co-types of the v3 feature extensions, with the classes they may co-type.
enum AdjunctType {
    /// The extension that defines an adjunct type term, and the classes it applies to.
    static func lookup(_ term: String) -> (ContextScope.Extension, Set<ElementClass>)? {
        switch term {
        case "ValueAnnotation": return (.annotation, [.property, .telemetry])
        case "Override": return (.overriding, [.property])
        case "Historized": return (.historization, [.property, .telemetry])
        case "State", "Event", "Location", "VelocityVector", "AccelerationVector": return (.iotcentral, [.property, .telemetry])
        default: return nil
        }
    }

    /// The term of an adjunct type written as an IRI.
    static func term(ofIRI s: String) -> String? {
        for (prefix, names) in [
            ("dtmi:dtdl:extension:annotation:v", ["ValueAnnotation"]),
            ("dtmi:dtdl:extension:overriding:v", ["Override"]),
            ("dtmi:dtdl:extension:historization:v", ["Historized"]),
        ] where s.hasPrefix(prefix) {
            for n in names where s.hasSuffix(":" + n) { return n }
        }
        if s.hasPrefix("dtmi:iotcentral:class:"), let semi = s.lastIndex(of: ";") {
            return String(s[s.index(s.startIndex, offsetBy: "dtmi:iotcentral:class:".count)..<semi])
        }
        return nil
    }
}

extension DocumentParser {
    /// Reads `@type`: one material class allowed by the slot plus co-types. Nil after reporting.
    mutating func resolveTypes(
        _ value: JSONValue?, scope: ContextScope, slot: PropertySpec.Slot, id: String, topLevel: Bool,
        parentID: String?, property: String?
    ) -> TypeInfo? {
        let v = scope.version
        var terms: [String] = []
        switch value {
        case nil:
            if let inferred = slot.inferred { return TypeInfo(cls: inferred, cotypes: [], undefinedCotype: false, inferred: true) }
            if topLevel {
                issues.add("typeNotRootable", primary: id, document: document, detail: "the top-level element has no @type")
            }
            issues.add("badType", primary: parentID ?? id, secondary: parentID == nil ? nil : id, property: property,
                       document: document, detail: "the element has no @type")
            return nil
        case .string(let s)?: terms = [s]
        case .array(let items)?:
            for item in items {
                guard case .string(let s) = item else {
                    issues.add("classNotString", primary: id, property: "@type", value: JSONWriter.string(item),
                               document: document, detail: "each @type entry must be a string")
                    return nil
                }
                terms.append(s)
            }
            if terms.isEmpty {
                if let inferred = slot.inferred { return TypeInfo(cls: inferred, cotypes: [], undefinedCotype: false) }
                issues.add("missingTypeInfo", primary: id, property: "@type", document: document, detail: "@type is empty")
                return nil
            }
        case let other?:
            issues.add("classNotString", primary: id, property: "@type", value: JSONWriter.string(other),
                       document: document, detail: "@type must be a string or an array of strings")
            return nil
        }
        var material: ElementClass?
        var cotypes: [String] = []
        var undefinedCotype = false
        var semanticCount = 0
        var unknownCotype = false
        var ok = true
        for t in terms {
            if let c = ElementClass.named(t, version: v) ?? materialIRI(t, version: v) {
                if let m = material, m != c {
                    issues.add("multipleMaterialTypes", primary: id, property: "@type", value: t, document: document,
                               detail: "@type names two element classes (\(m.rawValue), \(c.rawValue))")
                    ok = false
                }
                material = c
                continue
            }
            if ElementClass.nonMaterialTerms.contains(t) || isDTDLClassIRI(t) {
                issues.add("badType", primary: parentID ?? id, secondary: parentID == nil ? nil : id, property: property ?? "@type",
                           value: t, document: document, detail: "'\(t)' is not a class a model element can have")
                return nil
            }
            let semantic = semanticTerm(t, scope: scope)
            if let s = semantic, SemanticVocabulary.unitType(ofSemanticType: s, scope: scope) != nil {
                if !cotypes.contains(s) {
                    cotypes.append(s)
                    semanticCount += 1
                }
                continue
            }
            let adjunct = AdjunctType.lookup(t) != nil ? t : AdjunctType.term(ofIRI: t)
            if let a = adjunct, let (ext, _) = AdjunctType.lookup(a), scope.extensions.contains(ext) {
                if !cotypes.contains(a) { cotypes.append(a) }
                continue
            }
            // Undefined co-types: v2 tolerates undefined terms and non-DTMI IRIs always; v3 needs an
            // undefined extension in scope; an invalid DTMI is never tolerated.
            let kind = termKind(t, version: v)
            let tolerated: Bool
            switch kind {
            case .invalidDTMI: tolerated = false
            case .notDTMINorTerm: tolerated = v == 2
            case .undefinedTerm: tolerated = v == 2 || scope.undefinedExtension
            case .irrelevantTerm, .dtmi: tolerated = scope.undefinedExtension
            }
            unknownCotype = true
            if tolerated {
                undefinedCotype = true
            } else {
                let code: String
                switch kind {
                case .invalidDTMI: code = "typeInvalidDtmi"
                case .notDTMINorTerm: code = "typeNotDtmiNorTerm"
                case .undefinedTerm: code = "typeUndefinedTerm"
                case .dtmi, .irrelevantTerm: code = "typeIrrelevantDtmiOrTerm"
                }
                issues.add(code, primary: id, value: t, document: document,
                           detail: "@type '\(t)' is not defined in the element's context")
            }
        }
        guard ok else { return nil }
        guard let cls = material else {
            if slot.inferred != nil || topLevel {
                // Co-types without the class: the .NET parser reports the element as of the wrong type.
                issues.add(topLevel ? "typeNotRootable" : "badType", primary: topLevel ? id : parentID,
                           secondary: topLevel ? nil : id, property: property, document: document,
                           detail: "@type names no DTDL element class")
                return nil
            }
            issues.add("missingTypeInfo", primary: id, property: "@type", value: terms.joined(separator: ","), document: document,
                       detail: "@type names no DTDL element class")
            return nil
        }
        guard slot.classes.contains(cls) else {
            issues.add(topLevel ? "typeNotRootable" : "badType", primary: topLevel ? id : parentID, secondary: topLevel ? nil : id,
                       property: topLevel ? nil : property, value: cls.rawValue,
                       document: document,
                       detail: topLevel ? "a top-level element must be an Interface"
                           : "an element of class \(cls.rawValue) is not allowed here (expected \(slot.classes.map(\.rawValue).sorted().joined(separator: ", ")))")
            return nil
        }
        if semanticCount > 1 {
            issues.add("conflictingSupplementalTypes", primary: id, property: "@type", document: document,
                       detail: "an element may have at most one semantic type")
            return nil
        }
        // Co-types that cannot apply are reported and dropped; the properties they would bring
        // are then reported as not allowed by any type.
        var rejected: [String] = []
        for c in cotypes {
            var notApplicable: Bool
            var wrongVersion = false
            if let (ext, classes) = AdjunctType.lookup(c) {
                notApplicable = !classes.contains(cls)
                if ext == .iotcentral {
                    wrongVersion = v >= 3
                } else if v == 2 {
                    // The feature extensions are DTDL v3 only; Historized names the v3 classes.
                    wrongVersion = cls != .command
                    if c == "Historized" { notApplicable = true }
                }
            } else {
                notApplicable = !cls.acceptsSemanticType(version: v)
            }
            if notApplicable {
                issues.add("invalidCotype", primary: id, value: c, document: document,
                           detail: "co-type '\(c)' cannot apply to a \(cls.rawValue)")
            }
            if wrongVersion {
                issues.add("invalidCotypeVersion", primary: id, value: c, document: document,
                           detail: "co-type '\(c)' cannot apply to a DTDL v\(v) element")
            }
            if notApplicable || wrongVersion { rejected.append(c) }
        }
        cotypes.removeAll { rejected.contains($0) }
        if cotypes.contains("Override") && !cotypes.contains("ValueAnnotation") {
            issues.add("missingCocotype", primary: id, property: "@type", value: "Override", document: document,
                       detail: "co-type Override requires co-type ValueAnnotation")
            return nil
        }
        return TypeInfo(
            cls: cls, cotypes: cotypes, undefinedCotype: undefinedCotype, unknownCotype: unknownCotype, rejectedCotypes: rejected)
    }

    /// The material class of a class IRI of this version (`dtmi:dtdl:class:Array;3`).
    private func materialIRI(_ s: String, version: Int) -> ElementClass? {
        let prefix = "dtmi:dtdl:class:", suffix = ";\(version)"
        guard s.hasPrefix(prefix), s.hasSuffix(suffix) else { return nil }
        let term = s.dropFirst(prefix.count).dropLast(suffix.count)
        return ElementClass.named(String(term), version: version)
    }

    private func isDTDLClassIRI(_ s: String) -> Bool { s.hasPrefix("dtmi:dtdl:class:") }

    /// A semantic-type term for a term or IRI (`dtmi:standard:class:Area;2`, the QuantitativeTypes IRI).
    private func semanticTerm(_ t: String, scope: ContextScope) -> String? {
        if !t.contains(":") { return t }
        return SemanticVocabulary.term(forIRI: t, scope: scope)
    }

    /// How an unrecognised term or IRI is classified, as the .NET parser does.
    enum TermKind { case undefinedTerm, irrelevantTerm, dtmi, invalidDTMI, notDTMINorTerm }

    func termKind(_ t: String, version: Int) -> TermKind {
        if t.hasPrefix("dtmi:") {
            return IdentifierSyntax.check(t, requireVersion: false, allowMinor: true, allowSystem: true) == nil ? .dtmi : .invalidDTMI
        }
        if t.contains(":") { return .notDTMINorTerm }
        if PropertySpec.isPropertyTerm(t, version: version) || ElementClass.named(t, version: version) != nil
            || ElementClass.nonMaterialTerms.contains(t) || BuiltinSchemas.primitive(t, version: version) != nil
        {
            return .irrelevantTerm
        }
        return .undefinedTerm
    }
}
