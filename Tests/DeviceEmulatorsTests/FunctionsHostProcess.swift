import Foundation
import GatewayTestSupport

/// The functions host as the built `twins functions` executable (this target does not depend on
/// FunctionsHost): started on a port (0: any free one), found ready by the URL it prints, stopped
/// with SIGTERM, and restartable on the same port.
final class FunctionsHostProcess: Sendable {
    static var executable: URL? { TwinsProcess.executable }

    let process: TwinsProcess

    init(adtEndpoint: String, functionKey: String) {
        process = TwinsProcess(
            arguments: [
                "functions", "--host", "127.0.0.1", "--function-key", functionKey, "--adt-endpoint", adtEndpoint,
                "--no-credential", "--log-level", "error",
            ],
            // "twins: functions at http://127.0.0.1:PORT (Digital Twins …)"
            readyMarker: "twins: functions at ")
    }

    /// Runs `body` with a started host; stops it afterwards, also when `body` throws.
    static func run<T: Sendable>(
        adtEndpoint: String, functionKey: String, _ body: (FunctionsHostProcess, _ url: String) async throws -> T
    ) async throws -> T {
        let host = FunctionsHostProcess(adtEndpoint: adtEndpoint, functionKey: functionKey)
        do {
            let url = try await host.start()
            let value = try await body(host, url)
            await host.stop()
            return value
        } catch {
            await host.stop()
            throw error
        }
    }

    /// Starts the host; returns its URL (`http://127.0.0.1:port`) once it listens.
    func start(port: Int = 0) async throws -> String { try await process.start(extra: ["--port", String(port)]) }

    /// SIGTERM (the host's graceful shutdown), SIGKILL after 10 s; returns once it has exited.
    func stop() async { await process.stop() }

    /// What the host wrote to standard error.
    var errorOutput: String { process.errorOutput }
}
