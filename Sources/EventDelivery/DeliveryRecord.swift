import ADTWire
import Logging
import PostgresNIO

/// The outcome of a batch, in the database: delivered rows are deleted and counted; failed ones
/// wait for their retry, or become dead letters once older than the time to live.
enum DeliveryRecord {
    static func delivered(_ batch: EventDeliveryWorker.Batch, client: PostgresClient, logger: Logger) async throws {
        let (endpoint, partition) = (batch.key.endpoint, Int16(batch.key.partition))
        try await client.tracedQuery(
            """
            WITH gone AS (
                DELETE FROM event_deliveries
                WHERE endpoint = \(endpoint) AND partition = \(partition) AND seq = ANY(\(batch.events.map(\.seq)))
                RETURNING 1)
            INSERT INTO event_delivery_stats AS s (endpoint, partition, delivered, last_delivered_at)
            SELECT \(endpoint), \(partition), count(*), now() FROM gone
            ON CONFLICT (endpoint, partition) DO UPDATE
            SET delivered = s.delivered + excluded.delivered, last_delivered_at = now()
            """, logger: logger)
    }

    static func failed(
        _ batch: EventDeliveryWorker.Batch, reason: String, retryIn delay: Duration, timeToLive: Duration,
        client: PostgresClient, logger: Logger
    ) async throws {
        let (endpoint, partition) = (batch.key.endpoint, Int16(batch.key.partition))
        let seqs = batch.events.map(\.seq)
        let reason = String(reason.prefix(1000))
        try await client.tracedQuery(
            """
            WITH dead AS (
                DELETE FROM event_deliveries
                WHERE endpoint = \(endpoint) AND partition = \(partition) AND seq = ANY(\(seqs))
                  AND created_at < now() - make_interval(secs => \(timeToLive.seconds))
                RETURNING endpoint, partition, seq, created_at, attempts, event),
            buried AS (
                INSERT INTO event_dead_letters (endpoint, partition, seq, created_at, attempts, last_error, event)
                SELECT endpoint, partition, seq, created_at, attempts + 1, \(reason), event FROM dead ORDER BY seq
                RETURNING 1),
            retried AS (
                UPDATE event_deliveries SET attempts = attempts + 1, last_error = \(reason),
                    next_attempt_at = now() + make_interval(secs => \(delay.seconds))
                WHERE endpoint = \(endpoint) AND partition = \(partition) AND seq = ANY(\(seqs))
                  AND created_at >= now() - make_interval(secs => \(timeToLive.seconds))
                RETURNING 1)
            INSERT INTO event_delivery_stats AS s (endpoint, partition, failed, dead_lettered, last_error, last_error_at)
            SELECT \(endpoint), \(partition), 1, (SELECT count(*) FROM buried), \(reason), now()
            ON CONFLICT (endpoint, partition) DO UPDATE
            SET failed = s.failed + 1, dead_lettered = s.dead_lettered + excluded.dead_lettered,
                last_error = excluded.last_error, last_error_at = now()
            """, logger: logger)
    }
}
