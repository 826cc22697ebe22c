import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import PostgresSupport
import TwinStore

/// `--database-url` and `--log-level`, shared by the commands that use the database.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "PostgreSQL URL (env TWINS_DATABASE_URL).",
            discussion: "Default: \(Environment.defaultDatabaseURL)", valueName: "url"))
    var databaseURL: String?

    @Option(help: ArgumentHelp("trace, debug, info, notice, warning, error (env TWINS_LOG_LEVEL).", valueName: "level"))
    var logLevel: String?

    func url() throws -> DatabaseURL {
        let text = Environment.string(databaseURL, "TWINS_DATABASE_URL", default: Environment.defaultDatabaseURL)
        do {
            return try DatabaseURL(text)
        } catch let error as DatabaseURLError {
            throw CommandFailure("invalid database URL: \(error)")
        }
    }
}

/// Runs a command body and turns any failure into one line on standard error and exit code 1.
func runReportingFailure(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as CommandFailure {
        fail(error.description)
    } catch let error as MigrationError {
        fail(error.description)
    } catch let error as DatabaseUnavailable {
        fail(error.description)
    } catch let error as ExitCode {
        throw error
    } catch {
        fail(databaseErrorMessage(error))
    }
}

private func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("twins: error: \(message)\n".utf8))
    exit(1)
}

/// The pool's logger: its connection retries are logged at info level, which would flood the
/// output while the database is down; warnings and errors still come through.
func poolLogger(_ logger: Logger) -> Logger {
    var l = logger
    if l.logLevel < .warning { l.logLevel = .warning }
    return l
}
