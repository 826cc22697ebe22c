import Foundation
import Logging
import PostgresNIO
import PostgresSupport

/// A private database for one test, on the throw-away server that `scripts/test.sh` starts.
///
/// Each test gets its own database (created here, dropped afterwards), so tests run in parallel
/// and leave nothing behind.
public enum TestDatabase {
    /// The admin URL of the test server (`TWINS_TEST_DATABASE_URL`), if configured; a value that
    /// is not a database URL is kept as its error, so that every database test fails with it
    /// instead of being skipped as if nothing were set.
    public static let serverURL: Result<DatabaseURL, MalformedURL>? = {
        guard let text = ProcessInfo.processInfo.environment["TWINS_TEST_DATABASE_URL"], !text.isEmpty else {
            return nil
        }
        do {
            return .success(try DatabaseURL(text))
        } catch {
            return .failure(MalformedURL(description: "TWINS_TEST_DATABASE_URL is not a database URL: \(error)"))
        }
    }()

    /// Why `TWINS_TEST_DATABASE_URL` cannot be used.
    public struct MalformedURL: Error, CustomStringConvertible {
        /// The variable's problem, in words.
        public let description: String
    }

    /// Whether database tests can run (a malformed URL counts: those tests then fail with it).
    public static var available: Bool { serverURL != nil }

    /// Shown when database tests are skipped.
    public static let skipMessage = "TWINS_TEST_DATABASE_URL is not set: run the tests through scripts/test.sh"

    /// A logger that stays quiet unless something goes wrong.
    public static let logger: Logger = {
        var l = Logger(label: "test")
        l.logLevel = .warning
        return l
    }()

    /// Runs `body` with a URL and a running client for a new, empty database, then drops it.
    public static func withFreshDatabase<T: Sendable>(
        _ body: @Sendable (DatabaseURL, PostgresClient) async throws -> T
    ) async throws -> T {
        let server = try require(serverURL).get()
        let name = "twins_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await withClient(server) { admin in
            _ = try await admin.query("CREATE DATABASE \(unescaped: name)", logger: logger)
        }
        let url = server.with(database: name)
        do {
            let result = try await withClient(url) { client in try await body(url, client) }
            try await drop(name, server: server)
            return result
        } catch {
            try? await drop(name, server: server)
            throw error
        }
    }

    /// Runs `body` with a running client for `url`.
    public static func withClient<T: Sendable>(
        _ url: DatabaseURL, configure: (inout PostgresClient.Configuration) -> Void = { _ in },
        _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        var configuration = url.clientConfiguration()
        configure(&configuration)
        // Quieter still in the background: the pool warns when a lease comes before `run()` has
        // started, which is the harmless order here (the lease waits for it).
        var backgroundLogger = logger
        backgroundLogger.logLevel = .error
        let client = PostgresClient(configuration: configuration, backgroundLogger: backgroundLogger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    private static func drop(_ name: String, server: DatabaseURL) async throws {
        try await withClient(server) { admin in
            _ = try await admin.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)", logger: logger)
        }
    }
}

/// `#require` without importing Testing into this support target.
private func require<T>(_ value: T?) throws -> T {
    guard let value else { throw TestDatabaseError() }
    return value
}

private struct TestDatabaseError: Error, CustomStringConvertible {
    var description: String { TestDatabase.skipMessage }
}
