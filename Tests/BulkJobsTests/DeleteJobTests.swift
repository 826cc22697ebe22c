import ADTWire
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

@Suite struct DeleteJobTests {
    @Test func aDeleteJobEmptiesAPopulatedInstance() async throws {
        try await JobHarness.run { h in
            let input = try h.file("in.ndjson", JobHarness.graph(twins: 300))
            try await h.startImport("fill", input: input, output: h.uri("out.ndjson"))
            #expect(try await h.wait("fill")["status"] == "succeeded")
            try await h.database.query("DELETE FROM outbox", logger: JobHarness.logger)

            var headers = HTTPFields()
            headers[HTTPField.Name("operation-id")!] = "wipe-1"
            let response = try await h.send(
                .post, "/jobs/deletions?timeoutInMinutes=60", headers: headers, expect: .accepted)
            // As the specification's example: Operation-Location to poll, Operation-Id, the job.
            let location = try #require(response.headers[HTTPField.Name("Operation-Location")!])
            #expect(location.hasSuffix("/jobs/deletions/wipe-1?api-version=2023-10-31"))
            #expect(location.hasPrefix("http://"))
            #expect(response.headers[HTTPField.Name("Operation-Id")!] == "wipe-1")
            let job = try JobHarness.json(response)
            #expect(job.members.map(\.key) == ["id", "createdDateTime", "purgeDateTime", "status"])
            #expect(job["status"] == "notstarted" || job["status"] == "running")

            let done = try await h.wait("wipe-1", kind: "deletions", for: ["succeeded", "failed"])
            #expect(done["status"] == "succeeded")
            #expect(done["finishedDateTime"] != nil)
            #expect(try await h.count("relationships") == 0)
            #expect(try await h.count("twins") == 0)
            #expect(try await h.count("models") == 0)
            try await h.send(.get, "/models/dtmi:ex:Room;1", expect: .notFound)
            // Each deletion is notified, as a DELETE's is.
            let byType = try await h.notificationsByType()
            #expect(
                byType == [
                    "Microsoft.DigitalTwins.Relationship.Delete": 299, "Microsoft.DigitalTwins.Twin.Delete": 300,
                ])

            // The same operation id again; limits of the timeout; an unknown job; older versions.
            var error = try JobHarness.json(
                try await h.send(.post, "/jobs/deletions", headers: headers, expect: .badRequest))
            #expect(error["error"]?["code"] == "ValidationFailed")
            error = try JobHarness.json(
                try await h.send(.post, "/jobs/deletions?timeoutInMinutes=5", expect: .badRequest))
            #expect(error["error"]?["code"] == "ValidationFailed")
            error = try JobHarness.json(try await h.send(.get, "/jobs/deletions/none", expect: .notFound))
            #expect(error["error"]?["code"] == "DeleteJobNotFound")
            try await h.send(.post, "/jobs/deletions", version: "api-version=2023-06-30", expect: .notFound)
            let list = try JobHarness.json(try await h.send(.get, "/jobs/deletions", expect: .ok))
            #expect(list["value"]?.arrayValue?.map { $0["id"] } == ["wipe-1"])
        }
    }

    @Test func withoutAnOperationIdTheServiceNamesTheJob() async throws {
        try await JobHarness.run { h in
            let response = try await h.send(.post, "/jobs/deletions", expect: .accepted)
            let id = try #require(response.headers[HTTPField.Name("Operation-Id")!])
            #expect(UUID(uuidString: id) != nil)
            #expect(try await h.wait(id, kind: "deletions", for: ["succeeded", "failed"])["status"] == "succeeded")
        }
    }
}
