import ADTWire

extension ModelResolver {
    /// DTDL v3 caps an Interface's text at 1 MiB (`dtmm:partition` `dtmm:maxBytes`).
    static let maxPartitionBytes = 1_048_576
    /// DTDL v3 caps the elements in an Interface's contents hierarchy, `extends` included, at
    /// 100,000 (`dtmm:descendants` `dtmm:maxCount` on Interface contents).
    static let maxHierarchyElements = 100_000

    /// Checks the DTDL v3 size limits that replace v2's per-collection caps.
    mutating func checkV3Limits() {
        var ownElementCounts: [String: Int] = [:]
        for element in elements where element.elementClass != .interface {
            if let interface = partition(of: element), interface.version >= 3 {
                ownElementCounts[interface.id, default: 0] += 1
            }
        }
        for interface in elements where interface.elementClass == .interface && interface.version >= 3 {
            if let definition = interface.definition {
                let size = JSONWriter.bytes(.object(definition)).count
                if size > Self.maxPartitionBytes {
                    issues.add(
                        "partitionTooLarge", primary: interface.id, value: String(size),
                        document: interface.documentIndex,
                        detail: "'\(interface.id)' is \(size) bytes long; "
                            + "an Interface may be at most \(Self.maxPartitionBytes) bytes")
                }
            }
            var total = ownElementCounts[interface.id] ?? 0
            for baseID in models[interface.id]?.allBases ?? [] { total += ownElementCounts[baseID] ?? 0 }
            if total > Self.maxHierarchyElements {
                issues.add(
                    "excessiveCount", primary: interface.id, property: "contents", value: String(total),
                    counts: [total, Self.maxHierarchyElements], document: interface.documentIndex,
                    detail: "'\(interface.id)' has \(total) elements in its contents hierarchy; "
                        + "at most \(Self.maxHierarchyElements) are allowed")
            }
        }
    }
}
