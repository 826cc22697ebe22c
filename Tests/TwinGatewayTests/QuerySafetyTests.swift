import ADTWire
import DTDL
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing
import TwinStore
import TwinTestSupport

/// `/query` against hostile input, concurrent writers and slow statements.
@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct QuerySafetyTests {
    static let v = GatewayTest.version
    static let model =
        #"[{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Item;1","@type":"Interface","contents":[{"@type":"Property","name":"name","schema":"string"},{"@type":"Property","name":"n","schema":"integer"},{"@type":"Relationship","name":"next"}]}]"#

    static func put(_ http: any TestClientProtocol, _ id: String, name: String, n: Int) async throws {
        let body = #"{"$metadata":{"$model":"dtmi:ex:Item;1"},"name":\#(JSONWriter.string(.string(name))),"n":\#(n)}"#
        let response = try await http.send(.put, "/digitaltwins/\(id)?\(v)", body)
        #expect(response.status == .ok, "PUT \(id)")
    }

    static func query(_ http: any TestClientProtocol, _ text: String, pageSize: Int? = nil) async throws -> TestResponse
    {
        var headers: HTTPFields = [:]
        if let pageSize { headers[HTTPField.Name("max-items-per-page")!] = "\(pageSize)" }
        let body = JSONWriter.string(.object(JSONObject([("query", .string(text))])))
        return try await http.send(.post, "/query?\(v)", body, headers: headers)
    }

    /// The injection corpus: each query comes back as SqlQueryError or as ordinary results
    /// (never a server error), and the database is untouched afterwards.
    @Test func injectionCorpus() async throws {
        try await GatewayTest.withGateways { gateways in
            let http = gateways[0]
            #expect(try await http.send(.post, "/models?\(Self.v)", Self.model).status == .created)
            try await Self.put(http, "a", name: "O'Brien", n: 1)
            try await Self.put(http, "b", name: "x' OR '1'='1", n: 2)
            let payloads = [
                #"' OR 1=1 --"#, #"'; DROP TABLE twins; --"#, #"\'; DROP TABLE twins; --"#, #"x\' OR \'1\'=\'1"#,
                #"' UNION SELECT body FROM twins --"#, #"$1"#, #"$$; DROP TABLE twins; $$"#, #"\\"#, #"%"#, "_",
                "\u{0}", "'||pg_sleep(5)||'", #"") OR 1=1 --"#, "*/ DROP TABLE twins /*", "1; DELETE FROM twins",
            ]
            var queries: [String] = []
            for p in payloads {
                let quoted = p.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
                queries += [
                    "SELECT * FROM DIGITALTWINS WHERE name = '\(quoted)'",
                    "SELECT * FROM DIGITALTWINS WHERE name = '\(p)'",
                    "SELECT * FROM DIGITALTWINS WHERE $dtId IN ['\(quoted)', 'a']",
                    "SELECT * FROM DIGITALTWINS WHERE [[\(p)]] = 1",
                    "SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('\(quoted)')",
                    "SELECT * FROM DIGITALTWINS WHERE STARTSWITH(name, '\(quoted)')",
                    "SELECT T FROM DIGITALTWINS T JOIN U RELATED T.[[\(p)]] WHERE T.$dtId = 'a'",
                    "SELECT * FROM DIGITALTWINS \(p)",
                    "SELECT * FROM DIGITALTWINS WHERE n = \(p)",
                    "SELECT \(p) FROM DIGITALTWINS",
                ]
            }
            for text in queries {
                let response = try await Self.query(http, text)
                if response.status == .ok {
                    let rows = try GatewayTest.json(response)["value"]
                    guard case .array(let values)? = rows else {
                        Issue.record("no value array for \(text)")
                        continue
                    }
                    // Rows are the stored twins or empty projections, nothing else.
                    for row in values {
                        #expect(
                            row == .object(JSONObject()) || row["$dtId"] == .string("a")
                                || row["$dtId"] == .string("b"),
                            "\(text)")
                    }
                } else {
                    #expect(response.status == .badRequest, "\(text)")
                    #expect(try GatewayTest.errorCode(response) == "SqlQueryError", "\(text)")
                }
            }
            // The tricky name is found by its exact, escaped spelling.
            let exact = try GatewayTest.json(
                try await Self.query(http, #"SELECT $dtId FROM DIGITALTWINS WHERE name = 'x\' OR \'1\'=\'1'"#))
            #expect(exact["value"] == .array([.object(JSONObject([("$dtId", .string("b"))]))]))
            let count = try GatewayTest.json(try await Self.query(http, "SELECT COUNT() FROM DIGITALTWINS"))
            #expect(count["value"] == .array([.object(JSONObject([("COUNT", .integer(2))]))]))
        }
    }

    /// Pages read while another client inserts: every twin that existed before the first page
    /// comes back exactly once.
    @Test func pagingIsStableUnderConcurrentInserts() async throws {
        try await GatewayTest.withGateways(2) { gateways in
            let http = gateways[0]
            #expect(try await http.send(.post, "/models?\(Self.v)", Self.model).status == .created)
            var before: Set<String> = []
            for i in stride(from: 0, to: 240, by: 2) {
                let id = "t-\(1000 + i)"
                try await Self.put(http, id, name: "n", n: i)
                before.insert(id)
            }
            let writer = gateways[1]
            async let inserted: Void = {
                for i in stride(from: 1, to: 240, by: 2) {
                    try await Self.put(writer, "t-\(1000 + i)", name: "n", n: i)
                }
            }()
            var seen: [String] = []
            var token: String? = nil
            var first = true
            while first || token != nil {
                first = false
                let body =
                    token.map { JSONWriter.string(.object(JSONObject([("continuationToken", .string($0))]))) }
                    ?? JSONWriter.string(
                        .object(JSONObject([("query", .string("SELECT T.$dtId FROM DIGITALTWINS T"))])))
                let response = try await http.send(
                    .post, "/query?\(Self.v)", body, headers: [HTTPField.Name("max-items-per-page")!: "7"])
                #expect(response.status == .ok)
                let page = try GatewayTest.json(response)
                guard case .array(let rows)? = page["value"] else { break }
                #expect(rows.count <= 7)
                seen += rows.compactMap { $0["$dtId"]?.stringValue }
                token = page["continuationToken"]?.stringValue
            }
            try await inserted
            #expect(Set(seen).count == seen.count, "a twin came back twice")
            #expect(before.isSubset(of: Set(seen)), "missing: \(before.subtracting(seen).sorted().prefix(5))")
        }
    }

    /// A statement cancelled by PostgreSQL's statement_timeout is ADT's TimeoutError.
    @Test func slowQueryTimesOut() async throws {
        try await TestDatabase.withFreshDatabase { url, client in
            try await TwinStoreMigrations.migrate(client)
            _ = try await client.query(
                """
                INSERT INTO twins (id, model_id, etag, body)
                SELECT 'slow-' || i, 'dtmi:ex:Item;1', gen_random_uuid(),
                    ('{"$dtId":"slow-' || i || '","name":"' || repeat('x', 200) || i || '","$metadata":{"$model":"dtmi:ex:Item;1"}}')::json
                FROM generate_series(1, 20000) AS i
                """, logger: TestDatabase.logger)
            try await TestDatabase.withClient(
                url, configure: { $0.options.additionalStartupParameters = [("statement_timeout", "1")] }
            ) { slow in
                let app = Application(router: TwinGatewayRouter.make(slow), logger: TestDatabase.logger)
                try await app.test(.router) { http in
                    let response = try await Self.query(
                        http, "SELECT COUNT() FROM DIGITALTWINS WHERE CONTAINS(name, 'zzz')")
                    #expect(response.status == .badRequest)
                    #expect(try GatewayTest.errorCode(response) == "TimeoutError")
                }
            }
        }
    }
}
