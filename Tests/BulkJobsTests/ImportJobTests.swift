import ADTWire
import Foundation
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

@Suite struct ImportJobTests {
    @Test func importsModelsTwinsAndRelationshipsLoggingEachBadLine() async throws {
        try await JobHarness.run { h in
            var lines = JobHarness.graph(twins: 120)
            let twinsAt = lines.firstIndex(of: #"{"Section": "Twins"}"#)! + 1
            // Bad twins: a wrong type, a repeated id, not JSON; a relationship to nowhere.
            lines.insert(
                #"{"$dtId":"bad-type","$metadata":{"$model":"dtmi:ex:Room;1"},"temperature":"hot"}"#, at: twinsAt)
            lines.insert(JobHarness.twin("room-0"), at: twinsAt + 1)
            lines.insert("{not json", at: twinsAt + 2)
            lines.append(JobHarness.relationship("room-0", "lost", to: "nowhere"))
            let input = try h.file("in.ndjson", lines)
            let created = try await h.startImport("job1", input: input, output: h.uri("out.ndjson"))
            #expect(
                created.members.map(\.key) == [
                    "id", "inputBlobUri", "outputBlobUri", "createdDateTime", "lastActionDateTime", "purgeDateTime",
                    "status",
                ])
            #expect(created["status"] == "notstarted" || created["status"] == "running")

            let job = try await h.wait("job1")
            #expect(job["status"] == "succeeded")
            #expect(job["finishedDateTime"]?.stringValue?.hasSuffix("Z") == true)
            #expect(try await h.count("twins") == 120)
            #expect(try await h.count("relationships") == 119)
            #expect(try await h.count("models") == 2)
            let twin = try JobHarness.json(try await h.send(.get, "/digitaltwins/room-7", expect: .ok))
            #expect(twin["temperature"] == .integer(20) || twin["temperature"] == .double(20))
            #expect(twin["$etag"]?.stringValue?.hasPrefix("W/\"") == true)
            // As a PUT would: one Create notification per twin and relationship.
            let byType = try await h.notificationsByType()
            #expect(
                byType == [
                    "Microsoft.DigitalTwins.Twin.Create": 120, "Microsoft.DigitalTwins.Relationship.Create": 119,
                ])

            let log = try h.log("out.ndjson")
            #expect(log.allSatisfy { $0["jobId"] == "job1" && $0["jobType"] == "Import" && $0["timestamp"] != nil })
            let info = log.filter { $0["logType"] == "Info" }.map {
                JSONWriter.string(.object($0["details"]!.objectValue!))
            }
            #expect(
                info == [
                    #"{"status":"Started"}"#,
                    #"{"section":"Models","status":"Started"}"#, #"{"section":"Models","status":"Succeeded"}"#,
                    #"{"section":"Twins","status":"Started"}"#, #"{"section":"Twins","status":"Succeeded"}"#,
                    #"{"section":"Relationships","status":"Started"}"#,
                    #"{"section":"Relationships","status":"Succeeded"}"#,
                    #"{"summary":{"models":2,"twins":120,"relationships":119,"errors":4}}"#,
                    #"{"status":"Succeeded"}"#,
                ])
            // By line: the type error, the line that is not JSON, the second room-0 (the
            // first one, earlier in the file, was written), the relationship to nowhere.
            let errors = log.filter { $0["logType"] == "Error" }.compactMap { $0["details"]?.objectValue }
                .sorted { ($0["line"]?.numberValue ?? 0) < ($1["line"]?.numberValue ?? 0) }
            #expect(errors.count == 4)
            #expect(
                errors.map { $0["line"] }
                    == [twinsAt + 1, twinsAt + 3, twinsAt + 4, lines.count].map { .integer(Int64($0)) })
            #expect(
                errors.map { $0["code"]?.stringValue ?? "" } == [
                    "ValidationFailed", "InvalidArgument", "DigitalTwinAlreadyExists", "TargetDigitalTwinNotFound",
                ])
            #expect(errors[0]["id"] == "bad-type" && errors[0]["section"] == "Twins")
            #expect(errors[3]["id"] == "lost" && errors[3]["section"] == "Relationships")
        }
    }

    @Test func theJobAPIAnswersAsADT() async throws {
        try await JobHarness.run(worker: false) { h in
            let input = try h.file("in.ndjson", JobHarness.graph(twins: 1))
            let body = #"{"inputBlobUri":"\#(input)","outputBlobUri":"\#(h.uri("out.ndjson"))"}"#
            let job = try await h.startImport("a", input: input, output: h.uri("out.ndjson"))
            #expect(job["status"] == "notstarted")
            #expect(job["finishedDateTime"] == nil)
            // The same id again; a second active job; bad bodies and locations.
            var error = try JobHarness.json(try await h.send(.put, "/jobs/imports/a", body, expect: .conflict))
            #expect(error["error"]?["code"] == "JobIdAlreadyExists")
            error = try JobHarness.json(try await h.send(.put, "/jobs/imports/b", body, expect: .badRequest))
            #expect(error["error"]?["code"] == "JobLimitReached")
            error = try JobHarness.json(
                try await h.send(
                    .put, "/jobs/imports/c", #"{"inputBlobUri":"invalidUri","outputBlobUri":"invalidUri"}"#,
                    expect: .badRequest))
            #expect(error["error"]?["code"] == "InvalidArgument")
            #expect(
                error["error"]?["message"]?.stringValue?.hasPrefix(
                    "Azure Storage Blob URI 'invalidUri' failed validation.")
                    == true)
            error = try JobHarness.json(
                try await h.send(
                    .put, "/jobs/imports/c", #"{"inputBlobUri":"file:///etc/passwd","outputBlobUri":"\#(h.uri("o"))"}"#,
                    expect: .badRequest))
            #expect(error["error"]?["code"] == "InvalidArgument")
            #expect(error["error"]?["message"]?.stringValue?.contains("outside the import directory") == true)
            error = try JobHarness.json(
                try await h.send(
                    .put, "/jobs/imports/c",
                    #"{"inputBlobUri":"file://\#(h.directory)/../x","outputBlobUri":"\#(h.uri("o"))"}"#,
                    expect: .badRequest))
            #expect(error["error"]?["message"]?.stringValue?.contains("outside the import directory") == true)
            error = try JobHarness.json(
                try await h.send(.put, "/jobs/imports/c", #"{"inputBlobUri":"\#(input)"}"#, expect: .badRequest))
            #expect(error["error"]?["code"] == "ValidationFailed")
            error = try JobHarness.json(try await h.send(.get, "/jobs/imports/none", expect: .notFound))
            #expect(error["error"]?["code"] == "ImportJobNotFound")
            try await h.send(.get, "/jobs/imports", version: "api-version=2022-05-31", expect: .notFound)
            // A job not started is cancelled at once, and then its record may go.
            let cancelled = try JobHarness.json(try await h.send(.post, "/jobs/imports/a/cancel", expect: .ok))
            #expect(cancelled["status"] == "cancelled")
            error = try JobHarness.json(try await h.send(.post, "/jobs/imports/a/cancel", expect: .badRequest))
            #expect(error["error"]?["code"] == "ValidationFailed")
            // Pages of jobs.
            try await h.startImport("b", input: input, output: h.uri("out.ndjson"))
            var headers = HTTPFields()
            headers[HTTPField.Name("max-items-per-page")!] = "1"
            let first = try JobHarness.json(try await h.send(.get, "/jobs/imports", headers: headers, expect: .ok))
            #expect(first["value"]?.arrayValue?.map { $0["id"] } == ["a"])
            let next = try #require(first["nextLink"]?.stringValue)
            let path = String(next[next.range(of: "/jobs/imports")!.lowerBound...])
            let second = try JobHarness.json(try await h.http.send(.get, path, nil, headers: [:]))
            #expect(second["value"]?.arrayValue?.map { $0["id"] } == ["b"])
            #expect(second["nextLink"] == nil || second["nextLink"] == .null)
            // A job still active keeps its record; a finished one's goes, and its id is free.
            error = try JobHarness.json(try await h.send(.delete, "/jobs/imports/b", expect: .badRequest))
            #expect(error["error"]?["code"] == "ValidationFailed")
            try await h.send(.delete, "/jobs/imports/a", expect: .noContent)
            try await h.send(.get, "/jobs/imports/a", expect: .notFound)
        }
    }

    @Test func invalidModelsFailTheJobBeforeAnyTwin() async throws {
        try await JobHarness.run { h in
            var lines = JobHarness.graph(twins: 3)
            lines[3] =
                #"{"@context":"dtmi:dtdl:context;2","@id":"dtmi:ex:Room;1","@type":"Interface","extends":"dtmi:ex:Missing;1"}"#
            let input = try h.file("in.ndjson", lines)
            try await h.startImport("bad-models", input: input, output: h.uri("out.ndjson"))
            let job = try await h.wait("bad-models")
            #expect(job["status"] == "failed")
            #expect(job["error"]?["code"] == "DTDLParsingError")
            #expect(try await h.count("models") == 0)
            #expect(try await h.count("twins") == 0)
            let last = try #require(try h.log("out.ndjson").last)
            #expect(last["logType"] == "Error")
            #expect(last["details"]?["status"] == "Failed")
            #expect(last["details"]?["error"]?["code"] == "DTDLParsingError")
        }
    }

    @Test func aFileNotInTheImportFormatFailsTheJob() async throws {
        try await JobHarness.run { h in
            let input = try h.file("in.ndjson", [#"{"Section": "Twins"}"#, JobHarness.twin("x")])
            try await h.startImport("no-header", input: input, output: h.uri("out.ndjson"))
            let job = try await h.wait("no-header")
            #expect(job["status"] == "failed")
            #expect(job["error"]?["code"] == "InvalidImportFile")
            #expect(job["error"]?["message"]?.stringValue?.contains("Line 1") == true)
        }
    }

    @Test func anImportOfTheSameFileAgainSkipsItsModelsAndReportsEachTwin() async throws {
        try await JobHarness.run { h in
            let input = try h.file("in.ndjson", JobHarness.graph(twins: 5))
            try await h.startImport("first", input: input, output: h.uri("first.ndjson"))
            #expect(try await h.wait("first")["status"] == "succeeded")
            try await h.startImport("again", input: input, output: h.uri("again.ndjson"))
            #expect(try await h.wait("again")["status"] == "succeeded")
            let log = try h.log("again.ndjson")
            #expect(log.filter { $0["logType"] == "Warning" }.count == 2)
            let codes = log.compactMap { $0["details"]?["code"]?.stringValue }
            #expect(codes.filter { $0 == "DigitalTwinAlreadyExists" }.count == 5)
            #expect(codes.filter { $0 == "RelationshipAlreadyExists" }.count == 4)
            #expect(try await h.count("twins") == 5)
        }
    }

    @Test func cancelStopsTheJobBetweenBatches() async throws {
        try await JobHarness.run(configuration: JobHarness.quick(batchSize: 20)) { h in
            let input = try h.file("in.ndjson", JobHarness.graph(twins: 4000))
            try await h.startImport("long", input: input, output: h.uri("out.ndjson"))
            // Wait for the first twins, then cancel.
            let deadline = ContinuousClock.now + .seconds(30)
            while try await h.count("twins") == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            let answer = try JobHarness.json(try await h.send(.post, "/jobs/imports/long/cancel", expect: .ok))
            #expect(answer["status"] == "cancelling" || answer["status"] == "cancelled")
            let job = try await h.wait("long")
            #expect(job["status"] == "cancelled")
            let twins = try await h.count("twins")
            #expect(twins > 0 && twins < 4000)
            #expect(twins % 20 == 0, "whole batches only: \(twins)")
            #expect(try h.log("out.ndjson").last?["details"]?["status"] == "Cancelled")
        }
    }
}
