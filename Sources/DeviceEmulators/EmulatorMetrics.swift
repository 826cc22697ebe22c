import Logging
import Observability
import PostgresNIO

/// The emulators' queues, counted in the database when the metrics are scraped:
/// registrations waiting for their allocation webhook, and hub messages waiting for routing or
/// for delivery to an endpoint.
enum EmulatorMetrics {
    static func collectDPS(into metrics: ServerMetrics, database: PostgresClient, logger: Logger) {
        metrics.addCollector {
            let count = await Self.count(
                "SELECT count(*) FROM dps_operations WHERE status = 'assigning'", database, logger)
            metrics.set("twins_dps_registrations_assigning", to: count)
        }
    }

    static func collectHub(into metrics: ServerMetrics, database: PostgresClient, logger: Logger) {
        metrics.addCollector {
            metrics.set(
                "twins_hub_messages_unrouted",
                to: await Self.count("SELECT count(*) FROM hub_outbox WHERE routed_at IS NULL", database, logger))
            metrics.set(
                "twins_hub_deliveries_pending",
                to: await Self.count(
                    "SELECT count(*) FROM hub_deliveries WHERE delivered_at IS NULL", database, logger))
        }
    }

    /// The count, or NaN when the database does not answer (the scrape still succeeds).
    private static func count(_ sql: StaticString, _ database: PostgresClient, _ logger: Logger) async -> Double {
        do {
            for try await value in try await database.query(PostgresQuery(unsafeSQL: "\(sql)"), logger: logger)
                .decode(Int64.self)
            {
                return Double(value)
            }
        } catch {
            logger.debug("metrics: count failed", metadata: ["error": "\(String(reflecting: error))"])
        }
        return .nan
    }
}
