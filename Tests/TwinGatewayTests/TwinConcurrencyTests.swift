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
