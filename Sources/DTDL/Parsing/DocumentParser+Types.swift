import ADTWire

/// The outcome of reading `@type`.
struct TypeInfo {
    /// The material class.
    var elementClass: ElementClass
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
        case "State", "Event", "Location", "VelocityVector", "AccelerationVector":
            return (.iotcentral, [.property, .telemetry])
        default: return nil
        }
    }

    /// The term of an adjunct type written as an IRI.
    static func term(ofIRI iri: String) -> String? {
        for (prefix, names) in [
            ("dtmi:dtdl:extension:annotation:v", ["ValueAnnotation"]),
            ("dtmi:dtdl:extension:overriding:v", ["Override"]),
            ("dtmi:dtdl:extension:historization:v", ["Historized"]),
        ] where iri.hasPrefix(prefix) {
            for name in names where iri.hasSuffix(":" + name) { return name }
        }
        if iri.hasPrefix("dtmi:iotcentral:class:"), let semicolon = iri.lastIndex(of: ";") {
            return String(iri[iri.index(iri.startIndex, offsetBy: "dtmi:iotcentral:class:".count)..<semicolon])
        }
        return nil
    }
}

/// Where an element's `@type` is read: the element, and the element and property holding it.
private struct TypeSite {
    /// The element's id (given or synthesised), or a label for it.
    let id: String
    /// Whether the element is a top-level element of a document.
    let topLevel: Bool
    /// The element holding it, if any.
    let parentID: String?
    /// The property of the parent holding it, if any.
    let property: String?

    /// The primary id of a `badType` issue: the parent when there is one.
    var badTypePrimary: String { parentID ?? id }
    /// The secondary id of a `badType` issue: the element itself when the parent is primary.
    var badTypeSecondary: String? { parentID == nil ? nil : id }
}

/// What the `@type` terms of an element say, gathered term by term.
private struct TypeTermScan {
    /// The material class named, if any.
    var material: ElementClass?
    /// Known co-types, as terms.
    var cotypes: [String] = []
    /// Whether an undefined co-type was tolerated.
    var undefinedCotype = false
    /// How many semantic types were named.
    var semanticCount = 0
    /// Whether any co-type was not recognised, tolerated or not.
    var unknownCotype = false
    /// The undefined co-types that were tolerated.
    var undefinedTerms: [String] = []
    /// False once a problem was reported that rejects the element after the scan.
    var valid = true
}

extension DocumentParser {
    /// Reads `@type`: one material class allowed by the slot plus co-types. Nil after reporting.
    mutating func resolveTypes(
        _ value: JSONValue?, scope: ContextScope, slot: PropertySpec.Slot, id: String, topLevel: Bool,
        parentID: String?, property: String?
    ) -> TypeInfo? {
        let site = TypeSite(id: id, topLevel: topLevel, parentID: parentID, property: property)
        guard let value else { return untypedElement(slot: slot, site: site) }
        guard let terms = typeTerms(value, id: id) else { return nil }
        if terms.isEmpty {
            if let inferred = slot.inferred {
                return TypeInfo(elementClass: inferred, cotypes: [], undefinedCotype: false)
            }
            issues.add("missingTypeInfo", primary: id, property: "@type", document: document, detail: "@type is empty")
            return nil
        }
        guard let scan = scanTypeTerms(terms, scope: scope, site: site) else { return nil }
        guard let elementClass = scan.material else {
            reportNoElementClass(terms, scope: scope, site: site)
            return nil
        }
        guard slot.classes.contains(elementClass) else {
            reportClassNotAllowed(elementClass, slot: slot, site: site)
            return nil
        }
        if scan.semanticCount > 1 {
            issues.add(
                "conflictingSupplementalTypes", primary: id, property: "@type", document: document,
                detail: "an element may have at most one semantic type")
            return nil
        }
        // Co-types that cannot apply are reported and dropped; the properties they would bring
        // are then reported as not allowed by any type.
        var cotypes = scan.cotypes
        var rejected = inapplicableCotypes(cotypes, elementClass: elementClass, version: scope.version, id: id)
        cotypes.removeAll { rejected.contains($0) }
        if cotypes.contains("Override") && !cotypes.contains("ValueAnnotation") {
            issues.add(
                "missingCocotype", primary: id, value: "Override", restriction: "ValueAnnotation",
                type: "Override", document: document,
                detail: "co-type Override requires co-type ValueAnnotation")
            cotypes.removeAll { $0 == "Override" }
            rejected.append("Override")
        }
        return TypeInfo(
            elementClass: elementClass, cotypes: cotypes, undefinedCotype: scan.undefinedCotype,
            unknownCotype: scan.unknownCotype, rejectedCotypes: rejected, undefinedTerms: scan.undefinedTerms)
    }

    /// The type of an element without `@type`: the slot's inferred class, or nil after reporting.
    private mutating func untypedElement(slot: PropertySpec.Slot, site: TypeSite) -> TypeInfo? {
        if let inferred = slot.inferred {
            return TypeInfo(elementClass: inferred, cotypes: [], undefinedCotype: false, inferred: true)
        }
        reportBadType(site, rootDetail: "the top-level element has no @type", detail: "the element has no @type")
        return nil
    }

    /// The terms a `@type` value lists (a string or an array of strings); nil after reporting.
    private mutating func typeTerms(_ value: JSONValue, id: String) -> [String]? {
        switch value {
        case .string(let term): return [term]
        case .array(let items):
            var terms: [String] = []
            for item in items {
                guard case .string(let term) = item else {
                    issues.add(
                        "classNotString", primary: id, property: "@type", value: JSONWriter.string(item),
                        document: document, detail: "each @type entry must be a string")
                    return nil
                }
                terms.append(term)
            }
            return terms
        default:
            issues.add(
                "classNotString", primary: id, property: "@type", value: JSONWriter.string(value),
                document: document, detail: "@type must be a string or an array of strings")
            return nil
        }
    }

    /// Reads every `@type` term in order; nil when a term rejects the element outright or a
    /// problem found on the way does (all reported).
    private mutating func scanTypeTerms(_ terms: [String], scope: ContextScope, site: TypeSite) -> TypeTermScan? {
        var scan = TypeTermScan()
        for term in terms {
            guard scanTypeTerm(term, of: terms, scope: scope, site: site, into: &scan) else { return nil }
        }
        return scan.valid ? scan : nil
    }

    /// The abstract classes that cannot co-type an element.
    private static let abstractSupplementalTypes = [
        "SemanticType", "SemanticUnit", "AdjunctType", "LatentType", "NamedLatentType", "UnitAttribute",
    ]

    /// Reads one `@type` term into the scan: a material class, a semantic or adjunct co-type, or an
    /// undefined co-type. False when the term rejects the element outright (reported).
    private mutating func scanTypeTerm(
        _ term: String, of terms: [String], scope: ContextScope, site: TypeSite, into scan: inout TypeTermScan
    ) -> Bool {
        let version = scope.version
        if let named = ElementClass.named(term, version: version) ?? materialIRI(term, version: version) {
            if let material = scan.material, material != named {
                issues.add(
                    "multipleMaterialTypes", primary: site.id, property: "@type", value: term,
                    document: document,
                    detail: "@type names two element classes (\(material.rawValue), \(named.rawValue))")
                scan.valid = false
            }
            scan.material = named
            return true
        }
        if scan.material != nil || terms.contains(where: { ElementClass.named($0, version: version) != nil }),
            Self.abstractSupplementalTypes.contains(term)
        {
            issues.add(
                "abstractSupplementalType", primary: site.id, value: term, type: term, document: document,
                detail: "'\(term)' is an abstract type and cannot co-type an element")
            scan.valid = false
            return true
        }
        if ElementClass.nonMaterialTerms.contains(term) || isDTDLClassIRI(term) {
            reportNonMaterialClass(term, site: site)
            return false
        }
        if !term.contains(":"), SemanticVocabulary.isUnitType(term, version: version) {
            reportUnitTypeTerm(term, of: terms, material: scan.material, version: version, site: site)
            return false
        }
        let semantic = semanticTerm(term, scope: scope)
        if let semantic, SemanticVocabulary.unitType(ofSemanticType: semantic, scope: scope) != nil {
            if !scan.cotypes.contains(semantic) {
                scan.cotypes.append(semantic)
                scan.semanticCount += 1
            }
            return true
        }
        let adjunct = AdjunctType.lookup(term) != nil ? term : AdjunctType.term(ofIRI: term)
        if let adjunct, let (ext, _) = AdjunctType.lookup(adjunct), scope.extensions.contains(ext) {
            if !scan.cotypes.contains(adjunct) { scan.cotypes.append(adjunct) }
            return true
        }
        scanUndefinedCotype(term, scope: scope, id: site.id, into: &scan)
        return true
    }

    /// Reports a `@type` term that names an abstract or built-in class, which no element can have.
    private mutating func reportNonMaterialClass(_ term: String, site: TypeSite) {
        if site.topLevel {
            issues.add(
                "typeNotRootable", primary: site.id, value: term, document: document,
                detail: "a top-level element must be an Interface")
            return
        }
        issues.add(
            "badType", primary: site.badTypePrimary, secondary: site.badTypeSecondary,
            property: site.property ?? "@type", value: term, document: document,
            detail: "'\(term)' is not a class a model element can have")
    }

    /// Reports a `@type` term that names a unit type (`LengthUnit`), which cannot type an element.
    private mutating func reportUnitTypeTerm(
        _ term: String, of terms: [String], material: ElementClass?, version: Int, site: TypeSite
    ) {
        if version == 2, material != nil || terms.contains(where: { ElementClass.named($0, version: version) != nil }) {
            issues.add(
                "multipleMaterialTypes", primary: site.id, value: "\(material?.rawValue ?? "element") and Unit",
                document: document, detail: "'\(term)' is a unit type, which cannot co-type an element")
        } else if version >= 3 {
            let namesMaterial = terms.contains { ElementClass.named($0, version: version) != nil }
            issues.add(
                namesMaterial ? "typeIrrelevantDtmiOrTerm" : "typeUndefinedTerm", primary: site.id, value: term,
                restriction: String(version), document: document,
                detail: "'\(term)' is a unit type, which cannot co-type an element")
        }
        issues.add(
            "badType", primary: site.badTypePrimary, secondary: site.badTypeSecondary, property: site.property,
            value: term, document: document, detail: "'\(term)' is a unit type, not an element class")
    }

    /// Records an unrecognised co-type: tolerated, or reported by what kind of term it is.
    private mutating func scanUndefinedCotype(
        _ term: String, scope: ContextScope, id: String, into scan: inout TypeTermScan
    ) {
        let version = scope.version
        // Undefined co-types: v2 tolerates undefined terms and non-DTMI IRIs always; v3 needs an
        // undefined extension in scope; an invalid DTMI is never tolerated.
        let kind = termKind(term, version: version, scope: scope)
        let tolerated: Bool
        switch kind {
        case .invalidDTMI: tolerated = false
        case .notDTMINorTerm: tolerated = version == 2
        case .undefinedTerm:
            // v2 tolerates undefined co-types, except IoT Central terms without their context.
            tolerated = (version == 2 && !Self.isExtensionTerm(term)) || scope.undefinedExtension
        case .irrelevantTerm, .dtmi: tolerated = scope.undefinedExtension
        }
        scan.unknownCotype = true
        if tolerated {
            scan.undefinedCotype = true
            if kind == .undefinedTerm { scan.undefinedTerms.append(term) }
            return
        }
        let code: String
        switch kind {
        case .invalidDTMI: code = "typeInvalidDtmi"
        case .notDTMINorTerm: code = "typeNotDtmiNorTerm"
        case .undefinedTerm: code = "typeUndefinedTerm"
        case .dtmi, .irrelevantTerm: code = "typeIrrelevantDtmiOrTerm"
        }
        issues.add(
            code, primary: id, value: term, restriction: String(version), document: document,
            detail: "@type '\(term)' is not defined in the element's context")
    }

    /// Reports `@type` terms that name no material class (with the undefined terms v2 tolerated).
    private mutating func reportNoElementClass(_ terms: [String], scope: ContextScope, site: TypeSite) {
        let version = scope.version
        // Without a class, tolerated undefined co-types are reported too.
        for term in terms
        where !term.contains(":") && termKind(term, version: version, scope: scope) == .undefinedTerm
            && SemanticVocabulary.unitType(ofSemanticType: term, scope: scope) == nil && AdjunctType.lookup(term) == nil
            && version == 2
        {
            issues.add(
                "typeUndefinedTerm", primary: site.id, value: term, restriction: String(version),
                document: document, detail: "@type '\(term)' is not defined in the element's context")
        }
        reportBadType(
            site, rootDetail: "@type names no DTDL element class", detail: "@type names no DTDL element class")
    }

    /// `typeNotRootable` for a top-level element, then `badType`.
    private mutating func reportBadType(_ site: TypeSite, rootDetail: String, detail: String) {
        if site.topLevel {
            issues.add("typeNotRootable", primary: site.id, document: document, detail: rootDetail)
        }
        issues.add(
            "badType", primary: site.badTypePrimary, secondary: site.badTypeSecondary, property: site.property,
            document: document, detail: detail)
    }

    /// Reports an element whose class the slot (or the top level) does not allow.
    private mutating func reportClassNotAllowed(_ elementClass: ElementClass, slot: PropertySpec.Slot, site: TypeSite) {
        let expected = slot.classes.map(\.rawValue).sorted().joined(separator: ", ")
        let topLevel = site.topLevel
        issues.add(
            topLevel ? "typeNotRootable" : "badType", primary: topLevel ? site.id : site.parentID,
            secondary: topLevel ? nil : site.id, property: topLevel ? nil : site.property,
            value: elementClass.rawValue, document: document,
            detail: topLevel
                ? "a top-level element must be an Interface"
                : "an element of class \(elementClass.rawValue) is not allowed here (expected \(expected))")
    }

    /// The co-types that cannot apply to an element of this class and version (reported).
    private mutating func inapplicableCotypes(
        _ cotypes: [String], elementClass: ElementClass, version: Int, id: String
    ) -> [String] {
        var rejected: [String] = []
        for cotype in cotypes {
            var notApplicable: Bool
            var wrongVersion = false
            if let (ext, classes) = AdjunctType.lookup(cotype) {
                notApplicable = !classes.contains(elementClass)
                if ext == .iotcentral {
                    wrongVersion = version >= 3
                } else {
                    // The feature extensions are DTDL v3 only and Historized names the v3 classes;
                    // the .NET parser also reports the version (except on Commands).
                    if version == 2 && cotype == "Historized" { notApplicable = true }
                    // The .NET parser also reports the version for MapValue, Field and CommandResponse
                    // (classes whose v2 counterparts differ), but not for Command or CommandRequest.
                    wrongVersion =
                        version == 2 && elementClass != .command
                        || notApplicable && [.mapValue, .field, .commandResponse].contains(elementClass)
                    // A v3 adjunct type on the wrong content class is reported, yet its rules still apply.
                    if notApplicable && !wrongVersion && (elementClass == .property || elementClass == .telemetry) {
                        issues.add(
                            "invalidCotype", primary: id, value: cotype, restriction: "Property or Telemetry",
                            type: cotype, document: document,
                            detail: "co-type '\(cotype)' cannot apply to a \(elementClass.rawValue)")
                        continue
                    }
                }
            } else {
                notApplicable = !elementClass.acceptsSemanticType(version: version)
            }
            if notApplicable {
                issues.add(
                    "invalidCotype", primary: id, value: cotype, restriction: "Property or Telemetry",
                    type: cotype, document: document,
                    detail: "co-type '\(cotype)' cannot apply to a \(elementClass.rawValue)")
            }
            if wrongVersion {
                issues.add(
                    "invalidCotypeVersion", primary: id, value: cotype, document: document,
                    detail: "co-type '\(cotype)' cannot apply to a DTDL v\(version) element")
            }
            if notApplicable || wrongVersion { rejected.append(cotype) }
        }
        return rejected
    }

    /// The material class of a class IRI of this version (`dtmi:dtdl:class:Array;3`).
    private func materialIRI(_ iri: String, version: Int) -> ElementClass? {
        let prefix = "dtmi:dtdl:class:", suffix = ";\(version)"
        guard iri.hasPrefix(prefix), iri.hasSuffix(suffix) else { return nil }
        let term = iri.dropFirst(prefix.count).dropLast(suffix.count)
        return ElementClass.named(String(term), version: version)
    }

    /// Whether a term is the IRI of a DTDL class (`dtmi:dtdl:class:...`).
    private func isDTDLClassIRI(_ term: String) -> Bool { term.hasPrefix("dtmi:dtdl:class:") }

    /// A semantic-type term for a term or IRI (`dtmi:standard:class:Area;2`, the QuantitativeTypes IRI).
    private func semanticTerm(_ term: String, scope: ContextScope) -> String? {
        if !term.contains(":") { return term }
        return SemanticVocabulary.term(forIRI: term, scope: scope)
    }

    /// How an unrecognised term or IRI is classified, as the .NET parser does.
    enum TermKind { case undefinedTerm, irrelevantTerm, dtmi, invalidDTMI, notDTMINorTerm }

    /// The kind of an unrecognised term or IRI in a version (and scope, when known).
    func termKind(_ term: String, version: Int, scope: ContextScope? = nil) -> TermKind {
        if term.hasPrefix("dtmi:") {
            let problem = IdentifierSyntax.check(term, requireVersion: false, allowMinor: true, allowSystem: true)
            return problem == nil ? .dtmi : .invalidDTMI
        }
        if term.contains(":") { return .notDTMINorTerm }
        // A term that a context in scope defines is irrelevant here rather than undefined.
        for context in scope?.extensionContexts ?? [] where DTDLContexts.terms(of: context)?[term] != nil {
            return .irrelevantTerm
        }
        if PropertySpec.isPropertyTerm(term, version: version) || ElementClass.named(term, version: version) != nil
            || ElementClass.nonMaterialTerms.contains(term) || BuiltinSchemas.primitive(term, version: version) != nil
        {
            return .irrelevantTerm
        }
        return .undefinedTerm
    }

    /// The partner extension contexts whose terms are known even when not in scope.
    private static let extensionContextIDs = ["dtmi:iotcentral:context;2"]

    /// Whether a term is defined by a known partner extension context (IoT Central).
    static func isExtensionTerm(_ term: String) -> Bool {
        extensionContextIDs.contains { DTDLContexts.terms(of: $0)?[term] != nil }
    }
}
