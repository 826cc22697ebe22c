import ADTWire
import Crypto
import EventDelivery
import EventRoutes
import Foundation
import GatewayTestSupport
import HTTPTypes
import Testing
import TwinTestSupport

/// Event Hubs, Service Bus and Event Grid endpoints, against loopback receivers that check the
/// wire: URL, authentication, content type and body.
@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct AzureEndpointTests {
    static let key = "c2VuZC1rZXktZm9yLXRlc3RzLW9ubHk="

    /// Checks a shared access signature for `resource` signed with `key` (as text).
    static func checkSignature(_ header: String?, resource: String, keyName: String) {
        guard let header, header.hasPrefix("SharedAccessSignature ") else {
            Issue.record("no shared access signature: \(header ?? "none")")
            return
        }
        var fields: [String: String] = [:]
        for part in header.dropFirst("SharedAccessSignature ".count).split(separator: "&") {
            let pair = part.split(separator: "=", maxSplits: 1)
            fields[String(pair[0])] = pair.count > 1 ? String(pair[1]) : ""
        }
        let encodedResource = resource.addingPercentEncoding(
            withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~")))!
        #expect(fields["sr"] == encodedResource)
        #expect(fields["skn"] == keyName)
        let expiry = Int64(fields["se"] ?? "") ?? 0
        #expect(expiry > Int64(Date().timeIntervalSince1970))
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array("\(encodedResource)\n\(expiry)".utf8), using: SymmetricKey(data: Array(key.utf8)))
        #expect(fields["sig"]?.removingPercentEncoding == Data(mac).base64EncodedString())
    }

    @Test(arguments: [EventEndpoint.Kind.eventhubs, .servicebus])
    func messagesCarryTheDataAsBodyAndTheAttributesAsApplicationProperties(kind: EventEndpoint.Kind) async throws {
        let receiver = WebhookReceiver()
        await receiver.plan("/twin-events/messages", statuses: [201])
        try await receiver.run { url in
            let endpoint = EventEndpoint(
                name: "bus", kind: kind,
                settings: JSONObject([
                    (
                        key: "connectionString",
                        value: .string(
                            "Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=\(Self.key);EntityPath=twin-events"
                        )
                    ),
                    (key: "url", value: .string(url)),
                ]))
            try await DeliveryHarness.run(endpoints: [endpoint]) { h in
                try await h.uploadModels()
                try await h.route("all", to: "bus")
                try await h.writeEveryEventType()
                let requests = try await receiver.wait("/twin-events/messages", count: 1, status: 201)
                try await h.eventually("every event arrives") {
                    await receiver.requests("/twin-events/messages").flatMap(\.events).count >= 8
                }
                let all = await receiver.requests("/twin-events/messages")
                let request = requests[0]
                #expect(request.headers["content-type"] == "application/vnd.microsoft.servicebus.json")
                #expect(request.query == (kind == .eventhubs ? "timeout=60&api-version=2014-01" : ""))
                Self.checkSignature(
                    request.headers["authorization"], resource: "https://contoso.servicebus.windows.net/twin-events",
                    keyName: "send")
                let messages = all.flatMap(\.events)
                // Every type, each twin's in the order written (here all of a's, then b's delete).
                #expect(
                    messages.compactMap { $0["UserProperties"]?["cloudEvents:type"]?.stringValue }.sorted()
                        == DeliveryHarness.everyType.sorted())
                for message in messages {
                    // The body is the notification's data, as JSON text.
                    #expect((try? JSONParser.parse(message["Body"]?.stringValue ?? "")) != nil)
                }
                let create = try #require(
                    messages.first {
                        $0["UserProperties"]?["cloudEvents:type"] == "Microsoft.DigitalTwins.Twin.Create"
                            && $0["UserProperties"]?["cloudEvents:subject"] == "a"
                    })
                let body = try JSONParser.parse(try #require(create["Body"]?.stringValue))
                #expect(body["$dtId"] == "a")
                #expect(create["UserProperties"]?["cloudEvents:specversion"] == "1.0")
                #expect(create["UserProperties"]?["cloudEvents:source"] == "localhost")
                #expect(create["UserProperties"]?["cloudEvents:subject"] == "a")
                #expect(create["UserProperties"]?["cloudEvents:time"]?.stringValue?.isEmpty == false)
                #expect(create["BrokerProperties"]?["ContentType"] == "application/json")
                #expect(create["BrokerProperties"]?["MessageId"] == create["UserProperties"]?["cloudEvents:id"])
                #expect(create["BrokerProperties"]?["PartitionKey"] == (kind == .eventhubs ? "a" : nil))
                let relationship = try #require(
                    messages.first {
                        $0["UserProperties"]?["cloudEvents:type"] == "Microsoft.DigitalTwins.Relationship.Update"
                    })
                #expect(relationship["UserProperties"]?["cloudEvents:subject"] == "a/relationships/r1")
                #expect(relationship["BrokerProperties"]?["PartitionKey"] == (kind == .eventhubs ? "a" : nil))
                let telemetry = try #require(
                    messages.first { $0["UserProperties"]?["cloudEvents:type"] == "microsoft.iot.telemetry" })
                #expect(telemetry["UserProperties"]?["cloudEvents:id"] == "m-1")
                #expect(telemetry["UserProperties"]?["cloudEvents:source"] == "localhost/digitaltwins/a")
                #expect(telemetry["UserProperties"]?["cloudEvents:dataschema"] == "dtmi:ex:Room;1")
                #expect(
                    try JSONParser.parse(try #require(telemetry["Body"]?.stringValue))["humidity"]?.numberValue == 40)
            }
        }
    }

    @Test(arguments: ["eventgrid", "cloudevents"])
    func anEventGridTopicGetsItsSchemaWithTheAccessKey(schema: String) async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { url in
            let endpoint = EventEndpoint(
                name: "topic", kind: .eventgrid,
                settings: JSONObject([
                    (key: "topicEndpoint", value: .string(url + "/api/events")), (key: "accessKey", value: "topic-key"),
                    (key: "schema", value: .string(schema)),
                ]))
            try await DeliveryHarness.run(endpoints: [endpoint]) { h in
                try await h.uploadModels()
                try await h.route("all", to: "topic")
                try await h.writeEveryEventType()
                try await h.eventually("every event arrives") {
                    await receiver.requests("/api/events").flatMap(\.events).count >= 8
                }
                let requests = await receiver.requests("/api/events")
                #expect(requests.allSatisfy { $0.headers["aeg-sas-key"] == "topic-key" })
                #expect(requests.allSatisfy { $0.query == "api-version=2018-01-01" })
                let events = requests.flatMap(\.events)
                if schema == "eventgrid" {
                    #expect(requests[0].headers["content-type"] == "application/json; charset=utf-8")
                    #expect(
                        events.compactMap { $0["eventType"]?.stringValue }.sorted()
                            == DeliveryHarness.everyType.sorted())
                    // Twin a's in the order written (b's creation and deletion are another partition's).
                    let aTypes = events.filter { $0["subject"]?.stringValue?.hasPrefix("a") == true }
                        .compactMap { $0["eventType"]?.stringValue }
                    #expect(
                        aTypes
                            == DeliveryHarness.everyType.enumerated().filter { [0, 2, 3, 4, 5, 6].contains($0.offset) }
                            .map(\.element))
                    #expect(
                        events.allSatisfy {
                            $0["eventTime"]?.stringValue?.isEmpty == false && $0["dataVersion"] == "1.0"
                        })
                    let update = try #require(events.first { $0["eventType"] == "Microsoft.DigitalTwins.Twin.Update" })
                    #expect(update["data"]?["modelId"] == "dtmi:ex:Room;1")
                    let telemetry = try #require(events.first { $0["eventType"] == "microsoft.iot.telemetry" })
                    #expect(telemetry["subject"] == "a")
                    #expect(telemetry["id"] == "m-1")
                } else {
                    #expect(requests[0].headers["content-type"] == "application/cloudevents-batch+json; charset=utf-8")
                    #expect(
                        events.compactMap { $0["type"]?.stringValue }.sorted() == DeliveryHarness.everyType.sorted())
                    #expect(events.allSatisfy { $0["specversion"] == "1.0" })
                }
            }
        }
    }
}
