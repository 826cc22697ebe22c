import ADTWire
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TwinGateway
import TwinTestSupport

/// The size limits at the routes, as README states them: a body over `--max-body-bytes` is
/// refused with 413 `PayloadTooLarge`, a twin body over ADT's 32 KB with `ValidationFailed`, an
/// upload of more than 250 models with `LimitExceeded`; each changes nothing.
@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct RequestLimitTests {
    static let v = GatewayTest.version
    static let model =
        #"{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Big;1","@type":"Interface","contents":[{"@type":"Property","name":"s","schema":"string"}]}"#

    @Test func bodiesOverTheLimitsAreRefusedAndChangeNothing() async throws {
        var small = GatewayConfiguration()
        small.maxBodyBytes = 64 * 1024
        try await GatewayTest.withGateways(configurations: [small]) { gateways, _ in
            let http = gateways[0]
            #expect(try await http.send(.post, "/models?\(Self.v)", "[\(Self.model)]").status == .created)

            // Over --max-body-bytes: 413 PayloadTooLarge, in ADT's error shape.
            let huge = #"{"$metadata":{"$model":"dtmi:ex:Big;1"},"s":"\#(String(repeating: "x", count: 70 * 1024))"}"#
            let tooLarge = try await http.send(.put, "/digitaltwins/t?\(Self.v)", huge)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(try GatewayTest.errorCode(tooLarge) == "PayloadTooLarge")

            // Under it but over ADT's 32 KB for a twin: ValidationFailed (400).
            let big = #"{"$metadata":{"$model":"dtmi:ex:Big;1"},"s":"\#(String(repeating: "x", count: 33 * 1024))"}"#
            let overTwinLimit = try await http.send(.put, "/digitaltwins/t?\(Self.v)", big)
            #expect(overTwinLimit.status == .badRequest)
            #expect(try GatewayTest.errorCode(overTwinLimit) == "ValidationFailed")
            #expect(try await http.send(.get, "/digitaltwins/t?\(Self.v)").status == .notFound)

            // A twin within the limits is accepted; a patch over 32 KB is refused and changes nothing.
            let fine = #"{"$metadata":{"$model":"dtmi:ex:Big;1"},"s":"small"}"#
            #expect(try await http.send(.put, "/digitaltwins/t?\(Self.v)", fine).status == .ok)
            let patch = #"[{"op":"replace","path":"/s","value":"\#(String(repeating: "y", count: 33 * 1024))"}]"#
            let overPatch = try await http.send(
                .patch, "/digitaltwins/t?\(Self.v)", patch, headers: [.contentType: "application/json-patch+json"])
            #expect(overPatch.status == .badRequest)
            #expect(try GatewayTest.errorCode(overPatch) == "ValidationFailed")
            #expect(try GatewayTest.json(try await http.send(.get, "/digitaltwins/t?\(Self.v)"))["s"] == "small")

            // More than 250 models in one upload: LimitExceeded, none stored.
            let many = (0...250).map {
                #"{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:M\#($0);1","@type":"Interface"}"#
            }
            let overCount = try await http.send(.post, "/models?\(Self.v)", "[\(many.joined(separator: ","))]")
            #expect(overCount.status == .badRequest)
            #expect(try GatewayTest.errorCode(overCount) == "LimitExceeded")
            let models = try GatewayTest.json(try await http.send(.get, "/models?\(Self.v)"))
            #expect(models["value"]?.arrayValue?.count == 1)
        }
    }
}
