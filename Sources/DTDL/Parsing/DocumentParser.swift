import ADTWire

/// Turns JSON documents into `ParsedElement`s, checking every rule that can be checked on an
/// element and its inline descendants. Cross-element rules (references, inheritance, limits over
/// hierarchies) are left to `ModelResolver`.
struct DocumentParser {
    let options: ModelParser.Options
    var issues = IssueCollector()
    /// Every element parsed, in document order.
    var elements: [ParsedElement] = []
    /// The top-level elements.
    var topLevel: [ParsedElement] = []
    /// Every `@id` written on an element, including elements rejected with an error: a reference
    /// to one of them is not reported again as unresolved.
    var declaredIDs: Set<String> = []
    /// The index of the document being parsed.
    var document = 0
    /// The element and property holding the element whose local `@context` is being read.
    var parentIDForContext: String?
    var parentPropertyForContext: String?

    init(options: ModelParser.Options) { self.options = options }

    /// Whether undefined extensions are tolerated for a DTDL version: the option, or the
    /// version's default (v2 allows them, v3 does not; `allowUndefinedExtensionsByDefault`).
    func allowsUndefined(version: Int) -> Bool { options.allowUndefinedExtensions ?? (version == 2) }

    // MARK: Documents

    /// Parses one document: one top-level element or an array of them.
    mutating func parse(document value: JSONValue, index: Int) {
        document = index
        switch value {
        case .object(let o): parseTopLevel(o)
        case .array(let items):
            for item in items {
                if case .object(let o) = item { parseTopLevel(o) } else {
                    issues.add("notJsonObject", value: JSONWriter.string(item), document: index,
                               detail: "a top-level array may only hold JSON objects")
                }
            }
        default:
            issues.add("notJsonObject", value: JSONWriter.string(value), document: index,
                       detail: "a document must be a JSON object or an array of objects")
        }
    }

    private mutating func parseTopLevel(_ o: JSONObject) {
        if let s = o["@id"]?.stringValue { declaredIDs.insert(s) }
        if case .object(let graph)? = o["@graph"] {
            // @graph is not DTDL; without any @context the document is simply missing its context.
            if o["@context"] != nil || graph["@context"] != nil {
                issues.add("topLevelGraphDisallowed", document: document, detail: "a DTDL document cannot use @graph")
            }
            if o["@context"] == nil {
                issues.add("missingContext", document: document, detail: "a top-level element must have @context")
            }
            return
        }
        guard let ctx = o["@context"] else {
            issues.add("missingContext", primary: o["@id"]?.stringValue, document: document,
                       detail: "a top-level element must have @context with a DTDL context (dtmi:dtdl:context;2 or ;3)")
            return
        }
        guard let scope = topScope(ctx, id: o["@id"]?.stringValue) else { return }
        if o["@id"] == nil {
            issues.add("missingTopLevelId", document: document, detail: "a top-level element must have @id")
            return
        }
        let slot = PropertySpec.Slot(classes: [.interface], inlineNeedsId: true)
        if let e = parseElement(o, scope: scope, slot: slot, property: nil, parentID: nil, synthetic: nil, topLevel: true) {
            e.definition = o
            topLevel.append(e)
        }
    }

    // MARK: Elements

    /// Parses an inline element of a slot. `synthetic` is the id to use when `@id` is absent.
    mutating func parseElement(
        _ o: JSONObject, scope parentScope: ContextScope, slot: PropertySpec.Slot, property: String?,
        parentID: String?, synthetic: String?, topLevel: Bool = false
    ) -> ParsedElement? {
        var scope = parentScope
        let given = o["@id"]
        if let s = given?.stringValue { declaredIDs.insert(s) }
        let label = given?.stringValue ?? synthetic ?? "element"
        if !topLevel, let ctx = o["@context"] {
            guard let nested = nestedScope(ctx, parent: parentScope, id: label, parentID: parentID, property: property) else { return nil }
            scope = nested
            if scope.version < parentScope.version && !slot.earlierVersion {
                issues.add("disallowedVersionDefinition", primary: parentID, secondary: label, property: property,
                           restriction: String(parentScope.version),
                           document: document,
                           detail: "a DTDL v\(scope.version) element cannot appear in '\(property ?? "")' of a DTDL v\(parentScope.version) element")
                return nil
            }
        }
        // JSON-LD keywords other than @id, @type and @context have no meaning in DTDL.
        // DTDL v3 restricts keywords; v2 only rejects @graph (`dtmm:restrictKeywords`).
        for (k, _) in o where k.hasPrefix("@") && k != "@id" && k != "@type" && k != "@context"
            && (parentScope.version >= 3 || k == "@graph")
        {
            let code = (topLevel ? "topLevel" : "") + (k == "@graph" ? "GraphDisallowed" : "KeywordDisallowed")
            issues.add(topLevel ? code : code.prefix(1).lowercased() + code.dropFirst(), primary: topLevel ? label : parentID,
                       property: topLevel ? nil : property, value: k,
                       document: document, detail: "keyword '\(k)' is not allowed in a DTDL element")
        }
        // A malformed @id is reported alone, before the types.
        if case .string(let s)? = given, !s.isEmpty,
           IdentifierSyntax.check(s, requireVersion: scope.version == 2, allowMinor: scope.version >= 3) != nil
        {
            issues.add("invalidId", primary: parentID, property: property ?? "@id", value: s, restriction: String(scope.version),
                       document: document, detail: "@id '\(s)' is not a valid DTMI for DTDL v\(scope.version)")
            return nil
        }
        guard let typeInfo = resolveTypes(
            o["@type"], scope: scope, slot: slot, id: label, topLevel: topLevel, parentID: parentID, property: property)
        else {
            return nil
        }
        let cls = typeInfo.cls
        let version = scope.version
        // Identifier
        var id: String
        var explicit = false
        if let given {
            guard case .string(let s) = given, !s.isEmpty else {
                issues.add("idNotString", primary: parentID, property: property, value: JSONWriter.string(given),
                           document: document, detail: "@id must be a string holding a DTMI")
                return nil
            }
            guard checkIdentifier(s, cls: cls, scope: scope, owner: parentID, property: property) else { return nil }
            id = s
            explicit = true
        } else if slot.inlineNeedsId || topLevel {
            issues.add("missingRequiredId", primary: parentID, property: property, document: document,
                       detail: "an element of class \(cls.rawValue) in '\(property ?? "")' must have an @id")
            return nil
        } else {
            id = synthetic ?? "dtmi:unknown:_element;1"
        }
        let e = ParsedElement(id: id, explicitId: explicit, cls: cls, version: version, documentIndex: document)
        e.cotypes = typeInfo.cotypes
        elements.append(e)
        parseProperties(o, into: e, scope: scope, types: typeInfo)
        return e
    }

    /// Checks an `@id` value whose syntax is valid; reports and returns false when it is not
    /// acceptable (reserved prefix, length).
    private mutating func checkIdentifier(
        _ s: String, cls: ElementClass, scope: ContextScope, owner: String?, property: String?
    ) -> Bool {
        if IdentifierSyntax.isReserved(s) || scope.extensions.contains(.iotcentral) && s.hasPrefix("dtmi:iotcentral:") {
            issues.add("reservedId", primary: s, value: s, restriction: "dtmi:dtdl:, dtmi:standard:", document: document,
                       detail: "@id '\(s)' uses a prefix reserved by DTDL (dtmi:dtdl:, dtmi:standard:)")
            return false
        }
        // Interface ids are capped at 128 characters, every other id at 2048.
        let max = cls == .interface ? 128 : 2048
        if s.utf8.count > max {
            issues.add(cls == .interface ? "idTooLongForType" : "idTooLong", primary: s, value: s, document: document,
                       detail: "@id is longer than \(max) characters")
            return false
        }
        return true
    }
}
