import Foundation
import Logging
import PostgresNIO

/// A few connections of their own, outside `PostgresClient`'s pool, for the hot statements whose
/// concurrency the caller already bounds (the twin store's coalescers: one connection per slot).
///
/// Why: through the pool, every statement pays a lease (72 µs of client CPU per point select
/// against 34 µs on a connection of its own: `scripts/bench-store.sh`, driver vs connection),
/// and PostgresNIO 1.33.2's pool keeps about 700 bytes per lease that it never gives back, so
/// a busy process grows without bound (docs/performance.md). A connection is opened when first
/// needed, reused while it lives, and replaced once it has closed (a PostgreSQL restart, a
/// terminated backend).
public final class DedicatedConnections: @unchecked Sendable {
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private let lock = NSLock()
    private var idle: [PostgresConnection] = []
    private var opened = 0

    /// Connections to `url`, with `startupParameters` (e.g. `application_name`,
    /// `statement_timeout`) as the pool's.
    public init(url: DatabaseURL, startupParameters: [(String, String)] = [], logger: Logger) throws {
        var configuration = try DirectConnection.configuration(url)
        configuration.options.additionalStartupParameters = startupParameters
        self.configuration = configuration
        self.logger = logger
    }

    /// Connections opened so far (for tests).
    public var openedCount: Int { lock.withLock { opened } }

    /// Runs `body` on an idle connection, or on a new one when none is idle. With `retry`, a
    /// statement that failed because its connection had closed runs once more on a new one (for
    /// reads: running them twice changes nothing).
    public func run<T: Sendable>(
        retry: Bool = false, _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        do {
            return try await runOnce(body)
        } catch let closed as ClosedConnection {
            guard retry else { throw closed.underlying }
            logger.debug("a dedicated connection had closed; running the statement again on a new one")
        }
        do {
            return try await runOnce(body)
        } catch let closed as ClosedConnection {
            throw closed.underlying
        }
    }

    /// Closes the idle connections (call it once the statements have stopped, e.g. at shutdown).
    public func close() async {
        let connections = lock.withLock {
            defer { idle = [] }
            return idle
        }
        for connection in connections { try? await connection.close() }
    }

    /// Connections left open are closed, each kept alive until its close completes (a
    /// `PostgresConnection` must not go away open).
    deinit {
        for connection in idle where !connection.isClosed {
            connection.close().whenComplete { _ in _ = connection }
        }
    }

    private struct ClosedConnection: Error {
        let underlying: any Error
    }

    private func runOnce<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await take()
        do {
            let result = try await body(connection)
            give(back: connection)
            return result
        } catch {
            if connection.isClosed || Self.meansClosed(error) {
                try? await connection.close()
                throw ClosedConnection(underlying: error)
            }
            give(back: connection)
            throw error
        }
    }

    /// Whether `error` says the connection is gone: closed by either side, or its backend
    /// terminated (SQLSTATE class 57: an administrator or a shutdown ended it).
    static func meansClosed(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        if [.serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .connectionError].contains(error.code) {
            return true
        }
        return error.serverInfo?[.sqlState]?.hasPrefix("57P") == true
    }

    private func take() async throws -> PostgresConnection {
        while let connection = lock.withLock({ idle.popLast() }) {
            if !connection.isClosed { return connection }
        }
        let id = lock.withLock {
            opened += 1
            return opened
        }
        return try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
    }

    private func give(back connection: PostgresConnection) {
        guard !connection.isClosed else { return }
        lock.withLock { idle.append(connection) }
    }
}
