import ADTWire
import DTDL
import Foundation
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing
import TwinGateway
import TwinTestSupport

@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct TelemetryRoutesTests {
    static let v = GatewayTest.version
    static let models = """
        [{"@context":"dtmi:dtdl:context;2","@id":"dtmi:ex:Thermo;1","@type":"Interface","contents":[
           {"@type":"Telemetry","name":"temperature","schema":"double"}]},
         {"@context":"dtmi:dtdl:context;2","@id":"dtmi:ex:Ctl;1","@type":"Interface","contents":[
           {"@type":"Component","name":"t1","schema":"dtmi:ex:Thermo;1"}]}]
        """
    static let messageID = HTTPField.Name("Message-Id")!

    @Test func telemetryIsValidatedAndAccepted() async throws {
        try await GatewayTest.withGateways { gateways in
            let http = gateways[0]
            #expect(try await http.send(.post, "/models?\(Self.v)", Self.models).status == .created)
            _ = try await http.send(
                .put, "/digitaltwins/c1?\(Self.v)", #"{"$metadata":{"$model":"dtmi:ex:Ctl;1"},"t1":{"$metadata":{}}}"#)
            _ = try await http.send(.put, "/digitaltwins/t1?\(Self.v)", #"{"$metadata":{"$model":"dtmi:ex:Thermo;1"}}"#)

            let sent = try await http.send(
                .post, "/digitaltwins/t1/telemetry?\(Self.v)", #"{"temperature": 20.5}"#,
                headers: [
                    Self.messageID: "m1", HTTPField.Name("Telemetry-Source-Time")!: "2022-05-26T07:27:50.611267Z",
                ])
            #expect(sent.status == .noContent)
            let component = try await http.send(
                .post, "/digitaltwins/c1/components/t1/telemetry?\(Self.v)", #"{"temperature": 1}"#,
                headers: [Self.messageID: "m2"])
            #expect(component.status == .noContent)

            let noID = try await http.send(.post, "/digitaltwins/t1/telemetry?\(Self.v)", #"{"temperature": 1}"#)
            #expect(try GatewayTest.errorCode(noID) == "InvalidArgument")
            let invalid = try await http.send(
                .post, "/digitaltwins/t1/telemetry?\(Self.v)", #"{"temperature": "hot"}"#,
                headers: [Self.messageID: "m3"])
            #expect(try GatewayTest.errorCode(invalid) == "ValidationFailed")
            let noTwin = try await http.send(
                .post, "/digitaltwins/none/telemetry?\(Self.v)", #"{"temperature": 1}"#, headers: [Self.messageID: "m4"]
            )
            #expect(try GatewayTest.errorCode(noTwin) == "DigitalTwinNotFound")
            let noComponent = try await http.send(
                .post, "/digitaltwins/c1/components/t9/telemetry?\(Self.v)", #"{"temperature": 1}"#,
                headers: [Self.messageID: "m5"])
            #expect(try GatewayTest.errorCode(noComponent) == "ComponentNotFound")
        }
    }

    @Test func everyWriteRecordsItsChangeEventInADTsShape() async throws {
        var configuration = GatewayConfiguration()
        configuration.instanceHost = "twins.example.net"
        let traceID = "0af7651916cd43dd8448eb211c80319c"
        let createTrace = Box()
        try await GatewayTest.withGateways(configurations: [configuration]) { gateways, client in
            do {
                let http = gateways[0]
                _ = try await http.send(.post, "/models?\(Self.v)", Self.models)
                let put = try await http.send(
                    .put, "/digitaltwins/t1?\(Self.v)", #"{"$metadata":{"$model":"dtmi:ex:Thermo;1"}}"#,
                    headers: [HTTPField.Name("traceparent")!: "00-\(traceID)-b7ad6b7169203331-01"])
                #expect(put.headers[HTTPField.Name("traceresponse")!]?.hasPrefix("00-\(traceID)-") == true)
                createTrace.value = put.headers[HTTPField.Name("traceresponse")!]
                _ = try await http.send(
                    .put, "/digitaltwins/c1?\(Self.v)",
                    #"{"$metadata":{"$model":"dtmi:ex:Ctl;1"},"t1":{"$metadata":{}}}"#)
                _ = try await http.send(
                    .post, "/digitaltwins/t1/telemetry?\(Self.v)", #"{"temperature": 2}"#,
                    headers: [Self.messageID: "m", HTTPField.Name("Telemetry-Source-Time")!: "2024-05-01T12:00:00Z"])
                _ = try await http.send(
                    .post, "/digitaltwins/c1/components/t1/telemetry?\(Self.v)", #"{"temperature": 3}"#,
                    headers: [Self.messageID: "m2"])
                _ = try await http.send(.delete, "/digitaltwins/t1?\(Self.v)")
                // A refused write leaves no event.
                _ = try await http.send(
                    .put, "/digitaltwins/t2?\(Self.v)", #"{"$metadata":{"$model":"dtmi:ex:Nope;1"}}"#)
            }
            let rows = try await client.query(
                "SELECT event::text FROM outbox ORDER BY seq", logger: TestDatabase.logger)
            var events: [JSONObject] = []
            for try await text in rows.decode(String.self) {
                events.append(try #require(try JSONParser.parse(text).objectValue))
            }
            try #require(events.count == 5)
            let (create, other, telemetry, componentTelemetry, delete) = (
                events[0], events[1], events[2], events[3], events[4]
            )
            // Twin notifications: subject and time, the instance's host as source, no dataschema.
            #expect(create["type"] == "Microsoft.DigitalTwins.Twin.Create")
            #expect(create["source"] == "twins.example.net")
            #expect(create["subject"] == "t1")
            #expect(create["specversion"] == "1.0")
            #expect(create["datacontenttype"] == "application/json")
            #expect(create["dataschema"] == nil)
            #expect(create["time"]?.stringValue?.hasSuffix("Z") == true)
            #expect(create["data"]?["$dtId"] == "t1")
            // The request's trace context, as its traceresponse gave it: the caller's trace id.
            #expect(create["traceparent"]?.stringValue == createTrace.value)
            #expect(create["traceparent"]?.stringValue?.hasPrefix("00-\(traceID)-") == true)
            // Every notification has one; another request's is another trace.
            #expect(events.allSatisfy { $0["traceparent"]?.stringValue?.count == 55 })
            #expect(other["traceparent"] != create["traceparent"])
            #expect(other["subject"] == "c1")
            #expect(other["id"] != create["id"])
            // Telemetry: the message id, the twin in source, the model as dataschema, no time;
            // a subject only for a component.
            #expect(telemetry["type"] == "microsoft.iot.telemetry")
            #expect(telemetry["id"] == "m")
            #expect(telemetry["source"] == "twins.example.net/digitaltwins/t1")
            #expect(telemetry["dataschema"] == "dtmi:ex:Thermo;1")
            #expect(telemetry["subject"] == nil)
            #expect(telemetry["time"] == nil)
            #expect(telemetry["telemetrysourcetime"] == "2024-05-01T12:00:00Z")
            #expect(telemetry["data"] == .object(JSONObject([(key: "temperature", value: .integer(2))])))
            #expect(componentTelemetry["id"] == "m2")
            #expect(componentTelemetry["source"] == "twins.example.net/digitaltwins/c1")
            #expect(componentTelemetry["subject"] == "t1")
            #expect(componentTelemetry["dataschema"] == "dtmi:ex:Thermo;1")
            #expect(delete["type"] == "Microsoft.DigitalTwins.Twin.Delete")
            #expect(delete["subject"] == "t1")
            #expect(delete["dataschema"] == nil)
        }
    }
}

/// A value set inside a test's closure and read after it.
final class Box: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String?
    var value: String? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
