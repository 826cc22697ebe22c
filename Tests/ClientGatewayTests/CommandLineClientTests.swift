import Foundation
import GatewayTestSupport
import Testing
import TwinTestSupport

/// The `twins` client commands (the built executable) against the real gateway over HTTPS,
/// authenticated by client secret through the development issuer.
@Suite(
    .enabled(
        if: TestDatabase.available && TwinsExecutable.url != nil,
        "needs TWINS_TEST_DATABASE_URL and the built twins executable: run the tests through scripts/test.sh"),
    .timeLimit(.minutes(2)))
struct CommandLineClientTests {
    @Test func clientCommandsEndToEnd() async throws {
        try await LiveGateway.secured { endpoint in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            // Named so that the room, which needs the thermostat, comes first in the folder.
            try
                #"{"@context":"dtmi:dtdl:context;3","@id":"dtmi:cli:Room;1","@type":"Interface","contents":[{"@type":"Property","name":"temperature","schema":"double"},{"@type":"Telemetry","name":"humidity","schema":"double"},{"@type":"Component","name":"thermostat","schema":"dtmi:cli:Thermostat;1"},{"@type":"Relationship","name":"contains"}]}"#
                .write(to: directory.appendingPathComponent("a-room.json"), atomically: true, encoding: .utf8)
            try
                #"[{"@context":"dtmi:dtdl:context;3","@id":"dtmi:cli:Thermostat;1","@type":"Interface","contents":[{"@type":"Property","name":"setpoint","schema":"double"}]}]"#
                .write(to: directory.appendingPathComponent("b-thermostat.json"), atomically: true, encoding: .utf8)

            let env = [
                "TWINS_ENDPOINT": endpoint.url, "TWINS_CA_FILE": endpoint.caFile ?? "", "AZURE_TENANT_ID": "tenant-1",
                "AZURE_CLIENT_ID": "owner-app", "AZURE_CLIENT_SECRET": "owner-secret",
                "AZURE_AUTHORITY_HOST": endpoint.authorityHost,
            ]
            func twins(_ arguments: String..., environment: [String: String] = env) async throws
                -> TwinsExecutable.Outcome
            {
                try await TwinsExecutable.run(arguments, environment: environment)
            }

            let upload = try await twins("model", "upload", directory.path)
            #expect(upload.status == 0, "\(upload.error)")
            #expect(upload.output == "dtmi:cli:Thermostat;1\ndtmi:cli:Room;1\n")
            let again = try await twins("model", "upload", directory.path, "--skip-existing")
            #expect(again.status == 0 && again.output.isEmpty)
            #expect(try await twins("model", "list").output.split(separator: "\n").count == 2)

            let room = #"{"$metadata":{"$model":"dtmi:cli:Room;1"},"temperature":20,"thermostat":{"$metadata":{}}}"#
            #expect(try await twins("twin", "create", "r1", room, "--if-none-match").status == 0)
            #expect(try await twins("twin", "create", "r2", room).status == 0)
            let duplicate = try await twins("twin", "create", "r1", room, "--if-none-match")
            #expect(duplicate.status == 1)
            #expect(duplicate.error.hasPrefix("twins: error: 412 PreconditionFailed: "))
            let etag = try await twins(
                "twin", "update", "r1", #"[{"op":"replace","path":"/temperature","value":22.5}]"#)
            #expect(etag.status == 0 && etag.output.hasPrefix("W/\""))
            #expect(try await twins("twin", "show", "r1").output.contains(#""temperature":22.5"#))
            #expect(
                try await twins("relationship", "create", "r1", "c1", "--name", "contains", "--target", "r2").status
                    == 0)
            #expect(
                try await twins("relationship", "list", "r2", "--incoming").output.contains(#""$relationshipId":"c1""#))
            let table = try await twins(
                "query", "SELECT T.$dtId, T.temperature FROM DIGITALTWINS T", "--format", "table", "--page-size", "1")
            #expect(table.output == "$dtId  temperature\n-----  -----------\nr1     22.5       \nr2     20         \n")
            #expect(
                try await twins("query", "SELECT * FROM DIGITALTWINS", "--max", "1").output.split(separator: "\n").count
                    == 1)
            #expect(
                try await twins("telemetry", "send", "r1", #"{"humidity": 40}"#, "--message-id", "m-1").output
                    == "m-1\n")
            #expect(try await twins("twin", "delete", "r1", "--cascade").status == 0)
            let gone = try await twins("twin", "show", "r1")
            #expect(gone.status == 2)
            #expect(gone.error.contains("404 DigitalTwinNotFound"))

            var wrong = env
            wrong["AZURE_CLIENT_SECRET"] = "nope"
            let refused = try await twins("model", "list", environment: wrong)
            #expect(refused.status == 1)
            #expect(!refused.error.contains("nope"), "the secret must not be printed")
        }
    }
}

/// The built `twins` executable, next to the test bundle.
enum TwinsExecutable {
    struct Outcome: Sendable {
        var status: Int32
        var output: String
        var error: String
    }

    static let url: URL? = {
        let candidate = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("twins")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        let beside = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("twins")
        return FileManager.default.isExecutableFile(atPath: beside.path) ? beside : nil
    }()

    /// Runs on a Dispatch thread: a blocking wait on a cooperative thread would starve the
    /// gateway the command talks to.
    static func run(_ arguments: [String], environment: [String: String]) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking(arguments, environment: environment) })
            }
        }
    }

    private static func runBlocking(_ arguments: [String], environment: [String: String]) throws -> Outcome {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("AZURE_") && !$0.key.hasPrefix("TWINS_")
        }
        env.merge(environment) { $1 }
        process.environment = env
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
            error: String(decoding: err, as: UTF8.self))
    }
}
