/// A query compiled to one parameterised PostgreSQL statement: the statement's text never holds a
/// value from the query (names, literals and model ids are all bound as parameters).
///
/// Columns of each result row, in order:
/// - `SELECT COUNT()`: one `bigint`;
/// - otherwise the row's outputs as JSON text (one column for `.document`, one per member for
///   `.members`, NULL where a projected property is missing), then `keyCount` text columns that
///   identify the row in the keyset order; they go back into `Page.after` for the next page.
public struct CompiledQuery: Sendable, Equatable {
    /// The statement, with `$1`, `$2`, ... placeholders.
    public var sql: String
    /// The values of the placeholders, in order.
    public var bindings: [SQLValue]
    /// How the row's JSON is made from its columns.
    public var output: QueryOutput
    /// Key columns after the output columns.
    public var keyCount: Int
}

/// A value bound to a placeholder. The statement casts each placeholder explicitly.
public enum SQLValue: Sendable, Equatable {
    case text(String)
    case textArray([String])
    case integer(Int)
    case bool(Bool)
}

/// What a result row is.
public enum QueryOutput: Sendable, Equatable {
    /// The row is one document (`SELECT *` over one collection).
    case document(NamedCollection.Kind)
    /// The row is an object with these members, in order; a NULL column leaves its member out.
    case members([OutputMember])
    /// `SELECT COUNT()`: one row `{"COUNT": n}`.
    case count
}

/// One member of a projected row.
public struct OutputMember: Sendable, Equatable {
    /// What the member holds.
    public enum Kind: Sendable, Equatable {
        /// A whole twin document.
        case twin
        /// A whole relationship document.
        case relationship
        /// A property value.
        case value
    }

    /// The member's key (`AS` alias, collection name or the path's last segment).
    public var key: String
    /// Whether the member is a whole twin, a whole relationship or a property value.
    public var kind: Kind
}

/// Which rows a page holds.
public struct PageRequest: Sendable, Equatable {
    /// Rows to return at most; the statement asks for one more, to tell whether another page
    /// follows.
    public var size: Int
    /// The key columns of the last row of the previous page, or nil for the first page.
    public var after: [String]?

    /// At most `size` rows, after the row whose key columns are `after` (nil: the first page).
    public init(size: Int, after: [String]? = nil) {
        self.size = size
        self.after = after
    }
}

/// Collects placeholders while a statement is written.
struct SQLParameters {
    private(set) var values: [SQLValue] = []

    /// `$n` for `value`; equal values share a placeholder.
    mutating func bind(_ value: SQLValue) -> String {
        if let index = values.firstIndex(of: value) { return "$\(index + 1)" }
        values.append(value)
        return "$\(values.count)"
    }

    mutating func text(_ value: String) -> String { bind(.text(value)) + "::text" }
    mutating func jsonb(_ json: String) -> String { bind(.text(json)) + "::jsonb" }
    mutating func numeric(_ text: String) -> String { bind(.text(text)) + "::numeric" }
    mutating func textArray(_ values: [String]) -> String { bind(.textArray(values)) + "::text[]" }
}
