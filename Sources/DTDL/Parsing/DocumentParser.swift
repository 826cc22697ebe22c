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
    /// The element holding the element whose local `@context` is being read.
    var parentIDForContext: String?
    /// The property holding the element whose local `@context` is being read.
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
        case .object(let object): parseTopLevel(object)
        case .array(let items):
            for item in items {
                if case .object(let object) = item {
                    parseTopLevel(object)
                } else {
                    issues.add(
                        "notJsonObject", value: JSONWriter.string(item), document: index,
                        detail: "a top-level array may only hold JSON objects")
                }
            }
        default:
            issues.add(
                "notJsonObject", value: JSONWriter.string(value), document: index,
                detail: "a document must be a JSON object or an array of objects")
        }
    }

    /// Parses a top-level element, which needs a `@context` with a DTDL context and an `@id`.
    private mutating func parseTopLevel(_ object: JSONObject) {
        if let identifier = object["@id"]?.stringValue { declaredIDs.insert(identifier) }
        if case .object(let graph)? = object["@graph"] {
            // @graph is not DTDL; without any @context the document is simply missing its context.
            if object["@context"] != nil || graph["@context"] != nil {
                issues.add("topLevelGraphDisallowed", document: document, detail: "a DTDL document cannot use @graph")
            }
            if object["@context"] == nil {
                issues.add("missingContext", document: document, detail: "a top-level element must have @context")
            }
            return
        }
        guard let context = object["@context"] else {
            issues.add(
                "missingContext", primary: object["@id"]?.stringValue, document: document,
                detail: "a top-level element must have @context with a DTDL context (dtmi:dtdl:context;2 or ;3)")
            return
        }
        guard let scope = topScope(context, id: object["@id"]?.stringValue) else { return }
        if object["@id"] == nil {
            issues.add("missingTopLevelId", document: document, detail: "a top-level element must have @id")
            return
        }
        let slot = PropertySpec.Slot(classes: [.interface], inlineNeedsId: true)
        if let element = parseElement(
            object, scope: scope, slot: slot, property: nil, parentID: nil, synthetic: nil, topLevel: true)
        {
            element.definition = object
            topLevel.append(element)
        }
    }

    // MARK: Elements

    /// Parses an inline element of a slot. `synthetic` is the id to use when `@id` is absent.
    mutating func parseElement(
        _ object: JSONObject, scope parentScope: ContextScope, slot: PropertySpec.Slot, property: String?,
        parentID: String?, synthetic: String?, topLevel: Bool = false
    ) -> ParsedElement? {
        var scope = parentScope
        let given = object["@id"]
        if let identifier = given?.stringValue { declaredIDs.insert(identifier) }
        let label = given?.stringValue ?? synthetic ?? "element"
        if !topLevel, let context = object["@context"] {
            guard
                let nested = nestedScope(
                    context, parent: parentScope, id: label, parentID: parentID, property: property)
            else { return nil }
            scope = nested
            if scope.version < parentScope.version && !slot.earlierVersion {
                issues.add(
                    "disallowedVersionDefinition", primary: parentID, secondary: label, property: property,
                    restriction: String(parentScope.version), document: document,
                    detail: "a DTDL v\(scope.version) element cannot appear in '\(property ?? "")' "
                        + "of a DTDL v\(parentScope.version) element")
                return nil
            }
        }
        reportDisallowedKeywords(
            object, version: parentScope.version, label: label, parentID: parentID, property: property,
            topLevel: topLevel)
        // A malformed @id is reported alone, before the types.
        if case .string(let identifier)? = given, !identifier.isEmpty,
            IdentifierSyntax.check(identifier, requireVersion: scope.version == 2, allowMinor: scope.version >= 3)
                != nil
        {
            issues.add(
                "invalidId", primary: parentID, property: property ?? "@id", value: identifier,
                restriction: String(scope.version), document: document,
                detail: "@id '\(identifier)' is not a valid DTMI for DTDL v\(scope.version)")
            return nil
        }
        guard
            let typeInfo = resolveTypes(
                object["@type"], scope: scope, slot: slot, id: label, topLevel: topLevel, parentID: parentID,
                property: property)
        else {
            return nil
        }
        let elementClass = typeInfo.elementClass
        // Identifier
        var id: String
        var explicit = false
        if let given {
            guard case .string(let identifier) = given, !identifier.isEmpty else {
                issues.add(
                    "idNotString", primary: parentID, property: property, value: JSONWriter.string(given),
                    document: document, detail: "@id must be a string holding a DTMI")
                return nil
            }
            guard
                checkIdentifier(
                    identifier, elementClass: elementClass, scope: scope, owner: parentID, property: property)
            else { return nil }
            id = identifier
            explicit = true
        } else if slot.inlineNeedsId || topLevel {
            issues.add(
                "missingRequiredId", primary: parentID, property: property, document: document,
                detail: "an element of class \(elementClass.rawValue) in '\(property ?? "")' must have an @id")
            return nil
        } else {
            id = synthetic ?? "dtmi:unknown:_element;1"
        }
        let element = ParsedElement(
            id: id, explicitId: explicit, elementClass: elementClass, version: scope.version, documentIndex: document)
        element.cotypes = typeInfo.cotypes
        elements.append(element)
        parseProperties(object, into: element, scope: scope, types: typeInfo)
        return element
    }

    /// Reports JSON-LD keywords other than @id, @type and @context, which have no meaning in DTDL.
    /// DTDL v3 restricts keywords; v2 only rejects @graph (`dtmm:restrictKeywords`).
    private mutating func reportDisallowedKeywords(
        _ object: JSONObject, version: Int, label: String, parentID: String?, property: String?, topLevel: Bool
    ) {
        for (keyword, _) in object
        where keyword.hasPrefix("@") && keyword != "@id" && keyword != "@type"
            && keyword != "@context" && (version >= 3 || keyword == "@graph")
        {
            let code = (topLevel ? "topLevel" : "") + (keyword == "@graph" ? "GraphDisallowed" : "KeywordDisallowed")
            issues.add(
                topLevel ? code : code.prefix(1).lowercased() + code.dropFirst(),
                primary: topLevel ? label : parentID, property: topLevel ? nil : property, value: keyword,
                document: document, detail: "keyword '\(keyword)' is not allowed in a DTDL element")
        }
    }

    /// Checks an `@id` value whose syntax is valid; reports and returns false when it is not
    /// acceptable (reserved prefix, length).
    private mutating func checkIdentifier(
        _ identifier: String, elementClass: ElementClass, scope: ContextScope, owner: String?, property: String?
    ) -> Bool {
        if IdentifierSyntax.isReserved(identifier)
            || scope.extensions.contains(.iotcentral) && identifier.hasPrefix("dtmi:iotcentral:")
        {
            issues.add(
                "reservedId", primary: identifier, value: identifier, restriction: "dtmi:dtdl:, dtmi:standard:",
                document: document,
                detail: "@id '\(identifier)' uses a prefix reserved by DTDL (dtmi:dtdl:, dtmi:standard:)")
            return false
        }
        // Interface ids are capped at 128 characters, every other id at 2048.
        let maxLength = elementClass == .interface ? 128 : 2048
        if identifier.utf8.count > maxLength {
            issues.add(
                elementClass == .interface ? "idTooLongForType" : "idTooLong", primary: identifier,
                value: identifier, document: document, detail: "@id is longer than \(maxLength) characters")
            return false
        }
        return true
    }
}
