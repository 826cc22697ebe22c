import DTDL
import PostgresNIO
import PostgresSupport

extension DigitalTwinStore {
    /// A validated twin write, ready to land.
    struct TwinWrite: Sendable {
        let modelID: String
        let etag: (header: String, uuid: String)
        /// The new twin's JSON text, as served.
        let body: String
        let event: ChangeEvent

        /// The statement creating twin `id` with this write (and its event text).
        func insert(_ id: String, generation: Int64, event: String) -> InsertTwinStatement {
            InsertTwinStatement(
                id: id, modelID: modelID, etag: etag.uuid, body: body, generation: generation, event: event)
        }

        /// Twin `id`'s update by this write, if its ETag is still `previous`.
        func update(_ id: String, generation: Int64, event: String, previous: String) -> TwinUpdate {
            TwinUpdate(
                id: id, modelID: modelID, etag: etag.uuid, body: body, generation: generation, event: event,
                previousETag: previous)
        }
    }

    /// Optimistic attempts before a write locks the twin for its read.
    static let optimisticAttempts = 4

    /// Reads the twin and the model graph, lets `prepare` validate and build the write (or
    /// refuse it by throwing), and lands it with one conditional statement that also writes the
    /// change event.
    ///
    /// The statement changes nothing when the twin's ETag, its existence or the model generation
    /// moved since the read; the write then starts over from a new read, so it is never based on
    /// a stale twin or a stale model. The first attempts take two round trips and no explicit
    /// transaction (PostgreSQL runs the statement atomically); after `optimisticAttempts` lost
    /// races the read locks the twin inside a transaction, so a busy twin cannot starve a writer.
    func writeTwin(
        _ id: String, _ prepare: @Sendable (_ existing: Locked?, _ snapshot: ModelCatalog.Snapshot) throws -> TwinWrite
    ) async throws -> TwinWrite {
        var attempt = 0
        while true {
            attempt += 1
            let written: TwinWrite?
            if attempt > Self.optimisticAttempts {
                written = try await client.transaction(logger: logger) { connection in
                    try await attemptWrite(id, lock: true, on: connection, prepare)
                }
            } else if let writeBatches {
                written = try await attemptWrite(id, batches: writeBatches, prepare)
            } else {
                written = try await client.withConnection { connection in
                    try await attemptWrite(id, lock: false, on: connection, prepare)
                }
            }
            if let written { return written }
            logger.debug("twin write lost a race; reading again", metadata: ["twin": "\(id)", "attempt": "\(attempt)"])
        }
    }

    /// The optimistic attempt with its read and its update shared with other writes' statements
    /// (a new twin is inserted by a statement of its own).
    private func attemptWrite(
        _ id: String, batches: TwinWriteBatches,
        _ prepare: @Sendable (Locked?, ModelCatalog.Snapshot) throws -> TwinWrite
    ) async throws -> TwinWrite? {
        let read = try await batches.reads.run(id)
        let existing = try Locked(body: read.body, etag: read.etag, modelID: read.modelID)
        let snapshot = try await catalog.snapshot(generation: read.generation, client: client)
        let write = try prepare(existing, snapshot)
        let event = write.event.text(source: eventSource)
        guard let existing else {
            let rows = try await client.tracedExecute(
                write.insert(id, generation: snapshot.generation, event: event), logger: logger)
            for try await _ in rows { return write }
            return nil
        }
        let written = try await batches.updates.run(
            write.update(id, generation: snapshot.generation, event: event, previous: existing.etagUUID))
        return written ? write : nil
    }

    private func attemptWrite(
        _ id: String, lock: Bool, on connection: PostgresConnection,
        _ prepare: @Sendable (Locked?, ModelCatalog.Snapshot) throws -> TwinWrite
    ) async throws -> TwinWrite? {
        let (existing, generation) = try await readTwinForWrite(id, lock: lock, on: connection)
        let snapshot = try await catalog.snapshot(generation: generation, on: connection)
        let write = try prepare(existing, snapshot)
        let event = write.event.text(source: eventSource)
        let rows =
            if let existing {
                try await connection.tracedExecute(
                    UpdateTwinStatement(
                        write.update(id, generation: snapshot.generation, event: event, previous: existing.etagUUID)),
                    logger: logger)
            } else {
                try await connection.tracedExecute(
                    write.insert(id, generation: snapshot.generation, event: event), logger: logger)
            }
        for try await _ in rows { return write }
        return nil
    }
}
