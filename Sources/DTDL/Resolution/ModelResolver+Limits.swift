import ADTWire

extension ModelResolver {
    /// DTDL v3 caps an Interface's text at 1 MiB (`dtmm:partition` `dtmm:maxBytes`).
    static let maxPartitionBytes = 1_048_576
    /// DTDL v3 caps the elements in an Interface's contents hierarchy, `extends` included, at
    /// 100,000 (`dtmm:descendants` `dtmm:maxCount` on Interface contents).
    static let maxHierarchyElements = 100_000

    /// Checks the DTDL v3 size limits that replace v2's per-collection caps.
    mutating func checkV3Limits() {
        var own: [String: Int] = [:]
        for e in elements where e.cls != .interface {
            if let p = partition(of: e), p.version >= 3 { own[p.id, default: 0] += 1 }
        }
        for i in elements where i.cls == .interface && i.version >= 3 {
            if let definition = i.definition {
                let size = JSONWriter.bytes(.object(definition)).count
                if size > Self.maxPartitionBytes {
                    issues.add("partitionTooLarge", primary: i.id, value: String(size), document: i.documentIndex,
                               detail: "'\(i.id)' is \(size) bytes long; an Interface may be at most \(Self.maxPartitionBytes) bytes")
                }
            }
            var total = own[i.id] ?? 0
            for b in models[i.id]?.allBases ?? [] { total += own[b] ?? 0 }
            if total > Self.maxHierarchyElements {
                issues.add("excessiveCount", primary: i.id, property: "contents", value: String(total),
                           counts: [total, Self.maxHierarchyElements], document: i.documentIndex,
                           detail: "'\(i.id)' has \(total) elements in its contents hierarchy; at most \(Self.maxHierarchyElements) are allowed")
            }
        }
    }
}
