extension ModelResolver {
    /// DTDL caps `extends` chains at 10 levels (`dtmm:maxDepth` on Interface `extends`).
    static let maxExtendsDepth = 10
    /// DTDL v3 caps the interfaces in one `extends` hierarchy at 1,024 (`dtmm:maxCount`).
    static let maxHierarchySize = 1024

    /// The interfaces an interface element extends: batch elements or existing models, by id.
    func bases(of e: ParsedElement) -> [String] {
        (e.children["extends"] ?? []).compactMap { r in
            switch r {
            case .element(let b): return b.id
            case .id(let id): return id
            case .builtin: return nil
            }
        }
    }

    /// The content elements an interface element declares (inline or by reference).
    func ownContents(of e: ParsedElement) -> [ParsedElement] {
        (e.children["contents"] ?? []).compactMap { element($0) }
    }

    /// Checks cycles, depth, hierarchy size and content-name clashes for every interface, and
    /// records each one's effective contents (name → declaring interface).
    mutating func checkInheritance() {
        var depth: [String: Int] = [:]
        var ancestors: [String: Set<String>] = [:]
        var visiting: Set<String> = []
        for e in elements where e.cls == .interface {
            _ = visit(e.id, &depth, &ancestors, &visiting)
        }
    }

    /// Depth-first walk; returns false when the interface's hierarchy is invalid.
    private mutating func visit(
        _ id: String, _ depth: inout [String: Int], _ ancestors: inout [String: Set<String>], _ visiting: inout Set<String>
    ) -> Bool {
        if origins[id] != nil { return true }
        if failed.contains(id) { return false }
        guard let e = byID[id] else { return visitExisting(id, &depth, &ancestors) }
        if visiting.contains(id) {
            issues.add("recursiveStructureNarrow", primary: id, property: "extends", document: e.documentIndex,
                       detail: "'\(id)' extends itself through its bases")
            failed.insert(id)
            return false
        }
        visiting.insert(id)
        defer { visiting.remove(id) }
        var d = 0
        var anc: Set<String> = []
        var merged: [String: String] = [:]
        var ok = true
        for b in bases(of: e) {
            guard visit(b, &depth, &ancestors, &visiting) else {
                ok = false
                continue
            }
            d = max(d, (depth[b] ?? 0) + 1)
            // The first base's tables are shared (copy on write); later bases are merged.
            if anc.isEmpty {
                anc = ancestors[b] ?? []
                anc.insert(b)
                merged = origins[b] ?? [:]
                continue
            }
            anc.insert(b)
            anc.formUnion(ancestors[b] ?? [])
            for (name, origin) in origins[b] ?? [:] {
                if let o = merged[name], o != origin {
                    issues.add("nonUniqueImportedPropertyValue", primary: id, secondary: origin, property: "contents", value: name,
                               auxProperty: "name", transformation: "extends",
                               document: e.documentIndex,
                               detail: "'\(id)' inherits two different contents named '\(name)' (from \(o) and \(origin))")
                    ok = false
                }
                merged[name] = origin
            }
        }
        guard ok else {
            failed.insert(id)
            return false
        }
        if anc.contains(id) {
            issues.add("recursiveStructureNarrow", primary: id, property: "extends", document: e.documentIndex,
                       detail: "'\(id)' extends itself")
            failed.insert(id)
            return false
        }
        if d > Self.maxExtendsDepth {
            issues.add("excessiveDepthNarrow", primary: id, property: "extends", value: String(d),
                       counts: [d, Self.maxExtendsDepth], document: e.documentIndex,
                       detail: "'\(id)' has an extends hierarchy \(d) levels deep; at most \(Self.maxExtendsDepth) are allowed")
            failed.insert(id)
            return false
        }
        if e.version >= 3, anc.count > Self.maxHierarchySize {
            issues.add("excessiveCount", primary: id, property: "extends", value: String(anc.count),
                       counts: [anc.count, Self.maxHierarchySize], document: e.documentIndex,
                       detail: "'\(id)' has \(anc.count) interfaces in its extends hierarchy; at most \(Self.maxHierarchySize) are allowed")
            failed.insert(id)
            return false
        }
        for c in ownContents(of: e) {
            guard let name = c.name else { continue }
            if let o = merged[name], o != id {
                issues.add("nonUniqueImportedPropertyValue", primary: id, secondary: o, property: "contents", value: name,
                           auxProperty: "name", transformation: "extends",
                           document: e.documentIndex,
                           detail: "'\(id)' declares '\(name)', which it already inherits from \(o)")
                ok = false
            }
            merged[name] = id
        }
        // DTDL v2 caps contents at 300, inherited ones included.
        if e.version == 2, merged.count > 300 {
            issues.add("objectCountAboveMax", primary: id, property: "contents", value: String(merged.count),
                       document: e.documentIndex, detail: "'\(id)' has \(merged.count) contents with inherited ones; at most 300 are allowed")
            ok = false
        }
        guard ok else {
            failed.insert(id)
            return false
        }
        depth[id] = d
        ancestors[id] = anc
        origins[id] = merged
        return true
    }

    /// Records an existing model's hierarchy (already valid when it was stored).
    private mutating func visitExisting(_ id: String, _ depth: inout [String: Int], _ ancestors: inout [String: Set<String>]) -> Bool {
        guard let m = existing.interfaces[id] else { return false }
        var d = 0
        var merged: [String: String] = [:]
        for b in m.directBases {
            var visiting: Set<String> = []
            guard visit(b, &depth, &ancestors, &visiting) else { return false }
            d = max(d, (depth[b] ?? 0) + 1)
            for (n, o) in origins[b] ?? [:] { merged[n] = o }
        }
        // Names not inherited are the model's own (robust to models built without ownContentNames).
        let names = Set(m.properties.keys).union(m.telemetries.keys).union(m.relationships.keys)
            .union(m.components.keys).union(m.commandNames)
        for n in names where merged[n] == nil { merged[n] = id }
        depth[id] = d
        ancestors[id] = m.allBases
        origins[id] = merged
        return true
    }
}
