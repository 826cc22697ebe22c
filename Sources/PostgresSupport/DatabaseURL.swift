import Foundation
import PostgresNIO

/// A PostgreSQL connection URL, `postgres://user:password@host:port/database?sslmode=…`.
///
/// The forms understood are those of libpq URLs that a user is likely to paste: `postgres://`
/// or `postgresql://`; a host name, IPv4 or `[IPv6]`; or a unix socket directory given as
/// `?host=/path` (libpq's spelling); `sslmode` `disable`, `prefer` (default) or `require`.
public struct DatabaseURL: Sendable, CustomStringConvertible {
    /// The host name, or `nil` when a unix socket is used.
    public var host: String?
    /// The TCP port (also names the unix socket file `.s.PGSQL.<port>`).
    public var port: Int
    /// The unix socket directory, if any.
    public var socketDirectory: String?
    /// The user name.
    public var username: String
    /// The password, if any.
    public var password: String?
    /// The database name.
    public var database: String
    /// `disable`, `prefer` or `require`.
    public var sslMode: String

    /// Parses a URL; throws `DatabaseURLError` with a one-line reason.
    public init(_ text: String) throws {
        guard let components = URLComponents(string: text),
            let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql"
        else {
            throw DatabaseURLError("'\(Self.redacted(text))' is not a postgres:// URL")
        }
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        port = components.port ?? Int(query["port"] ?? "") ?? 5432
        username = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? query["user"] ?? "postgres"
        password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding } ?? query["password"]
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? username : path
        sslMode = query["sslmode"] ?? "prefer"
        guard ["disable", "prefer", "require", "allow"].contains(sslMode) else {
            throw DatabaseURLError("sslmode '\(sslMode)' is not supported (use disable, prefer or require)")
        }
        if let socket = query["host"], socket.hasPrefix("/") {
            socketDirectory = socket
            host = nil
        } else {
            var h = components.host ?? ""
            if h.hasPrefix("[") && h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
            host = h.isEmpty ? (query["host"] ?? "localhost") : h
            socketDirectory = nil
        }
    }

    /// The same URL with another database name.
    public func with(database: String) -> DatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// The URL without its password, for logs and messages.
    public var description: String {
        let user = username + (password == nil ? "" : ":***")
        if let socketDirectory { return "postgres://\(user)@/\(database)?host=\(socketDirectory)&port=\(port)" }
        let h = host.map { $0.contains(":") ? "[\($0)]" : $0 } ?? ""
        return "postgres://\(user)@\(h):\(port)/\(database)"
    }

    /// Where the server is, for messages.
    public var serverDescription: String {
        if let socketDirectory { return "\(socketDirectory)/.s.PGSQL.\(port)" }
        return "\(host ?? ""):\(port)"
    }

    /// A `PostgresClient` configuration for this URL.
    public func clientConfiguration() -> PostgresClient.Configuration {
        var config: PostgresClient.Configuration
        if let socketDirectory {
            config = .init(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: username, password: password,
                database: database)
        } else {
            let tls: PostgresClient.Configuration.TLS
            switch sslMode {
            case "disable": tls = .disable
            case "require": tls = .require(.makeClientConfiguration())
            default: tls = .prefer(.makeClientConfiguration())
            }
            config = .init(
                host: host ?? "localhost", port: port, username: username, password: password, database: database,
                tls: tls)
        }
        // Fail fast on an unreachable server: the default of 10 s makes `readyz` and start-up hang.
        config.options.connectTimeout = .seconds(3)
        return config
    }

    static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let scheme = text.range(of: "://") else { return text }
        let userInfo = text[scheme.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}

/// A database URL that cannot be used, with a one-line reason.
public struct DatabaseURLError: Error, CustomStringConvertible {
    /// The reason.
    public let description: String
    init(_ description: String) { self.description = description }
}
