import ADTWire
import EventRoutes
import Foundation
import Logging
import PostgresNIO

/// The live event stream of one gateway process (`GET /events`): watchers subscribe with a
/// filter; while there is at least one, the process announces itself in `event_watchers` (so the
/// router copies every notification to `event_stream`) and reads the new rows every
/// ``pollInterval``, passing each to the watchers whose filter matches.
///
/// Best effort, as a live view is: a watcher sees what is written after it subscribed, in commit
/// order; nothing is kept for a watcher that disconnects.
public final class EventStream: @unchecked Sendable {
    /// What a watcher receives: a notification (its CloudEvents JSON), or a keep-alive.
    public enum Item: Sendable {
        /// A notification: the stream's id and the CloudEvent's JSON text.
        case event(id: Int64, json: String)
        /// Nothing happened for ``keepAliveInterval``: a comment keeps proxies from closing the
        /// connection.
        case keepAlive
    }

    /// How often the stream is read while someone watches.
    public static let pollInterval: Duration = .milliseconds(100)
    /// How long a watcher may go without any item.
    public static let keepAliveInterval: Duration = .seconds(15)

    let client: PostgresClient
    let gateway: String
    let logger: Logger
    private let lock = NSLock()
    private var watchers: [UUID: (filter: RouteFilter?, continuation: AsyncStream<Item>.Continuation)] = [:]
    private var reader: Task<Void, Never>?

    /// The stream of the process, reading `client`'s database.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        gateway =
            "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
    }

    /// The notifications that `filter` matches (all without one), from now until the caller
    /// stops iterating or calls `stop` (which ends the stream, e.g. at shutdown).
    public func watch(filter: RouteFilter?) -> (items: AsyncStream<Item>, stop: @Sendable () -> Void) {
        let id = UUID()
        let (stream, continuation) = AsyncStream<Item>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        continuation.onTermination = { [weak self] _ in self?.remove(id) }
        lock.withLock {
            watchers[id] = (filter, continuation)
            if reader == nil { reader = Task { [self] in await read() } }
        }
        return (stream, { continuation.finish() })
    }

    private func remove(_ id: UUID) {
        lock.withLock {
            watchers[id] = nil
            if watchers.isEmpty {
                reader?.cancel()
                reader = nil
            }
        }
    }

    /// Announces the process, reads new rows and hands them out, until the last watcher leaves.
    private func read() async {
        var last: Int64?
        var lastBeat = ContinuousClock.now - .seconds(60)
        var lastItem = ContinuousClock.now
        while !Task.isCancelled {
            do {
                if ContinuousClock.now - lastBeat > .seconds(5) {
                    try await client.tracedQuery(
                        """
                        INSERT INTO event_watchers (gateway, seen_at) VALUES (\(gateway), now())
                        ON CONFLICT (gateway) DO UPDATE SET seen_at = now()
                        """, logger: logger)
                    lastBeat = .now
                }
                if last == nil {
                    for try await (top) in try await client.tracedQuery(
                        "SELECT coalesce(max(id), 0) FROM event_stream", logger: logger
                    ).decode(Int64.self) { last = top }
                }
                var items: [(Int64, String)] = []
                for try await (id, text) in try await client.tracedQuery(
                    "SELECT id, event::text FROM event_stream WHERE id > \(last ?? 0) ORDER BY id LIMIT 1000",
                    logger: logger
                ).decode((Int64, String).self) { items.append((id, text)) }
                if let newest = items.last?.0 { last = newest }
                let current = lock.withLock { Array(watchers.values) }
                for (id, text) in items {
                    guard case .object(let event)? = try? JSONParser.parse(text) else { continue }
                    for watcher in current where watcher.filter?.matches(event) ?? true {
                        watcher.continuation.yield(.event(id: id, json: text))
                    }
                }
                if !items.isEmpty { lastItem = .now }
                if ContinuousClock.now - lastItem > Self.keepAliveInterval {
                    for watcher in current { watcher.continuation.yield(.keepAlive) }
                    lastItem = .now
                }
                if items.count < 1000 { try await Task.sleep(for: Self.pollInterval) }
            } catch {
                if Task.isCancelled { break }
                logger.warning("event stream: database unavailable", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
        let (client, gateway, logger) = (self.client, self.gateway, self.logger)
        Task {
            _ = try? await client.tracedQuery("DELETE FROM event_watchers WHERE gateway = \(gateway)", logger: logger)
        }
    }
}
