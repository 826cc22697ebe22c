import ArgumentParser
import Foundation
import Hummingbird
import PostgresNIO
import TwinGateway
import TwinStore

/// `twins serve`: the ADT-compatible HTTP gateway.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the gateway over HTTP.",
        discussion: """
            Examples:
              twins serve
              twins serve --port 9000 --database-url postgres://me@127.0.0.1:5432/twins
              TWINS_PORT=9000 twins serve --no-migrate
            """
    )

    @Option(help: ArgumentHelp("Address to listen on (env TWINS_HOST). Default: 127.0.0.1", valueName: "address"))
    var host: String?

    @Option(help: ArgumentHelp("Port to listen on (env TWINS_PORT). Default: 8080", valueName: "port"))
    var port: Int?

    @Flag(help: "Do not apply pending migrations on start (env TWINS_NO_MIGRATE=1).")
    var noMigrate = false

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await runReportingFailure {
            let logger = try Environment.bootstrapLogging(database.logLevel)
            let url = try database.url()
            let gateway = GatewayConfiguration(
                host: Environment.string(host, "TWINS_HOST", default: "127.0.0.1"),
                port: try Environment.int(port, "TWINS_PORT", default: 8080))
            let migrate = !Environment.bool(noMigrate, "TWINS_NO_MIGRATE")
            try await DirectConnection.with(url, logger: logger) { connection in
                if migrate {
                    try await MigrationRunner(logger: logger).migrate(on: connection)
                }
            }
            let client = PostgresClient(configuration: url.clientConfiguration(), backgroundLogger: poolLogger(logger))
            let app = buildApplication(
                configuration: gateway, database: client, databaseURL: url, logger: logger
            ) { address in
                // Unbuffered, so that scripts and terminals see the URL at once.
                FileHandle.standardOutput.write(Data("twins: serving at \(address) (database \(url))\n".utf8))
            }
            do {
                try await app.runService()
            } catch let error as MigrationError {
                throw error
            } catch {
                throw CommandFailure(startFailure(error, url: url, gateway: gateway))
            }
        }
    }

    private func startFailure(_ error: any Error, url: DatabaseURL, gateway: GatewayConfiguration) -> String {
        let text = String(describing: error)
        if text.contains("Address already in use") || text.contains("EADDRINUSE") {
            return "cannot listen on \(gateway.host):\(gateway.port): address already in use"
        }
        if error is PSQLError { return databaseErrorMessage(error, url: url) }
        if text.contains("bind") || text.contains("Cannot assign requested address") {
            return "cannot listen on \(gateway.host):\(gateway.port): \(text)"
        }
        return databaseErrorMessage(error, url: url)
    }
}
