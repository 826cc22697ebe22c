import Foundation

/// The built `twins` executable run as a child process (`serve`, `functions`, ...): started, found
/// ready by the URL it prints, stopped with SIGTERM or killed with SIGKILL, and restartable.
public final class TwinsProcess: @unchecked Sendable {
    /// The `twins` executable beside the test bundle (`scripts/test.sh` builds it first).
    public static let executable: URL? = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
        ].map { $0.appendingPathComponent("twins") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Why the process could not be started.
    public struct Failure: Error, CustomStringConvertible {
        /// What happened, with the process's standard error.
        public let description: String
    }

    private let arguments: [String]
    private let marker: String
    private let lock = NSLock()
    private var process: Process?
    private var output = Data()
    private var errors = Data()

    /// A process that runs `twins <arguments>` and is ready once it prints `marker` followed by
    /// its URL (e.g. `"twins: serving at "`).
    public init(arguments: [String], readyMarker marker: String) {
        self.arguments = arguments
        self.marker = marker
    }

    /// Starts the process with `extra` arguments; returns the URL it printed once it is ready.
    public func start(extra: [String] = []) async throws -> String {
        guard let executable = Self.executable else { throw Failure(description: "the twins executable is not built") }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments + extra
        // No credential or proxy settings of the machine: a plain client of loopback services.
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
            if let range = printed.range(of: marker) {
                return String(printed[range.upperBound...].prefix { $0 != " " && $0 != "\n" })
            }
            guard process.isRunning else {
                throw Failure(description: "twins exited with \(process.terminationStatus): \(errorOutput)")
            }
            guard ContinuousClock.now < deadline else {
                await stop()
                throw Failure(description: "twins printed no URL within 30 s: \(errorOutput)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// SIGTERM (a graceful shutdown), SIGKILL after 10 s; returns once it has exited, with how
    /// it ended (`nil` when it was not running).
    @discardableResult
    public func stop() async -> (status: Int32, signalled: Bool)? {
        guard let process = take(), process.isRunning else { return nil }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning {
            if ContinuousClock.now > deadline { kill(process.processIdentifier, SIGKILL) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal)
    }

    /// SIGKILL, as a crash; returns once it has exited.
    public func kill9() async {
        guard let process = take(), process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
    }

    /// What the process wrote to standard error.
    public var errorOutput: String { lock.withLock { String(decoding: errors, as: UTF8.self) } }

    private func take() -> Process? {
        lock.withLock {
            defer { process = nil }
            return process
        }
    }

    private func append(_ data: Data, error: Bool) {
        lock.withLock {
            if error { errors.append(data) } else { output.append(data) }
        }
    }
}
