import Foundation
import PostgresNIO
import Testing
import TwinTestSupport

@testable import DeviceEmulators

@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct DeliveryCleanupTests {
    /// Retention counts from a message's last delivery: one routed two hours ago but delivered a
    /// minute ago (after an outage) stays; one delivered two hours ago, and one routed nowhere two
    /// hours ago, go; one still undelivered stays whatever its age.
    @Test func retentionCountsFromTheLastDelivery() async throws {
        try await Fixture.withDatabase { database in
            let hub = HubConfiguration(hostName: Fixture.hubHost)
            var configuration = Fixture.configuration(hub: hub)
            configuration.delivery.retention = .seconds(3600)
            let worker = try DeviceEmulators.makeDeliveryWorker(
                configuration: configuration, database: database, logger: Fixture.logger)
            let cases: [(name: String, delivered: String?, undelivered: Bool)] = [
                ("late", "now() - interval '1 minute'", false),
                ("old", "now() - interval '2 hours'", false),
                ("nowhere", nil, false),
                ("pending", nil, true),
            ]
            for c in cases {
                try await database.query(
                    """
                    INSERT INTO hub_outbox (hub, source, event_id, device_id, properties, system_properties, body, enqueued_at, routed_at)
                    VALUES (\(hub.key), 'DeviceLifecycleEvents', \(c.name), \(c.name), '{}', '{}', '\\x'::bytea,
                            now() - interval '2 hours', now() - interval '2 hours')
                    """, logger: Fixture.logger)
                if let delivered = c.delivered {
                    try await database.query(
                        """
                        INSERT INTO hub_deliveries (outbox_id, endpoint, delivered_at)
                        SELECT id, 'e', \(unescaped: delivered) FROM hub_outbox WHERE event_id = \(c.name)
                        """, logger: Fixture.logger)
                } else if c.undelivered {
                    try await database.query(
                        "INSERT INTO hub_deliveries (outbox_id, endpoint) SELECT id, 'e' FROM hub_outbox WHERE event_id = \(c.name)",
                        logger: Fixture.logger)
                }
            }
            try await worker.cleanup()
            let rows = try await database.query(
                "SELECT event_id FROM hub_outbox ORDER BY event_id", logger: Fixture.logger)
            var left: [String] = []
            for try await id in rows.decode(String.self) { left.append(id) }
            #expect(left == ["late", "pending"])
        }
    }
}
