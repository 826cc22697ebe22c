/// An immutable set of resolved interfaces: every `extends`, component schema and schema
/// reference inside it is satisfied by the set itself.
public final class ModelGraph: Sendable {
    /// Interfaces by DTMI.
    public let interfaces: [String: InterfaceModel]

    /// Complex schemas that have an explicit `@id` (in `schemas` or inline), by DTMI, so that a
    /// later batch may reference them.
    public let schemas: [String: Schema]

    /// A graph of interfaces and the identified complex schemas they define.
    public init(interfaces: [String: InterfaceModel], schemas: [String: Schema] = [:]) {
        self.interfaces = interfaces
        self.schemas = schemas
    }

    /// An empty graph.
    public static let empty = ModelGraph(interfaces: [:])

    /// The interface with this DTMI, if present.
    public subscript(id: String) -> InterfaceModel? { interfaces[id] }

    /// Whether `model` is `base` or derives from it.
    public func model(_ model: String, isOrDerivesFrom base: String) -> Bool {
        interfaces[model]?.isOrDerives(from: base) ?? (model == base)
    }
}
