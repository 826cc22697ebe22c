import ADTWire
import Foundation
import GatewayTestSupport
import Logging
import PostgresNIO
import PostgresSupport
import Testing
import TwinStore
import TwinTestSupport

/// Gateways standing in for "Azure" and "us", a graph to fill them with, and the `twins`
/// executable to migrate between them.
enum MigrationHarness {
    static let logger: Logger = {
        var logger = Logger(label: "migration-tests")
        logger.logLevel = .critical
        return logger
    }()

    static let models = [
        #"{"@context":"dtmi:dtdl:context;2","@id":"dtmi:mig:Space;1","@type":"Interface","contents":[{"@type":"Property","name":"name","schema":"string","writable":true}]}"#,
        #"{"@context":"dtmi:dtdl:context;2","@id":"dtmi:mig:Room;1","@type":"Interface","extends":"dtmi:mig:Space;1","contents":[{"@type":"Property","name":"temperature","schema":"double","writable":true},{"@type":"Component","name":"thermostat","schema":"dtmi:mig:Thermostat;1"},{"@type":"Relationship","name":"next","properties":[{"@type":"Property","name":"distance","schema":"double","writable":true}]}]}"#,
        #"{"@context":"dtmi:dtdl:context;2","@id":"dtmi:mig:Thermostat;1","@type":"Interface","contents":[{"@type":"Property","name":"setPoint","schema":"double","writable":true}]}"#,
        #"{"@context":"dtmi:dtdl:context;2","@id":"dtmi:mig:Old;1","@type":"Interface","contents":[]}"#,
    ]

    static func twin(_ i: Int) -> JSONObject {
        try! JSONParser.parse(
            #"{"$dtId":"room-\#(i)","$metadata":{"$model":"dtmi:mig:Room;1"},"name":"Room \#(i)","temperature":\#(Double(i % 40) + 0.5),"thermostat":{"$metadata":{},"setPoint":21}}"#
        ).objectValue!
    }

    /// Three relationships per twin: to the next one, the 7th and the 13th after it (wrapping).
    static func relationships(of i: Int, count: Int) -> [JSONObject] {
        [(1, "a"), (7, "b"), (13, "c")].map { step, name in
            try! JSONParser.parse(
                #"{"$dtId":"room-\#(i)","$relationshipId":"\#(name)","$targetId":"room-\#((i + step) % count)","$relationshipName":"next","distance":\#(step)}"#
            ).objectValue!
        }
    }

    /// RealEstateCore's interfaces from the shared fixtures, when they are beside the clone.
    static func realEstateCore() -> [JSONValue] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
                "shared/fixtures/ontologies/realestatecore")
        guard let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        return files.compactMap { $0 as? URL }.filter { $0.pathExtension == "json" }.compactMap { url in
            (try? Data(contentsOf: url)).flatMap { try? JSONParser.parse(Array($0)) }
        }
    }

    /// Fills a migrated database with the models (and `extra` ones), `count` twins and three
    /// relationships per twin, and one decommissioned model; through the bulk writes of import
    /// jobs, so a large graph is there in seconds.
    static func fill(_ client: PostgresClient, twins count: Int, extraModels: [JSONValue] = []) async throws {
        let catalog = ModelCatalog(logger: logger)
        let graph = GraphImport(client: client, catalog: catalog, logger: logger)
        let snapshot = try await client.transaction(logger: logger) { connection in
            try await graph.addModels(try models.map { try JSONParser.parse($0) } + extraModels, on: connection)
        }
        await graph.modelsCommitted(snapshot)
        for start in stride(from: 0, to: count, by: 5000) {
            let range = start..<min(start + 5000, count)
            try await client.transaction(logger: logger) { connection in
                let twins = range.map { GraphImport.Item(line: $0, value: twin($0)) }
                let outcome = try await graph.addTwins(twins, on: connection)
                #expect(outcome.failures.isEmpty, "\(outcome.failures.first.map { "\($0.error)" } ?? "")")
            }
        }
        for start in stride(from: 0, to: count, by: 5000) {
            let range = start..<min(start + 5000, count)
            try await client.transaction(logger: logger) { connection in
                let items = range.flatMap { relationships(of: $0, count: count) }.map {
                    GraphImport.Item(line: 0, value: $0)
                }
                let outcome = try await graph.addRelationships(items, on: connection)
                #expect(outcome.failures.isEmpty, "\(outcome.failures.first.map { "\($0.error)" } ?? "")")
            }
        }
        try await client.query("UPDATE models SET decommissioned = true WHERE id = 'dtmi:mig:Old;1'", logger: logger)
        try await client.query("DELETE FROM outbox", logger: logger)
    }

    static func count(_ client: PostgresClient, _ table: String) async throws -> Int {
        let rows = try await client.query("SELECT count(*)::int FROM \(unescaped: table)", logger: logger)
        for try await n in rows.decode(Int.self) { return n }
        return -1
    }

    /// Every twin's and relationship's ETag, by key.
    static func etags(_ client: PostgresClient) async throws -> [String: String] {
        var out: [String: String] = [:]
        let rows = try await client.query(
            """
            SELECT 't/' || id, etag::text FROM twins
            UNION ALL SELECT 'r/' || source_id || '/' || id, etag::text FROM relationships
            """, logger: logger)
        for try await (key, etag) in rows.decode((String, String).self) { out[key] = etag }
        return out
    }

    // MARK: The command line

    struct Outcome: Sendable {
        var status: Int32
        var output: String
        var error: String
    }

    /// A `twins` process: started, waited for, or killed.
    final class Command: @unchecked Sendable {
        let process = Process()
        let out = Pipe()
        let err = Pipe()

        init(_ arguments: [String], environment: [String: String] = [:]) throws {
            guard let executable = TwinsProcess.executable else { throw CancellationError() }
            process.executableURL = executable
            process.arguments = arguments
            var env = ProcessInfo.processInfo.environment.filter {
                !$0.key.hasPrefix("AZURE_") && !$0.key.hasPrefix("TWINS_") && !$0.key.lowercased().hasSuffix("_proxy")
            }
            env.merge(environment) { $1 }
            process.environment = env
            process.standardOutput = out
            process.standardError = err
            try process.run()
        }

        /// Waits for the exit (polling: a blocking wait would hold a cooperative thread, and the
        /// gateways in this process need them).
        func finish(timeout: Duration = .seconds(300)) async throws -> Outcome {
            async let output = Self.readToEnd(out)
            async let error = Self.readToEnd(err)
            let deadline = ContinuousClock.now + timeout
            while process.isRunning {
                guard ContinuousClock.now < deadline else {
                    kill(process.processIdentifier, SIGKILL)
                    throw CancellationError()
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            return Outcome(
                status: process.terminationStatus, output: String(decoding: await output, as: UTF8.self),
                error: String(decoding: await error, as: UTF8.self))
        }

        /// A pipe's content to its end, read on a Dispatch thread.
        static func readToEnd(_ pipe: Pipe) async -> Data {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    continuation.resume(returning: pipe.fileHandleForReading.readDataToEndOfFile())
                }
            }
        }

        /// SIGKILL, and waits for the exit.
        func kill9() async throws {
            kill(process.processIdentifier, SIGKILL)
            _ = try await finish()
        }
    }

    /// Runs `twins` to the end.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Outcome {
        try await Command(arguments, environment: environment).finish()
    }
}
