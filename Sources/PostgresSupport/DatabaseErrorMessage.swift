import PostgresNIO

/// One readable line for a database failure.
///
/// `PSQLError`'s own description is deliberately vague (to keep queries and data out of logs);
/// this keeps that property while saying what a user needs: the server's message, or why the
/// connection failed.
public func databaseErrorMessage(_ error: any Error, url: DatabaseURL? = nil) -> String {
    let whereText = url.map { " at \($0.serverDescription)" } ?? ""
    if let psql = error as? PSQLError {
        if let message = psql.serverInfo?[.message] {
            let sqlState = psql.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return "database\(whereText) refused the request: \(message)\(sqlState)"
        }
        if let underlying = psql.underlying {
            return "cannot connect to the database\(whereText): \(describeUnderlying(underlying))"
        }
        return "database\(whereText) error: \(psql.code)"
    }
    if error is CancellationError { return "database\(whereText) did not answer in time" }
    return "database\(whereText) error: \(describeUnderlying(error))"
}

private func describeUnderlying(_ error: any Error) -> String {
    let text = String(describing: error)
    if text.contains("connectTimeout") || text.contains("ConnectTimeout") { return "connection timed out" }
    if text.contains("connectionRefused") || text.contains("Connection refused") || text.contains("ECONNREFUSED") {
        return "connection refused (is PostgreSQL running?)"
    }
    if text.contains("No such file") { return "no such socket (is PostgreSQL running?)" }
    if text.contains("ENOENT") || text.contains("NXDOMAIN") || text.contains("could not resolve") {
        return "host not found"
    }
    return text
}
