import ADTWire
import DigitalTwinsClient
import Foundation
import GatewayTestSupport
import HTTPTransport
import Testing
import TwinTestSupport

/// The bridge function's HTTP surface (Event Grid's handshakes, its counts) and `twins bridge
/// status` over both directions.
@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)), .timeLimit(.minutes(3)))
struct BridgeStatusTests {
    static func send(_ method: HTTPMethod, _ url: String, headers: HTTPHeaders = [:], body: String? = nil)
        async throws -> TransportResponse
    {
        try await CurlTransport.shared.send(
            TransportRequest(method: method, url: url, headers: headers, body: body.map { Array($0.utf8) }))
    }

    @Test func theFunctionAnswersEventGridsHandshakes() async throws {
        try await BridgeSides.run(out: false, in: false) { sides in
            let validation = try await Self.send(
                .post, sides.functionsURL,
                headers: ["Content-Type": "application/json", "aeg-event-type": "SubscriptionValidation"],
                body:
                    #"[{"id":"1","eventType":"Microsoft.EventGrid.SubscriptionValidationEvent","subject":"","eventTime":"2026-01-01T00:00:00Z","data":{"validationCode":"c0de"},"dataVersion":"1"}]"#
            )
            #expect(validation.status == 200)
            #expect(try JSONParser.parse(validation.body)["validationResponse"] == "c0de")
            let options = try await Self.send(
                .options, sides.functionsURL, headers: ["WebHook-Request-Origin": "eventgrid.azure.net"])
            #expect(options.status == 200)
            #expect(options.headers["WebHook-Allowed-Origin"] == "eventgrid.azure.net")
            let refused = try await Self.send(.post, sides.functionsURL, body: #"{"neither": true}"#)
            #expect(refused.status == 400)
            let counts = try await Self.send(.get, sides.functionsURL)
            #expect(counts.status == 200)
            #expect(try JSONParser.parse(counts.body)["applied"] == 0)
        }
    }

    @Test(.enabled(if: TwinsProcess.executable != nil, "needs the built twins executable: run scripts/test.sh"))
    func statusShowsBothDirections() async throws {
        let executable = try #require(TwinsProcess.executable)
        try await BridgeSides.run(out: true, in: true) { sides in
            _ = try await sides.azure.createModels(BridgeSides.models)
            try await Workload(client: sides.us, prefix: "u", twins: 10).run()
            try await Workload(client: sides.azure, prefix: "a", twins: 10).run()
            try await sides.drain()
            let output = try await Self.run(
                executable,
                [
                    "bridge", "status", "--endpoint", sides.us.endpoint, "--functions", sides.functionsURL, "--format",
                    "jsonl",
                ])
            let rows = output.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
            #expect(rows.count == 2, "\(output)")
            let out = try #require(rows.first { $0["direction"] == "out" })
            let inbound = try #require(rows.first { $0["direction"] == "in" })
            #expect(out["name"] == "toAzure" && out["backlog"] == 0)
            #expect((out["applied"]?.numberValue ?? 0) >= 150)
            #expect((out["echoes"]?.numberValue ?? 0) >= 150)
            #expect((inbound["applied"]?.numberValue ?? 0) >= 150)
            #expect(inbound["conflicts"] == 0 && out["conflicts"] == 0)
            let table = try await Self.run(executable, ["bridge", "status", "--endpoint", sides.us.endpoint])
            #expect(table.hasPrefix("direction  endpoint"), "\(table)")
        }
    }

    /// Runs `twins` to the end; its standard output (pipes read on Dispatch threads, the exit
    /// polled: the gateways in this process need the cooperative threads).
    static func run(_ executable: URL, _ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("AZURE_") && !$0.key.hasPrefix("TWINS_") && !$0.key.lowercased().hasSuffix("_proxy")
        }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: out.fileHandleForReading.readDataToEndOfFile())
            }
        }
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self)
    }
}
