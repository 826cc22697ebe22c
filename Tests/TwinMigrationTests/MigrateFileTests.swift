import ADTWire
import BulkJobs
import Foundation
import GatewayTestSupport
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import PostgresSupport
import Testing
import TwinGateway
import TwinStore
import TwinTestSupport

/// `twins migrate export`, `import` (through the API and through the target's import job), a
/// partial graph, and a copy to a target that throttles half of its requests.
@Suite(
    .timeLimit(.minutes(5)),
    .enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)),
    .enabled(if: TwinsProcess.executable != nil, "needs the built twins executable: run scripts/test.sh"))
struct MigrateFileTests {
    typealias H = MigrationHarness

    /// A filled source and an empty target, both plain gateways; the target runs import jobs
    /// from `folder`.
    static func withGateways(
        twins: Int,
        _ body:
            @escaping @Sendable (_ source: String, _ target: String, _ targetDB: PostgresClient, _ folder: String)
            async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("migrate-\(UUID().uuidString)")
            .resolvingSymlinksInPath().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await LiveGateway.withMigratedDatabase { sourceDB in
            try await H.fill(sourceDB, twins: twins)
            try await LiveGateway.serve(database: sourceDB) { source in
                try await LiveGateway.withMigratedDatabase { targetDB in
                    var configuration = GatewayConfiguration(host: "127.0.0.1", port: 0)
                    configuration.jobs.inputs = JobInputPolicy(importDirectory: folder)
                    configuration.jobs.pollInterval = .milliseconds(50)
                    let jobs = configuration.jobs
                    let catalog = ModelCatalog(logger: H.logger)
                    let wakeup = Wakeup()
                    let router = buildRouter(
                        database: targetDB, configuration: configuration, catalog: catalog, jobWakeup: wakeup,
                        logger: H.logger)
                    let app = Application(
                        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: H.logger
                    )
                    try await app.test(.live) { live in
                        let worker = JobWorker(
                            client: targetDB, catalog: catalog, configuration: jobs, eventSource: "localhost",
                            wakeup: wakeup, logger: H.logger)
                        let running = Task { try await worker.run() }
                        defer { running.cancel() }
                        try await body(source.url, "http://127.0.0.1:\(live.port!)", targetDB, folder)
                    }
                }
            }
        }
    }

    static func verify(_ a: String, _ b: String) async throws -> H.Outcome {
        try await H.run(["migrate", "verify", "--from", a, "--to", b, "--quiet"])
    }

    @Test func anExportImportedThroughTheAPIGivesTheSameGraph() async throws {
        try await Self.withGateways(twins: 300) { source, target, _, folder in
            let file = folder + "/graph.ndjson"
            let export = try await H.run(["migrate", "export", "--from", source, "--out", file, "--quiet"])
            #expect(export.status == 0, "\(export.error)")
            #expect(export.output.contains("exported: 4 models, 300 twins, 900 relationships"), "\(export.output)")
            let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map {
                try JSONParser.parse(String($0))
            }
            let expectedLines = 2 + 1 + 4 + 1 + 300 + 1 + 900  // header, models, twins, relationships
            #expect(lines.count == expectedLines)
            #expect(lines[0] == ["Section": "Header"])
            #expect(lines[2] == ["Section": "Models"])
            let modelOrder = lines[3..<7].compactMap { $0["@id"]?.stringValue }
            #expect(
                modelOrder.firstIndex(of: "dtmi:mig:Space;1")! < modelOrder.firstIndex(of: "dtmi:mig:Room;1")!
                    && modelOrder.firstIndex(of: "dtmi:mig:Thermostat;1")! < modelOrder.firstIndex(
                        of: "dtmi:mig:Room;1")!
            )
            #expect(lines[7] == ["Section": "Twins"])
            #expect(lines[8]["$etag"] == nil && lines[8]["$metadata"]?["$lastUpdateTime"] == nil)
            #expect(lines[308] == ["Section": "Relationships"])
            #expect(lines[309]["$dtId"] != nil && lines[309]["$sourceId"] == nil)

            let imported = try await H.run(["migrate", "import", "--to", target, file, "--quiet"])
            #expect(imported.status == 0, "\(imported.error)")
            #expect(imported.output.contains("imported: 4 models, 300 twins, 900 relationships"), "\(imported.output)")
            // The file format has no decommissioned flag: the one difference.
            let check = try await Self.verify(source, target)
            #expect(check.status == 1)
            #expect(
                check.output.hasPrefix(
                    "different: model dtmi:mig:Old;1: decommissioned: true → false\nverify: 0 missing, 0 extra, 1 different"
                ),
                "\(check.output)")
            // Again: nothing is written twice.
            let again = try await H.run(["migrate", "import", "--to", target, file, "--quiet"])
            #expect(again.output.contains("imported: 0 models, 1200 unchanged"), "\(again.output)")
        }
    }

    @Test func anImportJobOnTheTargetDoesTheWork() async throws {
        try await Self.withGateways(twins: 200) { source, target, targetDB, folder in
            let file = folder + "/graph.ndjson"
            #expect(try await H.run(["migrate", "export", "--from", source, "--out", file, "--quiet"]).status == 0)
            let job = try await H.run([
                "migrate", "import", "--to", target, "--job-output", "file://\(folder)/log.ndjson", "--job-id", "move",
                "file://\(file)",
            ])
            #expect(job.status == 0, "\(job.error)")
            #expect(
                try JSONParser.parse(job.output.trimmingCharacters(in: .whitespacesAndNewlines))["status"]
                    == "succeeded")
            #expect(try await H.count(targetDB, "relationships") == 600)
            let check = try await Self.verify(source, target)
            #expect(check.status == 1, "the decommissioned flag does not travel in a file: \(check.output)")
            #expect(check.output.contains("different: model dtmi:mig:Old;1: decommissioned: true → false"))
        }
    }

    @Test func aQueryExportsAPartOfTheGraphWithWhatItNeeds() async throws {
        try await Self.withGateways(twins: 100) { source, target, targetDB, folder in
            // Rooms 0, 1, 40, 41, 80, 81: temperature 0.5 or 1.5.
            let query = "SELECT * FROM digitaltwins WHERE temperature < 2"
            let copy = try await H.run([
                "migrate", "copy", "--from", source, "--to", target, "--query", query, "--quiet",
            ])
            #expect(copy.status == 0, "\(copy.error)")
            #expect(try await H.count(targetDB, "twins") == 6)
            // Only the relationships between them: room-0 → room-1 (a), room-40 → room-41, room-80 → room-81.
            #expect(try await H.count(targetDB, "relationships") == 3)
            let models = try await targetDB.query("SELECT id FROM models ORDER BY id", logger: H.logger)
            var ids: [String] = []
            for try await id in models.decode(String.self) { ids.append(id) }
            #expect(ids == ["dtmi:mig:Room;1", "dtmi:mig:Space;1", "dtmi:mig:Thermostat;1"])
            let check = try await H.run([
                "migrate", "verify", "--from", source, "--to", target, "--query", query, "--quiet",
            ])
            #expect(check.status == 0, "\(check.output)")
        }
    }

    @Test func aCopyToATargetThrottlingHalfItsRequestsCompletes() async throws {
        try await Self.withGateways(twins: 150) { source, target, _, _ in
            let proxy = ThrottlingProxy(target: target)
            try await proxy.run { throttled in
                let copy = try await H.run([
                    "migrate", "copy", "--from", source, "--to", throttled, "--to-auth", "none", "--quiet",
                ])
                #expect(copy.status == 0, "\(copy.error)")
                #expect(copy.output.contains("150 twins, 450 relationships"), "\(copy.output)")
            }
            #expect(await proxy.throttled > 300)
            let check = try await Self.verify(source, target)
            #expect(check.status == 0, "\(check.output)")
        }
    }

    @Test func aRefusedItemIsReportedAndTheRestGoesOnWithExitCode1AndRateSpacesWrites() async throws {
        try await Self.withGateways(twins: 0) { _, target, targetDB, folder in
            var lines =
                [
                    #"{"Section": "Header"}"#, #"{"fileVersion": "1.0.0"}"#, #"{"Section": "Models"}"#,
                ] + H.models + [#"{"Section": "Twins"}"#]
            lines += (0..<150).map { JSONWriter.string(.object(H.twin($0))) }
            lines.append(#"{"$dtId":"bad","$metadata":{"$model":"dtmi:mig:Room;1"},"temperature":"hot"}"#)
            let file = folder + "/bad.ndjson"
            try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            let started = ContinuousClock.now
            let run = try await H.run(["migrate", "import", "--to", target, file, "--rate", "100", "--quiet"])
            let elapsed = ContinuousClock.now - started
            #expect(run.status == 1)
            #expect(run.error.contains("refused: twin bad:"), "\(run.error)")
            #expect(run.output.contains("4 models, 150 twins, 1 failed"), "\(run.output)")
            #expect(try await H.count(targetDB, "twins") == 150)
            // 152 requests at 100 per second: the first 100 at once, the rest over half a second.
            #expect(elapsed > .milliseconds(450), "\(elapsed)")
            // A state file that is not one: a clear error, nothing written.
            let state = folder + "/broken.state"
            try "not json".write(toFile: state, atomically: true, encoding: .utf8)
            let broken = try await H.run(["migrate", "import", "--to", target, file, "--resume", state, "--quiet"])
            #expect(broken.status == 1)
            #expect(broken.error.hasPrefix("twins: error: the state file \(state) cannot be read"), "\(broken.error)")
        }
    }
}
