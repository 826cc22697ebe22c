/// Resolves parsed elements into a `ModelGraph`: references, `extends` closure, inherited
/// contents, components and schemas, with the rules that span elements (cycles, depths, name
/// clashes, counts over hierarchies).
struct ModelResolver {
    /// The models already stored, which the batch may reference and extend.
    let existing: ModelGraph
    /// The parser settings.
    let options: ModelParser.Options
    /// Every element parsed from the batch, in document order.
    let elements: [ParsedElement]
    /// Ids written on elements, valid or not (see `DocumentParser.declaredIDs`).
    let declaredIDs: Set<String>
    /// The problems found during resolution.
    var issues = IssueCollector()
    /// DTMIs referenced but defined nowhere, in first-seen order.
    var unresolved: [String] = []
    /// `unresolved`, as a set.
    private var unresolvedSet: Set<String> = []
    /// Batch elements by id.
    var byID: [String: ParsedElement] = [:]
    /// Interfaces whose inheritance is valid (acyclic, within limits), with their effective content
    /// origins (content name → declaring interface).
    var origins: [String: [String: String]] = [:]
    /// The resolved models of batch interfaces, by id.
    var models: [String: InterfaceModel] = [:]
    /// The resolved schemas of complex-schema elements, by id.
    var schemaCache: [String: Schema] = [:]
    /// The complex-schema nesting depth of schema elements.
    var schemaDepth: [ObjectIdentifier: Int] = [:]
    /// Interfaces rejected during resolution (their dependants are not checked again).
    var failed: Set<String> = []

    /// A resolver for what a parser read, on top of existing models.
    init(parser: DocumentParser, existing: ModelGraph, options: ModelParser.Options) {
        self.existing = existing
        self.options = options
        self.elements = parser.elements
        self.declaredIDs = parser.declaredIDs
    }

    /// Runs every step and returns the resulting graph (meaningful only when no issue was reported).
    mutating func resolve() -> ModelGraph {
        indexElements()
        checkReferences()
        guard issues.isEmpty, unresolved.isEmpty else { return existing }
        checkInheritance()
        guard issues.isEmpty else { return existing }
        var interfaces = existing.interfaces
        var schemas = existing.schemas
        for interface in elements where interface.elementClass == .interface {
            if let resolved = model(interface) { interfaces[interface.id] = resolved }
        }
        checkComponents(interfaces)
        checkV3Limits()
        for schemaElement in elements where schemaElement.elementClass.isComplexSchema {
            if let resolved = schema(.element(schemaElement), owner: schemaElement), schemaElement.explicitId {
                schemas[schemaElement.id] = resolved
            }
        }
        checkAnnotations()
        return ModelGraph(interfaces: interfaces, schemas: schemas)
    }

    // MARK: Identifiers and references

    /// Indexes the batch elements by id, reporting ids defined twice or already defined by an existing model.
    private mutating func indexElements() {
        for element in elements {
            if let prior = byID[element.id] {
                // Two elements with the same synthesised id have the same name in the same place,
                // which is reported as a name clash where it is found.
                guard element.explicitId else { continue }
                issues.add(
                    "duplicateDefinition", primary: element.id, secondary: prior.id,
                    document: element.documentIndex, detail: "'\(element.id)' is defined more than once")
                continue
            }
            if element.elementClass == .interface, element.parent == nil, existing.interfaces[element.id] != nil {
                issues.add(
                    "duplicateDefinition", primary: element.id, document: element.documentIndex,
                    detail: "'\(element.id)' is already defined by an existing model")
                continue
            }
            byID[element.id] = element
        }
    }

    /// Every reference must name an element of an allowed class, in the batch or among existing models.
    private mutating func checkReferences() {
        for element in elements {
            let table = PropertySpec.table(for: element.elementClass, version: element.version)
            for (property, references) in element.children {
                guard case .elements(let slot)? = table[property]?.kind else { continue }
                for case .id(let target) in references {
                    if let referenced = byID[target] {
                        checkBatchReference(
                            to: referenced, from: element, property: property, slot: slot, table: table,
                            referenceCount: references.count)
                        continue
                    }
                    if slot.classes.contains(.interface), existing.interfaces[target] != nil { continue }
                    if existing.interfaces[target] != nil {
                        issues.add(
                            "badType", primary: element.id, secondary: target, property: property,
                            value: "Interface", document: element.documentIndex,
                            detail: "'\(property)' refers to '\(target)', an Interface")
                        continue
                    }
                    if existing.schemas[target] != nil {
                        // Schemas belong to the Interface that defines them (no cross-Interface references).
                        issues.add(
                            "crossPartitionReference", primary: element.id, secondary: target,
                            property: property, value: target, document: element.documentIndex,
                            detail: "'\(property)' refers to '\(target)', "
                                + "which is defined inside another Interface")
                        continue
                    }
                    // An element that is defined but was rejected has its own error already.
                    if declaredIDs.contains(target) { continue }
                    if unresolvedSet.insert(target).inserted { unresolved.append(target) }
                }
            }
        }
    }

    /// Checks a reference to an element of the batch: same Interface (unless an Interface), not a
    /// later DTDL version, a class the slot allows, and in ADT mode a top-level Interface.
    private mutating func checkBatchReference(
        to referenced: ParsedElement, from element: ParsedElement, property: String, slot: PropertySpec.Slot,
        table: [String: PropertySpec], referenceCount: Int
    ) {
        let target = referenced.id
        if referenced.elementClass != .interface, partition(of: referenced) !== partition(of: element) {
            issues.add(
                "crossPartitionReference", primary: element.id, secondary: target, property: property,
                value: target, document: element.documentIndex,
                detail: "'\(target)' is defined inside another Interface; "
                    + "only Interfaces can be referenced across Interfaces")
        } else if referenced.version > element.version {
            issues.add(
                "disallowedVersionReference", primary: element.id, secondary: target, property: property,
                document: element.documentIndex,
                detail: "a DTDL v\(element.version) element cannot refer to '\(target)', "
                    + "a DTDL v\(referenced.version) element")
            // As the .NET parser, also say that the later version is not known at the earlier one.
            issues.add(
                "unrecognizedContextVersion", value: "dtmi:dtdl:context;\(referenced.version)",
                restriction: String(element.version), document: referenced.documentIndex,
                detail: "DTDL v\(referenced.version) is not recognised where DTDL v\(element.version) applies")
        } else if !slot.classes.contains(referenced.elementClass) {
            let expected = slot.classes.map(\.rawValue).sorted().joined(separator: " or ")
            issues.add(
                "badType", primary: element.id, secondary: target, property: property,
                value: referenced.elementClass.rawValue, document: element.documentIndex,
                detail: "'\(property)' refers to '\(target)', a \(referenced.elementClass.rawValue), "
                    + "where \(expected) is expected")
            if (table[property]?.minCount ?? 0) > 0, referenceCount == 1 {
                issues.add(
                    "propertyCountBelowMin", primary: element.id, property: property,
                    document: element.documentIndex, detail: "'\(property)' has no valid value")
            }
        } else if referenced.elementClass == .interface, !referenced.explicitId || referenced.parent != nil,
            options.adtRestrictions
        {
            issues.add(
                "idReference", primary: element.id, secondary: target, property: property, value: target,
                document: element.documentIndex, detail: "'\(target)' is not a top-level Interface")
        }
    }

    /// The Interface an element belongs to (itself for an Interface): references to elements
    /// other than Interfaces may not cross it.
    func partition(of element: ParsedElement) -> ParsedElement? {
        var current: ParsedElement? = element
        while let candidate = current, candidate.elementClass != .interface { current = candidate.parent }
        return current
    }

    /// The interface or schema a reference designates in the batch.
    func element(_ reference: Reference) -> ParsedElement? {
        switch reference {
        case .element(let inline): return inline
        case .id(let id): return byID[id]
        case .builtin: return nil
        }
    }
}
