import ArgumentParser
import PostgresSupport
import TwinStore

/// `twins db …`: database administration.
struct Database: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Database administration.",
        subcommands: [Migrate.self]
    )

    /// `twins db migrate`: applies pending migrations.
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply pending schema migrations (safe to run twice or concurrently).",
            discussion: """
                Examples:
                  twins db migrate
                  TWINS_DATABASE_URL=postgres://me@db.example:5432/twins twins db migrate
                """
        )

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await runReportingFailure {
                let logger = try Environment.bootstrapLogging(database.logLevel)
                let url = try database.url()
                let applied = try await DirectConnection.with(url, logger: logger) { connection in
                    try await MigrationRunner(logger: logger).migrate(on: connection)
                }
                if applied.isEmpty {
                    print("twins: database is up to date (schema version \(Migration.latestVersion))")
                } else {
                    print("twins: applied migrations \(applied.map(String.init).joined(separator: ", "))")
                }
            }
        }
    }
}
