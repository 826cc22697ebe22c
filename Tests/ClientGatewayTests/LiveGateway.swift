import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
@testable import TwinGateway
import TwinStore
import TwinTestSupport

/// A real gateway for client tests: HTTPS with a fresh development certificate, `--auth jwt`
/// with the development issuer (clients `owner-app`/`owner-secret` and `reader-app`/`reader-secret`),
/// on a fresh migrated database, listening on a free loopback port.
enum LiveGateway {
    struct Endpoint: Sendable {
        /// `https://127.0.0.1:<port>`.
        let url: String
        /// The certificate to trust.
        let caFile: String
        /// The development issuer's authority host (`<url>/dev-issuer`).
        var authorityHost: String { url + "/dev-issuer" }
    }

    static let logger: Logger = {
        var logger = Logger(label: "client-gateway-tests")
        // The server logs its own cancellation at shutdown as an error.
        logger.logLevel = .critical
        return logger
    }()

    static func run<T: Sendable>(_ body: @escaping @Sendable (Endpoint) async throws -> T) async throws -> T {
        try await TestDatabase.withFreshDatabase { _, client in
            try await MigrationRunner(logger: logger).migrate(client: client)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("client-gateway-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let files = try DevelopmentCertificate.generate().write(to: directory.path)
            var configuration = GatewayConfiguration(host: "127.0.0.1", port: 0)
            configuration.tls = try ServerTLS.configuration(certificateChainFile: files.certificate, privateKeyFile: files.privateKey)
            configuration.auth = .development(
                DevelopmentIssuer(clients: [
                    .init(id: "owner-app", secret: "owner-secret", role: .owner),
                    .init(id: "reader-app", secret: "reader-secret", role: .reader),
                ]))
            let router = buildRouter(database: client, configuration: configuration, logger: logger)
            let app = Application(
                router: router, server: serverBuilder(tls: configuration.tls),
                configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
            return try await app.test(.live) { live in
                let port = try requirePort(live.port)
                return try await body(Endpoint(url: "https://127.0.0.1:\(port)", caFile: files.certificate))
            }
        }
    }

    private static func requirePort(_ port: Int?) throws -> Int {
        guard let port else { throw CocoaError(.featureUnsupported) }
        return port
    }
}
