import Foundation
import Testing

/// Option mistakes of `twins emulate` and `twins device` (the built executable) end with one
/// clear line and the documented exit code, before anything is started or sent.
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
        #expect(outcome.status == 1)
        #expect(outcome.error == "twins: error: --group-key: the key is not base64\n")
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
