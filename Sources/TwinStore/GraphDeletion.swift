import ADTWire
import Logging
import PostgresNIO

/// Bulk deletes for delete jobs, in batches in the caller's transaction: relationships first,
/// then twins (those with no relationship left), then every model. Each deleted twin and
/// relationship records its `Delete` notification, as a `DELETE` would.
public struct GraphDeletion: Sendable {
    let eventSource: String
    let logger: Logger

    /// Deletes recording notifications from `eventSource`.
    public init(logger: Logger, eventSource: String = ChangeNotifications.defaultSource) {
        self.eventSource = eventSource
        self.logger = logger
    }

    /// Deletes up to `limit` relationships; returns how many.
    public func deleteRelationships(limit: Int, on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.tracedQuery(
            """
            DELETE FROM relationships WHERE (source_id, id) IN (
                SELECT source_id, id FROM relationships LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING source_id, id, body::text
            """, logger: logger)
        let now = UTCTimestamp.now()
        var events: [String] = []
        for try await (source, id, body) in rows.decode((String, String, String).self) {
            events.append(
                ChangeEvent.relationshipDelete(
                    source: source, id: id, relationship: try JSONParser.parse(body), time: now
                ).text(source: eventSource))
        }
        try await GraphImport.writeEvents(events, on: connection, logger: logger)
        return events.count
    }

    /// Deletes up to `limit` twins that have no relationships; returns how many.
    public func deleteTwins(limit: Int, on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.tracedQuery(
            """
            DELETE FROM twins WHERE id IN (
                SELECT t.id FROM twins t
                WHERE NOT EXISTS (SELECT 1 FROM relationships r WHERE r.source_id = t.id)
                    AND NOT EXISTS (SELECT 1 FROM relationships r WHERE r.target_id = t.id)
                LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING id, body::text
            """, logger: logger)
        let now = UTCTimestamp.now()
        var events: [String] = []
        for try await (id, body) in rows.decode((String, String).self) {
            events.append(
                ChangeEvent.twinDelete(id: id, twin: try JSONParser.parse(body), time: now).text(source: eventSource))
        }
        try await GraphImport.writeEvents(events, on: connection, logger: logger)
        return events.count
    }

    /// Whether any twin or relationship is left.
    public func graphRemains(on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.tracedQuery(
            "SELECT EXISTS (SELECT 1 FROM twins) OR EXISTS (SELECT 1 FROM relationships)", logger: logger)
        for try await remains in rows.decode(Bool.self) { return remains }
        return false
    }

    /// Deletes every model (once the twins are gone); returns how many.
    public func deleteModels(on connection: PostgresConnection) async throws -> Int {
        _ = try await ModelCatalog.generation(on: connection, forUpdate: true, logger: logger)
        let rows = try await connection.tracedQuery("DELETE FROM models RETURNING 1", logger: logger)
        var count = 0
        for try await _ in rows { count += 1 }
        if count > 0 { _ = try await ModelStore.bumpGeneration(on: connection, logger: logger) }
        return count
    }
}
