import ADTWire
import DigitalTwinsClient
import Foundation
import GatewayTestSupport
import Logging
import PostgresNIO
import PostgresSupport
import Testing
import TwinTestSupport

/// Import jobs across a crash, with the gateway as a real process killed with SIGKILL.
@Suite(
    .serialized,
    .timeLimit(.minutes(3)),
    .enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)),
    .enabled(if: TwinsProcess.executable != nil, "needs the built twins executable: run scripts/test.sh"))
struct JobFaultTests {
    static let logger = JobHarness.logger

    static func count(_ client: PostgresClient, _ sql: String) async throws -> Int {
        let rows = try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        for try await n in rows.decode(Int.self) { return n }
        return -1
    }

    @Test func anImportKilledMidwayResumesAfterTheRestartWithNothingTwice() async throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("jobs-\(UUID().uuidString)")
            .resolvingSymlinksInPath()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let twins = 30_000
        let input = folder.appendingPathComponent("in.ndjson")
        try (JobHarness.graph(twins: twins).joined(separator: "\n") + "\n").write(
            to: input, atomically: true, encoding: .utf8)
        try await TestDatabase.withFreshDatabase { url, client in
            let gateway = TwinsProcess(
                arguments: [
                    "serve", "--host", "127.0.0.1", "--port", "0", "--database-url",
                    url.description + "?sslmode=disable",
                    "--import-dir", folder.path, "--job-lease", "3", "--log-level", "error",
                    "--database-pool-size", "6",
                ],
                readyMarker: "twins: serving at ")
            let endpoint = try await gateway.start()
            let api = try DigitalTwinsClient(endpoint: endpoint)
            _ = try await api.createImportJob(
                id: "big", inputBlobURI: "file://" + input.path,
                outputBlobURI: "file://" + folder.appendingPathComponent("out.ndjson").path)
            // Kill it once some twins are in, well before the end.
            let deadline = ContinuousClock.now + .seconds(60)
            while try await Self.count(client, "SELECT count(*)::int FROM twins") < 4_000 {
                guard ContinuousClock.now < deadline else { throw CancellationError() }
                try await Task.sleep(for: .milliseconds(2))
            }
            await gateway.kill9()
            let atKill = try await Self.count(client, "SELECT count(*)::int FROM twins")
            #expect(atKill < twins, "the import ended before the kill")
            #expect(
                try await Self.count(client, "SELECT count(*)::int FROM jobs WHERE id = 'big' AND status = 'running'")
                    == 1)

            let restarted = try DigitalTwinsClient(endpoint: try await gateway.start())
            let job = try await restarted.waitForJob(
                try await restarted.getImportJob(id: "big"), interval: .milliseconds(100), timeout: .seconds(120))
            await gateway.stop()
            #expect(job.status == "succeeded", "\(job.json)")
            #expect(try await Self.count(client, "SELECT count(*)::int FROM twins") == twins)
            #expect(try await Self.count(client, "SELECT count(*)::int FROM relationships") == twins - 1)
            // The log: every line once, the summary of the whole file, and no error (a batch
            // applied twice would have logged DigitalTwinAlreadyExists for each of its twins).
            let lines = try String(contentsOf: folder.appendingPathComponent("out.ndjson"), encoding: .utf8)
                .split(separator: "\n").map { try JSONParser.parse(String($0)) }
            let details = lines.compactMap { $0["details"].map(JSONWriter.string) }
            #expect(Set(details).count == details.count, "a log line written twice")
            #expect(lines.filter { $0["logType"] == "Error" }.isEmpty)
            #expect(
                details.contains(#"{"summary":{"models":2,"twins":30000,"relationships":29999,"errors":0}}"#))
            #expect(details.last == #"{"status":"Succeeded"}"#)
        }
    }
}
