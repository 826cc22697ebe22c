import ADTWire
import EventDelivery
import EventRoutes
import GatewayTestSupport
import HTTPTypes
import Testing
import TwinTestSupport

@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct WebhookDeliveryTests {
    @Test func everyNotificationTypeReachesAWebhookAsACloudEventInTheOutboxShape() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { url in
            try await DeliveryHarness.run(endpoints: [webhook("hooks", url + "/hooks")]) { h in
                try await h.uploadModels()
                try await h.route("all", to: "hooks")
                try await h.writeEveryEventType()

                let received = try await receiver.wait("/hooks", count: 8)
                // One event per POST, structured mode.
                for request in received {
                    #expect(request.headers["content-type"] == "application/cloudevents+json; charset=utf-8")
                }
                let events = received.flatMap(\.events)
                let types = events.compactMap { $0["type"]?.stringValue }
                #expect(
                    Set(types) == [
                        "Microsoft.DigitalTwins.Twin.Create", "Microsoft.DigitalTwins.Relationship.Create",
                        "Microsoft.DigitalTwins.Twin.Update", "Microsoft.DigitalTwins.Relationship.Update",
                        "microsoft.iot.telemetry", "Microsoft.DigitalTwins.Relationship.Delete",
                        "Microsoft.DigitalTwins.Twin.Delete",
                    ])
                // Twin a's events (its own, its relationship's, its telemetry) in the order written.
                let aTypes = events.filter { event in
                    let subject = event["subject"]?.stringValue ?? ""
                    return subject == "a" || subject.hasPrefix("a/")
                        || event["source"]?.stringValue == "localhost/digitaltwins/a"
                }.compactMap { $0["type"]?.stringValue }
                #expect(
                    aTypes == [
                        "Microsoft.DigitalTwins.Twin.Create", "Microsoft.DigitalTwins.Relationship.Create",
                        "Microsoft.DigitalTwins.Twin.Update", "Microsoft.DigitalTwins.Relationship.Update",
                        "microsoft.iot.telemetry", "Microsoft.DigitalTwins.Relationship.Delete",
                    ])
                let update = try #require(
                    events.first { $0["type"]?.stringValue == "Microsoft.DigitalTwins.Twin.Update" })
                #expect(update["specversion"] == "1.0")
                #expect(update["source"] == "localhost")
                #expect(update["subject"] == "a")
                #expect(update["datacontenttype"] == "application/json")
                #expect(update["data"]?["modelId"] == "dtmi:ex:Room;1")
                #expect(
                    update["data"]?["patch"]
                        == [["op": "replace", "path": "/temperature", "value": 21.0]] as JSONValue
                        || update["data"]?["patch"] == [["op": "replace", "path": "/temperature", "value": 21]]
                            as JSONValue
                )
                let telemetry = try #require(events.first { $0["type"]?.stringValue == "microsoft.iot.telemetry" })
                #expect(telemetry["id"] == "m-1")
                #expect(telemetry["data"]?["humidity"]?.numberValue == 40)
                // Delivered rows are gone; nothing is left in the outbox.
                try await h.eventually("the deliveries are recorded") { try await h.count("event_deliveries") == 0 }
                #expect(try await h.count("outbox") == 0)
                let stats = try GatewayTest.json(try await h.send(.get, "/endpoints", expect: .ok))
                #expect(stats["value"]?[0]?["name"] == "hooks")
                #expect(stats["value"]?[0]?["delivered"] == 8)
                #expect(stats["value"]?[0]?["backlog"] == 0)
                #expect(stats["value"]?[0]?["url"] == nil)
            }
        }
    }

    @Test func filtersChooseTheEndpointsAndUnmatchedNotificationsAreNotKept() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { url in
            let endpoints = [webhook("creates", url + "/creates"), webhook("warm", url + "/warm")]
            try await DeliveryHarness.run(endpoints: endpoints) { h in
                try await h.uploadModels()
                try await h.route("creates", to: "creates", filter: "type = 'Microsoft.DigitalTwins.Twin.Create'")
                try await h.route(
                    "warm", to: "warm",
                    filter: "type = 'Microsoft.DigitalTwins.Twin.Update' AND STARTS_WITH(subject, 'room-')")
                try await h.createRoom("room-1")
                try await h.createRoom("hall")
                try await h.patchRoom("room-1", temperature: 25)
                try await h.patchRoom("hall", temperature: 25)
                try await h.send(.delete, "/digitaltwins/hall", expect: .noContent)

                let creates = try await receiver.wait("/creates", count: 2).flatMap(\.events)
                #expect(Set(creates.compactMap { $0["subject"]?.stringValue }) == ["room-1", "hall"])
                let warm = try await receiver.wait("/warm", count: 1).flatMap(\.events)
                #expect(warm.compactMap { $0["subject"]?.stringValue } == ["room-1"])
                try await h.eventually("the outbox is empty") { try await h.count("outbox") == 0 }
                try await h.eventually("nothing waits") { try await h.count("event_deliveries") == 0 }
                // Nothing more came: the hall's update and deletion matched no route.
                #expect(await receiver.requests("/creates").count == 2)
                #expect(await receiver.requests("/warm").count == 1)
            }
        }
    }

    @Test func eventGridSchemaInBatchesAfterTheSubscriptionValidation() async throws {
        let receiver = WebhookReceiver()
        // A slow receiver: the events written meanwhile wait, and go together.
        await receiver.plan("/grid", statuses: [200], delay: .milliseconds(300))
        try await receiver.run { url in
            let endpoint = webhook(
                "grid", url + "/grid",
                ["schema": "eventgrid", "maxBatchSize": 50, "validationHandshake": true, "headers": ["x-key": "k1"]])
            try await DeliveryHarness.run(endpoints: [endpoint]) { h in
                try await h.uploadModels()
                try await h.route("all", to: "grid")
                try await h.createRoom("r0")
                for index in 1..<20 { try await h.patchRoom("r0", temperature: Double(index)) }
                try await h.eventually("20 events arrive") {
                    await receiver.requests("/grid").flatMap(\.events).count == 20
                }
                let validations = await receiver.validations
                #expect(validations.count == 1)
                #expect(validations.first?.headers["x-key"] == "k1")
                let requests = await receiver.requests("/grid")
                // Batched: what was written while a POST was answered goes in the next one.
                #expect(requests.count < 10)
                #expect(requests.contains { $0.events.count > 1 })
                for request in requests {
                    #expect(request.headers["aeg-event-type"] == "Notification")
                    #expect(request.headers["content-type"] == "application/json; charset=utf-8")
                    #expect(request.headers["x-key"] == "k1")
                }
                let event = try #require(requests.first?.events.first)
                #expect(event["eventType"] == "Microsoft.DigitalTwins.Twin.Create")
                #expect(event["dataVersion"] == "1.0")
                #expect(event["metadataVersion"] == "1")
                #expect(event["subject"] == "r0")
                #expect(event["data"]?["$metadata"]?["$model"] == "dtmi:ex:Room;1")
                #expect(event["eventTime"]?.stringValue?.isEmpty == false)
            }
        }
    }

    @Test func aRefusedHandshakeHoldsDeliveriesUntilTheReceiverAccepts() async throws {
        let receiver = WebhookReceiver()
        await receiver.echoValidation(false)
        try await receiver.run { url in
            let endpoint = webhook("guarded", url + "/guarded", ["validationHandshake": true])
            try await DeliveryHarness.run(endpoints: [endpoint]) { h in
                try await h.uploadModels()
                try await h.route("all", to: "guarded")
                try await h.createRoom("x")
                try await h.eventually("the origin is refused twice") { await receiver.validations.count >= 2 }
                #expect(await receiver.requests("/guarded").isEmpty)
                let status = try GatewayTest.json(try await h.send(.get, "/endpoints", expect: .ok))
                #expect(status["value"]?[0]?["backlog"] == 1)
                #expect(status["value"]?[0]?["lastError"]?.stringValue?.contains("WebHook-Allowed-Origin") == true)
                // CloudEvents' abuse protection: an OPTIONS request naming the origin.
                #expect(await receiver.validations.first?.headers["webhook-request-origin"] == "eventgrid.azure.net")
                await receiver.echoValidation(true)
                let delivered = try await receiver.wait("/guarded")
                #expect(delivered[0].events.first?["subject"] == "x")
            }
        }
    }
}
