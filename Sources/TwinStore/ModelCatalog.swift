import DTDL
import Logging
import PostgresNIO

/// The resolved graph of every uploaded model, cached in memory.
///
/// Every model change bumps `model_generation.generation` in its transaction. A reader that
/// must not act on a stale graph (a twin write, a model upload) reads the generation inside its
/// own transaction and asks for the graph of that generation: the cache reloads from the
/// database when it is behind, so two gateways on one database never validate against a stale
/// model.
public actor ModelCatalog {
    /// A graph and the generation it was built from.
    public struct Snapshot: Sendable {
        /// The generation of `model_generation` this graph reflects.
        public let generation: Int64
        /// Every uploaded model, resolved.
        public let graph: ModelGraph
        /// The ids of decommissioned models.
        public let decommissioned: Set<String>
    }

    private var snapshot: Snapshot?
    private let logger: Logger

    /// The generation of the cached graph, if one is loaded.
    public var loadedGeneration: Int64? { snapshot?.generation }

    /// An empty cache; the first request loads it.
    public init(logger: Logger) { self.logger = logger }

    /// The graph of generation `generation`, loading it over `connection` when the cache holds
    /// another one. Call it inside the transaction that read `generation`.
    public func snapshot(generation: Int64, on connection: PostgresConnection) async throws -> Snapshot {
        if let snapshot, snapshot.generation == generation { return snapshot }
        let loaded = try await Self.load(generation: generation, on: connection, logger: logger)
        if snapshot.map({ $0.generation < generation }) ?? true { snapshot = loaded }
        return loaded
    }

    /// The graph of the generation current in the caller's transaction (read without locking).
    public func current(on connection: PostgresConnection) async throws -> Snapshot {
        let generation = try await Self.generation(on: connection, forUpdate: false, logger: logger)
        return try await snapshot(generation: generation, on: connection)
    }

    /// Installs a graph built by this process's own write (saves reloading what it just wrote).
    public func install(_ newSnapshot: Snapshot) {
        if snapshot.map({ $0.generation < newSnapshot.generation }) ?? true { snapshot = newSnapshot }
    }

    /// The current generation, read inside the caller's transaction. `forUpdate` also locks it,
    /// serialising model changes.
    public static func generation(on connection: PostgresConnection, forUpdate: Bool, logger: Logger) async throws
        -> Int64
    {
        let rows = try await connection.query(
            forUpdate
                ? "SELECT generation FROM model_generation FOR UPDATE" : "SELECT generation FROM model_generation",
            logger: logger)
        for try await generation in rows.decode(Int64.self) { return generation }
        throw ServiceError("InternalServerError", "The model generation record is missing; run `twins db migrate`.")
    }

    static func load(generation: Int64, on connection: PostgresConnection, logger: Logger) async throws -> Snapshot {
        let rows = try await connection.query(
            "SELECT definition::text, decommissioned FROM models ORDER BY seq", logger: logger)
        var documents: [JSONValue] = []
        var decommissioned: Set<String> = []
        for try await (text, isDecommissioned) in rows.decode((String, Bool).self) {
            let document = try JSONParser.parse(text)
            documents.append(document)
            if isDecommissioned, let id = document["@id"]?.stringValue { decommissioned.insert(id) }
        }
        do {
            let graph = try ModelParser.parse(documents: documents, options: .init(adtRestrictions: true))
            logger.debug("model graph loaded", metadata: ["generation": "\(generation)", "models": "\(graph.interfaces.count)"])
            return Snapshot(generation: generation, graph: graph, decommissioned: decommissioned)
        } catch let error as DTDLError {
            // Stored models were valid when uploaded; failing now means the engine changed.
            throw ServiceError("InternalServerError", "The stored models no longer resolve: \(error.message)")
        }
    }
}
