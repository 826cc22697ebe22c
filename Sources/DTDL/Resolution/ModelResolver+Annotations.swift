extension ModelResolver {
    /// The content elements of a batch interface by name, inherited ones included (bases from
    /// existing models contribute nothing: their elements were checked when they were stored).
    mutating func effectiveContents(_ e: ParsedElement, _ memo: inout [String: [String: ParsedElement]]) -> [String: ParsedElement] {
        if let m = memo[e.id] { return m }
        memo[e.id] = [:]  // guards against cycles, already reported
        var out: [String: ParsedElement] = [:]
        for b in bases(of: e) {
            if let be = byID[b], be.cls == .interface {
                out.merge(effectiveContents(be, &memo)) { a, _ in a }
            }
        }
        for c in ownContents(of: e) {
            if let n = c.name { out[n] = c }
        }
        memo[e.id] = out
        return out
    }

    /// Annotation and overriding rules, checked over each interface's effective contents:
    /// `annotates` names a Property or Telemetry that is not itself an annotation; an Override of
    /// `unit` needs a target with a unit and a schema that is the target's unit enum; an Override
    /// of a core property is not allowed; two Overrides may not override the same thing.
    mutating func checkAnnotations() {
        guard elements.contains(where: { $0.cotypes.contains("ValueAnnotation") }) else { return }
        var memo: [String: [String: ParsedElement]] = [:]
        var annotated: [String: Bool] = [:]
        var reported: Set<String> = []
        for i in elements where i.cls == .interface && hasAnnotation(i, &annotated) {
            let contents = effectiveContents(i, &memo)
            var overridden: Set<String> = []
            let annotations = contents.values.filter { $0.cotypes.contains("ValueAnnotation") }.sorted { $0.id < $1.id }
            for a in annotations {
                guard let targetName = a.strings["annotates"], let t = contents[targetName] else { continue }
                func report(_ code: String, secondary: String?, property: String, value: String?, _ detail: String) {
                    guard reported.insert("\(code)|\(a.id)|\(secondary ?? "")").inserted else { return }
                    issues.add(code, primary: a.id, secondary: secondary, property: property, value: value,
                               document: a.documentIndex, detail: detail)
                }
                if t.cls != .property && t.cls != .telemetry {
                    report("notSiblingRequiredType", secondary: t.id, property: "annotates", value: targetName,
                           "'annotates' names '\(targetName)', a \(t.cls.rawValue); it must name a Property or Telemetry")
                    continue
                }
                if t.cotypes.contains("ValueAnnotation") {
                    report("disallowedType", secondary: t.id, property: "annotates", value: targetName,
                           "'annotates' names '\(targetName)', which is itself a ValueAnnotation")
                    continue
                }
                guard a.cotypes.contains("Override"), let overrides = a.strings["overrides"] else { continue }
                let key = targetName + "|" + overrides
                if !overridden.insert(key).inserted {
                    if reported.insert("multipleReference|\(i.id)|\(key)").inserted {
                        issues.add("multipleReference", primary: i.id, property: "contents", value: "'\(targetName)' and '\(overrides)'",
                                   document: i.documentIndex, detail: "two Overrides override '\(overrides)' of '\(targetName)'")
                    }
                    continue
                }
                let term = overrides.hasSuffix(":unit") || overrides == "unit" ? "unit" : overrides
                guard term == "unit" else {
                    report("matchingPropertyNotSupplemental", secondary: t.id, property: "annotates", value: targetName,
                           "only supplemental properties (such as 'unit') can be overridden, not '\(overrides)'")
                    continue
                }
                guard t.strings["unit"] != nil, let semantic = t.cotypes.first(where: { AdjunctType.lookup($0) == nil }) else {
                    report("noMatchingSupplementalProperty", secondary: t.id, property: "annotates", value: targetName,
                           "'\(targetName)' has no 'unit' to override")
                    continue
                }
                let scope = ContextScope(version: 3, extensions: [.quantitativeTypes])
                guard let unitType = SemanticVocabulary.unitType(ofSemanticType: semantic, scope: scope) else { continue }
                var schemaTerm: String?
                if case .builtin(let s)? = a.children["schema"]?.first { schemaTerm = s }
                let expected = SemanticVocabulary.unitEnumSchema(unitType, scope: scope)
                let actual = schemaTerm.flatMap { SemanticVocabulary.unitEnumSchema($0, scope: scope) }
                if expected == nil || actual == nil || !sameEnum(expected!, actual!) {
                    report("siblingPropertyMismatch", secondary: nil, property: "schema", value: schemaTerm,
                           "the schema of an Override of 'unit' must be \(unitType)")
                }
            }
        }
    }

    /// Whether an interface or one of its bases in the batch declares a ValueAnnotation.
    private func hasAnnotation(_ e: ParsedElement, _ memo: inout [String: Bool]) -> Bool {
        if let m = memo[e.id] { return m }
        memo[e.id] = false
        var result = ownContents(of: e).contains { $0.cotypes.contains("ValueAnnotation") }
        if !result {
            for b in bases(of: e) {
                if let be = byID[b], be.cls == .interface, hasAnnotation(be, &memo) {
                    result = true
                    break
                }
            }
        }
        memo[e.id] = result
        return result
    }

    private func sameEnum(_ a: Schema, _ b: Schema) -> Bool {
        if case .enumeration(let x) = a, case .enumeration(let y) = b { return x === y || x.id == y.id }
        return false
    }
}
