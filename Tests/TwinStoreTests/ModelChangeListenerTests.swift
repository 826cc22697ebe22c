import ADTWire
import DTDL
import Logging
import PostgresNIO
import PostgresSupport
import ServiceLifecycle
import Testing
import TwinStore
import TwinTestSupport

@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct ModelChangeListenerTests {
    /// A model uploaded through one process's store reaches another process's cache through
    /// NOTIFY, without a request on the second.
    @Test func anotherProcessCacheFollowsModelChanges() async throws {
        try await TestDatabase.withFreshDatabase { url, writerClient in
            try await MigrationRunner(logger: TestDatabase.logger).migrate(client: writerClient)
            let writer = ModelStore(
                client: writerClient, catalog: ModelCatalog(logger: TestDatabase.logger), logger: TestDatabase.logger)
            try await TestDatabase.withClient(url) { readerClient in
                let catalog = ModelCatalog(logger: TestDatabase.logger)
                let listener = ModelChangeListener(client: readerClient, catalog: catalog, logger: TestDatabase.logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await listener.run() }
                    // Once the listener's LISTEN has reached the server, change the models twice.
                    var listening = false
                    for _ in 0..<400 where !listening {
                        for try await (count) in try await writerClient.query(
                            """
                            SELECT count(*)::int FROM pg_stat_activity
                            WHERE datname = current_database() AND query ILIKE 'LISTEN%'
                            """, logger: TestDatabase.logger
                        ).decode(Int.self) { listening = count > 0 }
                        if !listening { try await Task.sleep(for: .milliseconds(50)) }
                    }
                    #expect(listening, "the listener never issued LISTEN")
                    let model = try JSONParser.parse(
                        #"[{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:A;1","@type":"Interface"}]"#)
                    _ = try await writer.add(model)
                    try await writer.delete("dtmi:ex:A;1")
                    var seen: Int64?
                    for _ in 0..<200 {
                        seen = await catalog.loadedGeneration
                        if seen == 2 { break }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    #expect(seen == 2)
                    group.cancelAll()
                }
            }
        }
    }
}
