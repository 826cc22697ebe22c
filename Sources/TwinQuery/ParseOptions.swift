/// Switches for behaviour beyond (or stricter than) what ADT does.
public struct ParseOptions: Sendable, Equatable {
    /// JOIN and MATCH queries must filter some twin's `$dtId` with `=` or `IN` (ADT's rule).
    /// Set to false to allow un-anchored graph queries (a gateway extension).
    public var requireAnchor: Bool
    /// Accept a trailing `ORDER BY <path> [ASC|DESC], ...` (a gateway extension; ADT rejects it).
    public var allowOrderBy: Bool
    /// The numeric limits; `.adt` by default.
    public var limits: QueryLimits

    /// Creates options; the defaults follow ADT.
    public init(requireAnchor: Bool = true, allowOrderBy: Bool = false, limits: QueryLimits = .adt) {
        self.requireAnchor = requireAnchor
        self.allowOrderBy = allowOrderBy
        self.limits = limits
    }
}

/// Query limits. ADT calls most of these adjustable, so they are configurable; `.adt` holds the
/// documented defaults.
public struct QueryLimits: Sendable, Equatable {
    /// Characters per query, counted in UTF-16 code units as ADT (a .NET service) would: 8,000.
    public var maxLength: Int
    /// JOINs per query: 5.
    public var maxJoins: Int
    /// Hops summed over all edges of the MATCH pattern, using each edge's upper bound: 10.
    public var maxHops: Int
    /// `AND`/`OR` operators per query: 50. We count operators, which is how the limits page
    /// words it ("AND/OR expressions per query"); `a AND b` is one.
    public var maxLogicalOperators: Int
    /// Items in one `IN`/`NIN` list: 100. The limits page says 50 (adjustable), the operators
    /// reference, which defines IN/NIN, says 100; we take the larger so that no query the operator
    /// documentation allows is refused.
    public var maxListItems: Int
    /// Nesting of parentheses and `NOT` in WHERE: 64. Not an ADT limit; it bounds recursion so a
    /// pathological 8,000-character query cannot exhaust a small thread stack.
    public var maxNesting: Int

    /// Creates limits; the defaults are ADT's.
    public init(
        maxLength: Int = 8_000, maxJoins: Int = 5, maxHops: Int = 10, maxLogicalOperators: Int = 50,
        maxListItems: Int = 100, maxNesting: Int = 64
    ) {
        self.maxLength = maxLength
        self.maxJoins = maxJoins
        self.maxHops = maxHops
        self.maxLogicalOperators = maxLogicalOperators
        self.maxListItems = maxListItems
        self.maxNesting = maxNesting
    }

    /// ADT's documented limits.
    public static let adt = QueryLimits()
}
