import ADTWire
import EventDelivery
import EventRoutes
import Foundation
import GatewayTestSupport
import HTTPTypes
import Testing
import TwinTestSupport

/// The `mqtt` endpoint against a real mosquitto broker on loopback.
@Suite(
    .enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)),
    .enabled(if: TestBroker.executable != nil, "needs mosquitto (Debian's mosquitto package): run scripts/test.sh"),
    .timeLimit(.minutes(2)))
struct MQTTDeliveryTests {
    static func endpoint(port: Int) -> EventEndpoint {
        EventEndpoint(
            name: "bus", kind: .mqtt,
            settings: JSONObject([(key: "host", value: "127.0.0.1"), (key: "port", value: .integer(Int64(port)))]))
    }

    @Test func eachNotificationIsPublishedOnItsTopicAsACloudEvent() async throws {
        let broker = try TestBroker(port: try await TestBroker.freePort())
        try await broker.start()
        defer { broker.stop() }
        let subscriber = TestSubscriber(port: broker.port, filter: "twins/#")
        let deadline = ContinuousClock.now + .seconds(10)
        while !subscriber.isSubscribed && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(subscriber.isSubscribed)
        try await DeliveryHarness.run(endpoints: [Self.endpoint(port: broker.port)]) { h in
            try await h.uploadModels()
            try await h.route("all", to: "bus")
            try await h.writeEveryEventType()
            try await h.eventually("eight messages") { subscriber.messages.count >= 8 }
            let messages = subscriber.messages
            // Twin a's, in the order written, on topics made from type and subject.
            #expect(
                messages.map(\.topic).filter { $0.hasSuffix("/a") || $0.hasSuffix("/a/relationships/r1") } == [
                    "twins/Microsoft.DigitalTwins.Twin.Create/a",
                    "twins/Microsoft.DigitalTwins.Relationship.Create/a/relationships/r1",
                    "twins/Microsoft.DigitalTwins.Twin.Update/a",
                    "twins/Microsoft.DigitalTwins.Relationship.Update/a/relationships/r1",
                    "twins/microsoft.iot.telemetry/a",
                    "twins/Microsoft.DigitalTwins.Relationship.Delete/a/relationships/r1",
                ])
            let payloads = try messages.map { try JSONParser.parse($0.payload) }
            #expect(payloads.compactMap { $0["type"]?.stringValue }.sorted() == DeliveryHarness.everyType.sorted())
            let telemetry = try #require(payloads.first { $0["type"] == "microsoft.iot.telemetry" })
            #expect(telemetry["id"] == "m-1")
            #expect(telemetry["specversion"] == "1.0")
            #expect(telemetry["data"]?["humidity"]?.numberValue == 40)
            try await h.eventually("recorded as delivered") { try await h.count("event_deliveries") == 0 }
        }
    }

    @Test func aBrokerThatComesLateGetsEverything() async throws {
        let broker = try TestBroker(port: try await TestBroker.freePort())
        defer { broker.stop() }
        try await DeliveryHarness.run(endpoints: [Self.endpoint(port: broker.port)]) { h in
            try await h.uploadModels()
            try await h.route("all", to: "bus")
            for index in 0..<3 { try await h.createRoom("late-\(index)") }
            try await h.eventually("the failure is reported") {
                let status = try GatewayTest.json(try await h.send(.get, "/endpoints", expect: .ok))
                return status["value"]?[0]?["lastError"]?.stringValue?.hasPrefix("not connected") == true
            }
            try await h.eventually("all three wait") { try await h.count("event_deliveries") == 3 }
            try await broker.start()
            // libmosquitto reconnects by itself (after 1, 2, 4 ... s); the broker acknowledges each.
            try await h.eventually("all three delivered", timeout: .seconds(45)) {
                try await h.count("event_deliveries") == 0
            }
            let status = try GatewayTest.json(try await h.send(.get, "/endpoints", expect: .ok))
            #expect(status["value"]?[0]?["delivered"] == 3)
        }
    }
}
