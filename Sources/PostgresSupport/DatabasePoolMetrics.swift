import Foundation
import Logging
import Observability
import PostgresNIO

/// The connection pool in the metrics, read from PostgreSQL itself at each scrape: this
/// process's connections (its pool opens them under ``applicationName(_:)``) by state, as
/// `pg_stat_activity` shows them (`active`: running a statement; `idle`: waiting in the pool;
/// `idle in transaction`: leased within a transaction), and the pool's limit.
///
/// PostgresNIO 1.33.2 keeps its pool's own figures (requests waiting for a connection, lease
/// times) behind an internal observability delegate, so those are not exported.
public enum DatabasePoolMetrics {
    /// The `application_name` under which a process's pool connects: unique per process.
    public static func applicationName(_ role: String) -> String {
        "twins-\(role)-\(getpid())"
    }

    /// Reads the pool's figures at each scrape of `metrics`.
    public static func collect(
        into metrics: ServerMetrics, client: PostgresClient, applicationName: String, maximumConnections: Int,
        logger: Logger
    ) {
        metrics.set("twins_db_pool_max_connections", to: Double(maximumConnections))
        metrics.addCollector {
            var counts = ["active": 0.0, "idle": 0, "idle in transaction": 0]
            do {
                let rows = try await client.query(
                    "SELECT state, count(*) FROM pg_stat_activity WHERE application_name = \(applicationName) GROUP BY state",
                    logger: logger)
                for try await (state, count) in rows.decode((String?, Int64).self) {
                    // The scrape's own statement is active on a connection of the pool.
                    let adjusted = state == "active" ? count - 1 : count
                    counts[state ?? "unknown", default: 0] += Double(max(adjusted, 0))
                }
            } catch {
                logger.debug("metrics: pool figures unreadable", metadata: ["error": "\(databaseErrorMessage(error))"])
                return
            }
            for (state, count) in counts {
                metrics.set("twins_db_pool_connections", [("state", state)], to: count)
            }
        }
    }
}
