import Logging
import PostgresNIO

extension PostgresClient {
    /// `withTransaction`, rethrowing the body's own error (a `ServiceError` such as
    /// `ModelNotFound`) rather than PostgresNIO's wrapper, once the transaction is rolled back.
    public func transaction<Result>(
        logger: Logger, isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        do {
            return try await withTransaction(logger: logger, isolation: isolation, body)
        } catch let error as PostgresTransactionError {
            if let closureError = error.closureError, error.rollbackError == nil { throw closureError }
            throw error
        }
    }
}
