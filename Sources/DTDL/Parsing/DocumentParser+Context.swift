import ADTWire

extension DocumentParser {
    /// The scope set by a top-level `@context`, which must name a DTDL context; nil when invalid.
    mutating func topScope(_ value: JSONValue, id: String?) -> ContextScope? {
        guard let specifiers = contextSpecifiers(value, id: id) else { return nil }
        if specifiers.isEmpty {
            issues.add(
                "emptyContext", primary: id, property: "@context", document: document,
                detail: "@context is empty; it must include a DTDL context")
            return nil
        }
        guard specifiers.contains(where: { $0.hasPrefix("dtmi:dtdl:context;") }) else {
            issues.add(
                "missingDtdlContext", primary: id, property: "@context", document: document,
                detail: "@context must include a DTDL context (dtmi:dtdl:context;2 or dtmi:dtdl:context;3)")
            return nil
        }
        return apply(specifiers, to: nil, id: id)
    }

    /// The scope of a nested element with its own `@context`; nil when invalid.
    mutating func nestedScope(
        _ value: JSONValue, parent: ContextScope, id: String, parentID: String?, property: String?
    ) -> ContextScope? {
        guard let specifiers = contextSpecifiers(value, id: id) else { return nil }
        parentIDForContext = parentID
        parentPropertyForContext = property
        return apply(specifiers, to: parent, id: id)
    }

    /// The specifier strings of a `@context` value (a string or an array of strings).
    private mutating func contextSpecifiers(_ value: JSONValue, id: String?) -> [String]? {
        switch value {
        case .string(let specifier): return [specifier]
        case .array(let items):
            var specifiers: [String] = []
            for (index, item) in items.enumerated() {
                if case .object(let localContext) = item {
                    rejectLocalContext(
                        localContext, last: index == items.count - 1, specifiers: items.compactMap(\.stringValue))
                    return nil
                }
                guard case .string(let specifier) = item else {
                    issues.add(
                        "invalidContext", primary: id, property: "@context", value: JSONWriter.string(item),
                        document: document, detail: "each @context entry must be a context DTMI string")
                    return nil
                }
                specifiers.append(specifier)
            }
            return specifiers
        case .object(let localContext):
            rejectLocalContext(localContext, last: true, specifiers: [])
            return nil
        default:
            issues.add(
                "invalidContext", primary: id, property: "@context", value: JSONWriter.string(value),
                document: document, detail: "@context must be a context DTMI string or an array of them")
            return nil
        }
    }

    /// Reports a local context (term definitions), which DTDL v2 and v3 do not allow, together with
    /// what is wrong in its definitions, as the .NET parser does.
    private mutating func rejectLocalContext(_ localContext: JSONObject, last: Bool, specifiers: [String]) {
        let version = specifiers.compactMap(ContextScope.dtdlVersion(of:)).last ?? 3
        issues.add(
            "disallowedLocalContext", restriction: String(version), document: document,
            detail: "@context cannot define local terms; use DTDL and extension context DTMIs only")
        if !last {
            issues.add("localContextNotLast", document: document, detail: "a local context must come last in @context")
        }
        // Terms the DTDL contexts (and QuantitativeTypes or the v2 standard terms) define are reserved.
        let reservedContexts = ["dtmi:dtdl:context;\(version)", "dtmi:dtdl:extension:quantitativeTypes;1"]
        for (term, definition) in localContext {
            if term.isEmpty {
                issues.add("localTermEmpty", document: document, detail: "a local term cannot be empty")
            } else if term.hasPrefix("@") || term.contains(":") {
                issues.add(
                    "localTermInvalid", value: term, document: document,
                    detail: "'\(term)' cannot be defined as a local term")
            } else if ["dtmi", "http", "https", "urn"].contains(term) {
                issues.add(
                    "localTermSchemePrefix", value: term, document: document,
                    detail: "'\(term)' is a URI scheme")
            } else if reservedContexts.contains(where: { DTDLContexts.terms(of: $0)?[term] != nil }) {
                issues.add("localTermReserved", value: term, document: document, detail: "'\(term)' is a DTDL term")
            }
            var target: String?
            switch definition {
            case .null: continue
            case .string(let iri): target = iri
            case .object(let expanded):
                guard let idValue = expanded["@id"] else {
                    issues.add(
                        "termDefinitionMissingIdProperty", value: term, document: document,
                        detail: "the definition of '\(term)' has no @id")
                    continue
                }
                guard case .string(let iri) = idValue else {
                    issues.add(
                        "termDefinitionIdPropertyNotString", value: term, document: document,
                        detail: "the @id of the definition of '\(term)' is not a string")
                    continue
                }
                target = iri
            default:
                issues.add(
                    "termDefinitionNotStringOrObject", value: term, document: document,
                    detail: "the definition of '\(term)' must be a string or an object")
                continue
            }
            guard let target else { continue }
            if target.hasPrefix("dtmi:") {
                // A prefix definition ends with ':'; anything else must be a DTMI.
                let checked = target.hasSuffix(":") ? target + "x" : target
                if IdentifierSyntax.check(checked, requireVersion: false, allowMinor: true, allowSystem: true) != nil {
                    issues.add(
                        "localTermDefinitionInvalidDtmi", value: target, document: document,
                        detail: "'\(target)' is not a valid DTMI")
                }
            } else if !target.contains("://") {
                issues.add(
                    "localTermDefinitionInvalidUri", value: target, document: document,
                    detail: "'\(target)' is not a valid URI")
            }
        }
    }

    /// Applies specifiers in order. The DTDL context must come before any extension; the last DTDL
    /// context sets the version; a nested element cannot move to a later DTDL version than its parent.
    private mutating func apply(_ specifiers: [String], to parent: ContextScope?, id: String?) -> ContextScope? {
        var scope = parent
        var sawExtension = false
        var valid = true
        var pendingIotCentral = false
        var known: Set<Substring> = []
        var sawDTDL = false
        for specifier in specifiers {
            if specifier.hasPrefix("dtmi:dtdl:context;"), specifier.contains("#") {
                issues.add(
                    "disallowedContextFragment", property: "@context", value: specifier, document: document,
                    detail: "context '\(specifier)' has a fragment; DTDL context specifiers cannot have one")
                valid = false
                continue
            }
            if let version = ContextScope.dtdlVersion(of: specifier), "dtmi:dtdl:context;\(version)" == specifier {
                sawDTDL = true
                let accepted = applyDTDLContext(
                    specifier, version: version, afterExtension: sawExtension, parent: parent, id: id, to: &scope)
                if !accepted { valid = false }
                continue
            }
            // DTDL v2 lets the IoT Central context precede the DTDL context.
            if specifier == "dtmi:iotcentral:context;2", scope == nil || parent != nil && !sawDTDL {
                pendingIotCentral = true
                continue
            }
            sawExtension = true
            let version = scope?.version ?? 3
            guard ContextScope.isWellFormedSpecifier(specifier, version: version) else {
                reportMalformedContext(specifier, version: version)
                valid = false
                continue
            }
            guard var current = scope else {
                // An extension before any DTDL context: reported when the DTDL context comes.
                valid = false
                continue
            }
            let accepted = applyExtensionContext(
                specifier, among: specifiers, known: &known, id: id, to: &current)
            if !accepted { valid = false }
            scope = current
        }
        if pendingIotCentral, valid {
            guard var current = scope, current.version == 2 || !sawExtensionBeforeDTDL(specifiers) else {
                issues.add(
                    "dtdlContextFollowsAffiliate", primary: id, property: "@context", document: document,
                    detail: "the DTDL context must precede extension contexts")
                return nil
            }
            current.extensions.insert(.iotcentral)
            current.extensionContexts.append("dtmi:iotcentral:context;2")
            scope = current
        }
        return valid ? scope : nil
    }

    /// Applies a DTDL context specifier (`dtmi:dtdl:context;N`) to the scope; false when it is
    /// refused or out of order (reported).
    private mutating func applyDTDLContext(
        _ specifier: String, version: Int, afterExtension sawExtension: Bool, parent: ContextScope?, id: String?,
        to scope: inout ContextScope?
    ) -> Bool {
        var accepted = true
        if sawExtension {
            // At the top level a DTDL context after an extension counts as missing.
            issues.add(
                parent == nil ? "missingDtdlContext" : "dtdlContextFollowsAffiliate", primary: id,
                property: "@context", value: specifier, document: document,
                detail: "the DTDL context must precede extension contexts")
            accepted = false
        }
        // Versions 2 to 4 exist; 4 (and 3 under a lower maximum) is refused by configuration.
        guard version >= 2, version <= 4 else {
            issues.add(
                "unrecognizedContextVersion", property: "@context", value: specifier, document: document,
                detail: "DTDL version \(version) does not exist")
            return false
        }
        let supported = min(3, options.maxDTDLVersion)
        guard version <= options.maxDTDLVersion, version <= 3 else {
            issues.add(
                "disallowedContextVersion", primary: id, property: "@context", value: specifier,
                restriction: String(supported), document: document,
                detail: "DTDL version \(version) is not supported (versions 2 to \(supported))")
            return false
        }
        if let parent, version > parent.version {
            issues.add(
                "disallowedVersionDefinition", primary: parentIDForContext, property: parentPropertyForContext,
                restriction: String(parent.version), document: document,
                detail: "an element cannot use a later DTDL version (\(version)) "
                    + "than its parent (\(parent.version))")
            issues.add(
                "unrecognizedContextVersion", value: specifier, restriction: String(parent.version),
                document: document,
                detail: "DTDL version \(version) is not recognised inside a DTDL v\(parent.version) element")
            return false
        }
        if var current = scope, parent != nil {
            current.version = version
            scope = current
        } else {
            scope = ContextScope(
                version: version, extensions: scope?.extensions ?? [],
                undefinedExtension: scope?.undefinedExtension ?? false)
        }
        return accepted
    }

    /// Reports an extension context specifier that is not a well-formed context DTMI.
    private mutating func reportMalformedContext(_ specifier: String, version: Int) {
        let lenient = IdentifierSyntax.check(specifier, requireVersion: false, allowMinor: true)
        if !specifier.hasPrefix("dtmi:") {
            issues.add(
                "nonDtmiContextSpecifier", value: specifier, document: document,
                detail: "context '\(specifier)' is not a DTMI")
        } else if specifier.contains("#") {
            issues.add(
                "invalidContextFragment", value: specifier, document: document,
                detail: "context '\(specifier)' has a fragment")
        } else if lenient != nil {
            issues.add(
                "invalidContextSpecifier", value: specifier, document: document,
                detail: "context '\(specifier)' is not a valid DTMI")
        } else {
            // Missing version, or (in DTDL v2) a minor version.
            if version == 2 || !specifier.contains(";") {
                let minorPart = version == 2 ? " without a minor part" : ""
                issues.add(
                    "invalidContextSpecifierForVersion", value: specifier, restriction: String(version),
                    document: document, detail: "context '\(specifier)' needs a version\(minorPart)")
            }
            if !specifier.contains(";") {
                issues.add(
                    "missingContextVersion", value: specifier, document: document,
                    detail: "context '\(specifier)' has no version")
            }
        }
    }

    /// Applies a well-formed extension context specifier to the scope: a known extension, another
    /// version of one already in force, or an undefined extension; false when it is refused (reported).
    /// `known` holds the versionless specifiers of the known extensions applied so far.
    private mutating func applyExtensionContext(
        _ specifier: String, among specifiers: [String], known: inout Set<Substring>, id: String?,
        to scope: inout ContextScope
    ) -> Bool {
        let versionless = ContextScope.versionless(specifier)
        if let ext = ContextScope.knownExtension(specifier, version: scope.version) {
            scope.extensions.insert(ext)
            scope.extensionContexts.append(specifier)
            known.insert(versionless)
        } else if known.contains(versionless)
            || specifiers.contains(where: {
                ContextScope.versionless($0) == versionless
                    && ContextScope.knownExtension($0, version: scope.version) != nil
            })
        {
            // Another version of an extension already in force adds nothing.
            return true
        } else if allowsUndefined(version: scope.version) {
            scope.undefinedExtension = true
        } else {
            let knownName = ContextScope.Extension.allCases.contains {
                versionless == "dtmi:dtdl:extension:\($0.rawValue)"
            }
            issues.add(
                knownName ? "unresolvableContextVersion" : "unresolvableContextSpecifier", primary: id,
                property: "@context", value: specifier, document: document,
                detail: "context '\(specifier)' is not a known extension "
                    + "and undefined extensions are not allowed")
            return false
        }
        return true
    }

    /// Whether an extension context comes before the DTDL context in the list.
    private func sawExtensionBeforeDTDL(_ specifiers: [String]) -> Bool {
        guard let dtdlIndex = specifiers.firstIndex(where: { ContextScope.dtdlVersion(of: $0) != nil }) else {
            return false
        }
        return specifiers[..<dtdlIndex].contains { ContextScope.dtdlVersion(of: $0) == nil }
    }
}
