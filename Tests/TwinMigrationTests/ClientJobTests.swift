import ADTWire
import DigitalTwinsClient
import Foundation
import GatewayTestSupport
import Testing
import TwinTestSupport

/// The client's typed job calls against a gateway that runs jobs.
@Suite(
    .timeLimit(.minutes(3)),
    .enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)),
    .enabled(if: TwinsProcess.executable != nil, "needs the built twins executable: run scripts/test.sh"))
struct ClientJobTests {
    @Test func importAndDeleteJobsThroughTheClient() async throws {
        try await MigrateFileTests.withGateways(twins: 20) { source, target, targetDB, folder in
            let file = folder + "/graph.ndjson"
            #expect(
                try await MigrationHarness.run(["migrate", "export", "--from", source, "--out", file, "--quiet"]).status
                    == 0)
            let client = try DigitalTwinsClient(endpoint: target)
            let created = try await client.createImportJob(
                id: "client-job", inputBlobURI: "file://" + file, outputBlobURI: "file://\(folder)/log.ndjson")
            #expect(created.id == "client-job" && created.inputBlobURI == "file://" + file)
            let done = try await client.waitForJob(created, interval: .milliseconds(50), timeout: .seconds(60))
            #expect(done.status == "succeeded" && done.finishedDateTime != nil && done.error == nil)
            #expect(try await client.listImportJobs(maxItemsPerPage: 1).collect().map(\.id) == ["client-job"])
            await #expect(throws: ADTError.self) { try await client.cancelImportJob(id: "client-job") }
            try await client.deleteImportJob(id: "client-job")
            let missing = await #expect(throws: ADTError.self) { try await client.getImportJob(id: "client-job") }
            #expect(missing?.code?.rawValue == "ImportJobNotFound")

            let deletion = try await client.startDeleteJob(operationID: "wipe", timeoutInMinutes: 30)
            #expect(deletion.id == "wipe")
            let wiped = try await client.waitForJob(
                deletion, deletion: true, interval: .milliseconds(50), timeout: .seconds(60))
            #expect(wiped.status == "succeeded")
            #expect(try await client.listDeleteJobs().collect().map(\.id) == ["wipe"])
            #expect(try await MigrationHarness.count(targetDB, "twins") == 0)
        }
    }
}
