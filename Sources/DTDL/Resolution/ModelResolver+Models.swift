import ADTWire

extension ModelResolver {
    /// The resolved model of an interface element, built once (bases first).
    mutating func model(_ e: ParsedElement) -> InterfaceModel? {
        if let m = models[e.id] { return m }
        guard !failed.contains(e.id) else { return nil }
        var properties: [String: PropertyModel] = [:]
        var telemetries: [String: TelemetryModel] = [:]
        var relationships: [String: RelationshipModel] = [:]
        var components: [String: ComponentModel] = [:]
        var commands: Set<String> = []
        var allBases: Set<String> = []
        let baseIDs = bases(of: e)
        for b in baseIDs {
            let bm: InterfaceModel?
            if let be = byID[b] { bm = model(be) } else { bm = existing.interfaces[b] }
            guard let bm else { return nil }
            if allBases.isEmpty {
                // The first base's tables are shared (copy on write).
                allBases = bm.allBases
                allBases.insert(b)
                properties = bm.properties
                telemetries = bm.telemetries
                relationships = bm.relationships
                components = bm.components
                commands = bm.commandNames
                continue
            }
            allBases.insert(b)
            allBases.formUnion(bm.allBases)
            properties.merge(bm.properties) { a, _ in a }
            telemetries.merge(bm.telemetries) { a, _ in a }
            relationships.merge(bm.relationships) { a, _ in a }
            components.merge(bm.components) { a, _ in a }
            commands.formUnion(bm.commandNames)
        }
        var own: Set<String> = []
        for c in ownContents(of: e) {
            guard let name = c.name else { continue }
            own.insert(name)
            switch c.cls {
            case .property:
                guard let p = propertyModel(c) else { continue }
                properties[name] = p
            case .telemetry:
                guard let s = firstSchema(c, "schema") else { continue }
                telemetries[name] = TelemetryModel(name: name, schema: s)
            case .relationship:
                var rp: [String: PropertyModel] = [:]
                for r in c.children["properties"] ?? [] {
                    if let pe = element(r), let p = propertyModel(pe), let n = pe.name { rp[n] = p }
                }
                relationships[name] = RelationshipModel(
                    name: name, target: c.strings["target"], properties: rp,
                    minMultiplicity: c.integers["minMultiplicity"].map { Int($0) },
                    maxMultiplicity: c.integers["maxMultiplicity"].map { Int($0) })
            case .component:
                guard let r = c.children["schema"]?.first, let target = element(r)?.id ?? referencedID(r) else { continue }
                components[name] = ComponentModel(name: name, schema: target)
            case .command:
                commands.insert(name)
            default: break
            }
        }
        let m = InterfaceModel(
            id: e.id, dtdlVersion: e.version, directBases: baseIDs, allBases: allBases, properties: properties,
            telemetries: telemetries, relationships: relationships, components: components, commandNames: commands,
            displayName: e.langStrings["displayName"] ?? [:], description: e.langStrings["description"] ?? [:],
            definition: e.definition ?? JSONObject(), ownContentNames: own)
        models[e.id] = m
        return m
    }

    private func referencedID(_ r: Reference) -> String? {
        if case .id(let s) = r { return s }
        return nil
    }

    /// A Property's model; in DTDL v2 its schema may not contain an Array anywhere.
    private mutating func propertyModel(_ c: ParsedElement) -> PropertyModel? {
        guard let name = c.name, let s = firstSchema(c, "schema") else { return nil }
        if c.version == 2, containsArray(s) {
            issues.add("excludedType", primary: c.id, secondary: arrayID(s), property: "schema", value: "Array",
                       restriction: "Array", type: "Property",
                       document: c.documentIndex,
                       detail: "a DTDL v2 Property schema cannot contain an Array")
            return nil
        }
        return PropertyModel(name: name, schema: s, writable: c.booleans["writable"] ?? false)
    }

    /// The id of the first Array (or geospatial schema) inside a schema.
    private func arrayID(_ s: Schema) -> String? {
        switch s {
        case .array(let a): return a.id
        case .primitive(let p): return "dtmi:standard:schema:geospatial:\(p.rawValue);2"
        case .enumeration: return nil
        case .map(let m): return arrayID(m.valueSchema)
        case .object(let o): return o.fields.lazy.compactMap { containsArray($0.schema) ? arrayID($0.schema) : nil }.first
        }
    }

    private func containsArray(_ s: Schema) -> Bool {
        switch s {
        case .array: return true
        // Geospatial schemas are arrays of coordinates underneath, so v2 excludes them too.
        case .primitive(let p):
            switch p {
            case .point, .multiPoint, .lineString, .multiLineString, .polygon, .multiPolygon: return true
            default: return false
            }
        case .enumeration: return false
        case .map(let m): return containsArray(m.valueSchema)
        case .object(let o): return o.fields.contains { containsArray($0.schema) }
        }
    }

    /// Resolves the first value of a schema-valued property.
    mutating func firstSchema(_ e: ParsedElement, _ property: String) -> Schema? {
        guard let r = e.children[property]?.first else { return nil }
        return schema(r, owner: e)
    }

    /// A component's interface may not have components itself (no nesting, no cycles).
    mutating func checkComponents(_ interfaces: [String: InterfaceModel]) {
        // An interface that reaches itself through component schemas is recursive.
        for i in elements where i.cls == .interface {
            var seen: Set<String> = []
            var frontier = Array(interfaces[i.id]?.components.values.map(\.schema) ?? [])
            while let next = frontier.popLast() {
                if next == i.id {
                    issues.add("recursiveStructureNarrow", primary: i.id, property: "contents", document: i.documentIndex,
                               detail: "'\(i.id)' contains itself through component schemas")
                    break
                }
                guard seen.insert(next).inserted else { continue }
                frontier.append(contentsOf: interfaces[next]?.components.values.map(\.schema) ?? [])
            }
        }
        for e in elements where e.cls == .component {
            guard let r = e.children["schema"]?.first, let target = element(r)?.id ?? referencedID(r),
                  let m = interfaces[target]
            else { continue }
            if !m.components.isEmpty {
                issues.add("excludedType", primary: e.id, secondary: target, property: "'schema' or 'contents'", value: "Component",
                           restriction: "Component", type: "Component",
                           document: e.documentIndex,
                           detail: "component '\(e.name ?? "")' uses '\(target)', which has components itself; components cannot be nested")
            }
        }
    }
}
