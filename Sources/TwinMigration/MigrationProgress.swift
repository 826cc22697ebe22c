import Foundation

/// Progress on standard error: on a terminal, one line redrawn in place (a bar, done/total,
/// items per second, the time left); otherwise a plain line every few seconds, for logs.
public final class MigrationProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let isTerminal: Bool
    private let quiet: Bool
    private var phase = ""
    private var done = 0
    private var total: Int?
    private var started = ContinuousClock.now
    private var lastPrint = ContinuousClock.now - .seconds(60)

    /// A reporter; `quiet` prints nothing.
    public init(quiet: Bool = false) {
        self.quiet = quiet
        isTerminal = isatty(FileHandle.standardError.fileDescriptor) == 1
    }

    /// Starts a phase of `total` items (when known), `done` of them already done (a resumed run).
    public func begin(_ phase: String, total: Int?, done: Int = 0) {
        lock.withLock {
            finishLine()
            self.phase = phase
            self.total = total
            self.done = done
            started = .now
            lastPrint = .now - .seconds(60)
        }
        advance(by: 0)
    }

    /// Counts `n` more items done, and redraws when it is time.
    public func advance(by n: Int) {
        lock.withLock {
            done += n
            let now = ContinuousClock.now
            guard !quiet, now - lastPrint >= (isTerminal ? .milliseconds(200) : .seconds(5)) else { return }
            lastPrint = now
            let line = render(now: now)
            FileHandle.standardError.write(Data((isTerminal ? "\r\u{1B}[2K" + line : line + "\n").utf8))
        }
    }

    /// Ends the phase's line.
    public func end() {
        lock.withLock {
            guard !quiet, !phase.isEmpty else { return }
            lastPrint = .now - .seconds(60)
            let line = render(now: .now)
            FileHandle.standardError.write(Data((isTerminal ? "\r\u{1B}[2K" + line + "\n" : line + "\n").utf8))
            phase = ""
        }
    }

    private func finishLine() {
        if isTerminal, !phase.isEmpty, !quiet { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func render(now: ContinuousClock.Instant) -> String {
        let seconds = max((now - started).seconds, 0.001)
        let rate = Double(done) / seconds
        var line = "\(phase): \(done)"
        if let total {
            line += "/\(total)"
            if isTerminal {
                let width = 24
                let filled = total > 0 ? min(width, done * width / total) : width
                line =
                    "\(phase) [" + String(repeating: "#", count: filled)
                    + String(repeating: ".", count: width - filled) + "] \(done)/\(total)"
            }
        }
        line += String(format: "  %.0f/s", rate)
        if let total, rate > 0, done < total {
            let left = Int(Double(total - done) / rate)
            line += String(format: "  ETA %d:%02d", left / 60, left % 60)
        }
        return line
    }
}
