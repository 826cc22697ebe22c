import ADTWire

/// Relationships (`PUT` and `PATCH /digitaltwins/{id}/relationships/{relationshipId}`).
///
/// A body holds the system fields `$relationshipId`, `$sourceId` (the SDKs send both and ADT
/// accepts them; the gateway checks they match the path), `$targetId`, `$relationshipName`,
/// `$etag` (ignored on input), and the relationship's properties flat beside them.
/// `minMultiplicity`/`maxMultiplicity` are not enforced: ADT documents that it ignores them.
extension InstanceValidator {
    /// The system fields of a relationship body; the other members are its properties.
    public static let relationshipSystemFields: Set<String> = [
        "$relationshipId", "$sourceId", "$targetId", "$relationshipName", "$etag",
    ]

    /// Validates a relationship body.
    ///
    /// - Parameters:
    ///   - relationship: the body.
    ///   - sourceModel: the source twin's interface.
    ///   - targetModelID: the target twin's `$metadata.$model`.
    /// - Returns: the relationship's definition.
    /// - Throws: `ValidationFailed` when `$targetId` or `$relationshipName` is missing, the name
    ///   is not a Relationship of the source model (or its bases), the target twin's model is
    ///   not the declared `target` nor derives from it (a target model absent from the graph is
    ///   not checked), or a property is undeclared or does not conform.
    @discardableResult
    public func validateRelationship(
        _ relationship: JSONObject, sourceModel: InterfaceModel, targetModelID: String
    ) throws(DTDLError) -> RelationshipModel {
        for field in ["$relationshipId", "$sourceId", "$targetId", "$relationshipName"] {
            if let value = relationship[field], value.stringValue == nil {
                throw validationFailed("\(field) of a relationship must be a string, not \(JSONWriter.preview(value)).")
            }
        }
        guard relationship["$targetId"] != nil else {
            throw validationFailed("The relationship has no $targetId. Set it to the id of the target twin.")
        }
        guard case .string(let name)? = relationship["$relationshipName"] else {
            throw validationFailed(
                "The relationship has no $relationshipName. Set it to a relationship name of model \(sourceModel.id).")
        }
        let definition = try relationshipDefinition(name, of: sourceModel)
        // A target twin whose model was deleted can still receive relationships (ADT lets
        // orphaned twins gain incoming relationships); its model cannot be checked, so it passes.
        if let target = definition.target, graph[targetModelID] != nil,
            !graph.model(targetModelID, isOrDerivesFrom: target)
        {
            throw validationFailed(
                "Relationship '\(name)' of model \(sourceModel.id) targets twins of model \(target) (or of models extending it), but the target twin has model \(targetModelID)."
            )
        }
        for member in relationship.members where !Self.relationshipSystemFields.contains(member.key) {
            try validateRelationshipProperty(member.key, member.value, definition: definition, sourceModel: sourceModel)
        }
        return definition
    }

    /// Applies a JSON Patch to a stored relationship. Only its properties may change: to change
    /// the source, target or name, ADT requires deleting and re-creating the relationship.
    ///
    /// - Returns: the patched relationship.
    /// - Throws: `JsonPatchInvalid` for a malformed document, a `$` path or a path that cannot be
    ///   applied; `ValidationFailed` when a touched property is undeclared or does not conform.
    public func applyRelationshipPatch(_ patch: JSONValue, to relationship: JSONObject, sourceModel: InterfaceModel)
        throws(DTDLError) -> JSONObject
    {
        let operations = try EnginePatch.operations(patch)
        guard case .string(let name)? = relationship["$relationshipName"] else {
            throw validationFailed("The stored relationship has no $relationshipName.")
        }
        let definition = try relationshipDefinition(name, of: sourceModel)
        var root = JSONValue.object(relationship)
        var touched: [String] = []
        for op in operations {
            guard let first = op.path.tokens.first else {
                throw patchInvalid(
                    "The path \"\" designates the whole relationship, which cannot be replaced by a patch; use PUT.")
            }
            if first.hasPrefix("$") {
                throw patchInvalid(
                    "\"\(op.path)\" cannot be patched: only relationship properties can. To change \(first), delete the relationship and create it again."
                )
            }
            try EnginePatch.apply(op.kind, value: op.value, at: op.path.tokens[...], in: &root, displayPath: op.path)
            if !touched.contains(first) { touched.append(first) }
        }
        guard case .object(let result) = root else { throw patchInvalid("The patched relationship is not an object.") }
        for name in touched {
            if let value = result[name] {
                try validateRelationshipProperty(name, value, definition: definition, sourceModel: sourceModel)
            }
        }
        return result
    }

    func relationshipDefinition(_ name: String, of model: InterfaceModel) throws(DTDLError) -> RelationshipModel {
        guard let definition = model.relationships[name] else {
            throw validationFailed(
                "Relationship '\(name)' is not defined in model \(model.id) nor in the models it extends.")
        }
        return definition
    }

    func validateRelationshipProperty(
        _ name: String, _ value: JSONValue, definition: RelationshipModel, sourceModel: InterfaceModel
    ) throws(DTDLError) {
        let subject = "of relationship '\(definition.name)' of model \(sourceModel.id)"
        guard let property = definition.properties[name] else {
            let bytes = name.utf8.count
            if bytes > limits.maxPropertyNameBytes {
                throw validationFailed(
                    "A property name \(subject) has \(bytes) UTF-8 bytes, over the limit of \(limits.maxPropertyNameBytes)."
                )
            }
            if name.hasPrefix("$") {
                throw validationFailed("'\(name)' is not a system field of a relationship (\(subject)).")
            }
            throw validationFailed(
                "Property '\(name)' at \(JSONPointer(tokens: [name])) is not defined in relationship '\(definition.name)' of model \(sourceModel.id)."
            )
        }
        if let violation = values.violation(of: value, against: property.schema) {
            throw validationFailed(
                "Property '\(name)' \(subject) \(violation.problem) at \(JSONPointer(tokens: [name] + violation.path))"
            )
        }
    }
}
