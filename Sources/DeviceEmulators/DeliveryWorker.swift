import ADTWire
import DTDL
import Foundation
import HTTPTransport
import Logging
import PostgresNIO
import PostgresSupport
import ServiceLifecycle

/// Drains the hubs' queue (`hub_outbox`) to their routing endpoints, at least once.
///
/// 1. **Routing**: each new message of a hub this worker serves is matched against the hub's
///    enabled routes of its source; one `hub_deliveries` row is created per selected endpoint,
///    in one transaction with marking the message routed.
/// 2. **Delivery**: due deliveries are leased (`FOR UPDATE SKIP LOCKED`, so several workers
///    can share a database) and POSTed as a JSON array in the endpoint's format: the
///    deliveries due to one endpoint together, at most its `maxBatchSize` in one POST, in the
///    order the hub queued them. A 2xx marks them delivered; anything else (or no answer)
///    schedules a retry after an exponential backoff (``DeliveryConfiguration``), forever: an
///    endpoint that is down loses nothing. A worker that dies mid-POST leaves a lease that runs
///    out, and the messages are sent again. An Event Grid endpoint first passes Event Grid's subscription-validation
///    handshake (``EventGridValidation``); until it does, its deliveries wait the same way.
/// 3. **Cleanup**: messages delivered everywhere are deleted after the retention time.
///
/// Endpoints are independent (one that is down does not hold back another); messages to
/// one endpoint are not ordered. The queue is polled every ``DeliveryConfiguration/pollInterval``
/// and at once when this process queues something.
public struct DeliveryWorker: Service {
    let hubs: [String: CompiledHub]
    let configuration: DeliveryConfiguration
    let client: PostgresClient
    let transport: any Transport
    let wakeup: Wakeup
    let logger: Logger
    let validation = EventGridValidation()

    /// A hub's routing, with parsed queries.
    struct CompiledHub: Sendable {
        let configuration: HubConfiguration
        let routes: [(route: MessageRoute, query: RoutingQuery)]
        let endpoints: [String: RouteEndpoint]

        init(_ hub: HubConfiguration) throws(EmulatorConfigurationError) {
            configuration = hub
            var compiled: [(MessageRoute, RoutingQuery)] = []
            for route in hub.routes where route.isEnabled {
                do {
                    compiled.append((route, try RoutingQuery(route.condition)))
                } catch {
                    throw .init(
                        "The condition of route \(route.name) of hub \(hub.hostName) is invalid: \(error.message)")
                }
            }
            routes = compiled
            endpoints = Dictionary(hub.endpoints.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        }

        /// The endpoints the message goes to (each once, in route order).
        func endpoints(for message: HubMessage) -> [String] {
            var names: [String] = []
            let input = message.routingInput
            for (route, query) in routes where route.source == message.source && query.matches(input) {
                for name in route.endpointNames where !names.contains(name) { names.append(name) }
            }
            return names
        }
    }

    init(
        hubs: [HubConfiguration], configuration: DeliveryConfiguration, client: PostgresClient,
        transport: any Transport,
        wakeup: Wakeup, logger: Logger
    ) throws(EmulatorConfigurationError) {
        var compiled: [String: CompiledHub] = [:]
        for hub in hubs { compiled[hub.key] = try CompiledHub(hub) }
        self.hubs = compiled
        self.configuration = configuration
        self.client = client
        self.transport = transport
        self.wakeup = wakeup
        self.logger = logger
    }

    /// Runs until cancelled or the graceful shutdown.
    public func run() async throws {
        let inFlight = Counter()
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                var lastCleanup = ContinuousClock.now
                while !Task.isCancelled {
                    do {
                        let routed = try await routeNew()
                        let capacity = configuration.batchSize - inFlight.value
                        let due = capacity > 0 ? try await claimDue(limit: capacity) : []
                        for batch in batches(due) {
                            inFlight.add(batch.count)
                            group.addTask {
                                await deliver(batch)
                                inFlight.add(-batch.count)
                                wakeup.signal()
                            }
                        }
                        if ContinuousClock.now - lastCleanup > .seconds(60) {
                            lastCleanup = .now
                            try await cleanup()
                        }
                        if routed == 0 && due.isEmpty { await wakeup.wait(timeout: configuration.pollInterval) }
                    } catch {
                        if Task.isCancelled { break }
                        logger.warning(
                            "delivery worker: database unavailable",
                            metadata: ["error": "\(databaseErrorMessage(error))"])
                        try? await Task.sleep(for: .seconds(1))
                    }
                }
            }
        }
    }

    // MARK: Routing

    /// Routes up to 100 new messages; returns how many.
    func routeNew() async throws -> Int {
        let keys = Array(hubs.keys)
        guard !keys.isEmpty else { return 0 }
        let logger = self.logger
        return try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: HubMessage.columns) FROM hub_outbox o
                WHERE o.routed_at IS NULL AND o.hub = ANY(\(keys))
                ORDER BY o.id LIMIT 100 FOR UPDATE SKIP LOCKED
                """, logger: logger)
            var messages: [HubMessage] = []
            for try await row in rows { messages.append(try HubMessage.decode(row)) }
            for message in messages {
                let endpoints = hubs[message.hub]?.endpoints(for: message) ?? []
                if !endpoints.isEmpty {
                    try await connection.query(
                        """
                        INSERT INTO hub_deliveries (outbox_id, endpoint)
                        SELECT \(message.outboxID), unnest(\(endpoints)::text[]) ON CONFLICT DO NOTHING
                        """, logger: logger)
                }
            }
            if !messages.isEmpty {
                try await connection.query(
                    "UPDATE hub_outbox SET routed_at = now() WHERE id = ANY(\(messages.map(\.outboxID)))",
                    logger: logger)
            }
            return messages.count
        }
    }

    // MARK: Delivery

    struct Due: Sendable {
        let endpoint: String
        let attempts: Int
        let message: HubMessage
    }

    /// Leases up to `limit` due deliveries for two request timeouts (an Event Grid handshake,
    /// then the POST) plus 30 s.
    func claimDue(limit: Int) async throws -> [Due] {
        let lease = 2 * configuration.requestTimeout.seconds + 30
        let rows = try await client.query(
            """
            UPDATE hub_deliveries d SET next_attempt_at = now() + make_interval(secs => \(lease)), attempts = d.attempts + 1
            FROM hub_outbox o
            WHERE o.id = d.outbox_id AND (d.outbox_id, d.endpoint) IN (
                SELECT d2.outbox_id, d2.endpoint FROM hub_deliveries d2 JOIN hub_outbox o2 ON o2.id = d2.outbox_id
                WHERE d2.delivered_at IS NULL AND d2.next_attempt_at <= now() AND o2.hub = ANY(\(Array(hubs.keys)))
                ORDER BY d2.next_attempt_at LIMIT \(limit) FOR UPDATE OF d2 SKIP LOCKED)
            RETURNING d.endpoint, d.attempts, \(unescaped: HubMessage.columns)
            """, logger: logger)
        var due: [Due] = []
        for try await row in rows {
            let columns = row.makeRandomAccess()
            let endpoint = try columns[0].decode(String.self)
            let attempts = try columns[1].decode(Int.self)
            let message = try HubMessage.decode(row, offset: 2)
            due.append(Due(endpoint: endpoint, attempts: attempts, message: message))
        }
        return due
    }

    /// Deletes messages delivered everywhere, the last delivery longer than the retention time
    /// ago (a message routed nowhere: its routing).
    func cleanup() async throws {
        let retention = configuration.retention.seconds
        try await client.query(
            """
            DELETE FROM hub_outbox o
            WHERE o.routed_at < now() - make_interval(secs => \(retention)) AND o.hub = ANY(\(Array(hubs.keys)))
              AND NOT EXISTS (
                SELECT 1 FROM hub_deliveries d WHERE d.outbox_id = o.id
                  AND (d.delivered_at IS NULL OR d.delivered_at >= now() - make_interval(secs => \(retention))))
            """, logger: logger)
    }
}

/// A thread-safe counter of deliveries in flight.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    var value: Int { lock.withLock { count } }

    func add(_ n: Int) { lock.withLock { count += n } }
}
