import DTDL
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TwinTestSupport

@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct TwinConcurrencyTests {
    static let v = GatewayTest.version

    /// 20 clients each increment one property 50 times with read-modify-write under If-Match,
    /// retrying on 412: no update may be lost.
    @Test func optimisticConcurrencyLosesNoUpdate() async throws {
        try await GatewayTest.withGateways(2) { gateways in
            let model = #"[{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Counter;1","@type":"Interface","contents":[{"@type":"Property","name":"n","schema":"integer"}]}]"#
            #expect(try await gateways[0].send(.post, "/models?\(Self.v)", model).status == .created)
            let created = try await gateways[0].send(
                .put, "/digitaltwins/counter?\(Self.v)", #"{"$metadata":{"$model":"dtmi:ex:Counter;1"},"n":0}"#)
            #expect(created.status == .ok)

            let clients = 20
            let increments = 50
            let retries = try await withThrowingTaskGroup(of: Int.self) { group in
                for c in 0..<clients {
                    // Half the clients go through each of two gateways (separate caches).
                    let http = gateways[c % 2]
                    group.addTask {
                        var conflicts = 0
                        for _ in 0..<increments {
                            while true {
                                let current = try await http.send(.get, "/digitaltwins/counter?\(Self.v)")
                                let etag = try #require(current.headers[.eTag])
                                guard case .integer(let n)? = try GatewayTest.json(current)["n"] else {
                                    Issue.record("n is not an integer")
                                    return conflicts
                                }
                                let patch = #"[{"op":"replace","path":"/n","value":\#(n + 1)}]"#
                                let result = try await http.send(
                                    .patch, "/digitaltwins/counter?\(Self.v)", patch, headers: [.ifMatch: etag])
                                if result.status == .noContent { break }
                                #expect(result.status == .preconditionFailed)
                                conflicts += 1
                            }
                        }
                        return conflicts
                    }
                }
                var total = 0
                for try await c in group { total += c }
                return total
            }
            let final = try GatewayTest.json(try await gateways[0].send(.get, "/digitaltwins/counter?\(Self.v)"))
            #expect(final["n"] == .integer(Int64(clients * increments)), "after \(retries) retries")
        }
    }
}

@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct TwinCreateRaceTests {
    /// Concurrent creations of one id with If-None-Match: exactly one wins, the others get 412,
    /// and exactly one Create event is recorded.
    @Test func ifNoneMatchLetsExactlyOneConcurrentCreateWin() async throws {
        try await GatewayTest.withGateways(2) { gateways in
            let v = GatewayTest.version
            let model = #"[{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Device;1","@type":"Interface","contents":[{"@type":"Property","name":"owner","schema":"integer"}]}]"#
            #expect(try await gateways[0].send(.post, "/models?\(v)", model).status == .created)
            let statuses = try await withThrowingTaskGroup(of: (Int, HTTPResponse.Status).self) { group in
                for c in 0..<12 {
                    let http = gateways[c % 2]
                    group.addTask {
                        let response = try await http.send(
                            .put, "/digitaltwins/device-1?\(v)", #"{"$metadata":{"$model":"dtmi:ex:Device;1"},"owner":\#(c)}"#,
                            headers: [.ifNoneMatch: "*"])
                        return (c, response.status)
                    }
                }
                var all: [(Int, HTTPResponse.Status)] = []
                for try await s in group { all.append(s) }
                return all
            }
            let winners = statuses.filter { $0.1 == .ok }
            #expect(winners.count == 1)
            #expect(statuses.filter { $0.1 == .preconditionFailed }.count == 11)
            let twin = try GatewayTest.json(try await gateways[0].send(.get, "/digitaltwins/device-1?\(v)"))
            #expect(twin["owner"] == .integer(Int64(winners.first?.0 ?? -1)))
        }
    }
}

@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct TwinWriteRaceTests {
    /// Patches without If-Match that race on one twin (through two gateways, while models are
    /// uploaded and move the model generation) all land: a write that loses a race reads again
    /// instead of overwriting, and each landed write records exactly one event.
    @Test func racingPatchesAllLandWithOneEventEach() async throws {
        try await TestDatabase.withFreshDatabase { _, client in
            try await TwinStoreMigrations.migrate(client)
            let apps = (0..<2).map { _ in
                Application(router: TwinGatewayRouter.make(client), logger: TestDatabase.logger)
            }
            let v = GatewayTest.version
            try await apps[0].test(.router) { first in
                try await apps[1].test(.router) { second in
                    let model = #"[{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Tagged;1","@type":"Interface","contents":[{"@type":"Property","name":"marks","schema":{"@type":"Map","mapKey":{"name":"k","schema":"string"},"mapValue":{"name":"v","schema":"integer"}}}]}]"#
                    #expect(try await first.send(.post, "/models?\(v)", model).status == .created)
                    let created = try await first.send(
                        .put, "/digitaltwins/tagged?\(v)", #"{"$metadata":{"$model":"dtmi:ex:Tagged;1"},"marks":{}}"#)
                    #expect(created.status == .ok)
                    let writers = 40
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for w in 0..<writers {
                            let http = w % 2 == 0 ? first : second
                            group.addTask {
                                let patch = #"[{"op":"add","path":"/marks/k\#(w)","value":\#(w)}]"#
                                let result = try await http.send(.patch, "/digitaltwins/tagged?\(v)", patch)
                                #expect(result.status == .noContent, "writer \(w)")
                            }
                        }
                        for m in 0..<3 {
                            group.addTask {
                                let other = #"[{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Other\#(m);1","@type":"Interface"}]"#
                                let uploaded = try await second.send(.post, "/models?\(v)", other)
                                #expect(uploaded.status == .created)
                            }
                        }
                        try await group.waitForAll()
                    }
                    let twin = try GatewayTest.json(try await first.send(.get, "/digitaltwins/tagged?\(v)"))
                    guard case .object(let marks)? = twin["marks"] else {
                        Issue.record("marks is not an object: \(twin)")
                        return
                    }
                    #expect(marks.count == writers)
                    for w in 0..<writers { #expect(marks["k\(w)"] == .integer(Int64(w))) }
                }
            }
            let rows = try await client.query(
                "SELECT event->>'type', count(*)::int FROM outbox WHERE event->>'subject' = 'tagged' GROUP BY 1 ORDER BY 1",
                logger: TestDatabase.logger)
            var counts: [String: Int] = [:]
            for try await (type, count) in rows.decode((String, Int).self) { counts[type] = count }
            #expect(counts == ["Microsoft.DigitalTwins.Twin.Create": 1, "Microsoft.DigitalTwins.Twin.Update": 40])
        }
    }
}
