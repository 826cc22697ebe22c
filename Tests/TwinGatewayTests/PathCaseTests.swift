import ADTWire
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TwinTestSupport

/// Route paths match case-insensitively, as ADT's do (its own links say `/Models`), while the
/// ids in them keep their case.
@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct PathCaseTests {
    @Test func pathsMatchInAnyCaseAndIdsKeepTheirs() async throws {
        try await GatewayTest.withGateways { gateways in
            let http = gateways[0]
            let v = GatewayTest.version
            let model = #"[{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Case;1","@type":"Interface"}]"#
            #expect(try await http.send(.post, "/MODELS?\(v)", model).status == .created)
            #expect(try await http.send(.get, "/Models/dtmi:ex:Case;1?\(v)").status == .ok)
            let twin = #"{"$metadata":{"$model":"dtmi:ex:Case;1"}}"#
            #expect(try await http.send(.put, "/DigitalTwins/Mixed?\(v)", twin).status == .ok)
            let read = try await http.send(.get, "/digitaltwins/Mixed?\(v)")
            #expect(read.status == .ok)
            #expect(try GatewayTest.json(read)["$dtId"] == "Mixed")
            // The id is not folded: another case is another twin.
            #expect(try await http.send(.get, "/DIGITALTWINS/mixed?\(v)").status == .notFound)
            #expect(try await http.send(.post, "/Query?\(v)", #"{"query":"SELECT * FROM DIGITALTWINS"}"#).status == .ok)
        }
    }
}
