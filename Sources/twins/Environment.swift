import Foundation
import Logging
import Observability
import PostgresSupport

/// Reads settings that may come from a flag or from an environment variable (`TWINS_*`).
enum Environment {
    static func value(_ name: String) -> String? {
        guard let v = ProcessInfo.processInfo.environment[name], !v.isEmpty else { return nil }
        return v
    }

    /// The flag's value, else the variable's, else the default.
    static func string(_ flag: String?, _ variable: String, default fallback: String) -> String {
        flag ?? value(variable) ?? fallback
    }

    /// The flag's value, else the variable's, else `nil`.
    static func optional(_ flag: String?, _ variable: String) -> String? {
        flag ?? value(variable)
    }

    /// An integer from the flag or the variable, with a one-line error for a bad variable.
    static func int(_ flag: Int?, _ variable: String, default fallback: Int) throws -> Int {
        if let flag { return flag }
        guard let text = value(variable) else { return fallback }
        guard let v = Int(text) else { throw CommandFailure("\(variable)='\(text)' is not a number") }
        return v
    }

    /// A boolean switch from the flag or the variable (`1`, `true`, `yes`).
    /// A comma-separated variable as a list (empty when unset).
    static func list(_ variable: String) -> [String] {
        (value(variable) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
    }

    static func bool(_ flag: Bool, _ variable: String) -> Bool {
        if flag { return true }
        guard let text = value(variable)?.lowercased() else { return false }
        return ["1", "true", "yes", "on"].contains(text)
    }

    /// The default database URL: the private cluster of `scripts/run.sh`.
    static let defaultDatabaseURL = "postgres://postgres@127.0.0.1:54329/twins?sslmode=disable"

    /// An optional integer from the flag or the variable.
    static func optionalInt(_ flag: Int?, _ variable: String) throws -> Int? {
        if let flag { return flag }
        guard let text = value(variable) else { return nil }
        guard let v = Int(text) else { throw CommandFailure("\(variable)='\(text)' is not a number") }
        return v
    }

    /// How log lines are written.
    enum LogFormat: String {
        /// swift-log's text lines.
        case text
        /// One JSON object per line, with trace and span ids (`JSONLogHandler`).
        case json
    }

    /// Sets up swift-log once, to standard error, at `TWINS_LOG_LEVEL` (default `info`), as text
    /// lines or JSON lines.
    static func bootstrapLogging(_ level: String?, format: LogFormat = .text) throws -> Logger {
        let text = string(level, "TWINS_LOG_LEVEL", default: "info")
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw CommandFailure(
                "log level '\(text)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        switch format {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
        return Logger(label: "twins")
    }
}

/// A failure reported as one line on standard error with exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
