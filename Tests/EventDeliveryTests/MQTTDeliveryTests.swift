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
            try await h.createRoom("m1")
            try await h.patchRoom("m1", temperature: 22)
            try await h.send(
                .post, "/digitaltwins/m1/telemetry", #"{"humidity": 30}"#,
                headers: [HTTPField.Name("Message-Id")!: "t-9"], expect: .noContent)
            try await h.eventually("three messages") { subscriber.messages.count >= 3 }
            let messages = subscriber.messages
            #expect(
                messages.map(\.topic) == [
                    "twins/Microsoft.DigitalTwins.Twin.Create/m1", "twins/Microsoft.DigitalTwins.Twin.Update/m1",
                    "twins/microsoft.iot.telemetry/m1",
                ])
            let telemetry = try JSONParser.parse(try #require(messages.last?.payload))
            #expect(telemetry["id"] == "t-9")
            #expect(telemetry["specversion"] == "1.0")
            #expect(telemetry["data"]?["humidity"]?.numberValue == 30)
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
