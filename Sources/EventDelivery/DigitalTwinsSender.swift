import ADTWire
import DigitalTwinsClient
import EventRoutes
import Foundation
import HTTPTransport
import Logging
import PostgresNIO
import PostgresSupport
import TwinBridge

/// Applies notifications to another ADT-compatible instance (bridge mode, this instance to the
/// other): each one, in order, as the change it describes (``ChangeApplier``). A failure stops
/// the batch; it is sent again after the delivery's backoff, and what was applied before the
/// failure applies as unchanged. Notifications of changes the bridge made here are echoes and
/// are not sent back. Outcomes are counted in `bridge_stats`.
struct DigitalTwinsSender: EventSender {
    let endpoint: String
    let instance: EndpointTarget.DigitalTwinsInstance
    let applier: ChangeApplier
    let database: PostgresClient
    let logger: Logger

    init(
        endpoint: String, instance: EndpointTarget.DigitalTwinsInstance, database: PostgresClient,
        transport: any Transport, timeout: Duration, logger: Logger
    ) throws {
        self.endpoint = endpoint
        self.instance = instance
        self.database = database
        self.logger = logger
        var options = DigitalTwinsClient.Options(
            caFile: instance.caFile, requestTimeout: timeout, retryPolicy: .default, logger: logger)
        options.userAgent = "twins-bridge/1.0"
        // A CA of its own (a gateway's development certificate) for the instance and its issuer.
        let transport: any Transport =
            instance.caFile.map { CurlTransport(configuration: .init(caFile: $0, logger: logger)) } ?? transport
        let credential: (any TokenCredential)?
        if let secret = instance.credential {
            credential = AzureADCredential.make(secret, transport: transport)
        } else if let identity = instance.managedIdentity {
            credential = ManagedIdentityCredential(
                clientID: identity, imdsEndpoint: instance.managedIdentityEndpoint, transport: transport)
        } else {
            credential = nil
        }
        let client = try DigitalTwinsClient(
            endpoint: instance.url, credential: credential, options: options,
            transport: transport)
        applier = ChangeApplier(
            target: client, source: DatabaseBridgeSource(client: database, logger: logger),
            memory: PostgresBridgeMemory(client: database, endpoint: endpoint, logger: logger),
            ordered: true, logger: logger)
    }

    var maxBatchSize: Int { instance.maxBatchSize }

    func send(_ events: [PendingEvent]) async -> String? {
        let notifications = events.map(\.object)
        // The memory of the batch's twins read in one statement, written in one after it.
        let memory = BatchedBridgeMemory(
            store: PostgresBridgeMemory(client: database, endpoint: endpoint, logger: logger))
        do {
            try await memory.load(twins: notifications.map(NotificationFormat.twinID(of:)))
        } catch {
            return "the bridge's memory could not be read: \(databaseErrorMessage(error))"
        }
        let applier = self.applier.remembering(in: memory)
        var counts = BridgeCounts()
        var failure: String?
        for notification in notifications {
            let outcome = await applier.apply(notification)
            counts.add(outcome)
            if let reason = outcome.failure {
                failure = reason
                break
            }
        }
        do {
            // A crash before this line loses only records whose changes are delivered again
            // (the batch is not yet marked delivered), which then adopt what they find.
            try await memory.flush()
            try await counts.record(endpoint: endpoint, client: database, logger: logger)
        } catch {
            logger.warning(
                "bridge memory or counts not recorded",
                metadata: ["endpoint": "\(endpoint)", "error": "\(databaseErrorMessage(error))"])
        }
        return failure
    }
}

/// The outcomes of one delivery, for `bridge_stats`.
struct BridgeCounts {
    var applied = 0
    var unchanged = 0
    var echoes = 0
    var ignored = 0
    var conflicts = 0
    var lastConflict: String?

    mutating func add(_ outcome: BridgeOutcome) {
        if let detail = outcome.conflictDetail { lastConflict = String(detail.prefix(1000)) }
        switch outcome.kind {
        case .applied: applied += 1
        case .unchanged: unchanged += 1
        case .echo: echoes += 1
        case .ignored: ignored += 1
        case .conflict: break
        case .failed: break
        }
        conflicts += outcome.conflicts
    }

    func record(endpoint: String, client: PostgresClient, logger: Logger) async throws {
        guard applied + unchanged + echoes + ignored + conflicts > 0 else { return }
        try await client.tracedQuery(
            """
            INSERT INTO bridge_stats AS s (endpoint, applied, unchanged, echoes, ignored, conflicts, last_conflict,
                last_conflict_at, last_applied_at)
            VALUES (\(endpoint), \(applied), \(unchanged), \(echoes), \(ignored), \(conflicts), \(lastConflict),
                CASE WHEN \(conflicts) > 0 THEN now() END, CASE WHEN \(applied) > 0 THEN now() END)
            ON CONFLICT (endpoint) DO UPDATE SET
                applied = s.applied + excluded.applied, unchanged = s.unchanged + excluded.unchanged,
                echoes = s.echoes + excluded.echoes, ignored = s.ignored + excluded.ignored,
                conflicts = s.conflicts + excluded.conflicts,
                last_conflict = coalesce(excluded.last_conflict, s.last_conflict),
                last_conflict_at = coalesce(excluded.last_conflict_at, s.last_conflict_at),
                last_applied_at = coalesce(excluded.last_applied_at, s.last_applied_at)
            """, logger: logger)
    }
}

/// This instance, read from its database.
struct DatabaseBridgeSource: BridgeSource {
    let client: PostgresClient
    let logger: Logger

    func twinExists(_ id: String) async throws -> Bool {
        try await exists(client.tracedQuery("SELECT EXISTS (SELECT 1 FROM twins WHERE id = \(id))", logger: logger))
    }

    func relationshipExists(source: String, id: String) async throws -> Bool {
        try await exists(
            client.tracedQuery(
                "SELECT EXISTS (SELECT 1 FROM relationships WHERE source_id = \(source) AND id = \(id))", logger: logger
            ))
    }

    func exists(_ rows: PostgresRowSequence) async throws -> Bool {
        for try await (found) in rows.decode(Bool.self) { return found }
        return false
    }

    func allModels() async throws -> [JSONValue] {
        var models: [JSONValue] = []
        let rows = try await client.tracedQuery("SELECT definition::text FROM models ORDER BY seq", logger: logger)
        for try await (text) in rows.decode(String.self) { models.append(try JSONParser.parse(text)) }
        return models
    }
}

/// A batch's view of the bridge's memory: the records of its twins read at once, the changes
/// written back at once.
final class BatchedBridgeMemory: BridgeMemory, @unchecked Sendable {
    let store: PostgresBridgeMemory
    private let lock = NSLock()
    private var records: [String: [String: String]] = [:]
    private var changed: [String: [String: String]] = [:]
    private var forgotten: Set<String> = []

    init(store: PostgresBridgeMemory) { self.store = store }

    func load(twins: [String]) async throws {
        let loaded = try await store.fingerprints(twins: Array(Set(twins)))
        lock.withLock { records = loaded }
    }

    func fingerprints(twin: String) async throws -> [String: String] {
        lock.withLock { records[twin] ?? [:] }
    }

    func remember(twin: String, _ fingerprints: [String: String]) async throws {
        lock.withLock {
            records[twin, default: [:]].merge(fingerprints) { $1 }
            changed[twin, default: [:]].merge(fingerprints) { $1 }
            forgotten.remove(twin)
        }
    }

    func forget(twin: String) async throws {
        lock.withLock {
            records[twin] = nil
            changed[twin] = nil
            forgotten.insert(twin)
        }
    }

    /// Writes what changed.
    func flush() async throws {
        let (changed, forgotten) = lock.withLock { (self.changed, self.forgotten) }
        try await store.apply(changed, forgetting: Array(forgotten))
        lock.withLock {
            self.changed = [:]
            self.forgotten = []
        }
    }
}

/// The bridge's memory of an endpoint, in the database (so a restarted or another gateway
/// process knows what the bridge wrote).
struct PostgresBridgeMemory: BridgeMemory {
    let client: PostgresClient
    let endpoint: String
    let logger: Logger

    func fingerprints(twin: String) async throws -> [String: String] {
        let rows = try await client.tracedQuery(
            "SELECT fingerprints::text FROM bridge_memory WHERE endpoint = \(endpoint) AND twin_id = \(twin)",
            logger: logger)
        var out: [String: String] = [:]
        for try await (text) in rows.decode(String.self) {
            guard case .object(let object) = try JSONParser.parse(text) else { continue }
            for member in object.members { out[member.key] = member.value.stringValue }
        }
        return out
    }

    func remember(twin: String, _ fingerprints: [String: String]) async throws {
        guard !fingerprints.isEmpty else { return }
        let object = JSONObject(fingerprints.sorted { $0.key < $1.key }.map { (key: $0.key, value: .string($0.value)) })
        let text = JSONWriter.string(.object(object))
        try await client.tracedQuery(
            """
            INSERT INTO bridge_memory AS m (endpoint, twin_id, fingerprints) VALUES (\(endpoint), \(twin), \(text)::jsonb)
            ON CONFLICT (endpoint, twin_id) DO UPDATE SET fingerprints = m.fingerprints || excluded.fingerprints
            """, logger: logger)
    }

    func forget(twin: String) async throws {
        try await client.tracedQuery(
            "DELETE FROM bridge_memory WHERE endpoint = \(endpoint) AND twin_id = \(twin)", logger: logger)
    }

    /// The records of several twins, in one statement.
    func fingerprints(twins: [String]) async throws -> [String: [String: String]] {
        guard !twins.isEmpty else { return [:] }
        let rows = try await client.tracedQuery(
            """
            SELECT twin_id, fingerprints::text FROM bridge_memory
            WHERE endpoint = \(endpoint) AND twin_id = ANY(\(twins))
            """, logger: logger)
        var out: [String: [String: String]] = [:]
        for try await (twin, text) in rows.decode((String, String).self) {
            guard case .object(let object) = try JSONParser.parse(text) else { continue }
            var records: [String: String] = [:]
            for member in object.members { records[member.key] = member.value.stringValue }
            out[twin] = records
        }
        return out
    }

    /// Merges `changed` into the records and deletes those of `forgotten`, in one transaction.
    func apply(_ changed: [String: [String: String]], forgetting forgotten: [String]) async throws {
        guard !changed.isEmpty || !forgotten.isEmpty else { return }
        let twins = changed.keys.sorted()
        let texts = twins.map { twin in
            JSONWriter.string(
                .object(
                    JSONObject(
                        changed[twin]!.sorted { $0.key < $1.key }.map { (key: $0.key, value: .string($0.value)) })))
        }
        let (endpoint, logger) = (self.endpoint, self.logger)
        try await client.transaction(logger: logger) { connection in
            if !forgotten.isEmpty {
                try await connection.tracedQuery(
                    "DELETE FROM bridge_memory WHERE endpoint = \(endpoint) AND twin_id = ANY(\(forgotten))",
                    logger: logger)
            }
            if !twins.isEmpty {
                try await connection.tracedQuery(
                    """
                    INSERT INTO bridge_memory AS m (endpoint, twin_id, fingerprints)
                    SELECT \(endpoint), t, f::jsonb FROM unnest(\(twins)::text[], \(texts)::text[]) AS u(t, f)
                    ON CONFLICT (endpoint, twin_id) DO UPDATE SET fingerprints = m.fingerprints || excluded.fingerprints
                    """, logger: logger)
            }
        }
    }
}
