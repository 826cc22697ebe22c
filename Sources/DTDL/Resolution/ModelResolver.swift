/// Resolves parsed elements into a `ModelGraph`: references, `extends` closure, inherited
/// contents, components and schemas, with the rules that span elements (cycles, depths, name
/// clashes, counts over hierarchies).
struct ModelResolver {
    let existing: ModelGraph
    let options: ModelParser.Options
    let elements: [ParsedElement]
    /// Ids written on elements, valid or not (see `DocumentParser.declaredIDs`).
    let declaredIDs: Set<String>
    var issues = IssueCollector()
    /// DTMIs referenced but defined nowhere, in first-seen order.
    var unresolved: [String] = []
    private var unresolvedSet: Set<String> = []
    /// Batch elements by id.
    var byID: [String: ParsedElement] = [:]
    /// Interfaces whose inheritance is valid (acyclic, within limits), with their effective content origins.
    var origins: [String: [String: String]] = [:]
    var models: [String: InterfaceModel] = [:]
    var schemaCache: [String: Schema] = [:]
    var schemaDepth: [ObjectIdentifier: Int] = [:]
    /// Interfaces rejected during resolution (their dependants are not checked again).
    var failed: Set<String> = []

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
        for e in elements where e.cls == .interface {
            if let m = model(e) { interfaces[e.id] = m }
        }
        checkComponents(interfaces)
        checkV3Limits()
        for e in elements where e.cls.isComplexSchema {
            if let s = schema(.element(e), owner: e), e.explicitId { schemas[e.id] = s }
        }
        checkAnnotations()
        return ModelGraph(interfaces: interfaces, schemas: schemas)
    }

    // MARK: Identifiers and references

    private mutating func indexElements() {
        for e in elements {
            if let prior = byID[e.id] {
                // Two elements with the same synthesised id have the same name in the same place,
                // which is reported as a name clash where it is found.
                guard e.explicitId else { continue }
                issues.add("duplicateDefinition", primary: e.id, secondary: prior.id, document: e.documentIndex,
                           detail: "'\(e.id)' is defined more than once")
                continue
            }
            if e.cls == .interface, e.parent == nil, existing.interfaces[e.id] != nil {
                issues.add("duplicateDefinition", primary: e.id, document: e.documentIndex,
                           detail: "'\(e.id)' is already defined by an existing model")
                continue
            }
            byID[e.id] = e
        }
    }

    /// Every reference must name an element of an allowed class, in the batch or among existing models.
    private mutating func checkReferences() {
        for e in elements {
            let table = PropertySpec.table(for: e.cls, version: e.version)
            for (p, refs) in e.children {
                guard case .elements(let slot)? = table[p]?.kind else { continue }
                for case .id(let target) in refs {
                    if let t = byID[target] {
                        if t.cls != .interface, partition(of: t) !== partition(of: e) {
                            issues.add("crossPartitionReference", primary: e.id, secondary: target, property: p, value: target,
                                       document: e.documentIndex,
                                       detail: "'\(target)' is defined inside another Interface; only Interfaces can be referenced across Interfaces")
                        } else if t.version > e.version {
                            issues.add("disallowedVersionReference", primary: e.id, secondary: target, property: p,
                                       document: e.documentIndex,
                                       detail: "a DTDL v\(e.version) element cannot refer to '\(target)', a DTDL v\(t.version) element")
                            // As the .NET parser, also say that the later version is not known at the earlier one.
                            issues.add("unrecognizedContextVersion", value: "dtmi:dtdl:context;\(t.version)",
                                       restriction: String(e.version), document: t.documentIndex,
                                       detail: "DTDL v\(t.version) is not recognised where DTDL v\(e.version) applies")
                        } else if !slot.classes.contains(t.cls) {
                            issues.add("badType", primary: e.id, secondary: target, property: p, value: t.cls.rawValue,
                                       document: e.documentIndex,
                                       detail: "'\(p)' refers to '\(target)', a \(t.cls.rawValue), where \(slot.classes.map(\.rawValue).sorted().joined(separator: " or ")) is expected")
                            if (table[p]?.minCount ?? 0) > 0, refs.count == 1 {
                                issues.add("propertyCountBelowMin", primary: e.id, property: p, document: e.documentIndex,
                                           detail: "'\(p)' has no valid value")
                            }
                        } else if t.cls == .interface, !t.explicitId || t.parent != nil, options.adtRestrictions {
                            issues.add("idReference", primary: e.id, secondary: target, property: p, value: target,
                                       document: e.documentIndex, detail: "'\(target)' is not a top-level Interface")
                        }
                        continue
                    }
                    if slot.classes.contains(.interface), existing.interfaces[target] != nil { continue }
                    if existing.interfaces[target] != nil {
                        issues.add("badType", primary: e.id, secondary: target, property: p, value: "Interface",
                                   document: e.documentIndex, detail: "'\(p)' refers to '\(target)', an Interface")
                        continue
                    }
                    if existing.schemas[target] != nil {
                        // Schemas belong to the Interface that defines them (no cross-Interface references).
                        issues.add("crossPartitionReference", primary: e.id, secondary: target, property: p, value: target,
                                   document: e.documentIndex,
                                   detail: "'\(p)' refers to '\(target)', which is defined inside another Interface")
                        continue
                    }
                    // An element that is defined but was rejected has its own error already.
                    if declaredIDs.contains(target) { continue }
                    if unresolvedSet.insert(target).inserted { unresolved.append(target) }
                }
            }
        }
    }

    /// The Interface an element belongs to (itself for an Interface): references to elements
    /// other than Interfaces may not cross it.
    func partition(of e: ParsedElement) -> ParsedElement? {
        var cur: ParsedElement? = e
        while let c = cur, c.cls != .interface { cur = c.parent }
        return cur
    }

    /// The interface or schema a reference designates in the batch.
    func element(_ r: Reference) -> ParsedElement? {
        switch r {
        case .element(let e): return e
        case .id(let id): return byID[id]
        case .builtin: return nil
        }
    }
}
