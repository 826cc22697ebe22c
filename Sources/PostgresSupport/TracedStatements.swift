import Instrumentation
import Logging
import Observability
import PostgresNIO
import Tracing

/// Statements with a span each when tracing is on (``TraceContext``): named as OpenTelemetry's
/// database conventions ask (`SELECT twins`), with the statement's text (its values are bind
/// parameters, never in the text) as `db.query.text`. The span covers the statement until its
/// rows start to arrive.
extension PostgresConnection {
    /// `query(_:logger:)` in a span.
    @discardableResult
    public func tracedQuery(
        _ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line
    ) async throws -> PostgresRowSequence {
        try await SQLSpan.run(query.sql) { try await self.query(query, logger: logger, file: file, line: line) }
    }

    /// `execute(_:logger:)` of a prepared statement in a span.
    public func tracedExecute<Statement: PostgresPreparedStatement, Row>(
        _ statement: Statement, logger: Logger, file: String = #fileID, line: Int = #line
    ) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, Row> where Row == Statement.Row {
        try await SQLSpan.run(Statement.sql) {
            try await self.execute(statement, logger: logger, file: file, line: line)
        }
    }
}

extension PostgresClient {
    /// `query(_:logger:)` in a span.
    @discardableResult
    public func tracedQuery(
        _ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line
    ) async throws -> PostgresRowSequence {
        try await SQLSpan.run(query.sql) { try await self.query(query, logger: logger, file: file, line: line) }
    }

    /// `execute(_:logger:)` of a prepared statement in a span.
    public func tracedExecute<Statement: PostgresPreparedStatement, Row>(
        _ statement: Statement, logger: Logger, file: String = #fileID, line: Int = #line
    ) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, Row> where Row == Statement.Row {
        try await SQLSpan.run(Statement.sql) {
            try await self.execute(statement, logger: logger, file: file, line: line)
        }
    }
}

/// Names and runs one statement's span.
public enum SQLSpan {
    /// Runs `body`, the statement `sql`, in a span when tracing is on and an operation is traced.
    public static func run<T>(
        _ sql: String, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T
    ) async throws -> T {
        // Only within a traced operation: background polling makes no root spans of its own.
        guard TraceContext.isTracing, InstrumentationContext.current != nil else { return try await body() }
        return try await TraceContext.withSpan(name(of: sql), ofKind: .client) { span in
            span.attributes["db.system.name"] = "postgresql"
            span.attributes["db.query.text"] = sql
            do {
                return try await body()
            } catch {
                span.recordError(error)
                span.setStatus(SpanStatus(code: .error))
                throw error
            }
        }
    }

    /// `SELECT twins`, `INSERT outbox`, `UPDATE twins`: the operation and, where the text says
    /// it plainly, its table. A statement with common table expressions (`WITH x AS (...)`) is
    /// named by the first change it makes, else by its first read.
    public static func name(of sql: String) -> String {
        let words = sql.split(whereSeparator: { " \n\t(),;".contains($0) }).map(String.init)
        let upper = words.map { $0.uppercased() }
        guard let first = upper.first else { return "SQL" }
        func table(after index: Int) -> String? {
            guard index + 1 < words.count else { return nil }
            let name = words[index + 1].prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
            return name.isEmpty ? nil : String(name)
        }
        func named(_ operation: String, at index: Int) -> String {
            let marker = ["INSERT": "INTO", "DELETE": "FROM", "SELECT": "FROM"][operation]
            let tableIndex =
                marker.flatMap { m in upper[index...].firstIndex(of: m) } ?? (operation == "UPDATE" ? index : nil)
            return tableIndex.flatMap(table(after:)).map { "\(operation) \($0)" } ?? operation
        }
        if first == "WITH" {
            if let at = upper.firstIndex(where: { ["INSERT", "UPDATE", "DELETE"].contains($0) }) {
                return named(upper[at], at: at)
            }
            if let at = upper.firstIndex(of: "SELECT") { return named("SELECT", at: at) }
            return "WITH"
        }
        return ["SELECT", "INSERT", "UPDATE", "DELETE"].contains(first) ? named(first, at: 0) : first
    }
}
