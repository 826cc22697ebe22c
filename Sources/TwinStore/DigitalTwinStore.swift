import ADTWire
import DTDL
import Foundation
import Logging
import PostgresNIO
import PostgresSupport

/// Digital twins in PostgreSQL: create or replace, read, patch, delete, and their components.
/// Every write is one transaction that validates against the current model graph, checks the
/// caller's conditions, and writes the change event to the outbox.
public struct DigitalTwinStore: Sendable {
    /// A twin as stored: its JSON text as served (api-version 2022-05-31 and later) and its ETag.
    public struct Stored: Sendable {
        /// The twin's JSON text.
        public var body: String
        /// `W/"<uuid>"`.
        public var etag: String
    }

    let client: PostgresClient
    /// The instance's host name, the `source` of the notifications this store records.
    let eventSource: String
    let catalog: ModelCatalog
    let logger: Logger

    /// A store over `client`, sharing `catalog` with the rest of the process.
    /// With `readSlots`, `GET` reads are coalesced under load (``PointReadCoalescer``): at most
    /// that many statements in flight, each fetching the reads that waited; `nil` reads one by
    /// one. With `writeSlots`, the reads and updates of twin writes are coalesced the same way
    /// (``TwinWriteBatches``). With `connections`, the coalesced statements run on those
    /// connections instead of the pool's (``DedicatedConnections``: one per slot).
    public init(
        client: PostgresClient, catalog: ModelCatalog, logger: Logger,
        eventSource: String = ChangeNotifications.defaultSource, readSlots: Int? = nil, writeSlots: Int? = nil,
        connections: DedicatedConnections? = nil
    ) {
        self.eventSource = eventSource
        self.client = client
        self.catalog = catalog
        self.logger = logger
        let hot = HotConnections(client: client, dedicated: connections)
        writeBatches = writeSlots.map { TwinWriteBatches(slots: $0, connections: hot, logger: logger) }
        reads = readSlots.map { slots in
            PointReadCoalescer(slots: slots, maxBatch: Self.maxReadBatch) { [logger] ids in
                try await hot.run(retry: true) { connection in
                    var found: [String: Stored] = [:]
                    found.reserveCapacity(ids.count)
                    if ids.count == 1 {
                        for try await (body, etag) in try await connection.tracedExecute(
                            GetTwinStatement(id: ids[0]), logger: logger)
                        {
                            found[ids[0]] = Stored(body: body, etag: "W/\"\(etag)\"")
                        }
                    } else {
                        for try await (id, body, etag) in try await connection.tracedExecute(
                            GetTwinsStatement(ids: ids), logger: logger)
                        {
                            found[id] = Stored(body: body, etag: "W/\"\(etag)\"")
                        }
                    }
                    return found
                }
            }
        }
    }

    /// Reads per coalesced statement at most.
    static let maxReadBatch = 64
    let reads: PointReadCoalescer<Stored>?
    let writeBatches: TwinWriteBatches?

    /// The twin, or `DigitalTwinNotFound`.
    public func get(_ id: String) async throws -> Stored {
        if let reads {
            guard let stored = try await reads.read(id) else { throw ServiceError.twinNotFound(id) }
            return stored
        }
        for try await (body, etag) in try await client.tracedExecute(GetTwinStatement(id: id), logger: logger) {
            return Stored(body: body, etag: "W/\"\(etag)\"")
        }
        throw ServiceError.twinNotFound(id)
    }

    /// Creates or replaces a twin (`PUT`). With `ifNoneMatch`, an existing twin is not replaced
    /// (412).
    public func put(_ id: String, body: JSONValue, ifNoneMatch: Bool) async throws -> Stored {
        guard case .object(let twin) = body else { throw ServiceError.invalidArgument("Payload is invalid.") }
        let write = try await writeTwin(id) { existing, snapshot in
            let validator = InstanceValidator(graph: snapshot.graph)
            let model: InterfaceModel
            do {
                model = try validator.validateTwin(twin)
            } catch let error as DTDLError {
                throw ServiceError.invalidTwin(error)
            }
            if ifNoneMatch, existing != nil {
                throw ServiceError(
                    "PreconditionFailed",
                    "If-None-Match: * header was specified but a twin with the id \(id) was found. Please specify a different twin id."
                )
            }
            if snapshot.decommissioned.contains(model.id), existing?.modelID != model.id {
                throw ServiceError(
                    "ModelDecommissioned",
                    "The model \(model.id) is decommissioned. New twins cannot be created with it; use another version of the model."
                )
            }
            let etag = WeakETag.new()
            let now = UTCTimestamp.now()
            let stamped = TwinMetadataStamping.stampCreated(twin, model: model, now: now)
            let document = TwinDocument.canonical(stamped, id: id, etag: etag.header, model: model)
            let event: ChangeEvent =
                if let existing {
                    .twinUpdate(
                        id: id, model: model.id, patch: ChangeEvent.replacement(of: existing.body, with: document),
                        time: now)
                } else {
                    .twinCreate(id: id, twin: .object(document), time: now)
                }
            return TwinWrite(modelID: model.id, etag: etag, body: JSONWriter.string(.object(document)), event: event)
        }
        return Stored(body: write.body, etag: write.etag.header)
    }

    /// Applies a JSON Patch to a twin (or, with `component`, to one of its components) under
    /// `If-Match`; returns the new ETag.
    public func patch(_ id: String, component: String? = nil, patch: JSONValue, ifMatch: ETagCondition?) async throws
        -> String
    {
        let write = try await writeTwin(id) { found, snapshot in
            guard let existing = found else { throw ServiceError.twinNotFound(id) }
            try ifMatch?.check(currentETag: existing.etag)
            let validator = InstanceValidator(graph: snapshot.graph)
            let result: TwinPatchResult
            do {
                if let component {
                    result = try validator.applyComponentPatch(patch, component: component, of: existing.body)
                } else {
                    result = try validator.applyTwinPatch(patch, to: existing.body)
                }
            } catch let error as DTDLError {
                if error.code.rawValue == "ComponentNotFound" {
                    throw ServiceError.componentNotFound(component ?? "", twin: id)
                }
                throw error.code == .validationFailed ? ServiceError.invalidTwin(error) : ServiceError(error)
            }
            let modelID = try validator.modelID(of: result.twin)
            guard let model = snapshot.graph[modelID] else { throw ServiceError.invalidTwin(modelID: modelID) }
            if result.modelChanged, snapshot.decommissioned.contains(modelID) {
                throw ServiceError(
                    "ModelDecommissioned", "The model \(modelID) is decommissioned; twins cannot move to it.")
            }
            let etag = WeakETag.new()
            let now = UTCTimestamp.now()
            let stamped = TwinMetadataStamping.stampPatched(result.twin, changes: result.changes, now: now)
            let document = TwinDocument.canonical(stamped, id: id, etag: etag.header, model: model)
            let event = ChangeEvent.twinUpdate(
                id: id, model: modelID, patch: ChangeEvent.patchForEvent(patch, component: component), time: now)
            return TwinWrite(modelID: modelID, etag: etag, body: JSONWriter.string(.object(document)), event: event)
        }
        return write.etag.header
    }

    /// Deletes a twin under `If-Match`. A twin with relationships (outgoing or incoming) is kept
    /// (`RelationshipsNotDeleted`), unless `cascade` asks to delete them with it, in the same
    /// transaction (an extension to ADT).
    ///
    /// Without `cascade` the delete first tries two round trips and no explicit transaction: a
    /// read, then one conditional statement (``DeleteTwinStatement``). When that statement
    /// changes nothing (the twin changed, or has relationships) the locked path below decides,
    /// with ADT's error when there is one.
    public func delete(_ id: String, ifMatch: ETagCondition?, cascade: Bool = false) async throws {
        if !cascade, try await deleteOptimistically(id, ifMatch: ifMatch) { return }
        try await client.transaction(logger: logger) { connection in
            guard let existing = try await readTwinForWrite(id, lock: true, on: connection).twin else {
                throw ServiceError.twinNotFound(id)
            }
            try ifMatch?.check(currentETag: existing.etag)
            let rows = try await connection.tracedQuery(
                """
                SELECT r.source_id, r.id, r.body::text FROM relationships r
                WHERE r.source_id = \(id) OR r.target_id = \(id)
                ORDER BY r.source_id, r.id FOR UPDATE
                """, logger: logger)
            var relationships: [(source: String, id: String, body: String)] = []
            for try await row in rows.decode((String, String, String).self) { relationships.append(row) }
            if !relationships.isEmpty {
                guard cascade else {
                    throw ServiceError(
                        "RelationshipsNotDeleted",
                        "Twin \(id) has active relationships. Cannot delete a twin unless all the relationships are deleted. Please ensure that the active relationships on the twin are deleted. See section on retrieving relationships https://aka.ms/adtv2twins."
                    )
                }
                for r in relationships {
                    try await RelationshipStore.delete(
                        source: r.source, id: r.id, body: try JSONParser.parse(r.body).objectValue ?? JSONObject(),
                        eventSource: eventSource, on: connection, logger: logger)
                }
            }
            try await connection.tracedQuery("DELETE FROM twins WHERE id = \(id)", logger: logger)
            try await ChangeEvent.twinDelete(
                id: id, twin: .object(existing.body), time: UTCTimestamp.now()
            ).write(on: connection, source: eventSource, logger: logger)
        }
    }

    /// Reads the twin and deletes it if it is unchanged and has no relationships; `false` when
    /// the statement changed nothing. A missing twin and a failed `If-Match` throw at once.
    private func deleteOptimistically(_ id: String, ifMatch: ETagCondition?) async throws -> Bool {
        try await client.withConnection { connection in
            guard let existing = try await readTwinForWrite(id, lock: false, on: connection).twin else {
                throw ServiceError.twinNotFound(id)
            }
            try ifMatch?.check(currentETag: existing.etag)
            let event = ChangeEvent.twinDelete(id: id, twin: .object(existing.body), time: UTCTimestamp.now())
            do {
                let rows = try await connection.tracedExecute(
                    DeleteTwinStatement(id: id, etag: existing.etagUUID, event: event.text(source: eventSource)),
                    logger: logger)
                for try await _ in rows { return true }
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23503" {
                logger.debug("a relationship appeared while deleting the twin", metadata: ["twin": "\(id)"])
            }
            return false
        }
    }

    /// A component of a twin as ADT serves it (its properties and `$metadata`), with the twin's
    /// ETag. In a stored twin the components are exactly the members holding a `$metadata`
    /// (validation put them there), so no model lookup is needed.
    public func component(_ name: String, of id: String) async throws -> (body: JSONObject, etag: String) {
        let stored = try await get(id)
        guard case .object(let component)? = try JSONParser.parse(stored.body)[name], component["$metadata"] != nil
        else { throw ServiceError.componentNotFound(name, twin: id) }
        return (component, stored.etag)
    }

    /// Accepts telemetry for a twin (or one of its components): validated against the
    /// model's telemetry, then recorded as a `microsoft.iot.telemetry` event; nothing is stored
    /// on the twin.
    public func sendTelemetry(
        _ id: String, component: String? = nil, payload: JSONValue, messageID: String, sourceTime: String?
    ) async throws {
        try await client.transaction(logger: logger) { connection in
            let snapshot = try await catalog.current(on: connection)
            let rows = try await connection.tracedQuery(
                "SELECT model_id FROM twins WHERE id = \(id) FOR SHARE", logger: logger)
            var modelID: String?
            for try await m in rows.decode(String.self) { modelID = m }
            guard let modelID else { throw ServiceError.twinNotFound(id) }
            guard let model = snapshot.graph[modelID] else { throw ServiceError.invalidTwin(modelID: modelID) }
            let validator = InstanceValidator(graph: snapshot.graph)
            var schemaModel = modelID
            do {
                if let component {
                    guard let declared = model.components[component] else {
                        throw ServiceError.componentNotFound(component, twin: id)
                    }
                    schemaModel = declared.schema
                    try validator.validateComponentTelemetry(payload, component: component, of: model)
                } else {
                    try validator.validateTelemetry(payload, model: model)
                }
            } catch let error as DTDLError {
                throw ServiceError(error.code, InstanceValidator.invalidTelemetrySummary, details: [error.message])
            }
            try await ChangeEvent.telemetry(
                twin: id, component: component, model: schemaModel, payload: payload, messageID: messageID,
                sourceTime: sourceTime, time: UTCTimestamp.now()
            ).write(on: connection, source: eventSource, logger: logger)
        }
    }

    // MARK: Helpers

    /// A twin as read by a write.
    struct Locked {
        let body: JSONObject
        /// `W/"<uuid>"`.
        let etag: String
        /// The ETag's uuid, as stored.
        let etagUUID: String
        let modelID: String

        /// The twin of a write's read; `nil` when the row's twin columns are null (no twin).
        init?(body: String?, etag: String?, modelID: String?) throws {
            guard let body, let etag, let modelID else { return nil }
            self.body = try JSONParser.parse(body).objectValue ?? JSONObject()
            self.etag = "W/\"\(etag)\""
            etagUUID = etag
            self.modelID = modelID
        }
    }

    /// The twin if it exists and the model generation, in one round trip; with `lock`, the twin
    /// stays locked until the end of the caller's transaction.
    func readTwinForWrite(_ id: String, lock: Bool, on connection: PostgresConnection) async throws
        -> (twin: Locked?, generation: Int64)
    {
        let rows =
            lock
            ? try await connection.tracedExecute(LockTwinForWriteStatement(id: id), logger: logger)
            : try await connection.tracedExecute(ReadTwinForWriteStatement(id: id), logger: logger)
        for try await (generation, body, etag, modelID) in rows {
            return (try Locked(body: body, etag: etag, modelID: modelID), generation)
        }
        throw ServiceError.generationMissing
    }
}
