import Logging
import PostgresNIO

/// Applies the pending migrations of `Migration.all`, in order, each in its own transaction,
/// recording each in `twins_schema_migrations`.
///
/// Several processes may migrate at once (two gateways starting together): a session-level
/// advisory lock serialises them, and the loser finds nothing left to do. Running it twice is a
/// no-op.
public struct MigrationRunner: Sendable {
    /// The advisory lock key: an arbitrary constant ("twins" in ASCII) that no other user of the
    /// database is likely to choose.
    static let lockKey: Int64 = 0x7477_696E_73
    static let table = "twins_schema_migrations"

    let migrations: [Migration]
    let logger: Logger

    /// A runner for the given migrations (by default those built in).
    public init(migrations: [Migration] = Migration.all, logger: Logger) {
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    /// Applies what is pending over `connection`; returns the versions applied by this call.
    @discardableResult
    public func migrate(on connection: PostgresConnection) async throws -> [Int] {
        _ = try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
        do {
            let applied = try await apply(on: connection)
            _ = try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
            return applied
        } catch {
            // The lock is released with the session anyway; try to release it now.
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
            throw error
        }
    }

    /// Applies what is pending over a connection of the pool.
    @discardableResult
    public func migrate(client: PostgresClient) async throws -> [Int] {
        try await client.withConnection { try await migrate(on: $0) }
    }

    private func apply(on connection: PostgresConnection) async throws -> [Int] {
        _ = try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS \(unescaped: Self.table) (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, logger: logger)
        var done = Set<Int>()
        let rows = try await connection.query("SELECT version FROM \(unescaped: Self.table)", logger: logger)
        for try await version in rows.decode(Int.self) { done.insert(version) }

        var appliedNow: [Int] = []
        for migration in migrations where !done.contains(migration.version) {
            logger.info(
                "applying migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            _ = try await connection.query("BEGIN", logger: logger)
            do {
                for statement in SQLScript.statements(migration.sql) {
                    _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                _ = try await connection.query(
                    "INSERT INTO \(unescaped: Self.table) (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger)
                _ = try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw MigrationError(version: migration.version, name: migration.name, underlying: error)
            }
            appliedNow.append(migration.version)
        }
        return appliedNow
    }

    /// The versions recorded as applied, or an empty set when the table does not exist yet.
    public static func appliedVersions(client: PostgresClient, logger: Logger) async throws -> Set<Int> {
        let exists = try await client.query("SELECT to_regclass(\(table)) IS NOT NULL", logger: logger)
        for try await present in exists.decode(Bool.self) where !present { return [] }
        var versions = Set<Int>()
        let rows = try await client.query("SELECT version FROM \(unescaped: table)", logger: logger)
        for try await version in rows.decode(Int.self) { versions.insert(version) }
        return versions
    }
}

/// A migration that failed; nothing of it was applied.
public struct MigrationError: Error, CustomStringConvertible {
    /// The failed migration's version.
    public let version: Int
    /// The failed migration's name.
    public let name: String
    /// The database error.
    public let underlying: any Error

    /// `migration <version> (<name>) failed: <database error>`, for logs.
    public var description: String {
        "migration \(version) (\(name)) failed: \(databaseErrorMessage(underlying))"
    }
}
