extension ModelResolver {
    /// The content elements of a batch interface by name, inherited ones included (bases from
    /// existing models contribute nothing: their elements were checked when they were stored).
    mutating func effectiveContents(
        _ interface: ParsedElement, _ memo: inout [String: [String: ParsedElement]]
    ) -> [String: ParsedElement] {
        if let cached = memo[interface.id] { return cached }
        memo[interface.id] = [:]  // guards against cycles, already reported
        var contents: [String: ParsedElement] = [:]
        for baseID in bases(of: interface) {
            if let base = byID[baseID], base.elementClass == .interface {
                contents.merge(effectiveContents(base, &memo)) { current, _ in current }
            }
        }
        for content in ownContents(of: interface) {
            if let name = content.name { contents[name] = content }
        }
        memo[interface.id] = contents
        return contents
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
        for interface in elements where interface.elementClass == .interface && hasAnnotation(interface, &annotated) {
            let contents = effectiveContents(interface, &memo)
            var overridden: Set<String> = []
            let annotations = contents.values.filter { $0.cotypes.contains("ValueAnnotation") }.sorted { $0.id < $1.id }
            for annotation in annotations {
                guard let targetName = annotation.strings["annotates"], let target = contents[targetName] else {
                    continue
                }
                func report(_ code: String, secondary: String?, property: String, value: String?, _ detail: String) {
                    guard reported.insert("\(code)|\(annotation.id)|\(secondary ?? "")").inserted else { return }
                    issues.add(
                        code, primary: annotation.id, secondary: secondary, property: property, value: value,
                        document: annotation.documentIndex, detail: detail)
                }
                if target.elementClass != .property && target.elementClass != .telemetry {
                    report(
                        "notSiblingRequiredType", secondary: target.id, property: "annotates", value: targetName,
                        "'annotates' names '\(targetName)', a \(target.elementClass.rawValue); "
                            + "it must name a Property or Telemetry")
                    continue
                }
                if target.cotypes.contains("ValueAnnotation") {
                    report(
                        "disallowedType", secondary: target.id, property: "annotates", value: targetName,
                        "'annotates' names '\(targetName)', which is itself a ValueAnnotation")
                    continue
                }
                guard annotation.cotypes.contains("Override"), let overrides = annotation.strings["overrides"] else {
                    continue
                }
                let key = targetName + "|" + overrides
                if !overridden.insert(key).inserted {
                    if reported.insert("multipleReference|\(interface.id)|\(key)").inserted {
                        issues.add(
                            "multipleReference", primary: interface.id, property: "contents",
                            value: "'\(targetName)' and '\(overrides)'", document: interface.documentIndex,
                            detail: "two Overrides override '\(overrides)' of '\(targetName)'")
                    }
                    continue
                }
                let term = overrides.hasSuffix(":unit") || overrides == "unit" ? "unit" : overrides
                guard term == "unit" else {
                    report(
                        "matchingPropertyNotSupplemental", secondary: target.id, property: "annotates",
                        value: targetName,
                        "only supplemental properties (such as 'unit') can be overridden, not '\(overrides)'")
                    continue
                }
                guard target.strings["unit"] != nil,
                    let semantic = target.cotypes.first(where: { AdjunctType.lookup($0) == nil })
                else {
                    report(
                        "noMatchingSupplementalProperty", secondary: target.id, property: "annotates",
                        value: targetName, "'\(targetName)' has no 'unit' to override")
                    continue
                }
                let scope = ContextScope(version: 3, extensions: [.quantitativeTypes])
                guard let unitType = SemanticVocabulary.unitType(ofSemanticType: semantic, scope: scope) else {
                    continue
                }
                var schemaTerm: String?
                if case .builtin(let builtin)? = annotation.children["schema"]?.first { schemaTerm = builtin }
                let expected = SemanticVocabulary.unitEnumSchema(unitType, scope: scope)
                let actual = schemaTerm.flatMap { SemanticVocabulary.unitEnumSchema($0, scope: scope) }
                if expected == nil || actual == nil || !sameEnum(expected!, actual!) {
                    report(
                        "siblingPropertyMismatch", secondary: nil, property: "schema", value: schemaTerm,
                        "the schema of an Override of 'unit' must be \(unitType)")
                }
            }
        }
    }

    /// Whether an interface or one of its bases in the batch declares a ValueAnnotation.
    private func hasAnnotation(_ interface: ParsedElement, _ memo: inout [String: Bool]) -> Bool {
        if let cached = memo[interface.id] { return cached }
        memo[interface.id] = false
        var result = ownContents(of: interface).contains { $0.cotypes.contains("ValueAnnotation") }
        if !result {
            for baseID in bases(of: interface) {
                if let base = byID[baseID], base.elementClass == .interface, hasAnnotation(base, &memo) {
                    result = true
                    break
                }
            }
        }
        memo[interface.id] = result
        return result
    }

    /// Whether two schemas are the same Enum.
    private func sameEnum(_ lhs: Schema, _ rhs: Schema) -> Bool {
        if case .enumeration(let lhsEnum) = lhs, case .enumeration(let rhsEnum) = rhs {
            return lhsEnum === rhsEnum || lhsEnum.id == rhsEnum.id
        }
        return false
    }
}
