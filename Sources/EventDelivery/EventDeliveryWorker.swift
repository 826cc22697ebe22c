import ADTWire
import EventRoutes
import Foundation
import HTTPTransport
import Instrumentation
import Logging
import Observability
import PostgresNIO
import PostgresSupport
import ServiceLifecycle
import Tracing

/// Delivers change notifications to the endpoints that event routes name, at least once; runs
/// in every gateway process.
///
/// Each pass: route what the outbox holds (``EventRouter``, one process at a time); renew this
/// process's partition leases (``PartitionLeases``); then, for each endpoint and each partition
/// this process holds that has nothing in flight and is not waiting to retry, take the first
/// notifications in `seq` order (up to the endpoint's batch size) and send them. A 2xx deletes
/// them; a failure keeps them with the next attempt after an exponential backoff with jitter,
/// and the partition waits (the notifications of one twin stay in order). A notification still
/// failing after the time to live becomes a dead letter. Endpoints are independent: one that is
/// down holds back only its own deliveries.
///
/// A process killed mid-POST leaves its partitions' leases to run out; the next owner sends the
/// batch again, so an endpoint may see an event twice after a crash, never lose one.
public struct EventDeliveryWorker: Service {
    let client: PostgresClient
    let configuration: EventDeliveryConfiguration
    let senders: [String: any EventSender]
    let router: EventRouter
    let leases: PartitionLeases
    let logger: Logger
    let metrics: ServerMetrics?

    /// A worker for `endpoints` on `client`'s database; with `metrics`, its deliveries are
    /// counted there and the endpoints' backlogs read from the database at each scrape.
    public init(
        client: PostgresClient, endpoints: [EventEndpoint], configuration: EventDeliveryConfiguration = .init(),
        transport: any Transport = CurlTransport.shared, metrics: ServerMetrics? = nil, logger: Logger
    ) {
        self.client = client
        self.metrics = metrics
        if let metrics, !endpoints.isEmpty {
            DeliveryMetrics.collectStatus(into: metrics, client: client, logger: logger)
        }
        self.configuration = configuration
        self.logger = logger
        senders = EventSenders.make(
            endpoints, database: client, transport: transport, timeout: configuration.requestTimeout, logger: logger)
        router = EventRouter(client: client, batchSize: configuration.routingBatchSize, logger: logger)
        leases = PartitionLeases(
            client: client, workerID: configuration.workerID, leaseDuration: configuration.leaseDuration,
            logger: logger)
    }

    /// Runs until cancelled or the graceful shutdown; gives its partitions back on the way out.
    public func run() async throws {
        let state = DeliveryState()
        let holdsLeases = Flag()
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                var owned = Set<Int>()
                var nextHeartbeat = ContinuousClock.now
                while !Task.isCancelled {
                    do {
                        if ContinuousClock.now >= nextHeartbeat {
                            let before = owned
                            let busy = state.busyPartitions
                            owned = try await withDeadline(databaseDeadline) { try await leases.heartbeat(busy: busy) }
                            holdsLeases.set()
                            nextHeartbeat = .now + configuration.leaseDuration / 3
                            if owned != before {
                                logger.debug("event partitions", metadata: ["owned": "\(owned.sorted())"])
                            }
                        }
                        let routed = try await withDeadline(databaseDeadline) { try await router.routeBatch() }
                        let held = owned
                        let batches = try await withDeadline(databaseDeadline) {
                            try await dueBatches(owned: held, state: state)
                        }
                        for batch in batches {
                            state.start(batch.key)
                            group.addTask {
                                await deliver(batch, state: state)
                                state.finish(batch.key)
                                state.wakeup.signal()
                            }
                        }
                        if routed == 0 && batches.isEmpty {
                            await state.wakeup.wait(timeout: configuration.pollInterval)
                        }
                    } catch {
                        if Task.isCancelled { break }
                        logger.warning(
                            "event delivery: database unavailable",
                            metadata: ["error": "\(databaseErrorMessage(error))"])
                        try? await Task.sleep(for: .seconds(1))
                        nextHeartbeat = .now
                    }
                }
            }
        }
        // On a graceful shutdown, give the partitions back (the others need not wait for the
        // leases to run out), taking no longer than 2 s: a database that is gone must not hold up
        // the shutdown. When cancelled outright, the leases just run out.
        if holdsLeases.isSet && !Task.isCancelled {
            let leases = self.leases
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await leases.releaseAll() }
                group.addTask { try? await Task.sleep(for: .seconds(2)) }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// How long one pass's database work, or the recording of a batch, may take before it is
    /// given up and tried again.
    var databaseDeadline: Duration { max(configuration.leaseDuration, .seconds(10)) }

    /// A batch: the first due notifications of one partition for one endpoint.
    struct Batch: Sendable {
        let key: DeliveryState.Key
        let events: [PendingEvent]
        let attempts: Int
    }

    /// The batches to send now, for the partitions held that are idle and not backing off.
    func dueBatches(owned: Set<Int>, state: DeliveryState) async throws -> [Batch] {
        var endpoints: [String] = []
        var partitions: [Int16] = []
        for partition in owned.sorted() {
            for name in senders.keys.sorted() where state.isReady(.init(endpoint: name, partition: partition)) {
                endpoints.append(name)
                partitions.append(Int16(partition))
            }
        }
        guard !endpoints.isEmpty else { return [] }
        let limit = senders.values.map(\.maxBatchSize).max() ?? 1
        let rows = try await client.tracedQuery(
            """
            SELECT k.endpoint, k.partition::int, d.seq, d.event::text,
                   to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), d.attempts,
                   extract(epoch FROM d.next_attempt_at - now())::float8
            FROM unnest(\(endpoints)::text[], \(partitions)::int2[]) AS k(endpoint, partition)
            CROSS JOIN LATERAL (
                SELECT e.seq, e.event, e.created_at, e.attempts, e.next_attempt_at FROM event_deliveries e
                WHERE e.endpoint = k.endpoint AND e.partition = k.partition ORDER BY e.seq LIMIT \(limit)) d
            WHERE EXISTS (
                SELECT 1 FROM event_partitions p
                WHERE p.partition = k.partition AND p.owner = \(configuration.workerID) AND p.lease_until > now())
            ORDER BY k.endpoint, k.partition, d.seq
            """, logger: logger)
        var groups: [(key: DeliveryState.Key, wait: Double, attempts: Int, events: [PendingEvent])] = []
        for try await (endpoint, partition, seq, text, created, attempts, wait) in rows.decode(
            (String, Int, Int64, String, String, Int, Double).self)
        {
            let key = DeliveryState.Key(endpoint: endpoint, partition: partition)
            if groups.last?.key != key { groups.append((key, wait, attempts, [])) }
            let size = senders[endpoint]?.maxBatchSize ?? 1
            guard groups[groups.count - 1].events.count < size else { continue }
            groups[groups.count - 1].events.append(PendingEvent(seq: seq, text: text, createdAt: created))
        }
        var batches: [Batch] = []
        for group in groups {
            if group.wait > 0 {
                // The head waits for its retry: so does the partition, for this endpoint.
                state.hold(group.key, for: .seconds(group.wait))
            } else {
                batches.append(Batch(key: group.key, events: group.events, attempts: group.attempts))
            }
        }
        return batches
    }

    /// Sends one batch and records the outcome: in a span linked to the writes that caused its
    /// notifications, while tracing is on.
    func deliver(_ batch: Batch, state: DeliveryState) async {
        guard senders[batch.key.endpoint] != nil else { return }
        guard TraceContext.isTracing else { return await send(batch, state: state) }
        await InstrumentationContext.$current.withValue(.topLevel) {
            await TraceContext.withSpan("deliver \(batch.key.endpoint)", ofKind: .producer) { span in
                span.attributes["messaging.destination.name"] = batch.key.endpoint
                span.attributes["messaging.batch.message_count"] = batch.events.count
                for event in batch.events {
                    guard case .string(let parent)? = event.object["traceparent"],
                        let context = TraceContext.context(fromTraceparent: parent)
                    else { continue }
                    span.addLink(SpanLink(context: context, attributes: [:]))
                }
                await send(batch, state: state)
            }
        }
    }

    private func send(_ batch: Batch, state: DeliveryState) async {
        guard let sender = senders[batch.key.endpoint] else { return }
        let started = ContinuousClock.now
        let failure = await sender.send(batch.events)
        DeliveryMetrics.record(
            into: metrics, endpoint: batch.key.endpoint, events: batch.events.count, failed: failure != nil,
            duration: started.duration(to: .now))
        let metadata: Logger.Metadata = [
            "endpoint": "\(batch.key.endpoint)", "partition": "\(batch.key.partition)",
            "events": "\(batch.events.count)", "attempt": "\(batch.attempts + 1)",
        ]
        if Task.isCancelled && failure != nil {
            // Shutting down mid-request: the batch stays as it was, for the next owner.
            return
        }
        do {
            if let failure {
                let delay = configuration.retryDelay(afterAttempts: batch.attempts + 1)
                logger.notice(
                    "event delivery failed, will retry",
                    metadata: metadata.merging(["reason": "\(failure)", "retryIn": "\(delay)"]) { $1 })
                state.hold(batch.key, for: delay)
                let (ttl, client, logger) = (configuration.timeToLive, self.client, self.logger)
                try await withDeadline(databaseDeadline) {
                    try await DeliveryRecord.failed(
                        batch, reason: failure, retryIn: delay, timeToLive: ttl, client: client, logger: logger)
                }
            } else {
                logger.debug("events delivered", metadata: metadata)
                let (client, logger) = (self.client, self.logger)
                try await withDeadline(databaseDeadline) {
                    try await DeliveryRecord.delivered(batch, client: client, logger: logger)
                }
            }
        } catch {
            // Not recorded: the batch is sent again (at least once), after a pause.
            state.hold(batch.key, for: .seconds(1))
            logger.warning(
                "event delivery outcome not recorded", metadata: ["error": "\(databaseErrorMessage(error))"])
        }
    }
}

/// A flag set once, read from anywhere.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// What this process has in flight and which partitions wait for a retry.
final class DeliveryState: @unchecked Sendable {
    struct Key: Hashable, Sendable {
        let endpoint: String
        let partition: Int
    }

    let wakeup = Wakeup()
    private let lock = NSLock()
    private var inFlight: Set<Key> = []
    private var heldUntil: [Key: ContinuousClock.Instant] = [:]

    var busyPartitions: Set<Int> { lock.withLock { Set(inFlight.map(\.partition)) } }

    func isReady(_ key: Key) -> Bool {
        lock.withLock {
            guard !inFlight.contains(key) else { return false }
            if let until = heldUntil[key] {
                if until > .now { return false }
                heldUntil[key] = nil
            }
            return true
        }
    }

    func start(_ key: Key) { _ = lock.withLock { inFlight.insert(key) } }
    func finish(_ key: Key) { _ = lock.withLock { inFlight.remove(key) } }
    func hold(_ key: Key, for delay: Duration) { lock.withLock { heldUntil[key] = .now + delay } }
}
