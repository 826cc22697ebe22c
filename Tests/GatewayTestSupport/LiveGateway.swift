import EventRoutes
import Foundation
import HTTPServerSetup
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import PostgresSupport
import TwinGateway
import TwinTestSupport

/// Real gateways for tests that speak to them over loopback sockets: the ADT client, the
/// functions host and the device emulators' end-to-end runs.
public enum LiveGateway {
    /// Where a live gateway listens.
    public struct Endpoint: Sendable {
        /// `http://127.0.0.1:<port>` or `https://127.0.0.1:<port>`.
        public let url: String
        /// The certificate to trust, for HTTPS.
        public let caFile: String?
        /// The development issuer's authority host (`<url>/dev-issuer`).
        public var authorityHost: String { url + "/dev-issuer" }
    }

    /// A logger that stays quiet: the server logs its own cancellation at shutdown as an error.
    public static let logger: Logger = {
        var logger = Logger(label: "live-gateway")
        logger.logLevel = .critical
        return logger
    }()

    /// Runs `body` with a fresh, migrated database.
    public static func withMigratedDatabase<T: Sendable>(
        _ body: @escaping @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        try await TestDatabase.withFreshDatabase { _, client in
            try await MigrationRunner(logger: logger).migrate(client: client)
            return try await body(client)
        }
    }

    /// Serves the gateway on `database` on a free loopback port (HTTPS when the configuration
    /// has TLS, with `caFile` to trust) and runs `body` with its endpoint.
    public static func serve<T: Sendable>(
        database: PostgresClient,
        configuration: GatewayConfiguration = GatewayConfiguration(host: "127.0.0.1", port: 0),
        caFile: String? = nil, _ body: @escaping @Sendable (Endpoint) async throws -> T
    ) async throws -> T {
        let router = buildRouter(database: database, configuration: configuration, logger: logger)
        let app = Application(
            router: router, server: HTTPServer.builder(tls: configuration.tls),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        return try await app.test(.live) { live in
            guard let port = live.port else { throw CocoaError(.featureUnsupported) }
            let scheme = configuration.tls == nil ? "http" : "https"
            return try await body(Endpoint(url: "\(scheme)://127.0.0.1:\(port)", caFile: caFile))
        }
    }

    /// A plain-HTTP gateway with `--auth none` on a fresh, migrated database.
    public static func plain<T: Sendable>(_ body: @escaping @Sendable (Endpoint) async throws -> T) async throws -> T {
        try await withMigratedDatabase { database in try await serve(database: database, body) }
    }

    /// A gateway as a client meets a production one: HTTPS with a fresh development
    /// certificate, `--auth jwt` with the development issuer (clients `owner-app`/`owner-secret`
    /// and `reader-app`/`reader-secret`), on a fresh, migrated database; event routes may name
    /// `endpoints`.
    public static func secured<T: Sendable>(
        endpoints: [EventEndpoint] = [], _ body: @escaping @Sendable (Endpoint) async throws -> T
    ) async throws -> T {
        try await withMigratedDatabase { database in
            try await secured(on: database, endpoints: endpoints, body)
        }
    }

    /// As ``secured(endpoints:_:)``, on a database the caller made (and may fill first).
    public static func secured<T: Sendable>(
        on database: PostgresClient, endpoints: [EventEndpoint] = [],
        _ body: @escaping @Sendable (Endpoint) async throws -> T
    ) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "live-gateway-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try DevelopmentCertificate.generate().write(to: directory.path)
        var configuration = GatewayConfiguration(host: "127.0.0.1", port: 0)
        configuration.tls = try ServerTLS.configuration(
            certificateChainFile: files.certificate, privateKeyFile: files.privateKey)
        configuration.endpoints = endpoints
        configuration.auth = .development(
            DevelopmentIssuer(clients: [
                .init(id: "owner-app", secret: "owner-secret", role: .owner),
                .init(id: "reader-app", secret: "reader-secret", role: .reader),
            ]))
        return try await serve(database: database, configuration: configuration, caFile: files.certificate, body)
    }
}
