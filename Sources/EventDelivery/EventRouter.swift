import ADTWire
import EventRoutes
import Foundation
import Logging
import PostgresNIO
import PostgresSupport

/// Moves notifications from the outbox to the deliveries of the endpoints whose routes match.
///
/// One process routes at a time (a transaction-scoped advisory lock), in `seq` order: the
/// notifications of one twin are written one after another (the twin's row lock orders them), so
/// one router sees them in their commit order and the deliveries keep it. A notification that no
/// route matches is deleted: the outbox holds only what is not yet routed. Routes are read from
/// the database on each pass, so a changed route applies at once on every gateway. While a live
/// watcher is connected anywhere (`event_watchers`), every notification is also copied to
/// `event_stream`.
struct EventRouter: Sendable {
    /// The advisory lock that makes one process the router at a time.
    static let lockKey: Int64 = 0x7477_696E_7372_6F75  // "twinsrou"

    let client: PostgresClient
    let batchSize: Int
    let logger: Logger
    let filters = FilterCache()

    /// Routes one batch; returns how many notifications left the outbox (0 when there were none
    /// or another process is routing).
    func routeBatch() async throws -> Int {
        // Outside a transaction first: an empty outbox costs one cheap statement.
        let pending = try await client.tracedQuery("SELECT EXISTS (SELECT 1 FROM outbox)", logger: logger)
        for try await (exists) in pending.decode(Bool.self) where !exists { return 0 }
        let (batchSize, logger, filters) = (self.batchSize, self.logger, self.filters)
        return try await client.transaction(logger: logger) { connection in
            let locked = try await connection.tracedQuery(
                "SELECT pg_try_advisory_xact_lock(\(Self.lockKey))", logger: logger)
            for try await (acquired) in locked.decode(Bool.self) where !acquired { return 0 }

            var routes: [(endpoint: String, filter: RouteFilter)] = []
            for try await (endpoint, text) in try await connection.tracedQuery(
                "SELECT endpoint_name, filter FROM event_routes ORDER BY id", logger: logger
            ).decode((String, String).self) {
                if let filter = filters.filter(text) { routes.append((endpoint, filter)) }
            }

            var seqs: [Int64] = []
            var endpoints: [String] = []
            var partitions: [Int16] = []
            var routedSeqs: [Int64] = []
            let rows = try await connection.tracedQuery(
                "SELECT seq, event::text FROM outbox ORDER BY seq LIMIT \(batchSize)", logger: logger)
            for try await (seq, text) in rows.decode((Int64, String).self) {
                seqs.append(seq)
                guard !routes.isEmpty, case .object(let event)? = try? JSONParser.parse(text) else { continue }
                var chosen: [String] = []
                for route in routes where !chosen.contains(route.endpoint) && route.filter.matches(event) {
                    chosen.append(route.endpoint)
                }
                guard !chosen.isEmpty else { continue }
                let partition = Int16(
                    NotificationFormat.partition(
                        ofTwin: NotificationFormat.twinID(of: event),
                        count: EventDeliveryConfiguration.partitionCount))
                for endpoint in chosen {
                    endpoints.append(endpoint)
                    partitions.append(partition)
                    routedSeqs.append(seq)
                }
            }
            guard !seqs.isEmpty else { return 0 }
            // The live stream, while anyone watches: every notification, routed or not.
            let watched = try await connection.tracedQuery(
                "SELECT EXISTS (SELECT 1 FROM event_watchers WHERE seen_at > now() - interval '30 seconds')",
                logger: logger)
            for try await (anyone) in watched.decode(Bool.self) where anyone {
                try await connection.tracedQuery(
                    "INSERT INTO event_stream (event) SELECT event FROM outbox WHERE seq = ANY(\(seqs)) ORDER BY seq",
                    logger: logger)
                try await connection.tracedQuery(
                    "DELETE FROM event_stream WHERE created_at < now() - interval '60 seconds'", logger: logger)
            }
            if !routedSeqs.isEmpty {
                try await connection.tracedQuery(
                    """
                    INSERT INTO event_deliveries (endpoint, partition, seq, created_at, event)
                    SELECT d.endpoint, d.partition, o.seq, o.created_at, o.event
                    FROM unnest(\(endpoints)::text[], \(partitions)::int2[], \(routedSeqs)::int8[])
                        AS d(endpoint, partition, seq)
                    JOIN outbox o ON o.seq = d.seq
                    """, logger: logger)
            }
            try await connection.tracedQuery("DELETE FROM outbox WHERE seq = ANY(\(seqs))", logger: logger)
            return seqs.count
        }
    }
}

/// Parsed filters by their text: a route's filter is parsed once per process, not per pass.
final class FilterCache: @unchecked Sendable {
    private let lock = NSLock()
    private var parsed: [String: RouteFilter?] = [:]

    /// The filter, or `nil` for one that does not parse (the API refuses those; a row written
    /// another way matches nothing).
    func filter(_ text: String) -> RouteFilter? {
        if let known = lock.withLock({ parsed[text] }) { return known }
        let filter = try? RouteFilter(parsing: text)
        lock.withLock {
            if parsed.count > 64 { parsed.removeAll() }
            parsed[text] = filter
        }
        return filter
    }
}
