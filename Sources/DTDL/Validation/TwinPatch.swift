import ADTWire

/// A property whose value or metadata a patch changed, for the gateway to stamp
/// `$metadata.<name>.lastUpdateTime` (this module never reads a clock).
public struct PropertyChange: Sendable, Hashable {
    /// What happened to the property.
    public enum Effect: Sendable, Hashable {
        /// The value was set (added or replaced, wholly or in part).
        case valueSet
        /// The property was removed, with its metadata.
        case removed
        /// Only `$metadata.<name>.sourceTime` changed.
        case sourceTimeOnly
    }

    /// The component holding the property, or `nil` for a top-level property.
    public var component: String?
    /// The property name.
    public var name: String
    /// What happened, judged on the final twin.
    public var effect: Effect

    /// A change record.
    public init(component: String?, name: String, effect: Effect) {
        self.component = component
        self.name = name
        self.effect = effect
    }
}

/// The outcome of a twin or component patch.
public struct TwinPatchResult: Sendable {
    /// The patched twin, validated, not yet stamped.
    public var twin: JSONObject
    /// The properties changed, in the order first touched, one entry per property.
    public var changes: [PropertyChange]
    /// Whether `$metadata.$model` changed (a model migration).
    public var modelChanged: Bool
}

/// JSON Patch on twins (`PATCH /digitaltwins/{id}`) and components
/// (`PATCH /digitaltwins/{id}/components/{name}`), with ADT's rules:
///
/// - paths: `/prop`, `/prop/field/...` (object fields, map keys, array items), `/comp/prop/...`,
///   `/$metadata/prop/sourceTime`, `/comp/$metadata/prop/sourceTime`, `/$metadata/$model`;
///   other `$` paths are refused (`JsonPatchInvalid`);
/// - `replace`/`remove` of a missing value and `add` under a missing parent fail
///   (`JsonPatchInvalid`), as in RFC 6902; ADT documents that a never-set object property must
///   first be added whole;
/// - `sourceTime` may be set with `add` or `replace` whether or not it exists: clients cannot
///   see whether the service created the metadata entry;
/// - removing a property also removes its `$metadata` entry (recorded: after `remove
///   /AverageTemperature` the GET shows no metadata for it); replacing a value keeps its
///   `sourceTime` (documented);
/// - the patch is atomic: any failure leaves the stored twin untouched;
/// - the result must conform: after `replace /$metadata/$model` the whole twin is validated
///   against the new model; otherwise only the members the patch touched, so that a twin
///   left non-conforming by a model re-upload can still be repaired property by property.
extension InstanceValidator {
    /// Applies a patch document to a stored twin.
    ///
    /// - Parameters:
    ///   - patch: the request body, parsed.
    ///   - twin: the stored twin (with its `$metadata`).
    /// - Returns: the new twin, the changed properties and whether the model changed.
    /// - Throws: `JsonPatchInvalid` for a malformed document or a path that cannot be applied,
    ///   `ValidationFailed` when the result does not conform.
    public func applyTwinPatch(_ patch: JSONValue, to twin: JSONObject) throws(DTDLError) -> TwinPatchResult {
        let operations = try EnginePatch.operations(patch)
        return try applyTwinOperations(operations, to: twin)
    }

    /// Applies a component patch, whose paths are relative to the component.
    ///
    /// - Returns: the whole twin with the component patched, and the changes (all within the
    ///   component).
    /// - Throws: `ComponentNotFound` when the twin's model has no such component or the twin
    ///   lacks it, `JsonPatchInvalid`, `ValidationFailed`.
    public func applyComponentPatch(_ patch: JSONValue, component: String, of twin: JSONObject) throws(DTDLError)
        -> TwinPatchResult
    {
        let model = try interface(modelID(of: twin))
        _ = try componentInterface(component, of: model)
        guard twin[component] != nil else {
            throw DTDLError(.componentNotFound, "The twin does not have component \(component).")
        }
        var operations = try EnginePatch.operations(patch)
        for i in operations.indices {
            let relative = operations[i].path
            if relative.tokens.isEmpty {
                throw patchInvalid(
                    "The path \"\" designates the whole component '\(component)', which cannot be replaced by a patch.")
            }
            if relative.tokens.first == "$metadata", relative.tokens.count == 2, relative.tokens[1] == "$model" {
                throw patchInvalid("A component has no $metadata.$model; change the twin's model with a twin patch.")
            }
            operations[i].path = JSONPointer(tokens: [component] + relative.tokens)
        }
        return try applyTwinOperations(operations, to: twin)
    }

    /// Applies parsed operations to a stored twin (paths from the twin's root).
    public func applyTwinOperations(_ operations: [JSONPatchOperation], to twin: JSONObject) throws(DTDLError)
        -> TwinPatchResult
    {
        let originalModelID = try modelID(of: twin)
        var root = JSONValue.object(twin)
        var workingModel = graph[originalModelID]
        var touched: [(component: String?, name: String)] = []
        var touchedComponents: [String] = []

        func touch(_ component: String?, _ name: String) {
            if !touched.contains(where: { $0.component == component && $0.name == name }) {
                touched.append((component, name))
            }
        }

        for op in operations {
            let t = op.path.tokens
            guard let first = t.first else {
                throw patchInvalid(
                    "The path \"\" designates the whole twin, which cannot be replaced by a patch; use PUT.")
            }
            if first == "$metadata" {
                if t.count == 2, t[1] == "$model" {
                    guard op.kind != .remove else {
                        throw patchInvalid("$metadata.$model cannot be removed; a twin always has a model.")
                    }
                    guard case .string(let newModel)? = op.value else {
                        throw validationFailed(
                            "/$metadata/$model expects a model id string but got \(JSONWriter.preview(op.value ?? .null))."
                        )
                    }
                    try EnginePatch.apply(.add, value: op.value, at: t[...], in: &root, displayPath: op.path)
                    workingModel = graph[newModel]
                    continue
                }
                try applySourceTime(op, tokens: t[1...], metadataTokens: ["$metadata"], component: nil, root: &root)
                touch(nil, t[1])
                continue
            }
            if first.hasPrefix("$") {
                throw patchInvalid("\"\(op.path)\" cannot be patched: \(first) is maintained by the service.")
            }
            let isComponent = workingModel?.components[first] != nil
            if isComponent, t.count >= 2 {
                if t[1] == "$metadata" {
                    try applySourceTime(
                        op, tokens: t[2...], metadataTokens: [first, "$metadata"], component: first, root: &root)
                    touch(first, t.count > 2 ? t[2] : "$metadata")
                    continue
                }
                if t[1].hasPrefix("$") {
                    throw patchInvalid("\"\(op.path)\" cannot be patched: \(t[1]) is maintained by the service.")
                }
                try EnginePatch.apply(op.kind, value: op.value, at: t[...], in: &root, displayPath: op.path)
                if op.kind == .remove, t.count == 2 {
                    removeMetadata(of: t[1], under: [first, "$metadata"], in: &root)
                }
                touch(first, t[1])
                continue
            }
            try EnginePatch.apply(op.kind, value: op.value, at: t[...], in: &root, displayPath: op.path)
            if isComponent {
                if !touchedComponents.contains(first) { touchedComponents.append(first) }
                if case .object(let value)? = op.value {
                    for key in value.keys where !key.hasPrefix("$") { touch(first, key) }
                }
            } else {
                if op.kind == .remove, t.count == 1 { removeMetadata(of: first, under: ["$metadata"], in: &root) }
                touch(nil, first)
            }
        }

        guard case .object(let result) = root else { throw patchInvalid("The patched twin is not an object.") }
        let newModelID = try modelID(of: result)
        let modelChanged = newModelID != originalModelID
        if modelChanged {
            try validateTwin(result)
        } else {
            try validateTouched(result, modelID: newModelID, touched: touched, components: touchedComponents)
        }
        let changes = touched.compactMap { entry -> PropertyChange? in
            guard !entry.name.hasPrefix("$") else { return nil }
            return PropertyChange(
                component: entry.component, name: entry.name,
                effect: effect(of: entry, in: result, operations: operations))
        }
        return TwinPatchResult(twin: result, changes: changes, modelChanged: modelChanged)
    }

    /// `add`/`replace`/`remove` of `<metadata>/<prop>/sourceTime`; `tokens` start at `<prop>`.
    func applySourceTime(
        _ op: JSONPatchOperation, tokens: ArraySlice<String>, metadataTokens: [String], component: String?,
        root: inout JSONValue
    ) throws(DTDLError) {
        guard tokens.count == 2, tokens.last == "sourceTime", let property = tokens.first, !property.hasPrefix("$")
        else {
            let metadataPath = JSONPointer(tokens: metadataTokens).description
            throw patchInvalid(
                "\"\(op.path)\" cannot be patched: under \(metadataPath) only \(component == nil ? "/$metadata/$model and " : "")\(metadataPath)/<property>/sourceTime can be."
            )
        }
        let entryTokens = metadataTokens + [property]
        if op.kind != .remove {
            // Create the metadata entry when the property has none yet (ADT creates it on set).
            let entryPointer = JSONPointer(tokens: entryTokens)
            if case .object? = value(at: entryTokens, in: root) {
            } else {
                try EnginePatch.apply(
                    .add, value: .object(JSONObject()), at: entryTokens[...], in: &root, displayPath: entryPointer)
            }
            try EnginePatch.apply(
                .add, value: op.value, at: (entryTokens + ["sourceTime"])[...], in: &root, displayPath: op.path)
        } else {
            try EnginePatch.apply(
                .remove, value: nil, at: (entryTokens + ["sourceTime"])[...], in: &root, displayPath: op.path)
        }
    }

    func removeMetadata(of property: String, under metadataTokens: [String], in root: inout JSONValue) {
        guard case .object(let metadata)? = value(at: metadataTokens, in: root), metadata[property] != nil else {
            return
        }
        try? JSONPatchApplier.apply(
            .remove, value: nil, at: (metadataTokens + [property])[...], in: &root,
            displayPath: JSONPointer(tokens: metadataTokens + [property])
        )
    }

    func value(at tokens: [String], in root: JSONValue) -> JSONValue? {
        var current = root
        for token in tokens {
            guard let next = current[token] else { return nil }
            current = next
        }
        return current
    }

    /// Validates the members a patch touched, on a twin whose model did not change.
    func validateTouched(
        _ twin: JSONObject, modelID: String, touched: [(component: String?, name: String)], components: [String]
    ) throws(DTDLError) {
        let model = try interface(modelID)
        let rootScope = MemberScope(model: model, component: nil)
        let metadata = twin["$metadata"]?.objectValue ?? JSONObject()
        for name in components {
            guard let value = twin[name] else { try checkComponentsPresent(in: twin, model: model); continue }
            try validateMember(name, value, scope: rootScope)
        }
        for entry in touched {
            if let component = entry.component {
                if components.contains(component) { continue }
                let componentModel = try componentInterface(component, of: model)
                let scope = MemberScope(model: componentModel, component: component)
                guard case .object(let componentObject)? = twin[component] else {
                    throw validationFailed(
                        "Component '\(component)' of model \(model.id) must be an object, at /\(component).")
                }
                if let value = componentObject[entry.name] { try validateMember(entry.name, value, scope: scope) }
                if let metadataEntry = componentObject["$metadata"]?[entry.name] {
                    try validateMetadataEntry(entry.name, metadataEntry, scope: scope)
                }
            } else {
                if let value = twin[entry.name] { try validateMember(entry.name, value, scope: rootScope) }
                if let metadataEntry = metadata[entry.name] {
                    try validateMetadataEntry(entry.name, metadataEntry, scope: rootScope)
                }
            }
        }
    }

    func effect(of entry: (component: String?, name: String), in twin: JSONObject, operations: [JSONPatchOperation])
        -> PropertyChange.Effect
    {
        let container = entry.component.flatMap { twin[$0]?.objectValue } ?? twin
        guard container[entry.name] != nil else { return .removed }
        let prefix = entry.component.map { [$0, entry.name] } ?? [entry.name]
        let componentPrefix = entry.component.map { [$0] } ?? []
        let valueTouched = operations.contains { op in
            op.path.tokens.starts(with: prefix) || (!componentPrefix.isEmpty && op.path.tokens == componentPrefix)
        }
        return valueTouched ? .valueSet : .sourceTimeOnly
    }
}
