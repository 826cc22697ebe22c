import Foundation
import Testing

/// Option mistakes of `twins emulate`, `twins device` and `twins serve` (the built executable)
/// end with one clear line and the documented exit code, before anything is started or sent.
@Suite(
    .enabled(if: TwinsExecutable.url != nil, "needs the built twins executable: run the tests through scripts/test.sh"))
struct CommandLineOptionTests {
    @Test func emulateRefusesBuiltInEmulatorOptionsWithAConfigurationFile() async throws {
        let outcome = try await TwinsExecutable.run(
            ["emulate", "--config", "/nonexistent/emulators.json", "--hub-port", "9", "--group-key", "a2V5"],
            environment: [:])
        #expect(outcome.status == 64)
        #expect(
            outcome.error.contains(
                "--hub-port, --group-key set the built-in emulators; with --config, set them in /nonexistent/emulators.json"
            ))
    }

    @Test func deviceNamesAGroupKeyThatIsNotBase64() async throws {
        let outcome = try await TwinsExecutable.run(
            [
                "device", "--dps-endpoint", "http://127.0.0.1:9", "--id-scope", "0ne00000001", "--group-key",
                "not base64!",
            ],
            environment: [:])
        // An invalid option: exit code 64 as README says, before anything is sent.
        #expect(outcome.status == 64)
        #expect(outcome.error.contains("--group-key: the key is not base64"))
    }

    @Test func serveRefusesNoAuthOffLoopbackUnlessTold() async throws {
        // Nothing listens on port 9: a run that gets past the check stops at the database.
        let database = ["--database-url", "postgres://postgres@127.0.0.1:9/none?sslmode=disable"]
        let refused = try await TwinsExecutable.run(
            ["serve", "--host", "0.0.0.0", "--port", "0", "--auth", "none"] + database, environment: [:])
        #expect(refused.status != 0)
        #expect(refused.error.contains("--auth none on 0.0.0.0 would let anyone who reaches the port read and write"))
        // With --insecure-no-auth the same settings pass the check and fail only at the database.
        let allowed = try await TwinsExecutable.run(
            ["serve", "--host", "0.0.0.0", "--port", "0", "--auth", "none", "--insecure-no-auth"] + database,
            environment: [:])
        #expect(allowed.status != 0)
        #expect(!allowed.error.contains("--auth none"))
        #expect(allowed.error.contains("127.0.0.1:9"), "\(allowed.error)")
        // On loopback no flag is needed.
        let loopback = try await TwinsExecutable.run(
            ["serve", "--host", "127.0.0.1", "--port", "0", "--auth", "none"] + database, environment: [:])
        #expect(!loopback.error.contains("--auth none"))
    }

    @Test func deviceReportsAConnectionFailureInOneLine() async throws {
        let outcome = try await TwinsExecutable.run(
            ["device", "--dps-endpoint", "http://127.0.0.1:9", "--id-scope", "0ne00000001", "--group-key", "a2V5"],
            environment: [:])
        #expect(outcome.status == 1)
        #expect(outcome.error.hasPrefix("twins: error: connect: "))
        #expect(outcome.error.split(separator: "\n").count == 1)
    }
}
