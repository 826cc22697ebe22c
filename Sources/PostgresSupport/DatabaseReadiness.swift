import Logging
import PostgresNIO

/// Whether the database can serve: reachable, and migrated to this build's schema.
public enum DatabaseReadiness: Sendable, Equatable {
    /// Reachable and every migration of this build applied.
    case ready
    /// Not ready, with a one-line reason.
    case notReady(String)

    /// Checks the database within `timeout`. Never throws: a failure is a `.notReady` reason.
    ///
    /// While the server is down the pool waits and retries rather than failing, so a check that
    /// times out asks a direct connection to `url` (when given) for the actual reason.
    public static func check(
        client: PostgresClient, url: DatabaseURL? = nil, timeout: Duration = .seconds(2), logger: Logger
    ) async -> DatabaseReadiness {
        let state = await checkThroughPool(client: client, timeout: timeout, logger: logger)
        guard case .notReady(let reason) = state, reason.hasPrefix(timeoutPrefix), let url else { return state }
        do {
            try await DirectConnection.with(url, connectTimeout: .seconds(1), logger: logger) { _ in }
            return state
        } catch {
            return .notReady("\(error)")
        }
    }

    private static let timeoutPrefix = "database did not answer"

    private static func checkThroughPool(
        client: PostgresClient, timeout: Duration, logger: Logger
    ) async -> DatabaseReadiness {
        do {
            return try await withThrowingTaskGroup(of: DatabaseReadiness.self) { group in
                group.addTask {
                    let applied = try await MigrationRunner.appliedVersions(client: client, logger: logger)
                    let missing = Migration.all.map(\.version).filter { !applied.contains($0) }
                    if missing.isEmpty { return .ready }
                    return .notReady(
                        "database schema is behind: migrations \(missing) not applied (run `twins db migrate`)")
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return .notReady("\(timeoutPrefix) within \(timeout)")
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
        } catch {
            return .notReady(databaseErrorMessage(error))
        }
    }
}
