import ADTWire
import Logging
import PostgresNIO

/// How delivery stands, per endpoint, across every gateway on the database: `GET /endpoints`,
/// `/readyz` and `twins events status` show it.
public struct DeliveryStatus: Sendable {
    /// One endpoint's figures.
    public struct Endpoint: Sendable {
        /// Notifications routed to it and not yet delivered.
        public var backlog = 0
        /// How long ago the oldest of them was written, in seconds (0 with no backlog).
        public var oldestUndeliveredAge = 0.0
        /// Delivered since the database was created.
        public var delivered: Int64 = 0
        /// Failed attempts.
        public var failedAttempts: Int64 = 0
        /// Dead letters kept now.
        public var deadLetters = 0
        /// When the last delivery succeeded (RFC 3339).
        public var lastDeliveredAt: String?
        /// The last failure.
        public var lastError: String?
        /// When it happened (RFC 3339).
        public var lastErrorAt: String?
        /// For a `digitaltwins` endpoint (bridge mode): what the bridge did with what it delivered.
        public var bridge: Bridge?

        /// The outcomes of a `digitaltwins` endpoint.
        public struct Bridge: Sendable {
            /// Changes written to the other instance.
            public var applied: Int64 = 0
            /// Changes it had already.
            public var unchanged: Int64 = 0
            /// Changes that came from it over the bridge, not sent back.
            public var echoes: Int64 = 0
            /// Notifications that change nothing there (telemetry).
            public var ignored: Int64 = 0
            /// Property paths (or items) where its own newer write won.
            public var conflicts: Int64 = 0
            /// The last conflict, in words.
            public var lastConflict: String?
            /// When the last conflict was found (RFC 3339).
            public var lastConflictAt: String?
            /// When the last change was applied (RFC 3339).
            public var lastAppliedAt: String?

            var json: JSONObject {
                var object = JSONObject()
                object["applied"] = .integer(applied)
                object["unchanged"] = .integer(unchanged)
                object["echoes"] = .integer(echoes)
                object["ignored"] = .integer(ignored)
                object["conflicts"] = .integer(conflicts)
                object["lastConflict"] = lastConflict.map(JSONValue.string) ?? .null
                object["lastConflictAt"] = lastConflictAt.map(JSONValue.string) ?? .null
                object["lastAppliedAt"] = lastAppliedAt.map(JSONValue.string) ?? .null
                return object
            }
        }

        /// Nothing recorded.
        public init() {}

        /// As the API returns it (beside the endpoint's name and type).
        public var json: JSONObject {
            var object = JSONObject()
            object["backlog"] = .integer(Int64(backlog))
            object["oldestUndeliveredAgeSeconds"] = .double((oldestUndeliveredAge * 1000).rounded() / 1000)
            object["delivered"] = .integer(delivered)
            object["failedAttempts"] = .integer(failedAttempts)
            object["deadLetters"] = .integer(Int64(deadLetters))
            object["lastDeliveredAt"] = lastDeliveredAt.map(JSONValue.string) ?? .null
            object["lastError"] = lastError.map(JSONValue.string) ?? .null
            object["lastErrorAt"] = lastErrorAt.map(JSONValue.string) ?? .null
            if let bridge { object["bridge"] = .object(bridge.json) }
            return object
        }
    }

    /// Per endpoint name (endpoints with nothing recorded are absent).
    public var endpoints: [String: Endpoint] = [:]
    /// Notifications not yet routed.
    public var unrouted = 0

    /// Reads the figures.
    public static func read(client: PostgresClient, logger: Logger) async throws -> DeliveryStatus {
        var status = DeliveryStatus()
        for try await (count) in try await client.tracedQuery("SELECT count(*)::int FROM outbox", logger: logger)
            .decode(
                Int.self)
        {
            status.unrouted = count
        }
        for try await (endpoint, backlog, age) in try await client.tracedQuery(
            """
            SELECT endpoint, count(*)::int, extract(epoch FROM now() - min(created_at))::float8
            FROM event_deliveries GROUP BY endpoint
            """, logger: logger
        ).decode((String, Int, Double).self) {
            status.endpoints[endpoint, default: Endpoint()].backlog = backlog
            status.endpoints[endpoint, default: Endpoint()].oldestUndeliveredAge = max(age, 0)
        }
        let utc = DeadLetterStore.utc
        for try await (endpoint, delivered, failed, lastDelivered, lastError, lastErrorAt)
            in try await client.tracedQuery(
                """
                SELECT endpoint, sum(delivered)::int8, sum(failed)::int8,
                       \(unescaped: utc("max(last_delivered_at)")),
                       (array_agg(last_error ORDER BY last_error_at DESC NULLS LAST))[1],
                       \(unescaped: utc("max(last_error_at)"))
                FROM event_delivery_stats GROUP BY endpoint
                """, logger: logger
            ).decode((String, Int64, Int64, String?, String?, String?).self)
        {
            status.endpoints[endpoint, default: Endpoint()].delivered = delivered
            status.endpoints[endpoint, default: Endpoint()].failedAttempts = failed
            status.endpoints[endpoint, default: Endpoint()].lastDeliveredAt = lastDelivered
            status.endpoints[endpoint, default: Endpoint()].lastError = lastError
            status.endpoints[endpoint, default: Endpoint()].lastErrorAt = lastErrorAt
        }
        for try await (endpoint, count) in try await client.tracedQuery(
            "SELECT endpoint, count(*)::int FROM event_dead_letters GROUP BY endpoint", logger: logger
        ).decode((String, Int).self) {
            status.endpoints[endpoint, default: Endpoint()].deadLetters = count
        }
        for try await (
            endpoint, applied, unchanged, echoes, ignored, conflicts, lastConflict, lastConflictAt, lastApplied
        )
            in try await client.tracedQuery(
                """
                SELECT endpoint, applied, unchanged, echoes, ignored, conflicts, last_conflict,
                       \(unescaped: utc("last_conflict_at")), \(unescaped: utc("last_applied_at"))
                FROM bridge_stats
                """, logger: logger
            ).decode((String, Int64, Int64, Int64, Int64, Int64, String?, String?, String?).self)
        {
            status.endpoints[endpoint, default: Endpoint()].bridge = Endpoint.Bridge(
                applied: applied, unchanged: unchanged, echoes: echoes, ignored: ignored, conflicts: conflicts,
                lastConflict: lastConflict, lastConflictAt: lastConflictAt, lastAppliedAt: lastApplied)
        }
        return status
    }
}
