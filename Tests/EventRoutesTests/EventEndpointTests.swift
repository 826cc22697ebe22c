import ADTWire
import EventRoutes
import Testing

@Suite struct EventEndpointTests {
    @Test func anArrayOrAnObjectOfEndpoints() throws {
        let text = """
            [{"name": "functions", "type": "webhook", "url": "https://127.0.0.1:7071/api/x"},
             {"name": "bus", "type": "mqtt", "host": "127.0.0.1", "port": 1883}]
            """
        let endpoints = try EventEndpoint.list(parsing: text)
        #expect(endpoints.map(\.name) == ["functions", "bus"])
        #expect(endpoints.map(\.kind) == [.webhook, .mqtt])
        #expect(endpoints[0].settings["url"]?.stringValue == "https://127.0.0.1:7071/api/x")
        #expect(endpoints[0].settings["name"] == nil)
        let wrapped = try EventEndpoint.list(
            parsing: #"{"endpoints": [{"name": "e", "type": "mqtt", "host": "127.0.0.1"}]}"#)
        #expect(
            wrapped == [
                EventEndpoint(name: "e", kind: .mqtt, settings: JSONObject([(key: "host", value: "127.0.0.1")]))
            ])
        #expect(try EventEndpoint.list(parsing: "[]").isEmpty)
    }

    @Test(arguments: [
        ("{", "the file is not JSON"),
        ("42", "expected a JSON array of endpoints"),
        (#"{"routes": []}"#, "expected a JSON array of endpoints"),
        ("[1]", "endpoint 0 is not a JSON object"),
        (#"[{"type": "webhook"}]"#, "endpoint 0 has no \"name\""),
        (#"[{"name": "", "type": "webhook"}]"#, "endpoint 0 has no \"name\""),
        (#"[{"name": "a", "type": "ftp"}]"#, "endpoint a: \"type\" must be one of webhook, eventgrid"),
        (#"[{"name": "a"}]"#, "endpoint a: \"type\" must be one of"),
        (
            #"[{"name": "a", "type": "mqtt", "host": "h"}, {"name": "a", "type": "webhook", "url": "http://h"}]"#,
            "endpoint a is defined twice"
        ),
        (#"[{"name": "w", "type": "webhook"}]"#, "endpoint w: \"url\" is required"),
        (#"[{"name": "w", "type": "webhook", "url": "ftp://h/x"}]"#, "endpoint w: \"url\" must be an http"),
        (#"[{"name": "w", "type": "webhook", "url": "https://h", "schema": "xml"}]"#, "endpoint w: \"schema\" must be"),
        (#"[{"name": "w", "type": "webhook", "url": "https://h", "maxBatchSize": 0}]"#, "endpoint w: \"maxBatchSize\""),
        (
            #"[{"name": "w", "type": "webhook", "url": "https://h", "urll": "x"}]"#,
            "endpoint w: unknown setting \"urll\""
        ),
        (#"[{"name": "g", "type": "eventgrid", "topicEndpoint": "https://t"}]"#, "endpoint g: give either"),
        (#"[{"name": "h", "type": "eventhubs"}]"#, "endpoint h: \"connectionString\" is required"),
        (
            #"[{"name": "h", "type": "eventhubs", "connectionString": "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=v"}]"#,
            "endpoint h: name the entity"
        ),
        (
            #"[{"name": "s", "type": "servicebus", "connectionString": "Endpoint=sb://ns.servicebus.windows.net/;EntityPath=q"}]"#,
            "endpoint s: the connection string needs SharedAccessKeyName"
        ),
        (
            #"[{"name": "m", "type": "mqtt", "host": "h", "qos": 3}]"#,
            "endpoint m: \"qos\" must be an integer from 0 to 2"
        ),
        (#"[{"name": "d", "type": "digitaltwins"}]"#, "endpoint d: \"url\" is required"),
        (
            #"[{"name": "d", "type": "digitaltwins", "url": "https://x", "managedIdentity": true, "credential": {"tenantId": "t", "clientId": "c", "clientSecret": "s"}}]"#,
            "endpoint d: give \"credential\" or \"managedIdentity\", not both"
        ),
        (
            #"[{"name": "d", "type": "digitaltwins", "url": "https://x", "managedIdentity": "yes"}]"#,
            "endpoint d: \"managedIdentity\" must be true or"
        ),
    ])
    func aBadFileIsRefusedNamingTheEntry(text: String, message: String) {
        #expect {
            try EventEndpoint.list(parsing: text)
        } throws: { error in
            String(describing: error).hasPrefix(message)
        }
    }

    @Test func eachTypesSettingsAreRead() throws {
        let endpoints = try EventEndpoint.list(
            parsing: """
                [{"name": "hub", "type": "eventhubs", "connectionString":
                   "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=a=b;EntityPath=events"},
                 {"name": "grid", "type": "eventgrid", "topicEndpoint": "https://t.westus-1.eventgrid.azure.net/api/events",
                  "credential": {"tenantId": "t", "clientId": "c", "clientSecret": "s"}},
                 {"name": "hook", "type": "webhook", "url": "https://h/x", "schema": "EventGrid", "maxBatchSize": 10,
                  "headers": {"x-k": "v"}, "validationHandshake": true}]
                """)
        guard case .messaging(let hub) = try EndpointTarget(endpoints[0]) else {
            Issue.record("not a messaging entity")
            return
        }
        #expect(hub.namespaceHost == "ns.servicebus.windows.net")
        #expect(hub.entityPath == "events")
        #expect(hub.keyName == "send")
        #expect(hub.key == "a=b")
        #expect(hub.baseURL == "https://ns.servicebus.windows.net")
        #expect(hub.resourceURI == "https://ns.servicebus.windows.net/events")
        #expect(hub.maxBatchSize == 100)
        guard case .eventGrid(let grid) = try EndpointTarget(endpoints[1]) else {
            Issue.record("not an Event Grid topic")
            return
        }
        #expect(grid.accessKey == nil)
        #expect(grid.credential?.clientID == "c")
        #expect(grid.schema == .eventGrid)
        guard case .webhook(let hook) = try EndpointTarget(endpoints[2]) else {
            Issue.record("not a webhook")
            return
        }
        #expect(hook.schema == .eventGrid)
        #expect(hook.maxBatchSize == 10)
        #expect(hook.headers == ["x-k": "v"])
        #expect(hook.validationHandshake)
    }

    @Test func notificationsBelongToTheirTwinsPartition() {
        let relationship: JSONObject = JSONObject([
            (key: "type", value: "Microsoft.DigitalTwins.Relationship.Create"),
            (key: "subject", value: "a/relationships/r"),
        ])
        let telemetry: JSONObject = JSONObject([
            (key: "type", value: "microsoft.iot.telemetry"), (key: "source", value: "h/digitaltwins/a"),
            (key: "subject", value: "comp"),
        ])
        let twin: JSONObject = JSONObject([
            (key: "type", value: "Microsoft.DigitalTwins.Twin.Update"), (key: "subject", value: "a"),
        ])
        #expect(NotificationFormat.twinID(of: relationship) == "a")
        #expect(NotificationFormat.twinID(of: telemetry) == "a")
        #expect(NotificationFormat.twinID(of: twin) == "a")
        // FNV-1a: stable across processes and releases.
        #expect(NotificationFormat.partition(ofTwin: "a", count: 16) == Int(0xE40C_292C % 16))
        #expect(
            NotificationFormat.topic("twins/{type}/{subject}", for: telemetry) == "twins/microsoft.iot.telemetry/comp")
        #expect(NotificationFormat.topic("t/{twin}/{id}", for: twin) == "t/a/")
        let grid = NotificationFormat.eventGridEvent(telemetry, fallbackTime: "2026-01-01T00:00:00Z")
        #expect(grid["eventTime"] == "2026-01-01T00:00:00Z")
        #expect(grid["eventType"] == "microsoft.iot.telemetry")
        #expect(grid["subject"] == "comp")
    }

    @Test func anotherInstanceAndHowToSignIn() throws {
        let endpoints = try EventEndpoint.list(
            parsing: #"""
                [{"name": "azure", "type": "digitaltwins", "url": "https://i.api.weu.digitaltwins.azure.net",
                  "credential": {"tenantId": "t", "clientId": "c", "clientSecret": "s"}, "maxBatchSize": 20},
                 {"name": "edge", "type": "digitaltwins", "url": "https://i", "managedIdentity": {"clientId": "u"}}]
                """#)
        guard case .digitalTwins(let azure) = try EndpointTarget(endpoints[0]),
            case .digitalTwins(let edge) = try EndpointTarget(endpoints[1])
        else {
            Issue.record("not digitaltwins targets")
            return
        }
        #expect(azure.url == "https://i.api.weu.digitaltwins.azure.net")
        #expect(azure.credential?.clientID == "c" && azure.managedIdentity == nil && azure.maxBatchSize == 20)
        #expect(edge.managedIdentity == "u" && edge.credential == nil && edge.maxBatchSize == 100)
    }
}
