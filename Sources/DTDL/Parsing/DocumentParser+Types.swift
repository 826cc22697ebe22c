import ADTWire

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
    /// The undefined co-types that were tolerated.
    var undefinedTerms: [String] = []
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
        var undefinedTerms: [String] = []
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
            if material != nil || terms.contains(where: { ElementClass.named($0, version: v) != nil }),
               ["SemanticType", "SemanticUnit", "AdjunctType", "LatentType", "NamedLatentType", "UnitAttribute"].contains(t)
            {
                issues.add("abstractSupplementalType", primary: id, value: t, type: t, document: document,
                           detail: "'\(t)' is an abstract type and cannot co-type an element")
                ok = false
                continue
            }
            if ElementClass.nonMaterialTerms.contains(t) || isDTDLClassIRI(t) {
                if topLevel {
                    issues.add("typeNotRootable", primary: id, value: t, document: document,
                               detail: "a top-level element must be an Interface")
                    return nil
                }
                issues.add("badType", primary: parentID ?? id, secondary: parentID == nil ? nil : id, property: property ?? "@type",
                           value: t, document: document, detail: "'\(t)' is not a class a model element can have")
                return nil
            }
            if !t.contains(":"), SemanticVocabulary.isUnitType(t, version: v) {
                if v == 2, material != nil || terms.contains(where: { ElementClass.named($0, version: v) != nil }) {
                    issues.add("multipleMaterialTypes", primary: id, value: "\(material?.rawValue ?? "element") and Unit", document: document,
                               detail: "'\(t)' is a unit type, which cannot co-type an element")
                } else if v >= 3 {
                    let material = terms.contains { ElementClass.named($0, version: v) != nil }
                    issues.add(material ? "typeIrrelevantDtmiOrTerm" : "typeUndefinedTerm", primary: id, value: t,
                               restriction: String(v), document: document,
                               detail: "'\(t)' is a unit type, which cannot co-type an element")
                }
                issues.add("badType", primary: parentID ?? id, secondary: parentID == nil ? nil : id, property: property, value: t,
                           document: document, detail: "'\(t)' is a unit type, not an element class")
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
            let kind = termKind(t, version: v, scope: scope)
            let tolerated: Bool
            switch kind {
            case .invalidDTMI: tolerated = false
            case .notDTMINorTerm: tolerated = v == 2
            case .undefinedTerm:
                // v2 tolerates undefined co-types, except IoT Central terms without their context.
                tolerated = (v == 2 && !Self.isExtensionTerm(t)) || scope.undefinedExtension
            case .irrelevantTerm, .dtmi: tolerated = scope.undefinedExtension
            }
            unknownCotype = true
            if tolerated {
                undefinedCotype = true
                if kind == .undefinedTerm { undefinedTerms.append(t) }
            } else {
                let code: String
                switch kind {
                case .invalidDTMI: code = "typeInvalidDtmi"
                case .notDTMINorTerm: code = "typeNotDtmiNorTerm"
                case .undefinedTerm: code = "typeUndefinedTerm"
                case .dtmi, .irrelevantTerm: code = "typeIrrelevantDtmiOrTerm"
                }
                issues.add(code, primary: id, value: t, restriction: String(v), document: document,
                           detail: "@type '\(t)' is not defined in the element's context")
            }
        }
        guard ok else { return nil }
        guard let cls = material else {
            // Without a class, tolerated undefined co-types are reported too.
            for t in terms where !t.contains(":") && termKind(t, version: v, scope: scope) == .undefinedTerm
                && SemanticVocabulary.unitType(ofSemanticType: t, scope: scope) == nil && AdjunctType.lookup(t) == nil
                && v == 2
            {
                issues.add("typeUndefinedTerm", primary: id, value: t, restriction: String(v), document: document,
                           detail: "@type '\(t)' is not defined in the element's context")
            }
            if topLevel {
                issues.add("typeNotRootable", primary: id, document: document, detail: "@type names no DTDL element class")
            }
            issues.add("badType", primary: parentID ?? id, secondary: parentID == nil ? nil : id, property: property,
                       document: document, detail: "@type names no DTDL element class")
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
                } else {
                    // The feature extensions are DTDL v3 only and Historized names the v3 classes;
                    // the .NET parser also reports the version (except on Commands).
                    if v == 2 && c == "Historized" { notApplicable = true }
                    // The .NET parser also reports the version for MapValue, Field and CommandResponse
                    // (classes whose v2 counterparts differ), but not for Command or CommandRequest.
                    wrongVersion = v == 2 && cls != .command
                        || notApplicable && [.mapValue, .field, .commandResponse].contains(cls)
                    // A v3 adjunct type on the wrong content class is reported, yet its rules still apply.
                    if notApplicable && !wrongVersion && (cls == .property || cls == .telemetry) {
                        issues.add("invalidCotype", primary: id, value: c, restriction: "Property or Telemetry", type: c,
                                   document: document, detail: "co-type '\(c)' cannot apply to a \(cls.rawValue)")
                        continue
                    }
                }
            } else {
                notApplicable = !cls.acceptsSemanticType(version: v)
            }
            if notApplicable {
                issues.add("invalidCotype", primary: id, value: c, restriction: "Property or Telemetry", type: c, document: document,
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
            issues.add("missingCocotype", primary: id, value: "Override", restriction: "ValueAnnotation", type: "Override",
                       document: document, detail: "co-type Override requires co-type ValueAnnotation")
            cotypes.removeAll { $0 == "Override" }
            rejected.append("Override")
        }
        return TypeInfo(
            cls: cls, cotypes: cotypes, undefinedCotype: undefinedCotype, unknownCotype: unknownCotype, rejectedCotypes: rejected,
            undefinedTerms: undefinedTerms)
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

    func termKind(_ t: String, version: Int, scope: ContextScope? = nil) -> TermKind {
        if t.hasPrefix("dtmi:") {
            return IdentifierSyntax.check(t, requireVersion: false, allowMinor: true, allowSystem: true) == nil ? .dtmi : .invalidDTMI
        }
        if t.contains(":") { return .notDTMINorTerm }
        // A term that a context in scope defines is irrelevant here rather than undefined.
        for c in scope?.extensionContexts ?? [] where DTDLContexts.terms(of: c)?[t] != nil { return .irrelevantTerm }
        if PropertySpec.isPropertyTerm(t, version: version) || ElementClass.named(t, version: version) != nil
            || ElementClass.nonMaterialTerms.contains(t) || BuiltinSchemas.primitive(t, version: version) != nil
        {
            return .irrelevantTerm
        }
        return .undefinedTerm
    }

    /// The partner extension contexts whose terms are known even when not in scope.
    private static let extensionContextIDs = ["dtmi:iotcentral:context;2"]

    /// Whether a term is defined by a known partner extension context (IoT Central).
    static func isExtensionTerm(_ t: String) -> Bool {
        extensionContextIDs.contains { DTDLContexts.terms(of: $0)?[t] != nil }
    }
}
