import ADTWire

extension ModelResolver {
    /// DTDL caps complex-schema nesting at 5 levels (`dtmm:maxDepth` on ComplexSchema).
    static let maxSchemaDepth = 5

    /// Resolves a schema reference into a `Schema` tree; nil after reporting a problem.
    mutating func schema(_ r: Reference, owner: ParsedElement) -> Schema? {
        switch r {
        case .builtin(let t):
            return BuiltinSchemas.schema(t)
                ?? SemanticVocabulary.unitEnumSchema(t, scope: ContextScope(version: 3, extensions: [.quantitativeTypes]))
        case .id(let id):
            if let e = byID[id] { return schema(element: e) }
            return existing.schemas[id]
        case .element(let e):
            return schema(element: e)
        }
    }

    /// The schema of a complex-schema element, memoised; checks self-reference and depth.
    private mutating func schema(element e: ParsedElement) -> Schema? {
        if let s = schemaCache[e.id] { return s }
        guard e.cls.isComplexSchema, !failed.contains(e.id) else { return nil }
        var stack: [ObjectIdentifier] = []
        guard let d = depth(e, &stack) else { return nil }
        if d > Self.maxSchemaDepth {
            issues.add("excessiveDepthWide", primary: e.id, property: "elementSchema' or 'schema", value: String(d),
                       counts: [d, Self.maxSchemaDepth], document: e.documentIndex,
                       detail: "schema '\(e.id)' nests \(d) complex schemas; at most \(Self.maxSchemaDepth) are allowed")
            failed.insert(e.id)
            return nil
        }
        guard let s = build(e) else { return nil }
        schemaCache[e.id] = s
        return s
    }

    /// The complex-schema nesting depth below and including `e`; nil (reported) on a cycle, on
    /// the element whose reference closes it.
    private mutating func depth(_ e: ParsedElement, _ stack: inout [ObjectIdentifier]) -> Int? {
        let key = ObjectIdentifier(e)
        if let d = schemaDepth[key] { return d }
        if failed.contains(e.id) { return nil }
        stack.append(key)
        defer { stack.removeLast() }
        var inner = 0
        for (holder, child) in schemaChildren(e) {
            if let ce = element(child), ce.cls.isComplexSchema {
                if stack.contains(ObjectIdentifier(ce)) {
                    issues.add("recursiveStructureWide", primary: holder.id, secondary: ce.id, document: holder.documentIndex,
                               detail: "schema '\(ce.id)' contains itself")
                    failed.insert(e.id)
                    return nil
                }
                guard let d = depth(ce, &stack) else { return nil }
                inner = max(inner, d)
            } else if case .id(let id) = child, let s = existing.schemas[id] {
                inner = max(inner, Self.depth(of: s))
            }
        }
        let d = (e.cls.isComplexSchema ? 1 : 0) + inner
        schemaDepth[key] = d
        return d
    }

    /// Nesting depth of a resolved schema.
    static func depth(of s: Schema) -> Int {
        switch s {
        case .primitive: return 0
        case .enumeration: return 1
        case .array(let a): return 1 + depth(of: a.elementSchema)
        case .map(let m): return 1 + depth(of: m.valueSchema)
        case .object(let o): return 1 + (o.fields.map { depth(of: $0.schema) }.max() ?? 0)
        }
    }

    /// The schema references directly below a complex schema, with the element a cycle through
    /// each is reported on (the array or map itself, or the field).
    private func schemaChildren(_ e: ParsedElement) -> [(ParsedElement, Reference)] {
        switch e.cls {
        case .array: return (e.children["elementSchema"] ?? []).map { (e, $0) }
        case .map:
            return (e.children["mapValue"] ?? []).compactMap(element).flatMap { v in (v.children["schema"] ?? []).map { (e, $0) } }
        case .object:
            return (e.children["fields"] ?? []).compactMap(element).flatMap { f in (f.children["schema"] ?? []).map { (f, $0) } }
        default: return []
        }
    }

    private mutating func build(_ e: ParsedElement) -> Schema? {
        let explicitID: String? = e.id
        switch e.cls {
        case .array:
            guard let s = firstSchema(e, "elementSchema") else { return nil }
            return .array(ArraySchema(id: explicitID, elementSchema: s))
        case .map:
            guard let k = e.children["mapKey"]?.first.flatMap(element), let v = e.children["mapValue"]?.first.flatMap(element),
                  let vs = firstSchema(v, "schema")
            else { return nil }
            return .map(MapSchema(id: explicitID, keyName: k.name ?? "", valueName: v.name ?? "", valueSchema: vs))
        case .object:
            var fields: [Field] = []
            for r in e.children["fields"] ?? [] {
                guard let f = element(r), let fs = firstSchema(f, "schema") else { return nil }
                fields.append(Field(name: f.name ?? "", schema: fs))
            }
            return .object(ObjectSchema(id: explicitID, fields: fields))
        case .enumeration:
            // An invalid valueSchema was reported already; its values are not checked against it.
            guard let declared = e.strings["valueSchema"] else { return nil }
            let valueSchema: PrimitiveSchema = declared == "integer" ? .integer : .string
            var values: [EnumValue] = []
            for r in e.children["enumValues"] ?? [] {
                guard let ev = element(r), let lit = ev.literal else { continue }
                let fits: Bool
                switch (valueSchema, lit) {
                case (.integer, .integer(let i)): fits = i >= Int64(Int32.min) && i <= Int64(Int32.max)
                case (.string, .string): fits = true
                default: fits = false
                }
                if !fits {
                    issues.add("nonConformantDatatype", primary: ev.id, property: "enumValue", value: JSONWriter.string(lit),
                               document: ev.documentIndex,
                               detail: "enumValue \(JSONWriter.string(lit)) does not conform to the Enum's valueSchema '\(valueSchema.rawValue)'")
                    return nil
                }
                values.append(EnumValue(name: ev.name ?? "", enumValue: lit))
            }
            return .enumeration(EnumSchema(id: explicitID, valueSchema: valueSchema, values: values))
        default:
            return nil
        }
    }
}
