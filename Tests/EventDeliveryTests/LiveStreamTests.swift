import ADTWire
import DigitalTwinsClient
import EventDelivery
import Foundation
import GatewayTestSupport
import PostgresNIO
import Testing
import TwinGateway
import TwinTestSupport

/// `GET /events`: the live stream over a real socket, read by the Swift client as `twins events
/// watch` reads it, with a delivery worker routing the outbox.
@Suite(
    .enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)),
    .timeLimit(.minutes(2)))
struct LiveStreamTests {
    /// Lines received, in order.
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.withLock { lines.append(line) } }
        var all: [String] { lock.withLock { lines } }
    }

    @Test func watchersGetWhatTheirFilterMatchesAsItHappens() async throws {
        try await LiveGateway.withMigratedDatabase { database in
            let worker = EventDeliveryWorker(
                client: database, endpoints: [], configuration: DeliveryHarness.quick(), logger: DeliveryHarness.logger)
            let running = Task { try await worker.run() }
            defer { running.cancel() }
            try await LiveGateway.serve(database: database) { endpoint in
                let client = try DigitalTwinsClient(endpoint: endpoint.url)
                let creates = Lines()
                let everything = Lines()
                let first = Task {
                    try await client.watchEvents(filter: "type = 'Microsoft.DigitalTwins.Twin.Create'") {
                        creates.append($0)
                    }
                }
                let second = Task { try await client.watchEvents { everything.append($0) } }
                defer {
                    first.cancel()
                    second.cancel()
                }
                // Both watchers are announced before anything is written.
                try await Self.waitFor("the watchers are announced") {
                    for try await (count) in try await database.query(
                        "SELECT count(*)::int FROM event_watchers", logger: DeliveryHarness.logger
                    ).decode(Int.self) { return count == 1 }
                    return false
                }
                try await Task.sleep(for: .milliseconds(300))
                _ = try await client.createModels(
                    [try JSONParser.parse(DeliveryHarness.models)].flatMap { $0.arrayValue ?? [] })
                for id in ["w1", "w2"] {
                    _ = try await client.createOrReplaceTwin(
                        id: id, JSONObject([(key: "$metadata", value: ["$model": "dtmi:ex:Room;1"])]))
                }
                _ = try await client.updateTwin(id: "w1", patch: [["op": "add", "path": "/temperature", "value": 3]])
                try await Self.waitFor("the creates arrive") { creates.all.count >= 2 && everything.all.count >= 3 }
                let created = try creates.all.map { try JSONParser.parse($0) }
                #expect(created.map { $0["subject"] } == ["w1", "w2"])
                #expect(created.allSatisfy { $0["type"] == "Microsoft.DigitalTwins.Twin.Create" })
                let all = try everything.all.map { try JSONParser.parse($0) }
                #expect(
                    all.map { $0["type"] } == [
                        "Microsoft.DigitalTwins.Twin.Create", "Microsoft.DigitalTwins.Twin.Create",
                        "Microsoft.DigitalTwins.Twin.Update",
                    ])

                // A filter that does not parse: ADT's error, no stream.
                await #expect {
                    try await client.watchEvents(filter: "type = ") { _ in }
                } throws: { error in
                    (error as? ADTError)?.code?.rawValue == "EventRouteFilterInvalid"
                }
            }
        }
    }

    static func waitFor(_ what: String, _ condition: @Sendable () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out: \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
