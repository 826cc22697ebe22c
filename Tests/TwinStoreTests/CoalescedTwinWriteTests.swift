import ADTWire
import Foundation
import PostgresNIO
import PostgresSupport
import Testing
import TwinTestSupport

@testable import TwinStore

/// Twin writes coalesced under load, on PostgreSQL: no update is lost when writes to one twin
/// share statements, each write records its one change event, `If-Match` still decides, and the
/// batch statement lands exactly the writes whose ETag and model generation still hold.
@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct CoalescedTwinWriteTests {
    static let model = #"""
        [{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:W;1","@type":"Interface","contents":[
          {"@type":"Property","name":"p0","schema":"integer"},{"@type":"Property","name":"p1","schema":"integer"},
          {"@type":"Property","name":"p2","schema":"integer"},{"@type":"Property","name":"p3","schema":"integer"},
          {"@type":"Property","name":"p4","schema":"integer"},{"@type":"Property","name":"p5","schema":"integer"},
          {"@type":"Property","name":"p6","schema":"integer"},{"@type":"Property","name":"p7","schema":"integer"}]}]
        """#

    static func withStore(
        _ body: @Sendable (DigitalTwinStore, PostgresClient) async throws -> Void
    ) async throws {
        try await TestDatabase.withFreshDatabase { _, client in
            try await MigrationRunner(logger: TestDatabase.logger).migrate(client: client)
            let logger = TestDatabase.logger
            let catalog = ModelCatalog(logger: logger)
            _ = try await ModelStore(client: client, catalog: catalog, logger: logger).add(
                try JSONParser.parse(model))
            // One slot: every write that arrives while one statement runs waits for the next.
            let store = DigitalTwinStore(client: client, catalog: catalog, logger: logger, writeSlots: 1)
            for i in 0..<10 {
                _ = try await store.put(
                    "w\(i)", body: try JSONParser.parse(#"{"$metadata":{"$model":"dtmi:ex:W;1"}}"#),
                    ifNoneMatch: false)
            }
            try await body(store, client)
        }
    }

    static func count(_ sql: String, _ client: PostgresClient) async throws -> Int {
        for try await n in try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger)
            .decode(Int.self)
        {
            return n
        }
        return -1
    }

    @Test func concurrentPatchesOfTheSameTwinsLoseNothing() async throws {
        try await Self.withStore { store, client in
            let before = try await Self.count("SELECT count(*)::int FROM outbox", client)
            // Ten twins, eight writers each setting their own property five times, all at once:
            // writes of one twin meet in the same statements and must each be based on the
            // latest twin, so every property ends with its last value.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for twin in 0..<10 {
                    for property in 0..<8 {
                        group.addTask {
                            for round in 1...5 {
                                _ = try await store.patch(
                                    "w\(twin)",
                                    patch: try JSONParser.parse(
                                        #"[{"op":"add","path":"/p\#(property)","value":\#(round)}]"#),
                                    ifMatch: nil)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            for twin in 0..<10 {
                let body = try JSONParser.parse(try await store.get("w\(twin)").body)
                for property in 0..<8 { #expect(body["p\(property)"] == .integer(5), "w\(twin).p\(property)") }
            }
            // The writes did share statements.
            let batches = try #require(store.writeBatches)
            #expect(batches.reads.largestBatch > 1)
            #expect(batches.updates.largestBatch > 1)
            // One change event per write, no more, no fewer.
            #expect(try await Self.count("SELECT count(*)::int FROM outbox", client) - before == 10 * 8 * 5)
        }
    }

    @Test func ifMatchStillDecides() async throws {
        try await Self.withStore { store, _ in
            let first = try await store.get("w0").etag
            let patch = try JSONParser.parse(#"[{"op":"add","path":"/p0","value":1}]"#)
            let second = try await store.patch("w0", patch: patch, ifMatch: .etag(first))
            #expect(second != first)
            await #expect(throws: ServiceError.self) {
                _ = try await store.patch("w0", patch: patch, ifMatch: .etag(first))
            }
            #expect(try await store.get("w0").etag == second)
        }
    }

    @Test func theBatchStatementLandsOnlyWritesThatStillHold() async throws {
        try await Self.withStore { store, client in
            let logger = TestDatabase.logger
            var current: [String: String] = [:]
            var generation: Int64 = 0
            for try await (g, id, _, etag, _) in try await client.execute(
                ReadTwinsForWriteStatement(ids: ["w0", "w1", "w2", "nope"]), logger: logger)
            {
                generation = g
                if let id, let etag { current[id] = etag }
            }
            #expect(current.count == 3)
            func update(_ id: String, previous: String, generation: Int64) -> TwinUpdate {
                TwinUpdate(
                    id: id, modelID: "dtmi:ex:W;1", etag: UUID().uuidString.lowercased(),
                    body: #"{"$dtId":"\#(id)","$metadata":{"$model":"dtmi:ex:W;1"},"p0":7}"#,
                    generation: generation, event: #"{"twin":"\#(id)"}"#, previousETag: previous)
            }
            let before = try await Self.count("SELECT count(*)::int FROM outbox", client)
            let batch = [
                update("w0", previous: current["w0"]!, generation: generation),  // lands
                update("w1", previous: UUID().uuidString.lowercased(), generation: generation),  // stale ETag
                update("w0", previous: current["w0"]!, generation: generation),  // a second write of w0
                update("w2", previous: current["w2"]!, generation: generation - 1),  // stale models
            ]
            var landed: [Int32] = []
            for try await position in try await client.execute(UpdateTwinsStatement(updates: batch), logger: logger) {
                landed.append(position)
            }
            #expect(landed == [0])
            #expect(try await Self.count("SELECT count(*)::int FROM outbox", client) - before == 1)
            #expect(try JSONParser.parse(try await store.get("w0").body)["p0"] == .integer(7))
            #expect(try JSONParser.parse(try await store.get("w1").body)["p0"] == nil)
        }
    }
}
