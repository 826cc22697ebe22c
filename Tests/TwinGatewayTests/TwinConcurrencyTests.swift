import DTDL
import GatewayTestSupport
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
            let model =
                #"[{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Counter;1","@type":"Interface","contents":[{"@type":"Property","name":"n","schema":"integer"}]}]"#
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
            let model =
                #"[{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Device;1","@type":"Interface","contents":[{"@type":"Property","name":"owner","schema":"integer"}]}]"#
            #expect(try await gateways[0].send(.post, "/models?\(v)", model).status == .created)
            let statuses = try await withThrowingTaskGroup(of: (Int, HTTPResponse.Status).self) { group in
                for c in 0..<12 {
                    let http = gateways[c % 2]
                    group.addTask {
                        let response = try await http.send(
                            .put, "/digitaltwins/device-1?\(v)",
                            #"{"$metadata":{"$model":"dtmi:ex:Device;1"},"owner":\#(c)}"#,
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
        try await GatewayTest.withGatewaysAndDatabase(2) { gateways, client in
            let (first, second, v) = (gateways[0], gateways[1], GatewayTest.version)
            let model =
                #"[{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Tagged;1","@type":"Interface","contents":[{"@type":"Property","name":"marks","schema":{"@type":"Map","mapKey":{"name":"k","schema":"string"},"mapValue":{"name":"v","schema":"integer"}}}]}]"#
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
                        let other =
                            #"[{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Other\#(m);1","@type":"Interface"}]"#
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
            let rows = try await client.query(
                "SELECT event->>'type', count(*)::int FROM outbox WHERE event->>'subject' = 'tagged' GROUP BY 1 ORDER BY 1",
                logger: TestDatabase.logger)
            var counts: [String: Int] = [:]
            for try await (type, count) in rows.decode((String, Int).self) { counts[type] = count }
            #expect(counts == ["Microsoft.DigitalTwins.Twin.Create": 1, "Microsoft.DigitalTwins.Twin.Update": 40])
        }
    }
}

@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct TwinDeleteRaceTests {
    static let v = GatewayTest.version

    /// Uploads a model with a relationship `link` and creates twins of it.
    static func nodes(_ ids: [String], through http: any TestClientProtocol) async throws {
        let model =
            #"[{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Node;1","@type":"Interface","contents":[{"@type":"Relationship","name":"link"}]}]"#
        #expect(try await http.send(.post, "/models?\(v)", model).status == .created)
        for id in ids {
            let created = try await http.send(
                .put, "/digitaltwins/\(id)?\(v)", #"{"$metadata":{"$model":"dtmi:ex:Node;1"}}"#)
            #expect(created.status == .ok)
        }
    }

    /// A relationship to the twin inserted by a transaction that commits while the DELETE
    /// waits for the twin's row: the DELETE's relationship check did not see it, the foreign key
    /// refuses the delete, and the answer is ADT's `RelationshipsNotDeleted` (not a 500).
    @Test func aRelationshipCommittedDuringTheDeleteGivesRelationshipsNotDeleted() async throws {
        try await GatewayTest.withGatewaysAndDatabase(1) { gateways, client in
            let http = gateways[0]
            try await Self.nodes(["hub", "n0"], through: http)
            try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: TestDatabase.logger)
                try await connection.query(
                    """
                    INSERT INTO relationships (source_id, id, name, target_id, etag, body)
                    VALUES ('n0', 'r', 'link', 'hub', gen_random_uuid(), '{}')
                    """, logger: TestDatabase.logger)
                async let deleted = http.send(.delete, "/digitaltwins/hub?\(Self.v)")
                // Commit only once the DELETE waits for the row lock the insert holds, so that the
                // path this test is named for is the one taken.
                var waiting = false
                let deadline = ContinuousClock.now + .seconds(20)
                while !waiting && ContinuousClock.now < deadline {
                    for try await count in try await client.query(
                        """
                        SELECT count(*)::int FROM pg_stat_activity
                        WHERE datname = current_database() AND wait_event_type = 'Lock'
                        """, logger: TestDatabase.logger
                    ).decode(Int.self) { waiting = count > 0 }
                    if !waiting { try await Task.sleep(for: .milliseconds(10)) }
                }
                #expect(waiting, "the DELETE never waited for the row lock")
                try await connection.query("COMMIT", logger: TestDatabase.logger)
                let response = try await deleted
                #expect(response.status == .badRequest)
                #expect(response.headers[HTTPField.Name("x-ms-error-code")!] == "RelationshipsNotDeleted")
            }
            #expect(try await http.send(.get, "/digitaltwins/hub?\(Self.v)").status == .ok)
        }
    }

    /// A twin deleted (after deleting its incoming relationships, as a retirement does) while
    /// 30 other twins keep creating relationships to it: every DELETE answers 204 or
    /// `RelationshipsNotDeleted` (a relationship created after the check is refused by the
    /// database, never answered with 500), the twin ends deleted once with one Delete event, and
    /// no relationship is left pointing at it.
    @Test func deletesRacingRelationshipCreatesNeverFailOrLeaveDanglingRelationships() async throws {
        try await GatewayTest.withGatewaysAndDatabase(2) { gateways, client in
            let (first, second, v) = (gateways[0], gateways[1], Self.v)
            try await Self.nodes(["hub"] + (0..<30).map { "n\($0)" }, through: first)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<30 {
                    let http = gateways[n % 2]
                    group.addTask {
                        let body = #"{"$relationshipName":"link","$targetId":"hub"}"#
                        let result = try await http.send(.put, "/digitaltwins/n\(n)/relationships/r?\(v)", body)
                        #expect(result.status.code < 500, "relationship from n\(n): \(result.status)")
                    }
                }
                group.addTask {
                    for attempt in 1...200 {
                        let incoming = try GatewayTest.json(
                            try await second.send(.get, "/digitaltwins/hub/incomingrelationships?\(v)"))
                        for item in incoming["value"]?.arrayValue ?? [] {
                            guard let source = item["$sourceId"]?.stringValue else { continue }
                            _ = try await second.send(.delete, "/digitaltwins/\(source)/relationships/r?\(v)")
                        }
                        let deleted = try await first.send(.delete, "/digitaltwins/hub?\(v)")
                        if deleted.status == .noContent { return }
                        #expect(deleted.status == .badRequest, "attempt \(attempt): \(deleted.status)")
                        #expect(deleted.headers[HTTPField.Name("x-ms-error-code")!] == "RelationshipsNotDeleted")
                    }
                    Issue.record("the twin was never deleted")
                }
                try await group.waitForAll()
            }
            #expect(try await first.send(.get, "/digitaltwins/hub?\(v)").status == .notFound)
            let dangling = try await client.query(
                "SELECT count(*)::int FROM relationships WHERE target_id = 'hub'", logger: TestDatabase.logger)
            for try await count in dangling.decode(Int.self) { #expect(count == 0) }
            let events = try await client.query(
                "SELECT count(*)::int FROM outbox WHERE event->>'type' = 'Microsoft.DigitalTwins.Twin.Delete'",
                logger: TestDatabase.logger)
            for try await count in events.decode(Int.self) { #expect(count == 1) }
        }
    }
}
