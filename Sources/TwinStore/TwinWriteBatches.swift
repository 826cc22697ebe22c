import Logging
import PostgresNIO
import PostgresSupport

/// Twin writes (PUT replacing a twin, PATCH) coalesced under load: their reads through one
/// ``StatementCoalescer``, their conditional updates through another. Each write still reads,
/// validates and lands on its own terms (its ETag and model generation checked by the
/// statement); only the round trips are shared. Alone, a write runs the single-twin statements
/// at once.
struct TwinWriteBatches: Sendable {
    /// What a write reads: the model generation and, when the twin exists, its columns.
    struct Read: Sendable {
        let generation: Int64
        let body: String?
        let etag: String?
        let modelID: String?
    }

    /// Writes per statement at most.
    static let maxBatch = 64

    let reads: StatementCoalescer<String, Read>
    let updates: StatementCoalescer<TwinUpdate, Bool>

    init(slots: Int, connections: HotConnections, logger: Logger) {
        reads = StatementCoalescer(slots: slots, maxBatch: Self.maxBatch) { ids in
            try await connections.run(retry: true) { client in try await Self.read(ids, on: client, logger: logger) }
        }
        updates = StatementCoalescer(slots: slots, maxBatch: Self.maxBatch) { updates in
            // Not run again after a lost connection: the update may have landed.
            try await connections.run(retry: false) { client in
                try await Self.update(updates, on: client, logger: logger)
            }
        }
    }

    private static func read(_ ids: [String], on client: PostgresConnection, logger: Logger) async throws -> [Read] {
        if ids.count == 1 {
            for try await (generation, body, etag, modelID) in try await client.tracedExecute(
                ReadTwinForWriteStatement(id: ids[0]), logger: logger)
            {
                return [Read(generation: generation, body: body, etag: etag, modelID: modelID)]
            }
            throw ServiceError.generationMissing
        }
        var generation: Int64?
        var found: [String: Read] = [:]
        for try await (rowGeneration, id, body, etag, modelID) in try await client.tracedExecute(
            ReadTwinsForWriteStatement(ids: ids), logger: logger)
        {
            generation = rowGeneration
            if let id { found[id] = Read(generation: rowGeneration, body: body, etag: etag, modelID: modelID) }
        }
        guard let generation else { throw ServiceError.generationMissing }
        return ids.map { found[$0] ?? Read(generation: generation, body: nil, etag: nil, modelID: nil) }
    }

    private static func update(_ updates: [TwinUpdate], on client: PostgresConnection, logger: Logger) async throws
        -> [Bool]
    {
        if updates.count == 1 {
            let rows = try await client.tracedExecute(UpdateTwinStatement(updates[0]), logger: logger)
            for try await _ in rows { return [true] }
            return [false]
        }
        var written = [Bool](repeating: false, count: updates.count)
        for try await position in try await client.tracedExecute(
            UpdateTwinsStatement(updates: updates), logger: logger)
        {
            written[Int(position)] = true
        }
        return written
    }
}

extension ServiceError {
    /// The `model_generation` row is gone: the database was not migrated.
    static var generationMissing: ServiceError {
        ServiceError("InternalServerError", "The model generation record is missing; run `twins db migrate`.")
    }
}

/// Where the coalesced statements run: on dedicated connections when there are some, else on a
/// connection leased from the pool.
struct HotConnections: Sendable {
    let client: PostgresClient
    let dedicated: DedicatedConnections?

    func run<T: Sendable>(retry: Bool, _ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        if let dedicated { return try await dedicated.run(retry: retry, body) }
        return try await client.withConnection { try await body($0) }
    }
}
