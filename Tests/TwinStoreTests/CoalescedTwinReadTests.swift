import ADTWire
import PostgresNIO
import PostgresSupport
import Testing
import TwinStore
import TwinTestSupport

/// `GET` reads coalesced under load, on PostgreSQL: every read gets its own twin (or
/// `DigitalTwinNotFound`), and a read issued after a write sees it.
@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct CoalescedTwinReadTests {
    @Test func concurrentReadsGetTheirOwnTwinsAndSeeEarlierWrites() async throws {
        try await TestDatabase.withFreshDatabase { _, client in
            try await MigrationRunner(logger: TestDatabase.logger).migrate(client: client)
            let logger = TestDatabase.logger
            let catalog = ModelCatalog(logger: logger)
            let models = ModelStore(client: client, catalog: catalog, logger: logger)
            _ = try await models.add(
                try JSONParser.parse(
                    #"[{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:T;1","@type":"Interface","contents":[{"@type":"Property","name":"n","schema":"integer"}]}]"#
                ))
            let store = DigitalTwinStore(client: client, catalog: catalog, logger: logger, readSlots: 2)
            for i in 0..<40 {
                _ = try await store.put(
                    "t\(i)", body: try JSONParser.parse(#"{"$metadata":{"$model":"dtmi:ex:T;1"},"n":\#(i)}"#),
                    ifNoneMatch: false)
            }
            // 200 concurrent reads through 2 statements in flight: many per statement.
            let answers = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for i in 0..<200 {
                    group.addTask {
                        do {
                            let twin = try await store.get("t\(i % 50)")
                            return (i, twin.body)
                        } catch let error as ServiceError {
                            #expect(error.code == "DigitalTwinNotFound")
                            return (i, nil)
                        }
                    }
                }
                return try await group.reduce(into: [Int: String?]()) { $0[$1.0] = $1.1 }
            }
            for i in 0..<200 {
                let n = i % 50
                if n < 40 {
                    let body = try #require(answers[i] ?? nil)
                    #expect(try JSONParser.parse(body)["n"] == .integer(Int64(n)))
                    #expect(try JSONParser.parse(body)["$dtId"] == .string("t\(n)"))
                } else {
                    #expect(answers[i]! == nil)
                }
            }
            // Read your writes: a read after the write's return sees it, under concurrent load.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for round in 0..<20 {
                    group.addTask {
                        let id = "t\(round)"
                        _ = try await store.patch(
                            id,
                            patch: try JSONParser.parse(#"[{"op":"replace","path":"/n","value":\#(1000 + round)}]"#),
                            ifMatch: nil)
                        let body = try await store.get(id).body
                        #expect(try JSONParser.parse(body)["n"] == .integer(Int64(1000 + round)))
                    }
                    group.addTask { _ = try? await store.get("t\(39 - round)") }
                }
                try await group.waitForAll()
            }
        }
    }
}
