import DigitalTwinsClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TwinGateway
import TwinStore
import TwinTestSupport

/// A real gateway for the functions host to write to: plain HTTP, `--auth none`, on a fresh
/// migrated database, listening on a free loopback port; with a client pointed at it (no
/// credential).
enum LiveGateway {
    static let logger: Logger = {
        var logger = Logger(label: "functions-host-tests")
        // The server logs its own cancellation at shutdown as an error.
        logger.logLevel = .critical
        return logger
    }()

    static func run<T: Sendable>(_ body: @escaping @Sendable (DigitalTwinsClient) async throws -> T) async throws -> T {
        try await TestDatabase.withFreshDatabase { _, database in
            try await MigrationRunner(logger: logger).migrate(client: database)
            let router = buildRouter(
                database: database, configuration: GatewayConfiguration(host: "127.0.0.1", port: 0), logger: logger)
            let app = Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
            return try await app.test(.live) { live in
                guard let port = live.port else { throw CocoaError(.featureUnsupported) }
                let client = try DigitalTwinsClient(endpoint: "http://127.0.0.1:\(port)")
                return try await body(client)
            }
        }
    }
}
