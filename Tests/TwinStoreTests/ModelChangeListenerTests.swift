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
                    // Give the listener a moment to LISTEN, then change the models twice.
                    try await Task.sleep(for: .milliseconds(500))
                    let model = try JSONParser.parse(
                        #"[{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:A;1","@type":"Interface"}]"#)
                    _ = try await writer.add(model)
                    try await writer.delete("dtmi:ex:A;1")
                    var seen: Int64?
                    for _ in 0..<50 {
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
