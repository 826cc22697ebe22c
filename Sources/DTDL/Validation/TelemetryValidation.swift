import ADTWire

/// Telemetry payloads (`POST /digitaltwins/{id}/telemetry` and
/// `POST /digitaltwins/{id}/components/{name}/telemetry`).
///
/// Strictness: the payload must be a JSON object, and every member named like a Telemetry of
/// the model must conform to that Telemetry's schema. Members that name no Telemetry are
/// accepted and passed on: ADT accepted `{"ComponentTelemetry1": 5}` sent to a twin whose model
/// (`DTTestBuilding;1`) declares no telemetry at all (Python SDK recording
/// `test_publish_telemetry`, answered 204). Strings are not capped: ADT publishes no telemetry
/// size limit beyond the request size.
extension InstanceValidator {
    /// The message ADT gives for refused telemetry; details follow it.
    public static let invalidTelemetrySummary = "The telemetry content is invalid"

    /// Validates telemetry sent to a twin of `model`.
    ///
    /// - Throws: `ValidationFailed` ("The telemetry content is invalid: ...") when the payload is
    ///   not an object or a declared Telemetry's value does not conform.
    public func validateTelemetry(_ payload: JSONValue, model: InterfaceModel) throws(DTDLError) {
        try validateTelemetry(payload, scope: MemberScope(model: model, component: nil))
    }

    /// Validates telemetry sent to component `component` of a twin of `model`.
    ///
    /// - Throws: `ComponentNotFound` when `model` has no such component, else as
    ///   `validateTelemetry(_:model:)`.
    public func validateComponentTelemetry(_ payload: JSONValue, component: String, of model: InterfaceModel)
        throws(DTDLError)
    {
        let componentModel = try componentInterface(component, of: model)
        try validateTelemetry(payload, scope: MemberScope(model: componentModel, component: component))
    }

    func validateTelemetry(_ payload: JSONValue, scope: MemberScope) throws(DTDLError) {
        guard case .object(let object) = payload else {
            throw validationFailed(
                "\(Self.invalidTelemetrySummary): it must be a JSON object, not \(JSONWriter.preview(payload)).")
        }
        let unlimited = SchemaValidator()
        for member in object.members {
            guard let telemetry = scope.model.telemetries[member.key] else { continue }
            if let violation = unlimited.violation(of: member.value, against: telemetry.schema) {
                throw validationFailed(
                    "\(Self.invalidTelemetrySummary): Telemetry '\(member.key)' \(scope.subject) \(violation.problem) at \(JSONPointer(tokens: [member.key] + violation.path))"
                )
            }
        }
    }
}
