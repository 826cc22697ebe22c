import ADTWire

extension ModelResolver {
    /// DTDL caps complex-schema nesting at 5 levels (`dtmm:maxDepth` on ComplexSchema).
    static let maxSchemaDepth = 5

    /// Resolves a schema reference into a `Schema` tree; nil after reporting a problem.
    mutating func schema(_ reference: Reference, owner: ParsedElement) -> Schema? {
        switch reference {
        case .builtin(let term):
            let quantitativeTypes = ContextScope(version: 3, extensions: [.quantitativeTypes])
            return BuiltinSchemas.schema(term) ?? SemanticVocabulary.unitEnumSchema(term, scope: quantitativeTypes)
        case .id(let id):
            if let defined = byID[id] { return schema(element: defined) }
            return existing.schemas[id]
        case .element(let inline):
            return schema(element: inline)
        }
    }

    /// The schema of a complex-schema element, memoised; checks self-reference and depth.
    private mutating func schema(element schemaElement: ParsedElement) -> Schema? {
        if let cached = schemaCache[schemaElement.id] { return cached }
        guard schemaElement.elementClass.isComplexSchema, !failed.contains(schemaElement.id) else { return nil }
        var stack: [ObjectIdentifier] = []
        guard let nesting = depth(schemaElement, &stack) else { return nil }
        if nesting > Self.maxSchemaDepth {
            issues.add(
                "excessiveDepthWide", primary: schemaElement.id, property: "elementSchema' or 'schema",
                value: String(nesting), counts: [nesting, Self.maxSchemaDepth],
                document: schemaElement.documentIndex,
                detail: "schema '\(schemaElement.id)' nests \(nesting) complex schemas; "
                    + "at most \(Self.maxSchemaDepth) are allowed")
            failed.insert(schemaElement.id)
            return nil
        }
        guard let built = build(schemaElement) else { return nil }
        schemaCache[schemaElement.id] = built
        return built
    }

    /// The complex-schema nesting depth below and including `schemaElement`; nil (reported) on a
    /// cycle, on the element whose reference closes it.
    private mutating func depth(_ schemaElement: ParsedElement, _ stack: inout [ObjectIdentifier]) -> Int? {
        let key = ObjectIdentifier(schemaElement)
        if let cached = schemaDepth[key] { return cached }
        if failed.contains(schemaElement.id) { return nil }
        stack.append(key)
        defer { stack.removeLast() }
        var inner = 0
        for (holder, child) in schemaChildren(schemaElement) {
            if let childElement = element(child), childElement.elementClass.isComplexSchema {
                if stack.contains(ObjectIdentifier(childElement)) {
                    issues.add(
                        "recursiveStructureWide", primary: holder.id, secondary: childElement.id,
                        document: holder.documentIndex, detail: "schema '\(childElement.id)' contains itself")
                    failed.insert(schemaElement.id)
                    return nil
                }
                guard let childDepth = depth(childElement, &stack) else { return nil }
                inner = max(inner, childDepth)
            } else if case .id(let id) = child, let stored = existing.schemas[id] {
                inner = max(inner, Self.depth(of: stored))
            }
        }
        let total = (schemaElement.elementClass.isComplexSchema ? 1 : 0) + inner
        schemaDepth[key] = total
        return total
    }

    /// Nesting depth of a resolved schema.
    static func depth(of schema: Schema) -> Int {
        switch schema {
        case .primitive: return 0
        case .enumeration: return 1
        case .array(let array): return 1 + depth(of: array.elementSchema)
        case .map(let map): return 1 + depth(of: map.valueSchema)
        case .object(let object): return 1 + (object.fields.map { depth(of: $0.schema) }.max() ?? 0)
        }
    }

    /// The schema references directly below a complex schema, with the element a cycle through
    /// each is reported on (the array or map itself, or the field).
    private func schemaChildren(_ schemaElement: ParsedElement) -> [(ParsedElement, Reference)] {
        switch schemaElement.elementClass {
        case .array: return (schemaElement.children["elementSchema"] ?? []).map { (schemaElement, $0) }
        case .map:
            return (schemaElement.children["mapValue"] ?? []).compactMap(element).flatMap { mapValue in
                (mapValue.children["schema"] ?? []).map { (schemaElement, $0) }
            }
        case .object:
            return (schemaElement.children["fields"] ?? []).compactMap(element).flatMap { field in
                (field.children["schema"] ?? []).map { (field, $0) }
            }
        default: return []
        }
    }

    /// Builds the schema of a complex-schema element from its parts; nil when a part has no schema
    /// or (reported) an enum value does not fit the Enum's valueSchema.
    private mutating func build(_ schemaElement: ParsedElement) -> Schema? {
        let explicitID: String? = schemaElement.id
        switch schemaElement.elementClass {
        case .array:
            guard let elementSchema = firstSchema(schemaElement, "elementSchema") else { return nil }
            return .array(ArraySchema(id: explicitID, elementSchema: elementSchema))
        case .map:
            guard let mapKey = schemaElement.children["mapKey"]?.first.flatMap(element),
                let mapValue = schemaElement.children["mapValue"]?.first.flatMap(element),
                let valueSchema = firstSchema(mapValue, "schema")
            else { return nil }
            return .map(
                MapSchema(
                    id: explicitID, keyName: mapKey.name ?? "", valueName: mapValue.name ?? "", valueSchema: valueSchema
                ))
        case .object:
            var fields: [Field] = []
            for reference in schemaElement.children["fields"] ?? [] {
                guard let field = element(reference), let fieldSchema = firstSchema(field, "schema") else { return nil }
                fields.append(Field(name: field.name ?? "", schema: fieldSchema))
            }
            return .object(ObjectSchema(id: explicitID, fields: fields))
        case .enumeration:
            return buildEnum(schemaElement, id: explicitID)
        default:
            return nil
        }
    }

    /// Builds the schema of an Enum element; nil when its valueSchema is missing or (reported) an
    /// enum value does not fit it.
    private mutating func buildEnum(_ enumElement: ParsedElement, id explicitID: String?) -> Schema? {
        // An invalid valueSchema was reported already; its values are not checked against it.
        guard let declared = enumElement.strings["valueSchema"] else { return nil }
        let valueSchema: PrimitiveSchema = declared == "integer" ? .integer : .string
        var values: [EnumValue] = []
        for reference in enumElement.children["enumValues"] ?? [] {
            guard let enumValue = element(reference), let literal = enumValue.literal else { continue }
            let fits: Bool
            switch (valueSchema, literal) {
            case (.integer, .integer(let number)): fits = number >= Int64(Int32.min) && number <= Int64(Int32.max)
            case (.string, .string): fits = true
            default: fits = false
            }
            if !fits {
                issues.add(
                    "nonConformantDatatype", primary: enumValue.id, property: "enumValue",
                    value: JSONWriter.string(literal), document: enumValue.documentIndex,
                    detail: "enumValue \(JSONWriter.string(literal)) does not conform "
                        + "to the Enum's valueSchema '\(valueSchema.rawValue)'")
                return nil
            }
            values.append(EnumValue(name: enumValue.name ?? "", enumValue: literal))
        }
        return .enumeration(EnumSchema(id: explicitID, valueSchema: valueSchema, values: values))
    }
}
