import Foundation

/// The functions host as the built `twins functions` executable (this target does not depend on
/// FunctionsHost): started on a port (0: any free one), found ready by the URL it prints, stopped
/// with SIGTERM, and restartable on the same port.
final class FunctionsHostProcess: @unchecked Sendable {
    /// The `twins` executable beside the test bundle (`scripts/test.sh` builds it first).
    static let executable: URL? = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
        ].map { $0.appendingPathComponent("twins") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let adtEndpoint: String
    let functionKey: String
    private let lock = NSLock()
    private var process: Process?
    private var output = Data()
    private var errors = Data()

    init(adtEndpoint: String, functionKey: String) {
        self.adtEndpoint = adtEndpoint
        self.functionKey = functionKey
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
    func start(port: Int = 0) async throws -> String {
        guard let executable = Self.executable else { throw Failure(description: "the twins executable is not built") }
        let process = Process()
        process.executableURL = executable
        process.arguments = [
            "functions", "--host", "127.0.0.1", "--port", String(port), "--function-key", functionKey,
            "--adt-endpoint", adtEndpoint, "--no-credential", "--log-level", "error",
        ]
        // No credential or proxy settings of the machine: a plain client of the loopback gateway.
        process.environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("AZURE_") && !$0.key.hasPrefix("TWINS_") && !$0.key.lowercased().hasSuffix("_proxy")
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        out.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil } else { self?.append(data, error: false) }
        }
        err.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil } else { self?.append(data, error: true) }
        }
        lock.withLock {
            output = Data()
            self.process = process
        }
        try process.run()

        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let printed = lock.withLock { String(decoding: output, as: UTF8.self) }
            // "twins: functions at http://127.0.0.1:PORT (Digital Twins …)"
            if let range = printed.range(of: "twins: functions at ") {
                let url = printed[range.upperBound...].prefix { $0 != " " && $0 != "\n" }
                return String(url)
            }
            guard process.isRunning else {
                throw Failure(description: "twins functions exited with \(process.terminationStatus): \(errorOutput)")
            }
            guard ContinuousClock.now < deadline else {
                await stop()
                throw Failure(description: "twins functions printed no URL within 30 s: \(errorOutput)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// SIGTERM (the host's graceful shutdown), SIGKILL after 10 s; returns once it has exited.
    func stop() async {
        guard
            let process = lock.withLock({ () -> Process? in
                defer { self.process = nil }
                return self.process
            }), process.isRunning
        else { return }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning {
            if ContinuousClock.now > deadline {
                kill(process.processIdentifier, SIGKILL)
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// What the host wrote to standard error.
    var errorOutput: String { lock.withLock { String(decoding: errors, as: UTF8.self) } }

    private func append(_ data: Data, error: Bool) {
        lock.withLock {
            if error { errors.append(data) } else { output.append(data) }
        }
    }
}
