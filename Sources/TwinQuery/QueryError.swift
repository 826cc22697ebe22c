/// Why a query was rejected, and where.
///
/// The gateway answers every kind with HTTP 400 and ADT's `SqlQueryError` code; `kind` lets it pick
/// a more specific wording or code if it wants to. Positions count Unicode scalars from 1; for the
/// single-line queries the API expects, `position` equals `column`.
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The family of the problem.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// The text does not follow the grammar (a missing keyword, a bad token, a reserved word used as a name).
        case syntax
        /// Well-formed, but not meaningful: an unknown collection alias, `SELECT *` with `JOIN`, a missing `$dtId` anchor.
        case semantic
        /// One of ADT's documented query limits is exceeded (length, JOINs, hops, AND/OR count, IN list size).
        case limit
        /// A construct ADT does not implement: subqueries, `ORDER BY` (unless enabled), `GROUP BY`.
        case unsupported
    }

    /// The family of the problem.
    public var kind: Kind
    /// What is wrong, without the location (for example `expected FROM, found 'WHERE'`).
    public var reason: String
    /// 1-based offset of the offending character in the query text (counted in Unicode scalars).
    public var position: Int
    /// 1-based line of `position`.
    public var line: Int
    /// 1-based column of `position` within its line.
    public var column: Int

    /// Creates an error with an explicit location.
    public init(kind: Kind, reason: String, position: Int, line: Int = 1, column: Int? = nil) {
        self.kind = kind
        self.reason = reason
        self.position = position
        self.line = line
        self.column = column ?? position
    }

    /// Creates an error at a 0-based scalar `offset` of `source`, computing line and column.
    init(_ kind: Kind, _ reason: String, offset: Int, in source: [Unicode.Scalar]) {
        var line = 1
        var lineStart = 0
        var i = 0
        let end = min(offset, source.count)
        while i < end {
            if source[i] == "\n" {
                line += 1
                lineStart = i + 1
            }
            i += 1
        }
        self.init(kind: kind, reason: reason, position: offset + 1, line: line, column: offset - lineStart + 1)
    }

    /// The full message, in the style of ADT's `SqlQueryError`:
    /// `Syntax error at line 1, column 23: expected FROM, found 'WHERE'`.
    public var message: String {
        let label: String
        switch kind {
        case .syntax: label = "Syntax error"
        case .semantic: label = "Invalid query"
        case .limit: label = "Query limit exceeded"
        case .unsupported: label = "Unsupported query"
        }
        return "\(label) at line \(line), column \(column): \(reason)"
    }

    /// Same as `message`.
    public var description: String { message }
}
