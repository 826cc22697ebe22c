import ADTWire
import Logging
import PostgresNIO

/// The partitions this process delivers, leased in `event_partitions` and renewed by heartbeat.
///
/// Every live process (a recent row in `event_workers`) takes an equal share: a process holding
/// more than its share gives back the partitions it is not delivering at the moment, and one
/// holding less takes partitions that are free or whose lease ran out (their owner died). A
/// partition has one owner at a time, so its notifications are delivered once and in order.
struct PartitionLeases: Sendable {
    let client: PostgresClient
    let workerID: String
    let leaseDuration: Duration
    let logger: Logger

    /// Renews this process's leases and rebalances; returns the partitions it now holds.
    /// `busy` are partitions with a delivery in flight, never given back.
    func heartbeat(busy: Set<Int>) async throws -> Set<Int> {
        let lease = leaseDuration.seconds
        let me = workerID
        try await client.tracedQuery(
            """
            INSERT INTO event_workers (id, seen_at) VALUES (\(me), now())
            ON CONFLICT (id) DO UPDATE SET seen_at = now()
            """, logger: logger)
        try await client.tracedQuery(
            "DELETE FROM event_workers WHERE seen_at < now() - make_interval(secs => \(lease * 2))", logger: logger)
        var live = 1
        for try await (count) in try await client.tracedQuery(
            "SELECT count(*)::int FROM event_workers WHERE seen_at > now() - make_interval(secs => \(lease))",
            logger: logger
        ).decode(Int.self) { live = max(count, 1) }
        let total = EventDeliveryConfiguration.partitionCount
        let share = (total + live - 1) / live

        var mine = Set<Int>()
        for try await (partition) in try await client.tracedQuery(
            """
            UPDATE event_partitions SET lease_until = now() + make_interval(secs => \(lease))
            WHERE owner = \(me) RETURNING partition::int
            """, logger: logger
        ).decode(Int.self) { mine.insert(partition) }

        if mine.count > share {
            let release = Array(mine.subtracting(busy).sorted().prefix(mine.count - share))
            if !release.isEmpty {
                try await client.tracedQuery(
                    """
                    UPDATE event_partitions SET owner = NULL, lease_until = '-infinity'
                    WHERE owner = \(me) AND partition = ANY(\(release.map(Int16.init))::int2[])
                    """, logger: logger)
                mine.subtract(release)
            }
        } else if mine.count < share {
            for try await (partition) in try await client.tracedQuery(
                """
                UPDATE event_partitions SET owner = \(me), lease_until = now() + make_interval(secs => \(lease))
                WHERE partition IN (
                    SELECT partition FROM event_partitions WHERE owner IS NULL OR lease_until < now()
                    ORDER BY partition LIMIT \(share - mine.count) FOR UPDATE SKIP LOCKED)
                RETURNING partition::int
                """, logger: logger
            ).decode(Int.self) { mine.insert(partition) }
        }
        return mine
    }

    /// Gives every partition back (a graceful shutdown): the others take them at their next
    /// heartbeat instead of after the lease.
    func releaseAll() async {
        _ = try? await client.tracedQuery(
            "UPDATE event_partitions SET owner = NULL, lease_until = '-infinity' WHERE owner = \(workerID)",
            logger: logger)
        _ = try? await client.tracedQuery("DELETE FROM event_workers WHERE id = \(workerID)", logger: logger)
    }
}
