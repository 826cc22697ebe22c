import ADTWire

extension DocumentParser {
    /// The scope set by a top-level `@context`, which must name a DTDL context; nil when invalid.
    mutating func topScope(_ value: JSONValue, id: String?) -> ContextScope? {
        guard let specs = contextSpecifiers(value, id: id) else { return nil }
        if specs.isEmpty {
            issues.add("emptyContext", primary: id, property: "@context", document: document,
                       detail: "@context is empty; it must include a DTDL context")
            return nil
        }
        guard specs.contains(where: { $0.hasPrefix("dtmi:dtdl:context;") }) else {
            issues.add("missingDtdlContext", primary: id, property: "@context", document: document,
                       detail: "@context must include a DTDL context (dtmi:dtdl:context;2 or dtmi:dtdl:context;3)")
            return nil
        }
        return apply(specs, to: nil, id: id)
    }

    /// The scope of a nested element with its own `@context`; nil when invalid.
    mutating func nestedScope(
        _ value: JSONValue, parent: ContextScope, id: String, parentID: String?, property: String?
    ) -> ContextScope? {
        guard let specs = contextSpecifiers(value, id: id) else { return nil }
        parentIDForContext = parentID
        parentPropertyForContext = property
        return apply(specs, to: parent, id: id)
    }

    /// The specifier strings of a `@context` value (a string or an array of strings).
    private mutating func contextSpecifiers(_ value: JSONValue, id: String?) -> [String]? {
        switch value {
        case .string(let s): return [s]
        case .array(let items):
            var out: [String] = []
            for (i, item) in items.enumerated() {
                if case .object(let o) = item {
                    rejectLocalContext(o, last: i == items.count - 1, specifiers: items.compactMap(\.stringValue))
                    return nil
                }
                guard case .string(let s) = item else {
                    issues.add("invalidContext", primary: id, property: "@context", value: JSONWriter.string(item),
                               document: document, detail: "each @context entry must be a context DTMI string")
                    return nil
                }
                out.append(s)
            }
            return out
        case .object(let o):
            rejectLocalContext(o, last: true, specifiers: [])
            return nil
        default:
            issues.add("invalidContext", primary: id, property: "@context", value: JSONWriter.string(value),
                       document: document, detail: "@context must be a context DTMI string or an array of them")
            return nil
        }
    }

    /// Reports a local context (term definitions), which DTDL v2 and v3 do not allow, together with
    /// what is wrong in its definitions, as the .NET parser does.
    private mutating func rejectLocalContext(_ o: JSONObject, last: Bool, specifiers: [String]) {
        let version = specifiers.compactMap(ContextScope.dtdlVersion(of:)).last ?? 3
        issues.add("disallowedLocalContext", restriction: String(version), document: document,
                   detail: "@context cannot define local terms; use DTDL and extension context DTMIs only")
        if !last {
            issues.add("localContextNotLast", document: document, detail: "a local context must come last in @context")
        }
        // Terms the DTDL contexts (and QuantitativeTypes or the v2 standard terms) define are reserved.
        let reservedContexts = ["dtmi:dtdl:context;\(version)", "dtmi:dtdl:extension:quantitativeTypes;1"]
        for (term, definition) in o {
            if term.isEmpty {
                issues.add("localTermEmpty", document: document, detail: "a local term cannot be empty")
            } else if term.hasPrefix("@") || term.contains(":") {
                issues.add("localTermInvalid", value: term, document: document, detail: "'\(term)' cannot be defined as a local term")
            } else if ["dtmi", "http", "https", "urn"].contains(term) {
                issues.add("localTermSchemePrefix", value: term, document: document, detail: "'\(term)' is a URI scheme")
            } else if reservedContexts.contains(where: { DTDLContexts.terms(of: $0)?[term] != nil }) {
                issues.add("localTermReserved", value: term, document: document, detail: "'\(term)' is a DTDL term")
            }
            var target: String?
            switch definition {
            case .null: continue
            case .string(let s): target = s
            case .object(let d):
                guard let idValue = d["@id"] else {
                    issues.add("termDefinitionMissingIdProperty", value: term, document: document,
                               detail: "the definition of '\(term)' has no @id")
                    continue
                }
                guard case .string(let s) = idValue else {
                    issues.add("termDefinitionIdPropertyNotString", value: term, document: document,
                               detail: "the @id of the definition of '\(term)' is not a string")
                    continue
                }
                target = s
            default:
                issues.add("termDefinitionNotStringOrObject", value: term, document: document,
                           detail: "the definition of '\(term)' must be a string or an object")
                continue
            }
            guard let t = target else { continue }
            if t.hasPrefix("dtmi:") {
                // A prefix definition ends with ':'; anything else must be a DTMI.
                let checked = t.hasSuffix(":") ? t + "x" : t
                if IdentifierSyntax.check(checked, requireVersion: false, allowMinor: true, allowSystem: true) != nil {
                    issues.add("localTermDefinitionInvalidDtmi", value: t, document: document, detail: "'\(t)' is not a valid DTMI")
                }
            } else if !t.contains("://") {
                issues.add("localTermDefinitionInvalidUri", value: t, document: document, detail: "'\(t)' is not a valid URI")
            }
        }
    }

    /// Applies specifiers in order. The DTDL context must come before any extension; the last DTDL
    /// context sets the version; a nested element cannot move to a later DTDL version than its parent.
    private mutating func apply(_ specs: [String], to parent: ContextScope?, id: String?) -> ContextScope? {
        var scope = parent
        var sawExtension = false
        var ok = true
        var pendingIotCentral = false
        var known: Set<Substring> = []
        var sawDTDL = false
        for s in specs {
            if s.hasPrefix("dtmi:dtdl:context;"), s.contains("#") {
                issues.add("disallowedContextFragment", property: "@context", value: s, document: document,
                           detail: "context '\(s)' has a fragment; DTDL context specifiers cannot have one")
                ok = false
                continue
            }
            if let v = ContextScope.dtdlVersion(of: s), "dtmi:dtdl:context;\(v)" == s {
                sawDTDL = true
                if sawExtension {
                    // At the top level a DTDL context after an extension counts as missing.
                    issues.add(parent == nil ? "missingDtdlContext" : "dtdlContextFollowsAffiliate", primary: id, property: "@context",
                               value: s, document: document, detail: "the DTDL context must precede extension contexts")
                    ok = false
                }
                // Versions 2 to 4 exist; 4 (and 3 under a lower maximum) is refused by configuration.
                guard v >= 2, v <= 4 else {
                    issues.add("unrecognizedContextVersion", property: "@context", value: s, document: document,
                               detail: "DTDL version \(v) does not exist")
                    ok = false
                    continue
                }
                guard v <= options.maxDTDLVersion, v <= 3 else {
                    issues.add("disallowedContextVersion", primary: id, property: "@context", value: s,
                               restriction: String(min(3, options.maxDTDLVersion)), document: document,
                               detail: "DTDL version \(v) is not supported (versions 2 to \(min(3, options.maxDTDLVersion)))")
                    ok = false
                    continue
                }
                if let p = parent, v > p.version {
                    issues.add("disallowedVersionDefinition", primary: parentIDForContext, property: parentPropertyForContext,
                               restriction: String(p.version), document: document,
                               detail: "an element cannot use a later DTDL version (\(v)) than its parent (\(p.version))")
                    issues.add("unrecognizedContextVersion", value: s, restriction: String(p.version), document: document,
                               detail: "DTDL version \(v) is not recognised inside a DTDL v\(p.version) element")
                    ok = false
                    continue
                }
                if var cur = scope, parent != nil {
                    cur.version = v
                    scope = cur
                } else {
                    scope = ContextScope(version: v, extensions: scope?.extensions ?? [], undefinedExtension: scope?.undefinedExtension ?? false)
                }
                continue
            }
            // DTDL v2 lets the IoT Central context precede the DTDL context.
            if s == "dtmi:iotcentral:context;2", scope == nil || parent != nil && !sawDTDL {
                pendingIotCentral = true
                continue
            }
            sawExtension = true
            let version = scope?.version ?? 3
            guard ContextScope.isWellFormedSpecifier(s, version: version) else {
                let lenient = IdentifierSyntax.check(s, requireVersion: false, allowMinor: true)
                if !s.hasPrefix("dtmi:") {
                    issues.add("nonDtmiContextSpecifier", value: s, document: document, detail: "context '\(s)' is not a DTMI")
                } else if s.contains("#") {
                    issues.add("invalidContextFragment", value: s, document: document, detail: "context '\(s)' has a fragment")
                } else if lenient != nil {
                    issues.add("invalidContextSpecifier", value: s, document: document, detail: "context '\(s)' is not a valid DTMI")
                } else {
                    // Missing version, or (in DTDL v2) a minor version.
                    if version == 2 || !s.contains(";") {
                        issues.add("invalidContextSpecifierForVersion", value: s, restriction: String(version), document: document,
                                   detail: "context '\(s)' needs a version\(version == 2 ? " without a minor part" : "")")
                    }
                    if !s.contains(";") {
                        issues.add("missingContextVersion", value: s, document: document, detail: "context '\(s)' has no version")
                    }
                }
                ok = false
                continue
            }
            guard var cur = scope else {
                // An extension before any DTDL context: reported when the DTDL context comes.
                ok = false
                continue
            }
            if let ext = ContextScope.knownExtension(s, version: cur.version) {
                cur.extensions.insert(ext)
                cur.extensionContexts.append(s)
                known.insert(ContextScope.versionless(s))
            } else if known.contains(ContextScope.versionless(s))
                || specs.contains(where: { ContextScope.versionless($0) == ContextScope.versionless(s)
                    && ContextScope.knownExtension($0, version: cur.version) != nil })
            {
                // Another version of an extension already in force adds nothing.
                continue
            } else if allowsUndefined(version: cur.version) {
                cur.undefinedExtension = true
            } else {
                let knownName = ContextScope.Extension.allCases.contains {
                    ContextScope.versionless(s) == "dtmi:dtdl:extension:\($0.rawValue)"
                }
                issues.add(knownName ? "unresolvableContextVersion" : "unresolvableContextSpecifier", primary: id,
                           property: "@context", value: s, document: document,
                           detail: "context '\(s)' is not a known extension and undefined extensions are not allowed")
                ok = false
            }
            scope = cur
        }
        if pendingIotCentral, ok {
            guard var cur = scope, cur.version == 2 || !sawExtensionBeforeDTDL(specs) else {
                issues.add("dtdlContextFollowsAffiliate", primary: id, property: "@context", document: document,
                           detail: "the DTDL context must precede extension contexts")
                return nil
            }
            cur.extensions.insert(.iotcentral)
            cur.extensionContexts.append("dtmi:iotcentral:context;2")
            scope = cur
        }
        return ok ? scope : nil
    }

    /// Whether an extension context comes before the DTDL context in the list.
    private func sawExtensionBeforeDTDL(_ specs: [String]) -> Bool {
        guard let d = specs.firstIndex(where: { ContextScope.dtdlVersion(of: $0) != nil }) else { return false }
        return specs[..<d].contains { ContextScope.dtdlVersion(of: $0) == nil }
    }
}
