import ADTWire
import Logging
import PostgresNIO

/// Notifications that were not delivered within the time to live, kept with their last error;
/// listed and replayed (`GET /deadletters`, `POST /deadletters/replay`).
public struct DeadLetterStore: Sendable {
    /// A dead letter.
    public struct Letter: Sendable {
        /// Its id, for paging and replay.
        public let id: Int64
        /// The endpoint it did not reach.
        public let endpoint: String
        /// When the change was written (RFC 3339).
        public let createdAt: String
        /// When delivery was given up (RFC 3339).
        public let deadAt: String
        /// Attempts made.
        public let attempts: Int
        /// The last attempt's failure.
        public let lastError: String?
        /// The notification (CloudEvents JSON text).
        public let event: String

        /// As the API returns it.
        public var json: JSONValue {
            var object = JSONObject()
            object["id"] = .string(String(id))
            object["endpointName"] = .string(endpoint)
            object["createdAt"] = .string(createdAt)
            object["deadLetteredAt"] = .string(deadAt)
            object["attempts"] = .integer(Int64(attempts))
            object["lastError"] = lastError.map(JSONValue.string) ?? .null
            object["event"] = (try? JSONParser.parse(event)) ?? .string(event)
            return .object(object)
        }
    }

    let client: PostgresClient
    let logger: Logger

    /// A store on `client`'s database.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Up to `limit` dead letters with an id above `after`, oldest first, of one endpoint or all.
    public func list(endpoint: String?, after: Int64, limit: Int) async throws -> [Letter] {
        let rows = try await client.tracedQuery(
            """
            SELECT id, endpoint, \(unescaped: Self.utc("created_at")), \(unescaped: Self.utc("dead_at")), attempts,
                   last_error, event::text
            FROM event_dead_letters
            WHERE id > \(after) AND (\(endpoint)::text IS NULL OR endpoint = \(endpoint))
            ORDER BY id LIMIT \(limit)
            """, logger: logger)
        var letters: [Letter] = []
        for try await (id, endpoint, created, dead, attempts, error, event) in rows.decode(
            (Int64, String, String, String, Int, String?, String).self)
        {
            letters.append(
                Letter(
                    id: id, endpoint: endpoint, createdAt: created, deadAt: dead, attempts: attempts, lastError: error,
                    event: event))
        }
        return letters
    }

    /// Queues dead letters for delivery again (to their endpoint, at once, with a fresh time to
    /// live): those with the given ids, else every one of `endpoint`, else all. Returns how many.
    public func replay(ids: [Int64]?, endpoint: String?) async throws -> Int {
        let rows = try await client.tracedQuery(
            """
            WITH revived AS (
                DELETE FROM event_dead_letters
                WHERE (\(ids)::int8[] IS NULL OR id = ANY(\(ids)::int8[]))
                  AND (\(endpoint)::text IS NULL OR endpoint = \(endpoint))
                RETURNING endpoint, partition, seq, event),
            queued AS (
                INSERT INTO event_deliveries (endpoint, partition, seq, created_at, event)
                SELECT endpoint, partition, seq, now(), event FROM revived
                ON CONFLICT (endpoint, partition, seq) DO NOTHING
                RETURNING 1)
            SELECT count(*)::int FROM revived
            """, logger: logger)
        for try await (count) in rows.decode(Int.self) { return count }
        return 0
    }

    /// A timestamp column as RFC 3339 UTC with microseconds.
    static func utc(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    }
}
