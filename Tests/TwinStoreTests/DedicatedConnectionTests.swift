import ADTWire
import PostgresNIO
import PostgresSupport
import Testing
import TwinTestSupport

@testable import TwinStore

/// The coalesced twin statements on connections outside the pool: used, and replaced when
/// PostgreSQL ends them (a restart, a terminated backend), without a read ever failing for it.
@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct DedicatedConnectionTests {
    @Test func readsAndWritesGoOnAfterTheConnectionsAreTerminated() async throws {
        try await TestDatabase.withFreshDatabase { url, client in
            try await MigrationRunner(logger: TestDatabase.logger).migrate(client: client)
            let logger = TestDatabase.logger
            let catalog = ModelCatalog(logger: logger)
            _ = try await ModelStore(client: client, catalog: catalog, logger: logger).add(
                try JSONParser.parse(
                    #"[{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:D;1","@type":"Interface","contents":[{"@type":"Property","name":"n","schema":"integer"}]}]"#
                ))
            let name = "twins-test-dedicated"
            let connections = try DedicatedConnections(
                url: url, startupParameters: [("application_name", name)], logger: logger)
            let store = DigitalTwinStore(
                client: client, catalog: catalog, logger: logger, readSlots: 2, writeSlots: 2,
                connections: connections)
            _ = try await store.put(
                "d1", body: try JSONParser.parse(#"{"$metadata":{"$model":"dtmi:ex:D;1"},"n":1}"#), ifNoneMatch: false)
            func patch(_ n: Int) async throws {
                _ = try await store.patch(
                    "d1", patch: try JSONParser.parse(#"[{"op":"replace","path":"/n","value":\#(n)}]"#), ifMatch: nil)
            }
            try await patch(2)
            #expect(try JSONParser.parse(try await store.get("d1").body)["n"] == .integer(2))
            let opened = connections.openedCount
            #expect(opened >= 1)
            func count(_ sql: PostgresQuery) async throws -> Int {
                for try await n in try await client.query(sql, logger: logger).decode(Int.self) { return n }
                return 0
            }
            // The statements ran on the dedicated connections, not the pool's.
            #expect(try await count("SELECT count(*)::int FROM pg_stat_activity WHERE application_name = \(name)") >= 1)

            // PostgreSQL ends every one of them.
            let terminated = try await count(
                "SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity WHERE application_name = \(name)")
            #expect(terminated >= 1)
            // Reads are run again on a new connection: none fails.
            for _ in 0..<5 { #expect(try JSONParser.parse(try await store.get("d1").body)["n"] == .integer(2)) }
            #expect(connections.openedCount > opened)
            // A write whose update met a dead connection fails as a whole (it is not run twice:
            // it may have landed); the next one lands, and the twin holds one or the other value.
            var failures = 0
            for n in 3...6 {
                do { try await patch(n) } catch { failures += 1 }
            }
            #expect(failures <= 2)
            #expect(try JSONParser.parse(try await store.get("d1").body)["n"] == .integer(6))
            await connections.close()
        }
    }
}
