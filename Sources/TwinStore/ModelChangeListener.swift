import Logging
import PostgresNIO
import ServiceLifecycle

/// Listens for model changes made by any process on the database (`NOTIFY twins_models`, sent
/// in the transaction of every model change) and reloads this process's model graph at once.
///
/// Correctness does not depend on it: every write that uses models compares the graph's
/// generation with the database's inside its own transaction. The listener only moves the
/// reload off the first request after a change made elsewhere.
public struct ModelChangeListener: Service {
    let client: PostgresClient
    let catalog: ModelCatalog
    let logger: Logger

    /// A listener feeding `catalog`.
    public init(client: PostgresClient, catalog: ModelCatalog, logger: Logger) {
        self.client = client
        self.catalog = catalog
        self.logger = logger
    }

    /// Listens until cancelled or shut down gracefully, listening again after a dropped connection.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: "twins_models") { notifications in
                            for try await notification in notifications {
                                guard let generation = Int64(notification.payload) else { continue }
                                try await client.withConnection { reader in
                                    _ = try await catalog.snapshot(generation: generation, on: reader)
                                }
                            }
                        }
                    }
                } catch is CancellationError {
                    return
                } catch {
                    // The database restarted or the connection dropped: listen again shortly.
                    logger.warning(
                        "model change listener interrupted",
                        metadata: ["error": "\(String(reflecting: type(of: error)))"])
                    try? await Task.sleep(for: .seconds(2))
                }
            }
        }
    }
}
