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
        let wrapped = try EventEndpoint.list(parsing: #"{"endpoints": [{"name": "e", "type": "eventhubs"}]}"#)
        #expect(wrapped == [EventEndpoint(name: "e", kind: .eventhubs)])
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
        (#"[{"name": "a", "type": "mqtt"}, {"name": "a", "type": "webhook"}]"#, "endpoint a is defined twice"),
    ])
    func aBadFileIsRefusedNamingTheEntry(text: String, message: String) {
        #expect {
            try EventEndpoint.list(parsing: text)
        } throws: { error in
            String(describing: error).hasPrefix(message)
        }
    }
}
