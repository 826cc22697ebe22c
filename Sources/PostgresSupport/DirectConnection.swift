import Logging
import NIOSSL
import PostgresNIO

/// One connection outside the pool, for start-up work: checking that the database answers and
/// applying migrations.
///
/// The pool (`PostgresClient`) retries a failed connection with backoff for about a minute
/// before giving up, which is right for a running server and wrong for start-up: a wrong or
/// unreachable URL must give one clear line at once.
public enum DirectConnection {
    /// Connects (within `connectTimeout`), runs `body`, and closes. A connection failure throws
    /// `DatabaseUnavailable` with a one-line reason.
    public static func with<T: Sendable>(
        _ url: DatabaseURL, connectTimeout: Duration = .seconds(5), logger: Logger,
        _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = try await connect(url, timeout: connectTimeout, logger: logger)
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// A connection the caller closes (benchmarks: the driver without the pool).
    public static func open(_ url: DatabaseURL, logger: Logger) async throws -> PostgresConnection {
        try await connect(url, timeout: .seconds(5), logger: logger)
    }

    static func connect(_ url: DatabaseURL, timeout: Duration, logger: Logger) async throws -> PostgresConnection {
        do {
            return try await withThrowingTaskGroup(of: PostgresConnection.self) { group in
                group.addTask {
                    try await PostgresConnection.connect(configuration: try configuration(url), id: 0, logger: logger)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw DatabaseUnavailable(
                        "no answer from the database at \(url.serverDescription) within \(timeout)")
                }
                let connection = try await group.next()!
                group.cancelAll()
                return connection
            }
        } catch let error as DatabaseUnavailable {
            throw error
        } catch {
            throw DatabaseUnavailable(databaseErrorMessage(error, url: url))
        }
    }

    static func configuration(_ url: DatabaseURL) throws -> PostgresConnection.Configuration {
        if let socketDirectory = url.socketDirectory {
            return .init(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(url.port)", username: url.username,
                password: url.password, database: url.database)
        }
        let tls: PostgresConnection.Configuration.TLS
        switch url.sslMode {
        case "disable": tls = .disable
        case "require": tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        return .init(
            host: url.host ?? "localhost", port: url.port, username: url.username, password: url.password,
            database: url.database, tls: tls)
    }
}

/// The database cannot be used; the description is one line for the user.
public struct DatabaseUnavailable: Error, CustomStringConvertible {
    /// The reason.
    public let description: String
    init(_ description: String) { self.description = description }
}
