import ADTWire
import BulkJobs
import Foundation
import PostgresNIO
import PostgresSupport
import Testing
import TwinStore

/// A worker stopped gracefully lets go of its job at once, and the next worker resumes it.
@Suite struct JobReleaseTests {
    @Test func aStoppedWorkerReleasesItsJobAndAnotherFinishesIt() async throws {
        try await JobHarness.run(worker: false) { h in
            let input = try h.file("in.ndjson", JobHarness.graph(twins: 1000))
            try await h.startImport("handover", input: input, output: h.uri("out.ndjson"))
            var configuration = JobHarness.quick(batchSize: 20)
            configuration.inputs = JobInputPolicy(importDirectory: h.directory)
            // A long lease: only a release lets the second worker in soon.
            configuration.leaseDuration = .seconds(60)
            let base = configuration
            let database = h.database
            @Sendable func worker(_ name: String) -> JobWorker {
                var own = base
                own.workerID = name
                return JobWorker(
                    client: database, catalog: ModelCatalog(logger: JobHarness.logger), configuration: own,
                    eventSource: "localhost", wakeup: Wakeup(), logger: JobHarness.logger)
            }
            let firstWorker = worker("first")
            let first = Task { try await firstWorker.run() }
            let deadline = ContinuousClock.now + .seconds(30)
            while try await h.count("twins") < 100, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            first.cancel()
            _ = await first.result
            let rows = try await h.database.query(
                "SELECT status, runner FROM jobs WHERE id = 'handover'", logger: JobHarness.logger)
            var held: [(String, String?)] = []
            for try await row in rows.decode((String, String?).self) { held.append(row) }
            #expect(held.count == 1)
            #expect(held.first?.0 == "running")
            #expect(held.first?.1 == nil, "the job is still held by \(held.first?.1 ?? "")")
            let partial = try await h.count("twins")
            #expect(partial < 1000, "the job ended before the stop")

            let secondWorker = worker("second")
            let second = Task { try await secondWorker.run() }
            defer { second.cancel() }
            let job = try await h.wait("handover", timeout: .seconds(120))
            #expect(job["status"] == "succeeded")
            #expect(try await h.count("twins") == 1000)
            #expect(try h.log("out.ndjson").filter { $0["logType"] == "Error" }.isEmpty)
        }
    }
}
