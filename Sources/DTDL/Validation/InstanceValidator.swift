import ADTWire

/// Validates instances of a model graph as the ADT data plane receives them: twin bodies
/// (`PUT /digitaltwins/{id}`), JSON Patch documents on twins, components and relationships,
/// relationship bodies and telemetry payloads.
///
/// Pure and cheap to copy: it holds the immutable graph and the limits. Every refusal is a
/// `DTDLError` whose message names the model, the element, the JSON path and what was
/// expected. ADT wraps twin refusals as `{"code": "ValidationFailed", "message": "Invalid twin
/// specified", "details": [{"code": "ValidationFailed", "message": <detail>}]}` (recorded for a
/// missing model); the error's message is the detail, and `invalidTwinSummary` the outer text.
public struct InstanceValidator: Sendable {
    /// The models instances are checked against.
    public let graph: ModelGraph
    /// Size limits.
    public let limits: InstanceLimits
    /// Value checks with the string and key caps of `limits`.
    public let values: SchemaValidator

    /// The outer message ADT gives with `ValidationFailed` for a refused twin.
    public static let invalidTwinSummary = "Invalid twin specified"

    /// A validator for instances of `graph`.
    public init(graph: ModelGraph, limits: InstanceLimits = .adt) {
        self.graph = graph
        self.limits = limits
        self.values = SchemaValidator(maxStringBytes: limits.maxStringBytes, maxKeyBytes: limits.maxPropertyNameBytes)
    }

    /// The interface of a model id.
    ///
    /// - Throws: `ValidationFailed` with ADT's wording ("<id> or one of its dependencies does
    ///   not exist.") when the graph does not hold it.
    public func interface(_ modelID: String) throws(DTDLError) -> InterfaceModel {
        guard let model = graph[modelID] else {
            throw DTDLError(.validationFailed, "\(modelID) or one of its dependencies does not exist.")
        }
        return model
    }

    /// The interface of a component of `model`.
    ///
    /// - Throws: `ComponentNotFound` when `model` declares no such component, `ValidationFailed`
    ///   when the component's interface is missing from the graph.
    public func componentInterface(_ name: String, of model: InterfaceModel) throws(DTDLError) -> InterfaceModel {
        guard let component = model.components[name] else {
            throw DTDLError(.componentNotFound, "Model \(model.id) does not have component \(name).")
        }
        return try interface(component.schema)
    }
}

/// Where a set of members sits, for messages and paths: the twin itself or one of its components.
struct MemberScope {
    /// The interface the members belong to.
    let model: InterfaceModel
    /// The component name, or `nil` at the twin's top level.
    let component: String?

    /// "of model M" or "of component 'c' (model M)".
    var subject: String {
        if let component { return "of component '\(component)' (model \(model.id))" }
        return "of model \(model.id)"
    }

    /// "model M" or "component 'c' (model M)", after "in".
    var container: String {
        if let component { return "component '\(component)' (model \(model.id))" }
        return "model \(model.id)"
    }

    func pointer(_ more: [String]) -> String {
        JSONPointer(tokens: component.map { [$0] + more } ?? more).description
    }
}

@inline(__always) func validationFailed(_ message: String) -> DTDLError { DTDLError(.validationFailed, message) }
