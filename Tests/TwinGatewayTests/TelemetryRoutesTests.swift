import DTDL
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing
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

    @Test func everyWriteRecordsItsChangeEvent() async throws {
        try await GatewayTest.withGatewaysAndDatabase(1) { gateways, client in
            do {
                let http = gateways[0]
                _ = try await http.send(.post, "/models?\(Self.v)", Self.models)
                _ = try await http.send(
                    .put, "/digitaltwins/t1?\(Self.v)", #"{"$metadata":{"$model":"dtmi:ex:Thermo;1"}}"#)
                _ = try await http.send(
                    .post, "/digitaltwins/t1/telemetry?\(Self.v)", #"{"temperature": 2}"#,
                    headers: [Self.messageID: "m"])
                _ = try await http.send(.delete, "/digitaltwins/t1?\(Self.v)")
                // A refused write leaves no event.
                _ = try await http.send(
                    .put, "/digitaltwins/t2?\(Self.v)", #"{"$metadata":{"$model":"dtmi:ex:Nope;1"}}"#)
            }
            let rows = try await client.query(
                "SELECT event->>'type', event->>'subject', event->>'dataschema' FROM outbox ORDER BY seq",
                logger: TestDatabase.logger)
            var events: [String] = []
            for try await (type, subject, schema) in rows.decode((String, String, String).self) {
                events.append("\(type) \(subject) \(schema)")
            }
            #expect(
                events == [
                    "Microsoft.DigitalTwins.Twin.Create t1 dtmi:ex:Thermo;1",
                    "microsoft.iot.telemetry  dtmi:ex:Thermo;1",
                    "Microsoft.DigitalTwins.Twin.Delete t1 dtmi:ex:Thermo;1",
                ])
        }
    }
}
