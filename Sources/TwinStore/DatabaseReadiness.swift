import Logging
import PostgresNIO

/// Whether the database can serve: reachable, and migrated to this build's schema.
public enum DatabaseReadiness: Sendable, Equatable {
    /// Reachable and every migration of this build applied.
    case ready
    /// Not ready, with a one-line reason.
    case notReady(String)

    /// Checks the database within `timeout`. Never throws: a failure is a `.notReady` reason.
    public static func check(
        client: PostgresClient, timeout: Duration = .seconds(2), logger: Logger
    ) async -> DatabaseReadiness {
        do {
            return try await withThrowingTaskGroup(of: DatabaseReadiness.self) { group in
                group.addTask {
                    let applied = try await MigrationRunner.appliedVersions(client: client, logger: logger)
                    let missing = Migration.all.map(\.version).filter { !applied.contains($0) }
                    if missing.isEmpty { return .ready }
                    return .notReady("database schema is behind: migrations \(missing) not applied (run `twins db migrate`)")
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return .notReady("database did not answer within \(timeout)")
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
