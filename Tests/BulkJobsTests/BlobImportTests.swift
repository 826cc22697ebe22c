import ADTWire
import Foundation
import GatewayTestSupport
import Testing

/// Import jobs reading an input blob and writing the output log as an Azure append blob, on a
/// loopback blob server that checks the calls.
@Suite struct BlobImportTests {
    @Test func readsTheInputBlobAndAppendsTheLogWithoutRepeatingALine() async throws {
        let blobs = BlobServer()
        await blobs.put("/container/in.ndjson", (JobHarness.graph(twins: 200) + ["{broken"]).joined(separator: "\n"))
        // Two appends refused outright, one written but its answer lost: the job retries, and
        // the append position makes the repeated block harmless.
        await blobs.failNextAppends(2)
        await blobs.loseNextAppendAcks(1)
        try await blobs.run { base in
            try await JobHarness.run { h in
                let sas = "sv=2021-08-06&sig=secret"
                try await h.startImport(
                    "blob-job", input: "\(base)/container/in.ndjson?\(sas)",
                    output: "\(base)/container/out.ndjson?\(sas)")
                let job = try await h.wait("blob-job")
                #expect(job["status"] == "succeeded")
                #expect(try await h.count("twins") == 200)

                let calls = await blobs.calls
                let create = try #require(calls.first { $0.method == "PUT" && !$0.query.contains("comp=") })
                #expect(create.path == "/container/out.ndjson")
                #expect(create.headers["x-ms-blob-type"] == "AppendBlob")
                #expect(create.headers["x-ms-version"] != nil)
                #expect(create.query.contains("sig=secret"))
                let appends = calls.filter { $0.query.contains("comp=appendblock") }
                #expect(appends.allSatisfy { $0.headers["x-ms-blob-condition-appendpos"] != nil })
                #expect(appends.contains { $0.status == 412 }, "the repeated block met the append position")
                #expect(calls.contains { $0.method == "GET" && $0.path == "/container/in.ndjson" })

                let text = try #require(await blobs.text("/container/out.ndjson"))
                let lines = text.split(separator: "\n").map(String.init)
                #expect(Set(lines).count == lines.count, "no line twice")
                let details = try lines.map { try JSONParser.parse($0)["details"] }
                #expect(details.first == .object(JSONObject([(key: "status", value: "Started")])))
                #expect(details.last == .object(JSONObject([(key: "status", value: "Succeeded")])))
                #expect(details.filter { $0?["code"] == "InvalidArgument" }.count == 1)
            }
        }
    }

    @Test func anUnreachableInputFailsTheJobWithAReason() async throws {
        try await JobHarness.run { h in
            try await h.startImport("gone", input: "http://127.0.0.1:9/in.ndjson", output: h.uri("out.ndjson"))
            let job = try await h.wait("gone")
            #expect(job["status"] == "failed")
            #expect(job["error"]?["code"] == "InputBlobNotReadable")
            #expect(try h.log("out.ndjson").last?["details"]?["status"] == "Failed")
        }
    }
}
