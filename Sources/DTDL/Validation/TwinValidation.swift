import ADTWire

/// Twin bodies (`PUT /digitaltwins/{id}`) and components.
///
/// Accepted at the top level: `$dtId` (ignored: the id comes from the path), `$etag` (ignored
/// on input), `$metadata`, the model's properties and its components. Everything else is
/// refused: undeclared names, names of telemetry, relationships or commands, other `$` keys.
///
/// `$metadata` holds `$model` (required, a model of the graph), `$lastUpdateTime` (service-set;
/// tolerated so that a twin read with GET can be written back) and, per declared property, an
/// object with `sourceTime` (RFC 3339 date-time, client-writable) and `lastUpdateTime`
/// (service-set, tolerated). The pre-GA fields `desiredValue`, `desiredVersion`, `ackCode`,
/// `ackVersion`, `ackDescription` and `$conformance` are gone from the GA API and are refused.
extension InstanceValidator {
    /// Validates a whole twin body against the model named by its `$metadata.$model`.
    ///
    /// - Returns: the twin's interface.
    /// - Throws: `DTDLError(.validationFailed)` naming the model, the member and the path.
    @discardableResult
    public func validateTwin(_ twin: JSONObject) throws(DTDLError) -> InterfaceModel {
        let model = try interface(modelID(of: twin))
        let scope = MemberScope(model: model, component: nil)
        for member in twin.members {
            switch member.key {
            case "$dtId", "$etag":
                continue
            case "$metadata":
                guard case .object(let metadata) = member.value else {
                    throw validationFailed("$metadata of a twin of model \(model.id) must be an object.")
                }
                try validateMetadata(metadata, scope: scope)
            default:
                try validateMember(member.key, member.value, scope: scope)
            }
        }
        try checkComponentsPresent(in: twin, model: model)
        return model
    }

    /// The `$metadata.$model` of a twin body.
    ///
    /// - Throws: `ValidationFailed` when `$metadata` or `$model` is missing or not a string.
    public func modelID(of twin: JSONObject) throws(DTDLError) -> String {
        guard let metadata = twin["$metadata"] else {
            throw validationFailed(
                "The twin has no $metadata. A twin needs {\"$metadata\": {\"$model\": \"<model id>\"}}.")
        }
        guard case .object(let object) = metadata else {
            throw validationFailed("$metadata of the twin must be an object.")
        }
        guard let model = object["$model"] else {
            throw validationFailed("The twin has no $metadata.$model. Set it to the id of the twin's model.")
        }
        guard case .string(let id) = model else {
            throw validationFailed("$metadata.$model must be a model id string, not \(JSONWriter.preview(model)).")
        }
        return id
    }

    /// Validates one component object of a twin of `model` (as stored under the component's
    /// name in the twin, or as returned by `GET .../components/{name}`).
    ///
    /// - Throws: `ComponentNotFound` when `model` declares no such component, else
    ///   `ValidationFailed`.
    public func validateComponent(_ component: JSONValue, named name: String, of model: InterfaceModel)
        throws(DTDLError)
    {
        let componentModel = try componentInterface(name, of: model)
        try validateComponentValue(component, named: name, interface: componentModel, parent: model)
    }

    /// Every component of `model` must be present: ADT requires components to be initialised
    /// when the twin is created ("They can be empty objects, but the components themselves have
    /// to exist").
    func checkComponentsPresent(in twin: JSONObject, model: InterfaceModel) throws(DTDLError) {
        guard !model.components.isEmpty else { return }
        var missing: [String] = []
        for name in model.components.keys where twin[name] == nil { missing.append(name) }
        // Name the first missing component alphabetically, so that messages are stable.
        guard let name = missing.min() else { return }
        throw validationFailed(
            "Component '\(name)' of model \(model.id) is missing at \(JSONPointer(tokens: [name])). Every component must be present, at least as {\"$metadata\": {}}."
        )
    }

    /// Validates a property or component member of a twin or component.
    func validateMember(_ name: String, _ value: JSONValue, scope: MemberScope) throws(DTDLError) {
        if let property = scope.model.properties[name] {
            if let violation = values.violation(of: value, against: property.schema) {
                throw validationFailed(
                    "Property '\(name)' \(scope.subject) \(violation.problem) at \(scope.pointer([name] + violation.path))"
                )
            }
            return
        }
        if scope.component == nil, scope.model.components[name] != nil {
            let componentModel = try componentInterface(name, of: scope.model)
            try validateComponentValue(value, named: name, interface: componentModel, parent: scope.model)
            return
        }
        throw undeclaredMember(name, scope: scope)
    }

    func undeclaredMember(_ name: String, scope: MemberScope) -> DTDLError {
        let nameBytes = name.utf8.count
        if nameBytes > limits.maxPropertyNameBytes {
            return validationFailed(
                "A property name \(scope.subject) has \(nameBytes) UTF-8 bytes, over the limit of \(limits.maxPropertyNameBytes)."
            )
        }
        let at = scope.pointer([name])
        if name.hasPrefix("$") {
            return validationFailed("'\(name)' at \(at) is not a system property a twin may carry (\(scope.subject)).")
        }
        let model = scope.model
        if model.telemetries[name] != nil {
            return validationFailed(
                "'\(name)' at \(at) is a Telemetry \(scope.subject), not a Property: telemetry is sent with the telemetry API and is not twin state."
            )
        }
        if model.relationships[name] != nil {
            return validationFailed(
                "'\(name)' at \(at) is a Relationship \(scope.subject), not a Property: create relationships with the relationships API."
            )
        }
        if model.commandNames.contains(name) {
            return validationFailed("'\(name)' at \(at) is a Command \(scope.subject), not a Property.")
        }
        if scope.component != nil, model.components[name] != nil {
            return validationFailed("'\(name)' at \(at) is a Component \(scope.subject); components cannot nest.")
        }
        return validationFailed("Property '\(name)' at \(at) is not defined in \(scope.container).")
    }

    func validateComponentValue(
        _ value: JSONValue, named name: String, interface componentModel: InterfaceModel, parent: InterfaceModel
    ) throws(DTDLError) {
        guard case .object(let object) = value else {
            throw validationFailed(
                "Component '\(name)' of model \(parent.id) must be an object such as {\"$metadata\": {}}, not \(JSONWriter.preview(value)), at /\(name)."
            )
        }
        let scope = MemberScope(model: componentModel, component: name)
        var sawMetadata = false
        for member in object.members {
            if member.key == "$metadata" {
                guard case .object(let metadata) = member.value else {
                    throw validationFailed(
                        "$metadata of component '\(name)' of model \(parent.id) must be an object, at /\(name)/$metadata."
                    )
                }
                sawMetadata = true
                try validateMetadata(metadata, scope: scope)
            } else {
                try validateMember(member.key, member.value, scope: scope)
            }
        }
        // The minimal component ADT documents and the SDK tests send is {"$metadata": {}}.
        guard sawMetadata else {
            throw validationFailed(
                "Component '\(name)' of model \(parent.id) has no $metadata at /\(name). A component needs at least {\"$metadata\": {}}."
            )
        }
    }

    /// Validates the `$metadata` object of a twin (`scope.component == nil`) or component.
    func validateMetadata(_ metadata: JSONObject, scope: MemberScope) throws(DTDLError) {
        for member in metadata.members {
            switch member.key {
            case "$model":
                if let component = scope.component {
                    // Components carry no $model; one naming the component's own schema is harmless.
                    guard member.value == .string(scope.model.id) else {
                        throw validationFailed(
                            "$metadata.$model of component '\(component)' must be absent (the component's model is \(scope.model.id)), at \(scope.pointer(["$metadata", "$model"]))."
                        )
                    }
                }
            case "$lastUpdateTime":
                try checkServiceTime(member.value, at: scope.pointer(["$metadata", "$lastUpdateTime"]))
            default:
                try validateMetadataEntry(member.key, member.value, scope: scope)
            }
        }
    }

    /// Validates `$metadata.<property>`: an object with an optional `sourceTime` and the
    /// service-set `lastUpdateTime`.
    func validateMetadataEntry(_ name: String, _ value: JSONValue, scope: MemberScope) throws(DTDLError) {
        // Built only on the error path: stored twins carry an entry per property.
        var at: String { scope.pointer(["$metadata", name]) }
        guard scope.model.properties[name] != nil else {
            throw validationFailed("$metadata entry '\(name)' at \(at) does not name a property \(scope.subject).")
        }
        guard case .object(let entry) = value else {
            throw validationFailed(
                "$metadata entry '\(name)' at \(at) must be an object such as {\"sourceTime\": \"<RFC 3339 date-time>\"}."
            )
        }
        for field in entry.members {
            switch field.key {
            case "sourceTime":
                guard case .string(let text) = field.value, ValueFormats.isDateTime(text) else {
                    throw validationFailed(
                        "sourceTime of property '\(name)' \(scope.subject) expects an RFC 3339 date-time but got \(JSONWriter.preview(field.value)) at \(at)/sourceTime"
                    )
                }
            case "lastUpdateTime":
                try checkServiceTime(field.value, at: "\(at)/lastUpdateTime")
            default:
                throw validationFailed(
                    "'\(field.key)' at \(scope.pointer(["$metadata", name, field.key])) is not a metadata field; a property's metadata may hold only sourceTime (and the service-set lastUpdateTime)."
                )
            }
        }
    }

    /// Service-set times (`lastUpdateTime`, `$lastUpdateTime`) are tolerated on input, so that a
    /// twin read with GET can be written back, provided they are date-times; the gateway
    /// overwrites them.
    func checkServiceTime(_ value: JSONValue, at pointer: @autoclosure () -> String) throws(DTDLError) {
        guard case .string(let text) = value, ValueFormats.isDateTime(text) else {
            throw validationFailed("\(pointer()) expects an RFC 3339 date-time but got \(JSONWriter.preview(value)).")
        }
    }
}
