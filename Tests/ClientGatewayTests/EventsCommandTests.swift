import ADTWire
import EventRoutes
import Foundation
import GatewayTestSupport
import PostgresNIO
import Testing
import TwinGateway
import TwinTestSupport

/// `twins events`: the delivery status and the dead letters of a gateway, as an operator reads
/// and replays them.
@Suite(
    .enabled(
        if: TestDatabase.available && TwinsExecutable.url != nil,
        "needs TWINS_TEST_DATABASE_URL and the built twins executable: run the tests through scripts/test.sh"),
    .timeLimit(.minutes(2)))
struct EventsCommandTests {
    @Test func statusListAndReplay() async throws {
        try await LiveGateway.withMigratedDatabase { database in
            var configuration = GatewayConfiguration(host: "127.0.0.1", port: 0)
            configuration.endpoints = [
                EventEndpoint(
                    name: "hooks", kind: .webhook,
                    settings: JSONObject([(key: "url", value: "http://127.0.0.1:9/events")]))
            ]
            // Two notifications that were not delivered in time, and one still waiting.
            try await database.query(
                """
                INSERT INTO event_dead_letters (endpoint, partition, seq, created_at, attempts, last_error, event)
                VALUES ('hooks', 1, 1, now() - interval '1 day', 9, 'HTTP 503', '{"id":"e-1","type":"Microsoft.DigitalTwins.Twin.Create"}'),
                       ('hooks', 2, 2, now() - interval '1 day', 9, 'HTTP 503', '{"id":"e-2","type":"Microsoft.DigitalTwins.Twin.Delete"}')
                """, logger: LiveGateway.logger)
            try await database.query(
                """
                INSERT INTO event_deliveries (endpoint, partition, seq, created_at, event, attempts, last_error)
                VALUES ('hooks', 3, 3, now() - interval '5 seconds', '{"id":"e-3"}', 2, 'HTTP 500')
                """, logger: LiveGateway.logger)
            try await database.query(
                """
                INSERT INTO event_delivery_stats (endpoint, partition, delivered, failed, last_error, last_error_at)
                VALUES ('hooks', 3, 7, 2, 'HTTP 500', now())
                """, logger: LiveGateway.logger)
            try await LiveGateway.serve(database: database, configuration: configuration) { endpoint in
                let env = ["TWINS_ENDPOINT": endpoint.url]
                let status = try await TwinsExecutable.run(["events", "status"], environment: env)
                #expect(status.status == 0, "\(status.error)")
                let lines = status.output.split(separator: "\n")
                #expect(lines.first?.hasPrefix("endpoint") == true)
                #expect(lines.count == 3)
                #expect(lines[1].hasPrefix("hooks"))
                #expect(lines[1].contains("webhook"))
                #expect(lines[1].hasSuffix("HTTP 500"))
                let jsonl = try await TwinsExecutable.run(["events", "status", "--format", "jsonl"], environment: env)
                let hooks = try JSONParser.parse(jsonl.output.trimmingCharacters(in: .newlines))
                #expect(hooks["backlog"] == 1)
                #expect(hooks["deadLetters"] == 2)
                #expect(hooks["delivered"] == 7)
                #expect(hooks["failedAttempts"] == 2)

                let list = try await TwinsExecutable.run(["events", "deadletters", "list"], environment: env)
                #expect(list.status == 0, "\(list.error)")
                let letters = try list.output.split(separator: "\n").map { try JSONParser.parse(String($0)) }
                #expect(letters.map { $0["event"]?["id"] } == ["e-1", "e-2"])
                #expect(letters.allSatisfy { $0["lastError"] == "HTTP 503" && $0["endpointName"] == "hooks" })

                let refused = try await TwinsExecutable.run(["events", "deadletters", "replay"], environment: env)
                #expect(refused.status != 0)
                #expect(refused.error.contains("--all"))
                let first = try #require(letters.first?["id"]?.stringValue)
                let one = try await TwinsExecutable.run(
                    ["events", "deadletters", "replay", "--id", first], environment: env)
                #expect(one.output == "replayed 1\n", "\(one.error)")
                let rest = try await TwinsExecutable.run(
                    ["events", "deadletters", "replay", "--all"], environment: env)
                #expect(rest.output == "replayed 1\n", "\(rest.error)")
                let after = try await TwinsExecutable.run(["events", "deadletters", "list"], environment: env)
                #expect(after.output.isEmpty)
                let backlog = try JSONParser.parse(
                    try await TwinsExecutable.run(["events", "status", "--format", "jsonl"], environment: env).output
                        .trimmingCharacters(in: .newlines))
                #expect(backlog["backlog"] == 3)
            }
        }
    }
}
