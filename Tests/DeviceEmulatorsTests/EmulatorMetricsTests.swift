import DeviceEmulators
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing
import TwinTestSupport

/// The emulators' `/metrics`: their queues, counted in the database at each scrape.
@Suite(
    "Emulator metrics", .enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)),
    .timeLimit(.minutes(2)))
struct EmulatorMetricsTests {
    static func scrape(_ server: any TestClientProtocol) async throws -> String {
        let response = try await server.execute(uri: "/metrics", method: .get)
        #expect(response.status == .ok)
        return String(buffer: response.body)
    }

    @Test("the hub's queues: unrouted messages and pending deliveries")
    func hubQueues() async throws {
        try await Fixture.withDatabase { database in
            try await Fixture.withHub(Fixture.configuration(), database) { hub in
                let empty = try await Self.scrape(hub)
                #expect(empty.contains("twins_hub_messages_unrouted 0"))
                #expect(empty.contains("twins_hub_deliveries_pending 0"))
                // A routed message whose delivery waits an hour for its next attempt.
                try await database.query(
                    """
                    WITH m AS (
                        INSERT INTO hub_outbox (hub, source, event_id, device_id, properties, system_properties, body,
                            enqueued_at, routed_at)
                        VALUES ('h', 'DeviceMessages', 'e1', 'd1', '{}', '{}', '', now(), now()) RETURNING id
                    )
                    INSERT INTO hub_deliveries (outbox_id, endpoint, next_attempt_at)
                    SELECT id, 'nowhere', now() + interval '1 hour' FROM m
                    """, logger: Fixture.logger)
                let waiting = try await Self.scrape(hub)
                #expect(waiting.contains("twins_hub_deliveries_pending 1"))
                #expect(
                    waiting.contains("http_server_requests_total{method=\"GET\",route=\"/metrics\",status=\"200\"}"))
            }
        }
    }

    @Test("DPS: registrations waiting for their allocation webhook")
    func dpsQueue() async throws {
        try await Fixture.withDatabase { database in
            try await Fixture.withDPS(Fixture.configuration(), database) { dps in
                let text = try await Self.scrape(dps)
                #expect(text.contains("twins_dps_registrations_assigning 0"))
            }
        }
    }
}
