/// What an interface inherits from its bases, as its `extends` hierarchy is walked.
private struct InheritedHierarchy {
    /// The length of the longest `extends` chain below the interface.
    var depth = 0
    /// Every interface the interface extends, directly or not.
    var ancestors: Set<String> = []
    /// Effective content names → the interface declaring them.
    var origins: [String: String] = [:]
    /// False once a problem was reported that makes the hierarchy invalid.
    var valid = true
}

extension ModelResolver {
    /// DTDL caps `extends` chains at 10 levels (`dtmm:maxDepth` on Interface `extends`).
    static let maxExtendsDepth = 10
    /// DTDL v3 caps the interfaces in one `extends` hierarchy at 1,024 (`dtmm:maxCount`).
    static let maxHierarchySize = 1024

    /// The interfaces an interface element extends: batch elements or existing models, by id.
    func bases(of interface: ParsedElement) -> [String] {
        (interface.children["extends"] ?? []).compactMap { reference in
            switch reference {
            case .element(let base): return base.id
            case .id(let id): return id
            case .builtin: return nil
            }
        }
    }

    /// The content elements an interface element declares (inline or by reference).
    func ownContents(of interface: ParsedElement) -> [ParsedElement] {
        (interface.children["contents"] ?? []).compactMap { element($0) }
    }

    /// Checks cycles, depth, hierarchy size and content-name clashes for every interface, and
    /// records each one's effective contents (name → declaring interface).
    mutating func checkInheritance() {
        var depth: [String: Int] = [:]
        var ancestors: [String: Set<String>] = [:]
        var visiting: Set<String> = []
        for interface in elements where interface.elementClass == .interface {
            _ = visit(interface.id, &depth, &ancestors, &visiting)
        }
    }

    /// Depth-first walk; returns false when the interface's hierarchy is invalid.
    private mutating func visit(
        _ id: String, _ depth: inout [String: Int], _ ancestors: inout [String: Set<String>],
        _ visiting: inout Set<String>
    ) -> Bool {
        if origins[id] != nil { return true }
        if failed.contains(id) { return false }
        guard let interface = byID[id] else { return visitExisting(id, &depth, &ancestors) }
        if visiting.contains(id) {
            issues.add(
                "recursiveStructureNarrow", primary: id, property: "extends", document: interface.documentIndex,
                detail: "'\(id)' extends itself through its bases")
            failed.insert(id)
            return false
        }
        visiting.insert(id)
        defer { visiting.remove(id) }
        var hierarchy = inheritBases(of: interface, &depth, &ancestors, &visiting)
        guard hierarchy.valid, checkHierarchyLimits(of: interface, hierarchy),
            mergeOwnContents(of: interface, into: &hierarchy)
        else {
            failed.insert(id)
            return false
        }
        depth[id] = hierarchy.depth
        ancestors[id] = hierarchy.ancestors
        origins[id] = hierarchy.origins
        return true
    }

    /// Visits the bases of a batch interface and merges what they pass on; reports two different
    /// contents inherited under one name.
    private mutating func inheritBases(
        of interface: ParsedElement, _ depth: inout [String: Int], _ ancestors: inout [String: Set<String>],
        _ visiting: inout Set<String>
    ) -> InheritedHierarchy {
        let id = interface.id
        var hierarchy = InheritedHierarchy()
        for baseID in bases(of: interface) {
            guard visit(baseID, &depth, &ancestors, &visiting) else {
                hierarchy.valid = false
                continue
            }
            hierarchy.depth = max(hierarchy.depth, (depth[baseID] ?? 0) + 1)
            // The first base's tables are shared (copy on write); later bases are merged.
            if hierarchy.ancestors.isEmpty {
                hierarchy.ancestors = ancestors[baseID] ?? []
                hierarchy.ancestors.insert(baseID)
                hierarchy.origins = origins[baseID] ?? [:]
                continue
            }
            hierarchy.ancestors.insert(baseID)
            hierarchy.ancestors.formUnion(ancestors[baseID] ?? [])
            for (name, origin) in origins[baseID] ?? [:] {
                if let previous = hierarchy.origins[name], previous != origin {
                    issues.add(
                        "nonUniqueImportedPropertyValue", primary: id, secondary: origin, property: "contents",
                        value: name, auxProperty: "name", transformation: "extends",
                        document: interface.documentIndex,
                        detail: "'\(id)' inherits two different contents named '\(name)' "
                            + "(from \(previous) and \(origin))")
                    hierarchy.valid = false
                }
                hierarchy.origins[name] = origin
            }
        }
        return hierarchy
    }

    /// Checks an interface's hierarchy has no cycle through it and stays within the depth and
    /// (DTDL v3) size limits; false after reporting.
    private mutating func checkHierarchyLimits(of interface: ParsedElement, _ hierarchy: InheritedHierarchy) -> Bool {
        let id = interface.id
        if hierarchy.ancestors.contains(id) {
            issues.add(
                "recursiveStructureNarrow", primary: id, property: "extends", document: interface.documentIndex,
                detail: "'\(id)' extends itself")
            return false
        }
        let depth = hierarchy.depth
        if depth > Self.maxExtendsDepth {
            issues.add(
                "excessiveDepthNarrow", primary: id, property: "extends", value: String(depth),
                counts: [depth, Self.maxExtendsDepth], document: interface.documentIndex,
                detail: "'\(id)' has an extends hierarchy \(depth) levels deep; "
                    + "at most \(Self.maxExtendsDepth) are allowed")
            return false
        }
        let size = hierarchy.ancestors.count
        if interface.version >= 3, size > Self.maxHierarchySize {
            issues.add(
                "excessiveCount", primary: id, property: "extends", value: String(size),
                counts: [size, Self.maxHierarchySize], document: interface.documentIndex,
                detail: "'\(id)' has \(size) interfaces in its extends hierarchy; "
                    + "at most \(Self.maxHierarchySize) are allowed")
            return false
        }
        return true
    }

    /// Adds an interface's own contents to the inherited ones; false after reporting a name it
    /// already inherits or (DTDL v2) more than 300 contents in all.
    private mutating func mergeOwnContents(
        of interface: ParsedElement, into hierarchy: inout InheritedHierarchy
    ) -> Bool {
        let id = interface.id
        var valid = true
        for content in ownContents(of: interface) {
            guard let name = content.name else { continue }
            if let origin = hierarchy.origins[name], origin != id {
                issues.add(
                    "nonUniqueImportedPropertyValue", primary: id, secondary: origin, property: "contents",
                    value: name, auxProperty: "name", transformation: "extends",
                    document: interface.documentIndex,
                    detail: "'\(id)' declares '\(name)', which it already inherits from \(origin)")
                valid = false
            }
            hierarchy.origins[name] = id
        }
        // DTDL v2 caps contents at 300, inherited ones included.
        let count = hierarchy.origins.count
        if interface.version == 2, count > 300 {
            issues.add(
                "objectCountAboveMax", primary: id, property: "contents", value: String(count),
                document: interface.documentIndex,
                detail: "'\(id)' has \(count) contents with inherited ones; at most 300 are allowed")
            valid = false
        }
        return valid
    }

    /// Records an existing model's hierarchy (already valid when it was stored).
    private mutating func visitExisting(
        _ id: String, _ depth: inout [String: Int], _ ancestors: inout [String: Set<String>]
    ) -> Bool {
        guard let stored = existing.interfaces[id] else { return false }
        var hierarchyDepth = 0
        var contentOrigins: [String: String] = [:]
        for baseID in stored.directBases {
            var visiting: Set<String> = []
            guard visit(baseID, &depth, &ancestors, &visiting) else { return false }
            hierarchyDepth = max(hierarchyDepth, (depth[baseID] ?? 0) + 1)
            for (name, origin) in origins[baseID] ?? [:] { contentOrigins[name] = origin }
        }
        // Names not inherited are the model's own (robust to models built without ownContentNames).
        let names = Set(stored.properties.keys).union(stored.telemetries.keys).union(stored.relationships.keys)
            .union(stored.components.keys).union(stored.commandNames)
        for name in names where contentOrigins[name] == nil { contentOrigins[name] = id }
        depth[id] = hierarchyDepth
        ancestors[id] = stored.allBases
        origins[id] = contentOrigins
        return true
    }
}
