import ADTWire
import DTDL
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TwinGateway
import TwinStore
import TwinTestSupport

/// `--query-extensions`: ORDER BY and unanchored JOINs, off by default.
@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct QueryExtensionTests {
    static let v = GatewayTest.version

    static func rows(_ http: any TestClientProtocol, _ text: String, pageSize: Int) async throws -> (
        rows: [JSONValue], pages: Int, error: String?
    ) {
        var rows: [JSONValue] = []
        var pages = 0
        var body = JSONWriter.string(.object(JSONObject([("query", .string(text))])))
        while true {
            let response = try await http.send(
                .post, "/query?\(v)", body, headers: [HTTPField.Name("max-items-per-page")!: "\(pageSize)"])
            if response.status != .ok { return (rows, pages, try GatewayTest.errorCode(response)) }
            let page = try GatewayTest.json(response)
            pages += 1
            if case .array(let values)? = page["value"] { rows += values }
            guard case .string(let token)? = page["continuationToken"] else { return (rows, pages, nil) }
            body = JSONWriter.string(.object(JSONObject([("continuationToken", .string(token))])))
        }
    }

    @Test func orderByAndUnanchoredJoinsOnlyWhenEnabled() async throws {
        var extensions = GatewayConfiguration()
        extensions.queryExtensions = true
        try await GatewayTest.withGateways(configurations: [extensions, GatewayConfiguration()]) { gateways, _ in
            do {
                let http = gateways[0]
                let model =
                    #"[{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:N;1","@type":"Interface","contents":[{"@type":"Property","name":"n","schema":"double"},{"@type":"Property","name":"s","schema":"string"},{"@type":"Relationship","name":"next"}]}]"#
                #expect(try await http.send(.post, "/models?\(Self.v)", model).status == .created)
                let values: [(String, String)] = [
                    ("a", #""n":3"#), ("b", #""n":1.5"#), ("c", #""s":"x""#), ("d", #""n":3"#), ("e", #""n":-2"#),
                ]
                for (id, property) in values {
                    let put = try await http.send(
                        .put, "/digitaltwins/\(id)?\(Self.v)", #"{"$metadata":{"$model":"dtmi:ex:N;1"},\#(property)}"#)
                    #expect(put.status == .ok)
                }
                for (source, target) in [("a", "b"), ("b", "c")] {
                    let put = try await http.send(
                        .put, "/digitaltwins/\(source)/relationships/to-\(target)?\(Self.v)",
                        #"{"$targetId":"\#(target)","$relationshipName":"next"}"#)
                    #expect(put.status == .ok)
                }
                // Descending across pages of two: numbers by value, ties by id, the twin without n last.
                let sorted = try await Self.rows(
                    http, "SELECT T.$dtId FROM DIGITALTWINS T ORDER BY T.n DESC", pageSize: 2)
                #expect(sorted.error == nil)
                #expect(sorted.rows.compactMap { $0["$dtId"]?.stringValue } == ["a", "d", "b", "e", "c"])
                #expect(sorted.pages == 3)
                let ascending = try await Self.rows(
                    http, "SELECT T.$dtId FROM DIGITALTWINS T ORDER BY T.n", pageSize: 2)
                #expect(ascending.rows.compactMap { $0["$dtId"]?.stringValue } == ["c", "e", "b", "a", "d"])
                let joined = try await Self.rows(
                    http, "SELECT X.$dtId AS x, Y.$dtId AS y FROM DIGITALTWINS X JOIN Y RELATED X.next", pageSize: 1)
                #expect(joined.error == nil)
                #expect(
                    joined.rows == [
                        .object(JSONObject([("x", .string("a")), ("y", .string("b"))])),
                        .object(JSONObject([("x", .string("b")), ("y", .string("c"))])),
                    ])
            }
            do {
                let http = gateways[1]
                let ordered = try await Self.rows(http, "SELECT * FROM DIGITALTWINS T ORDER BY T.n", pageSize: 5)
                #expect(ordered.error == "SqlQueryError")
                let unanchored = try await Self.rows(
                    http, "SELECT Y FROM DIGITALTWINS X JOIN Y RELATED X.next", pageSize: 5)
                #expect(unanchored.error == "SqlQueryError")
            }
        }
    }
}
