import ADTWire
import DTDL
import Logging
import Observability
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
    private let metrics: ServerMetrics?
    private let hits: CounterHandle?
    private let reloads: CounterHandle?

    /// The generation of the cached graph, if one is loaded.
    public var loadedGeneration: Int64? { snapshot?.generation }

    /// An empty cache; the first request loads it. With `metrics`, hits and reloads are counted
    /// there (`twins_model_cache_requests_total{result}`), with the reloads' durations and the
    /// models loaded.
    public init(logger: Logger, metrics: ServerMetrics? = nil) {
        self.logger = logger
        self.metrics = metrics
        hits = metrics?.counter("twins_model_cache_requests_total", [("result", "hit")])
        reloads = metrics?.counter("twins_model_cache_requests_total", [("result", "reload")])
    }

    /// The graph of generation `generation` or a later one, loading it over `connection` when
    /// the cache holds an older one. Call it with a generation read from the database: the
    /// snapshot's own `generation` says which one it reflects.
    public func snapshot(generation: Int64, on connection: PostgresConnection) async throws -> Snapshot {
        if let snapshot, snapshot.generation >= generation {
            hits?.increment()
            return snapshot
        }
        reloads?.increment()
        let started = ContinuousClock.now
        let loaded = try await Self.load(on: connection, logger: logger)
        metrics?.record("twins_model_cache_reload_duration_seconds", duration: started.duration(to: .now))
        metrics?.set("twins_models_loaded", to: Double(loaded.graph.interfaces.count))
        if snapshot.map({ $0.generation < loaded.generation }) ?? true { snapshot = loaded }
        return loaded
    }

    /// As ``snapshot(generation:on:)``, with a connection of `client` leased only to reload.
    public func snapshot(generation: Int64, client: PostgresClient) async throws -> Snapshot {
        if let snapshot, snapshot.generation >= generation {
            hits?.increment()
            return snapshot
        }
        return try await client.withConnection { connection in
            try await self.snapshot(generation: generation, on: connection)
        }
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
        let rows = try await connection.tracedQuery(
            forUpdate
                ? "SELECT generation FROM model_generation FOR UPDATE" : "SELECT generation FROM model_generation",
            logger: logger)
        for try await generation in rows.decode(Int64.self) { return generation }
        throw ServiceError.generationMissing
    }

    /// Every model and the generation they make up, read by one statement (one snapshot of the
    /// database, even outside a transaction).
    static func load(on connection: PostgresConnection, logger: Logger) async throws -> Snapshot {
        let rows = try await connection.tracedQuery(
            """
            SELECT g.generation, m.definition::text, m.decommissioned
            FROM model_generation g LEFT JOIN models m ON true ORDER BY m.seq
            """, logger: logger)
        var generation: Int64?
        var documents: [JSONValue] = []
        var decommissioned: Set<String> = []
        for try await (rowGeneration, text, isDecommissioned) in rows.decode((Int64, String?, Bool?).self) {
            generation = rowGeneration
            guard let text else { continue }
            let document = try JSONParser.parse(text)
            documents.append(document)
            if isDecommissioned == true, let id = document["@id"]?.stringValue { decommissioned.insert(id) }
        }
        guard let generation else {
            throw ServiceError.generationMissing
        }
        do {
            let graph = try ModelParser.parse(documents: documents, options: .init(adtRestrictions: true))
            logger.debug(
                "model graph loaded", metadata: ["generation": "\(generation)", "models": "\(graph.interfaces.count)"])
            return Snapshot(generation: generation, graph: graph, decommissioned: decommissioned)
        } catch {
            // Stored models were valid when uploaded; failing now means the engine changed.
            throw ServiceError("InternalServerError", "The stored models no longer resolve: \(error.message)")
        }
    }
}
