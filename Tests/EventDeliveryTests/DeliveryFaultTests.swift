import ADTWire
import Foundation
import GatewayTestSupport
import Logging
import PostgresNIO
import PostgresSupport
import Testing
import TwinTestSupport

/// Delivery across faults, with the gateway as a real process: killed with SIGKILL and restarted,
/// its database restarted under it, two of them sharing one database.
@Suite(
    .serialized,  // one gateway process (or two) at a time: the rest of the suite runs beside them
    .timeLimit(.minutes(3)),
    .enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)),
    .enabled(if: TwinsProcess.executable != nil, "needs the built twins executable: run scripts/test.sh"))
struct DeliveryFaultTests {
    static let logger = DeliveryHarness.logger

    /// A gateway process on `databaseURL` delivering to `receiverURL + "/events"` in batches of
    /// `batch`, with a 3 s lease.
    static func gateway(databaseURL: String, receiverURL: String, batch: Int, folder: URL) throws -> TwinsProcess {
        let endpoints = folder.appendingPathComponent("endpoints.json")
        try JSONWriter.string([
            [
                "name": "hooks", "type": "webhook", "url": .string(receiverURL + "/events"),
                "schema": "cloudevents", "maxBatchSize": .integer(Int64(batch)),
            ]
        ]).write(to: endpoints, atomically: true, encoding: .utf8)
        return TwinsProcess(
            arguments: [
                "serve", "--host", "127.0.0.1", "--port", "0", "--database-url", databaseURL,
                "--endpoints", endpoints.path, "--event-lease", "3", "--log-level", "error",
                // Few connections: the other tests share the server.
                "--database-pool-size", "6",
            ],
            readyMarker: "twins: serving at ")
    }

    /// `count` twin-update notifications in the outbox in one transaction (twin `twin-<n % 100>`,
    /// value n), and a route of everything to the webhook.
    static func fill(_ client: PostgresClient, count: Int) async throws {
        try await client.query(
            "INSERT INTO event_routes (id, endpoint_name, filter) VALUES ('all', 'hooks', 'true') ON CONFLICT DO NOTHING",
            logger: logger)
        try await client.query(
            """
            INSERT INTO outbox (event)
            SELECT json_build_object('specversion', '1.0', 'id', 'e-' || g, 'type', 'Microsoft.DigitalTwins.Twin.Update',
                'source', 'localhost', 'subject', 'twin-' || (g % 100), 'datacontenttype', 'application/json',
                'data', json_build_object('modelId', 'dtmi:ex:Room;1', 'patch',
                    json_build_array(json_build_object('op', 'replace', 'path', '/n', 'value', g))))
            FROM generate_series(1, \(count)) g
            """, logger: logger)
    }

    /// The event ids received with 200, in arrival order.
    static func ids(_ receiver: WebhookReceiver) async -> [String] {
        await receiver.requests("/events").filter { $0.status == 200 }.flatMap(\.events).compactMap {
            $0["id"]?.stringValue
        }
    }

    /// Checks that every one of `count` events arrived and each twin's in order (first arrivals).
    static func checkComplete(_ ids: [String], count: Int) {
        #expect(Set(ids) == Set((1...count).map { "e-\($0)" }))
        var seen = Set<String>()
        var last: [Int: Int] = [:]
        var outOfOrder = 0
        for id in ids where seen.insert(id).inserted {
            let n = Int(id.dropFirst(2))!
            if let previous = last[n % 100], previous > n { outOfOrder += 1 }
            last[n % 100] = n
        }
        #expect(outOfOrder == 0)
    }

    static func waitFor(
        _ what: String, timeout: Duration = .seconds(60), _ condition: @Sendable () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                throw PrivatePostgres.Failure(description: "timed out: \(what)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    static func withFolder<T>(_ body: (URL) async throws -> T) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("delivery-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await body(folder)
    }

    @Test func aGatewayKilledWith10000EventsInFlightLosesNoneAfterItsRestart() async throws {
        let receiver = WebhookReceiver()
        await receiver.plan("/events", statuses: [200], delay: .milliseconds(20))
        try await receiver.run { receiverURL in
            try await TestDatabase.withFreshDatabase { url, client in
                try await Self.withFolder { folder in
                    let batch = 5
                    let gateway = try Self.gateway(
                        databaseURL: url.description + "?sslmode=disable", receiverURL: receiverURL, batch: batch,
                        folder: folder)
                    _ = try await gateway.start()
                    try await Self.fill(client, count: 10_000)
                    try await Self.waitFor("2,000 delivered") { await Self.ids(receiver).count >= 2_000 }
                    await gateway.kill9()
                    let before = await Self.ids(receiver).count
                    #expect(before < 10_000, "everything was delivered before the kill")
                    _ = try await gateway.start()
                    try await Self.waitFor("all 10,000 delivered") { Set(await Self.ids(receiver)).count >= 10_000 }
                    await gateway.stop()
                    let ids = await Self.ids(receiver)
                    Self.checkComplete(ids, count: 10_000)
                    // Duplicates only from what was in flight at the kill: at most one batch per
                    // partition (16 of them).
                    #expect(ids.count - Set(ids).count <= 16 * batch, "\(ids.count - Set(ids).count) duplicates")
                }
            }
        }
    }

    @Test func deliveryResumesByItselfAfterPostgreSQLRestarts() async throws {
        let server = try await PrivatePostgres.start()
        do {
            try await restartDuringDelivery(server)
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }

    func restartDuringDelivery(_ server: PrivatePostgres) async throws {
        let receiver = WebhookReceiver()
        await receiver.plan("/events", statuses: [200], delay: .milliseconds(20))
        try await receiver.run { receiverURL in
            try await Self.withFolder { folder in
                let gateway = try Self.gateway(
                    databaseURL: server.url, receiverURL: receiverURL, batch: 5, folder: folder)
                _ = try await gateway.start()
                try await TestDatabase.withClient(try DatabaseURL(server.url)) { client in
                    try await Self.fill(client, count: 2_000)
                }
                try await Self.waitFor("500 delivered") { await Self.ids(receiver).count >= 500 }
                try await server.restart()
                #expect(Set(await Self.ids(receiver)).count < 2_000, "everything was delivered before the restart")
                try await Self.waitFor("all 2,000 delivered") { Set(await Self.ids(receiver)).count >= 2_000 }
                Self.checkComplete(await Self.ids(receiver), count: 2_000)
                await gateway.stop()
            }
        }
    }

    @Test func twoGatewayProcessesDeliverEachEventOnce() async throws {
        let receiver = WebhookReceiver()
        await receiver.plan("/events", statuses: [200], delay: .milliseconds(5))
        try await receiver.run { receiverURL in
            try await TestDatabase.withFreshDatabase { url, client in
                try await Self.withFolder { folder in
                    let first = try Self.gateway(
                        databaseURL: url.description + "?sslmode=disable", receiverURL: receiverURL, batch: 10,
                        folder: folder)
                    let second = try Self.gateway(
                        databaseURL: url.description + "?sslmode=disable", receiverURL: receiverURL, batch: 10,
                        folder: folder)
                    _ = try await first.start()
                    _ = try await second.start()
                    // Both hold a share of the partitions before the events come.
                    try await Self.waitFor("two owners") {
                        var owners = 0
                        for try await (count) in try await client.query(
                            "SELECT count(DISTINCT owner)::int FROM event_partitions WHERE lease_until > now()",
                            logger: Self.logger
                        ).decode(Int.self) { owners = count }
                        return owners == 2
                    }
                    try await Self.fill(client, count: 2_000)
                    try await Self.waitFor("all 2,000 delivered") { Set(await Self.ids(receiver)).count >= 2_000 }
                    try await Task.sleep(for: .milliseconds(300))
                    await first.stop()
                    await second.stop()
                    let ids = await Self.ids(receiver)
                    Self.checkComplete(ids, count: 2_000)
                    #expect(ids.count == 2_000, "\(ids.count - 2_000) duplicates")
                }
            }
        }
    }
}
