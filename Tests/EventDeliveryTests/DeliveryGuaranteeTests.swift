import ADTWire
import EventDelivery
import EventRoutes
import Foundation
import GatewayTestSupport
import Testing
import TwinTestSupport

@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct DeliveryGuaranteeTests {
    /// The temperatures each twin's update events carried, in the order they first arrived.
    /// Delivery is at least once: a batch whose outcome was not recorded under load is sent
    /// again, and its copies (the same notification ids) are not counted twice.
    static func temperatures(_ received: [WebhookReceiver.Received]) -> [String: [Double]] {
        var byTwin: [String: [Double]] = [:]
        var seen: Set<String> = []
        for event in received.filter({ $0.status == 200 }).flatMap(\.events)
        where event["type"] == "Microsoft.DigitalTwins.Twin.Update" {
            guard let twin = event["subject"]?.stringValue,
                let value = event["data"]?["patch"]?[0]?["value"]?.numberValue,
                seen.insert(event["id"]?.stringValue ?? UUID().uuidString).inserted
            else { continue }
            byTwin[twin, default: []].append(value)
        }
        return byTwin
    }

    @Test func oneTwinsEventsArriveInOrderWhileTwoWorkersShareTheWork() async throws {
        let receiver = WebhookReceiver()
        await receiver.plan("/ordered", statuses: [200], delay: .milliseconds(2))
        try await receiver.run { url in
            try await DeliveryHarness.run(endpoints: [webhook("ordered", url + "/ordered")], workers: 2) { h in
                try await h.uploadModels()
                try await h.route("updates", to: "ordered", filter: "type = 'Microsoft.DigitalTwins.Twin.Update'")
                let twins = (0..<12).map { "room-\($0)" }
                for twin in twins { try await h.createRoom(twin) }
                // Every twin is written by its own writer, all at once.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for twin in twins {
                        group.addTask {
                            for value in 1...25 { try await h.patchRoom(twin, temperature: Double(value)) }
                        }
                    }
                    try await group.waitForAll()
                }
                // Alone this takes about a second; beside the whole parallel suite on two cores it
                // has taken more than 20 s. The test is about order and completeness, not speed.
                try await h.eventually("every update arrives", timeout: .seconds(90)) {
                    Self.temperatures(await receiver.requests("/ordered")).values.map(\.count).reduce(0, +) >= 300
                }
                let byTwin = Self.temperatures(await receiver.requests("/ordered"))
                for twin in twins {
                    #expect(byTwin[twin] == (1...25).map(Double.init), "\(twin)")
                }
                // Both workers delivered: each holds a share of the partitions.
                var owners = Set<String>()
                for try await (owner) in try await h.database.query(
                    "SELECT DISTINCT owner FROM event_partitions WHERE owner IS NOT NULL",
                    logger: DeliveryHarness.logger
                ).decode(String.self) { owners.insert(owner) }
                #expect(owners == ["worker-0", "worker-1"])
            }
        }
    }

    @Test func twoWorkersDeliverEachEventOncePerEndpoint() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { url in
            let endpoints = [webhook("one", url + "/one"), webhook("two", url + "/two", ["maxBatchSize": 20])]
            // A clean run, also beside the whole parallel suite: leases and request timeouts long
            // enough that a starved machine does not make a worker give up a batch it sent (a
            // timed-out or taken-over batch is sent again, as at-least-once allows).
            let patient = DeliveryHarness.quick {
                $0.leaseDuration = .seconds(30)
                $0.requestTimeout = .seconds(30)
            }
            try await DeliveryHarness.run(endpoints: endpoints, workers: 2, configuration: patient) { h in
                try await h.uploadModels()
                try await h.route("to-one", to: "one")
                try await h.route("to-two", to: "two")
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for writer in 0..<4 {
                        group.addTask { for index in 0..<50 { try await h.createRoom("w\(writer)-\(index)") } }
                    }
                    try await group.waitForAll()
                }
                for path in ["/one", "/two"] {
                    try await h.eventually("200 events reach \(path)") {
                        await receiver.requests(path).flatMap(\.events).count >= 200
                    }
                }
                try await h.eventually("the deliveries are recorded") { try await h.count("event_deliveries") == 0 }
                for path in ["/one", "/two"] {
                    let ids = await receiver.requests(path).flatMap(\.events).compactMap { $0["id"]?.stringValue }
                    #expect(ids.count == 200, "\(path)")
                    #expect(Set(ids).count == 200, "\(path): an event came twice")
                }
            }
        }
    }

    @Test func anEndpointAnswering500GetsEverythingOnceItRecovers() async throws {
        let receiver = WebhookReceiver()
        await receiver.plan("/flaky", statuses: [500, 500, 503, 500, 200])
        try await receiver.run { url in
            try await DeliveryHarness.run(endpoints: [webhook("flaky", url + "/flaky", ["maxBatchSize": 5])]) { h in
                try await h.uploadModels()
                try await h.route("all", to: "flaky")
                for index in 0..<30 { try await h.createRoom("t\(index)") }
                try await h.eventually("all 30 are accepted") {
                    await receiver.requests("/flaky").filter { $0.status == 200 }.flatMap(\.events).count >= 30
                }
                let accepted = await receiver.requests("/flaky").filter { $0.status == 200 }.flatMap(\.events)
                #expect(Set(accepted.compactMap { $0["subject"]?.stringValue }) == Set((0..<30).map { "t\($0)" }))
                #expect(accepted.count == 30)
                #expect(await receiver.requests("/flaky").filter { $0.status != 200 }.count == 4)
                try await h.eventually("the backlog is empty") { try await h.count("event_deliveries") == 0 }
                let status = try GatewayTest.json(try await h.send(.get, "/endpoints", expect: .ok))
                #expect(status["value"]?[0]?["failedAttempts"] == 4)
                #expect(status["value"]?[0]?["delivered"] == 30)
                #expect(status["value"]?[0]?["lastError"]?.stringValue?.hasPrefix("HTTP 50") == true)
            }
        }
    }

    @Test func aDeadEndpointDoesNotDelayTheOthers() async throws {
        let receiver = WebhookReceiver()
        await receiver.plan("/down", statuses: [503])
        try await receiver.run { url in
            let endpoints = [
                webhook("down", url + "/down"), webhook("slow", url + "/slow"),
                // Nothing listens on port 9 of loopback: the connection is refused.
                webhook("gone", "http://127.0.0.1:9/events"), webhook("up", url + "/up"),
            ]
            // A slow endpoint answers after 10 s: were the healthy one queued behind it, its events
            // would take that long; served on its own they arrive within seconds, also on a loaded
            // machine running the whole suite (measured up to 2.5 s there).
            await receiver.plan("/slow", statuses: [200], delay: .seconds(10))
            try await DeliveryHarness.run(endpoints: endpoints) { h in
                try await h.uploadModels()
                for name in ["down", "slow", "gone", "up"] { try await h.route(name, to: name) }
                let start = ContinuousClock.now
                for index in 0..<40 { try await h.createRoom("d\(index)") }
                let written = ContinuousClock.now
                _ = try await receiver.wait("/up", count: 40, timeout: .seconds(20))
                // The healthy endpoint is served as fast as if it were alone.
                #expect(ContinuousClock.now - written < .seconds(5), "took \(ContinuousClock.now - start)")
                #expect(try await h.count("event_deliveries") >= 80)
            }
        }
    }

    @Test func undeliveredEventsBecomeDeadLettersAfterTheTimeToLiveAndReplay() async throws {
        let receiver = WebhookReceiver()
        await receiver.plan("/dead", statuses: [503])
        try await receiver.run { url in
            let configuration = DeliveryHarness.quick { $0.timeToLive = .seconds(1) }
            let endpoints = [webhook("dead", url + "/dead"), webhook("fine", url + "/fine")]
            try await DeliveryHarness.run(endpoints: endpoints, configuration: configuration) { h in
                try await h.uploadModels()
                try await h.route("dead", to: "dead")
                try await h.route("fine", to: "fine")
                for index in 0..<5 { try await h.createRoom("x\(index)") }
                // The healthy endpoint's deliveries may still be on their way (a loaded machine):
                // what is asserted is that nothing stays pending once both have settled.
                try await h.eventually("five dead letters, nothing pending") {
                    guard try await h.count("event_dead_letters") == 5 else { return false }
                    return try await h.count("event_deliveries") == 0
                }
                #expect(await receiver.requests("/fine").count == 5)

                let page = try GatewayTest.json(
                    try await h.send(.get, "/deadletters", headers: [.init("max-items-per-page")!: "3"], expect: .ok))
                let letters = try #require(page["value"]?.arrayValue)
                #expect(letters.count == 3)
                #expect(letters[0]["endpointName"] == "dead")
                #expect(letters[0]["lastError"]?.stringValue?.hasPrefix("HTTP 503") == true)
                #expect((letters[0]["attempts"]?.numberValue ?? 0) >= 1)
                #expect(letters[0]["event"]?["type"] == "Microsoft.DigitalTwins.Twin.Create")
                let next = try #require(page["nextLink"]?.stringValue)
                let rest = try GatewayTest.json(
                    try await h.http.send(.get, String(next[next.range(of: "/deadletters")!.lowerBound...])))
                #expect(rest["value"]?.arrayValue?.count == 2)
                #expect(rest["nextLink"] == .null)
                let status = try GatewayTest.json(try await h.send(.get, "/endpoints", expect: .ok))
                #expect(status["value"]?[0]?["deadLetters"] == 5)

                // Refused: an unknown endpoint, a malformed body. Nothing changes.
                try await h.send(.post, "/deadletters/replay", #"{"endpointName": "nope"}"#, expect: .badRequest)
                try await h.send(.post, "/deadletters/replay", #"{"ids": [1]}"#, expect: .badRequest)
                #expect(try await h.count("event_dead_letters") == 5)

                await receiver.plan("/dead", statuses: [200])
                let first = try #require(letters[0]["id"]?.stringValue)
                let one = try GatewayTest.json(
                    try await h.send(.post, "/deadletters/replay", #"{"ids": ["\#(first)"]}"#, expect: .ok))
                #expect(one["replayed"] == 1)
                _ = try await receiver.wait("/dead", count: 1)
                let all = try GatewayTest.json(
                    try await h.send(.post, "/deadletters/replay", #"{"endpointName": "dead"}"#, expect: .ok))
                #expect(all["replayed"] == 4)
                let delivered = try await receiver.wait("/dead", count: 5).flatMap(\.events)
                #expect(Set(delivered.compactMap { $0["subject"]?.stringValue }) == Set((0..<5).map { "x\($0)" }))
                #expect(try await h.count("event_dead_letters") == 0)
            }
        }
    }
}
