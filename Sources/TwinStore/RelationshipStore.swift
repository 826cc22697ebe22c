import ADTWire
import DTDL
import Foundation
import Logging
import PostgresNIO
import PostgresSupport

/// Relationships in PostgreSQL: create or replace, read, patch, delete, and the outgoing and
/// incoming lists. Writes lock both twins (shared), so a twin cannot vanish under a new
/// relationship, and validate against the source twin's model.
public struct RelationshipStore: Sendable {
    /// ADT's page size for relationship lists (as recorded; the lists take no page-size hint).
    public static let pageSize = 10

    /// A relationship as stored.
    public struct Stored: Sendable {
        /// Its JSON text, as served.
        public var body: String
        /// `W/"<uuid>"`.
        public var etag: String
    }

    /// An incoming relationship: what ADT lists of it.
    public struct Incoming: Sendable {
        /// The source twin's id (`$sourceId`).
        public var sourceID: String
        /// The relationship's id (`$relationshipId`).
        public var id: String
        /// The relationship's name (`$relationshipName`).
        public var name: String
    }

    let client: PostgresClient
    /// The instance's host name, the `source` of the notifications this store records.
    let eventSource: String
    let catalog: ModelCatalog
    let logger: Logger

    /// A store over `client`, sharing `catalog` with the rest of the process.
    public init(
        client: PostgresClient, catalog: ModelCatalog, logger: Logger,
        eventSource: String = ChangeNotifications.defaultSource
    ) {
        self.eventSource = eventSource
        self.client = client
        self.catalog = catalog
        self.logger = logger
    }

    /// Creates or replaces a relationship (`PUT`). With `ifNoneMatch`, an existing one is kept (412).
    public func put(source: String, id: String, body: JSONValue, ifNoneMatch: Bool) async throws -> Stored {
        guard case .object(let relationship) = body else { throw ServiceError.invalidArgument("Payload is invalid.") }
        guard case .string(let target)? = relationship["$targetId"] else {
            throw ServiceError(
                "ValidationFailed", "The relationship has no $targetId. Set it to the id of the target twin.")
        }
        return try await client.transaction(logger: logger) { connection in
            let models = try await catalog.current(on: connection)
            guard let sourceModelID = try await shareTwin(source, on: connection) else {
                throw ServiceError.twinNotFound(source)
            }
            guard target != source else {
                throw ServiceError("OperationNotAllowed", "The relationship cannot connect to the same digital twin.")
            }
            guard let targetModelID = try await shareTwin(target, on: connection) else {
                throw ServiceError.targetTwinNotFound()
            }
            guard let sourceModel = models.graph[sourceModelID] else {
                throw ServiceError.invalidTwin(modelID: sourceModelID)
            }
            let definition: RelationshipModel
            do {
                definition = try InstanceValidator(graph: models.graph).validateRelationship(
                    relationship, sourceModel: sourceModel, targetModelID: targetModelID)
            } catch let error as DTDLError {
                throw ServiceError(error)
            }
            let previous = try await lockRelationship(source: source, id: id, on: connection)
            if ifNoneMatch, previous != nil {
                throw ServiceError(
                    "PreconditionFailed",
                    "If-None-Match: * header was specified but a relationship with the id \(id) was found. Please specify a different relationship id."
                )
            }
            let etag = WeakETag.new()
            let document = Self.document(relationship, source: source, id: id, etag: etag.header)
            let text = JSONWriter.string(.object(document))
            try await connection.tracedQuery(
                """
                INSERT INTO relationships (source_id, id, name, target_id, etag, body)
                VALUES (\(source), \(id), \(definition.name), \(target), \(etag.uuid)::uuid, \(text)::json)
                ON CONFLICT (source_id, id) DO UPDATE SET name = EXCLUDED.name, target_id = EXCLUDED.target_id,
                    etag = EXCLUDED.etag, body = EXCLUDED.body
                """, logger: logger)
            let now = UTCTimestamp.now()
            let event: ChangeEvent =
                previous == nil
                ? .relationshipCreate(source: source, id: id, relationship: .object(document), time: now)
                : .relationshipUpdate(
                    source: source, id: id, model: sourceModelID,
                    patch: ChangeEvent.replacement(of: previous!.body, with: document), time: now)
            try await event.write(on: connection, source: eventSource, logger: logger)
            return Stored(body: text, etag: etag.header)
        }
    }

    /// The relationship, or `DigitalTwinNotFound` / `RelationshipNotFound`.
    public func get(source: String, id: String) async throws -> Stored {
        let rows = try await client.tracedQuery(
            "SELECT body::text, etag::text FROM relationships WHERE source_id = \(source) AND id = \(id)",
            logger: logger)
        for try await (body, etag) in rows.decode((String, String).self) {
            return Stored(body: body, etag: "W/\"\(etag)\"")
        }
        try await requireTwin(source)
        throw ServiceError.relationshipNotFound(id, source: source)
    }

    /// Applies a JSON Patch to a relationship's properties under `If-Match`; returns the new ETag.
    public func patch(source: String, id: String, patch: JSONValue, ifMatch: ETagCondition?) async throws -> String {
        try await client.transaction(logger: logger) { connection in
            let models = try await catalog.current(on: connection)
            guard let sourceModelID = try await shareTwin(source, on: connection) else {
                throw ServiceError.twinNotFound(source)
            }
            guard let existing = try await lockRelationship(source: source, id: id, on: connection) else {
                throw ServiceError.relationshipNotFound(id, source: source)
            }
            try ifMatch?.check(currentETag: existing.etag)
            guard let sourceModel = models.graph[sourceModelID] else {
                throw ServiceError.invalidTwin(modelID: sourceModelID)
            }
            let patched: JSONObject
            do {
                patched = try InstanceValidator(graph: models.graph).applyRelationshipPatch(
                    patch, to: existing.body, sourceModel: sourceModel)
            } catch let error as DTDLError {
                throw ServiceError(error)
            }
            let etag = WeakETag.new()
            let document = Self.document(patched, source: source, id: id, etag: etag.header)
            try await connection.tracedQuery(
                """
                UPDATE relationships SET etag = \(etag.uuid)::uuid, body = \(JSONWriter.string(.object(document)))::json
                WHERE source_id = \(source) AND id = \(id)
                """, logger: logger)
            try await ChangeEvent.relationshipUpdate(
                source: source, id: id, model: sourceModelID, patch: patch.arrayValue ?? [], time: UTCTimestamp.now()
            ).write(on: connection, source: eventSource, logger: logger)
            return etag.header
        }
    }

    /// Deletes a relationship under `If-Match`.
    public func delete(source: String, id: String, ifMatch: ETagCondition?) async throws {
        try await client.transaction(logger: logger) { connection in
            guard try await shareTwin(source, on: connection) != nil else {
                throw ServiceError.twinNotFound(source)
            }
            guard let existing = try await lockRelationship(source: source, id: id, on: connection) else {
                throw ServiceError.relationshipNotFound(id, source: source)
            }
            try ifMatch?.check(currentETag: existing.etag)
            try await Self.delete(
                source: source, id: id, body: existing.body, eventSource: eventSource, on: connection, logger: logger)
        }
    }

    static func delete(
        source: String, id: String, body: JSONObject, eventSource: String, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        try await connection.tracedQuery(
            "DELETE FROM relationships WHERE source_id = \(source) AND id = \(id)", logger: logger)
        try await ChangeEvent.relationshipDelete(
            source: source, id: id, relationship: .object(body), time: UTCTimestamp.now()
        ).write(on: connection, source: eventSource, logger: logger)
    }

    /// One page of a twin's outgoing relationships (JSON texts) in id order after `after`,
    /// optionally only those named `name`; and the id to continue after, if there is more.
    public func outgoing(of source: String, name: String?, after: String?, limit: Int = pageSize) async throws
        -> (items: [String], next: String?)
    {
        var rows: [(String?, String?)] = []
        if let name {
            let filtered = try await client.tracedQuery(
                """
                SELECT r.id, r.body::text FROM twins t
                LEFT JOIN LATERAL (
                    SELECT id, body FROM relationships WHERE source_id = t.id AND name = \(name) AND id > \(after ?? "")
                    ORDER BY id LIMIT \(limit + 1)
                ) r ON true
                WHERE t.id = \(source)
                ORDER BY r.id
                """, logger: logger)
            for try await row in filtered.decode((String?, String?).self) { rows.append(row) }
        } else {
            let all = try await client.tracedExecute(
                OutgoingRelationshipsStatement(source: source, after: after ?? "", limit: limit + 1), logger: logger)
            for try await row in all { rows.append(row) }
        }
        // No row: no such twin; a row of NULLs: no relationship on this page.
        guard !rows.isEmpty else { throw ServiceError.twinNotFound(source) }
        var items: [(String, String)] = []
        for case let (id?, body?) in rows { items.append((id, body)) }
        let more = items.count > limit
        if more { items.removeLast(items.count - limit) }
        return (items.map(\.1), more ? items.last?.0 : nil)
    }

    /// One page of a twin's incoming relationships, in id order after `after` (a
    /// `source \u{0} id` key, since ids repeat across sources).
    public func incoming(to target: String, after: (id: String, source: String)?, limit: Int = pageSize) async throws
        -> (items: [Incoming], next: (id: String, source: String)?)
    {
        let rows = try await client.tracedExecute(
            IncomingRelationshipsStatement(
                target: target, afterID: after?.id ?? "", afterSource: after?.source ?? "", limit: limit + 1),
            logger: logger)
        var found = false
        var items: [Incoming] = []
        for try await (source, id, name) in rows {
            found = true
            if let source, let id, let name { items.append(Incoming(sourceID: source, id: id, name: name)) }
        }
        guard found else { throw ServiceError.twinNotFound(target) }
        let more = items.count > limit
        if more { items.removeLast(items.count - limit) }
        return (items, more ? items.last.map { ($0.id, $0.sourceID) } : nil)
    }

    // MARK: Helpers

    /// ADT's key order: `$relationshipId`, `$etag`, `$sourceId`, `$relationshipName`,
    /// `$targetId`, then the properties in the order written.
    static func document(_ relationship: JSONObject, source: String, id: String, etag: String) -> JSONObject {
        var out = JSONObject()
        out["$relationshipId"] = .string(id)
        out["$etag"] = .string(etag)
        out["$sourceId"] = .string(source)
        out["$relationshipName"] = relationship["$relationshipName"]
        out["$targetId"] = relationship["$targetId"]
        for member in relationship.members where !member.key.hasPrefix("$") { out[member.key] = member.value }
        return out
    }

    struct Locked {
        let body: JSONObject
        let etag: String
    }

    func lockRelationship(source: String, id: String, on connection: PostgresConnection) async throws -> Locked? {
        let rows = try await connection.tracedQuery(
            "SELECT body::text, etag::text FROM relationships WHERE source_id = \(source) AND id = \(id) FOR UPDATE",
            logger: logger)
        for try await (body, etag) in rows.decode((String, String).self) {
            return Locked(body: try JSONParser.parse(body).objectValue ?? JSONObject(), etag: "W/\"\(etag)\"")
        }
        return nil
    }

    /// The twin's model id, with the twin share-locked until the transaction ends.
    func shareTwin(_ id: String, on connection: PostgresConnection) async throws -> String? {
        let rows = try await connection.tracedQuery(
            "SELECT model_id FROM twins WHERE id = \(id) FOR SHARE", logger: logger)
        for try await model in rows.decode(String.self) { return model }
        return nil
    }

    func requireTwin(_ id: String) async throws {
        let rows = try await client.tracedQuery("SELECT 1 FROM twins WHERE id = \(id)", logger: logger)
        for try await _ in rows.decode(Int.self) { return }
        throw ServiceError.twinNotFound(id)
    }
}

extension ServiceError {
    /// No such relationship on a twin (`RelationshipNotFound`, 404), in ADT's words.
    public static func relationshipNotFound(_ id: String, source: String) -> ServiceError {
        ServiceError(
            "RelationshipNotFound",
            "Relationship \(id) not found on twin \(source). Please verify that the relationship id is valid and ensure that the relationship is not deleted. See section on listing relationships in the documentation https://aka.ms/adtv2twins."
        )
    }

    /// The target twin does not exist (404; ADT's code on the wire is
    /// `TargetDigitalTwinNotFound`, not the specification's `TargetTwinNotFound`).
    public static func targetTwinNotFound() -> ServiceError {
        ServiceError(
            "TargetDigitalTwinNotFound",
            "The target digital twin is invalid or does not exist Please validate that the target twin is valid and ensure that the target twin is not deleted. See section on querying the twins https://aka.ms/adtv2query ."
        )
    }
}
