import DTDL
import Foundation
import Logging
import Observability
import PostgresNIO
import TwinQuery

/// `POST /query`: runs ADT queries, one statement per page.
public struct QueryStore: Sendable {
    /// One page of results.
    public struct Page: Sendable {
        /// `{"value":[...],"continuationToken":...}` as UTF-8.
        public var body: [UInt8]
        /// The `query-charge` header's value.
        public var charge: String
    }

    /// Rows per page without `max-items-per-page`, and the most a page holds (ADT's cap).
    public static let defaultPageSize = 100
    /// The most rows a page holds (ADT's cap), whatever `max-items-per-page` asks.
    public static let maximumPageSize = 1_000

    let client: PostgresClient
    let logger: Logger
    let options: ParseOptions
    let metrics: ServerMetrics?

    /// A store over `client`. `options` choose the extensions (unanchored JOINs, ORDER BY);
    /// with `metrics`, pages, rows, charges and timeouts are counted there.
    public init(client: PostgresClient, logger: Logger, options: ParseOptions = .init(), metrics: ServerMetrics? = nil)
    {
        self.client = client
        self.logger = logger
        self.options = options
        self.metrics = metrics
    }

    /// A page of `query`, or of the query a continuation token carries (the query text is then
    /// ignored, as ADT does). `withLastUpdateTime` false removes `$lastUpdateTime` from twins
    /// (api-versions before 2022-05-31).
    public func run(query text: String?, continuationToken: String?, pageSize requested: Int?, withLastUpdateTime: Bool)
        async throws -> Page
    {
        var token: QueryContinuationToken
        if let continuationToken {
            token = try QueryContinuationToken(decoding: continuationToken)
        } else {
            guard let text, !text.isEmpty else {
                throw ServiceError("BadRequest", "The query specification must have a query or a continuation token.")
            }
            token = QueryContinuationToken(query: text, after: nil, remaining: nil)
        }
        let query: Query
        do {
            query = try QueryParser.parse(token.query, options: options)
        } catch {
            throw Self.sqlQueryError(error)
        }
        if token.remaining == nil, let top = query.top { token.remaining = top }
        let size = min(max(requested ?? Self.defaultPageSize, 1), Self.maximumPageSize, token.remaining ?? .max)
        let compiled: CompiledQuery
        do {
            compiled = try QueryCompiler.compile(query, page: PageRequest(size: size, after: token.after))
        } catch {
            throw continuationToken == nil ? Self.sqlQueryError(error) : QueryContinuationToken.invalid
        }

        var bindings = PostgresBindings(capacity: compiled.bindings.count)
        for value in compiled.bindings {
            switch value {
            case .text(let s): bindings.append(s)
            case .textArray(let a): bindings.append(a)
            case .integer(let i): bindings.append(i)
            case .bool(let b): bindings.append(b)
            }
        }
        // The statement holds no value of the query (they are bound), so it is safe to log.
        logger.trace("query compiled", metadata: ["sql": "\(compiled.sql)"])
        let rows: PostgresRowSequence
        do {
            rows = try await client.tracedQuery(PostgresQuery(unsafeSQL: compiled.sql, binds: bindings), logger: logger)
        } catch {
            throw databaseError(error)
        }

        var writer = QueryPageWriter(output: compiled.output, withLastUpdateTime: withLastUpdateTime)
        var lastKeys: [String]?
        var more = false
        do {
            for try await row in rows {
                if case .count = compiled.output {
                    writer.appendCount(try row.decode(Int64.self))
                    continue
                }
                if writer.rowCount == size {
                    more = true
                    break
                }
                let cells = Array(row)
                let outputs = cells.count - compiled.keyCount
                var values: [String?] = []
                values.reserveCapacity(outputs)
                for cell in cells[..<outputs] { values.append(try cell.decode(String?.self)) }
                try writer.appendRow(values)
                var keys: [String] = []
                for cell in cells[outputs...] { keys.append(try cell.decode(String.self)) }
                lastKeys = keys
            }
        } catch {
            throw databaseError(error)
        }
        var next: String?
        if more, let lastKeys {
            let remaining = token.remaining.map { $0 - writer.rowCount }
            if remaining.map({ $0 > 0 }) ?? true {
                next = QueryContinuationToken(query: token.query, after: lastKeys, remaining: remaining).encoded
            }
        }
        let hops = query.joins.count + (query.match?.maximumHops ?? 0)
        let charge = 1.0 + 0.5 * Double(hops) + 0.01 * Double(writer.rowCount)
        if let metrics {
            metrics.increment("twins_query_pages_total")
            metrics.increment("twins_query_rows_total", by: writer.rowCount)
            metrics.observe("twins_query_charge", value: charge)
        }
        return Page(body: writer.finish(continuationToken: next), charge: Self.formatCharge(charge))
    }

    static func formatCharge(_ charge: Double) -> String {
        let hundredths = Int((charge * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    static func sqlQueryError(_ error: any Error) -> ServiceError {
        let reason = (error as? QueryError)?.message ?? "\(error)"
        return ServiceError(
            "SqlQueryError",
            "SQL query parse failed: \(reason). See samples in https://aka.ms/adtv2query for the correct syntax.")
    }

    /// A cancelled statement (PostgreSQL's `statement_timeout`) is ADT's `TimeoutError`.
    func databaseError(_ error: any Error) -> any Error {
        if let psql = error as? PSQLError, psql.serverInfo?[.sqlState] == "57014" {
            metrics?.increment("twins_query_timeouts_total")
            return ServiceError(
                "TimeoutError", "The query timed out. Simplify the query or narrow it with more filters.")
        }
        return error
    }
}
