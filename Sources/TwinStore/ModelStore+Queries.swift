import ADTWire
import DTDL
import Logging
import PostgresNIO
import PostgresSupport

extension ModelStore {
    /// One page of the model list, in upload order.
    public struct Page: Sendable {
        /// The models of this page.
        public var models: [ModelRecord]
        /// The `seq` after which the next page starts, or `nil` on the last page.
        public var nextAfter: Int64?
    }

    /// Lists models in upload order after `after`, at most `limit` of them. With
    /// `dependenciesFor`, only those models and everything they use (extends and component
    /// schemas, transitively); an id that does not exist gives `ModelNotFound`.
    public func list(
        dependenciesFor: [String]? = nil, includeDefinition: Bool, after: Int64?, limit: Int
    ) async throws -> Page {
        let rows: PostgresRowSequence
        let cursor = after ?? 0
        if let dependenciesFor, !dependenciesFor.isEmpty {
            try await requireExisting(dependenciesFor)
            rows = try await client.tracedQuery(
                """
                WITH RECURSIVE closure(id) AS (
                    SELECT unnest(\(dependenciesFor)::text[])
                    UNION
                    SELECT r.referenced_id FROM model_references r JOIN closure c ON r.model_id = c.id
                )
                SELECT \(unescaped: Self.columns(definition: includeDefinition))
                FROM models m JOIN closure c ON c.id = m.id
                WHERE m.seq > \(cursor) ORDER BY m.seq LIMIT \(limit + 1)
                """, logger: logger)
        } else {
            rows = try await client.tracedQuery(
                """
                SELECT \(unescaped: Self.columns(definition: includeDefinition))
                FROM models m WHERE m.seq > \(cursor) ORDER BY m.seq LIMIT \(limit + 1)
                """, logger: logger)
        }
        var models = try await Self.records(rows)
        var nextAfter: Int64?
        if models.count > limit {
            models.removeLast(models.count - limit)
            nextAfter = models.last?.seq
        }
        return Page(models: models, nextAfter: nextAfter)
    }

    /// One model, or `ModelNotFound`.
    public func get(_ id: String, includeDefinition: Bool) async throws -> ModelRecord {
        let rows = try await client.tracedQuery(
            "SELECT \(unescaped: Self.columns(definition: includeDefinition)) FROM models m WHERE m.id = \(id)",
            logger: logger)
        guard let record = try await Self.records(rows).first else { throw ServiceError.modelNotFound([id]) }
        return record
    }

    /// Applies a `PATCH /models/{id}` document. ADT allows exactly one change: marking the model
    /// decommissioned (`[{"op": "replace", "path": "/decommissioned", "value": true}]`).
    public func update(_ id: String, patch: JSONValue) async throws {
        try Self.checkDecommissionPatch(patch)
        try await client.transaction(logger: logger) { connection in
            _ = try await ModelCatalog.generation(on: connection, forUpdate: true, logger: logger)
            let rows = try await connection.tracedQuery(
                "UPDATE models SET decommissioned = true WHERE id = \(id) RETURNING id", logger: logger)
            var found = false
            for try await _ in rows.decode(String.self) { found = true }
            guard found else { throw ServiceError.modelNotFound([id]) }
            _ = try await Self.bumpGeneration(on: connection, logger: logger)
        }
    }

    static func checkDecommissionPatch(_ patch: JSONValue) throws {
        guard case .array(let operations) = patch, !operations.isEmpty else {
            throw ServiceError("JsonPatchInvalid", "The patch document must be a non-empty JSON array of operations.")
        }
        for operation in operations {
            guard case .object(let o) = operation, let op = o["op"]?.stringValue, let path = o["path"]?.stringValue
            else {
                throw ServiceError("JsonPatchInvalid", "Each patch operation needs 'op' and 'path'.")
            }
            guard op.lowercased() == "replace", path == "/decommissioned" else {
                throw ServiceError(
                    "JsonPatchInvalid",
                    "Only '/decommissioned' can be changed on a model, with op 'replace'; got op '\(op)' on '\(path)'.")
            }
            guard o["value"] == .bool(true) else {
                throw ServiceError.invalidArgument(
                    "A model can only be decommissioned ('value': true); a decommissioned model cannot be brought back."
                )
            }
        }
    }

    /// Deletes a model that no other model references (through `extends` or a component).
    public func delete(_ id: String) async throws {
        try await client.transaction(logger: logger) { connection in
            _ = try await ModelCatalog.generation(on: connection, forUpdate: true, logger: logger)
            let users = try await connection.tracedQuery(
                "SELECT model_id FROM model_references WHERE referenced_id = \(id) ORDER BY model_id", logger: logger)
            var referencing: [String] = []
            for try await user in users.decode(String.self) { referencing.append(user) }
            guard referencing.isEmpty else {
                throw ServiceError(
                    "ModelReferencesNotDeleted",
                    "This model is currently being referenced by \(referencing.joined(separator: ", ")). You must delete these references before deleting the Model.. To delete references, do Delete Model on Ids provided above."
                )
            }
            let rows = try await connection.tracedQuery(
                "DELETE FROM models WHERE id = \(id) RETURNING id", logger: logger)
            var found = false
            for try await _ in rows.decode(String.self) { found = true }
            guard found else { throw ServiceError.modelNotFound([id]) }
            _ = try await Self.bumpGeneration(on: connection, logger: logger)
        }
    }

    private func requireExisting(_ ids: [String]) async throws {
        let rows = try await client.tracedQuery("SELECT id FROM models WHERE id = ANY(\(ids))", logger: logger)
        var found: Set<String> = []
        for try await id in rows.decode(String.self) { found.insert(id) }
        let missing = ids.filter { !found.contains($0) }
        guard missing.isEmpty else { throw ServiceError.modelNotFound(missing) }
    }
}
