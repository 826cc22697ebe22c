import Logging
import Observability
import PostgresNIO
import PostgresSupport

/// Event delivery in the metrics: what this process sent (counters per endpoint, a duration
/// histogram), and what every process of the instance still has to send, read from the database
/// at each scrape (``DeliveryStatus``: backlog, age of the oldest undelivered notification,
/// dead letters).
enum DeliveryMetrics {
    static func record(into metrics: ServerMetrics?, endpoint: String, events: Int, failed: Bool, duration: Duration) {
        guard let metrics else { return }
        let labels = [("endpoint", endpoint)]
        if failed {
            metrics.increment("twins_event_delivery_failures_total", labels)
        } else {
            metrics.increment("twins_events_delivered_total", labels, by: events)
        }
        metrics.record("twins_event_delivery_duration_seconds", labels, duration: duration)
    }

    static func collectStatus(into metrics: ServerMetrics, client: PostgresClient, logger: Logger) {
        metrics.addCollector {
            let status: DeliveryStatus
            do {
                status = try await DeliveryStatus.read(client: client, logger: logger)
            } catch {
                logger.debug(
                    "metrics: delivery status unreadable", metadata: ["error": "\(databaseErrorMessage(error))"])
                return
            }
            for (name, endpoint) in status.endpoints {
                let labels = [("endpoint", name)]
                metrics.set("twins_event_backlog", labels, to: Double(endpoint.backlog))
                metrics.set("twins_event_oldest_undelivered_age_seconds", labels, to: endpoint.oldestUndeliveredAge)
                metrics.set("twins_event_dead_letters", labels, to: Double(endpoint.deadLetters))
            }
            metrics.set("twins_events_unrouted", to: Double(status.unrouted))
        }
    }
}
