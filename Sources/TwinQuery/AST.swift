/// A parsed and resolved ADT query:
/// `SELECT [TOP(n)] <projection> FROM <source> [JOIN ...]* | [MATCH ...] [WHERE <expr>] [ORDER BY ...]`.
///
/// Equality is structural: source positions, which several nodes carry for later error messages,
/// are ignored by `==`.
public struct Query: Sendable, Equatable {
    /// What each row contains.
    public var select: Projection
    /// `TOP(n)`: at most `n` rows (n >= 1).
    public var top: Int?
    /// The `FROM` collection.
    public var from: Source
    /// `JOIN ... RELATED ...` clauses, in order (at most 5 by default).
    public var joins: [Join]
    /// The `MATCH` pattern, if any (never together with `joins`).
    public var match: MatchPattern?
    /// The `WHERE` condition.
    public var `where`: Expression?
    /// `ORDER BY` items; only present when `ParseOptions.allowOrderBy` is set (a gateway extension).
    public var orderBy: [OrderItem]

    /// Creates a query; the parser builds these, tests and tools may too.
    public init(
        select: Projection, top: Int? = nil, from: Source, joins: [Join] = [], match: MatchPattern? = nil,
        where condition: Expression? = nil, orderBy: [OrderItem] = []
    ) {
        self.select = select
        self.top = top
        self.from = from
        self.joins = joins
        self.match = match
        self.where = condition
        self.orderBy = orderBy
    }

    /// True when paths may omit the collection: no JOIN and no MATCH, so there is one collection.
    public var hasSingleCollection: Bool { joins.isEmpty && match == nil }

    /// Every named collection of the query, in order of definition: the FROM alias, then each JOIN's
    /// target twins and relationship alias, then MATCH node variables and edge variables.
    public var collections: [NamedCollection] {
        var out: [NamedCollection] = []
        if let alias = from.alias {
            out.append(NamedCollection(name: alias, kind: from.collection == .digitalTwins ? .twins : .relationships))
        }
        for join in joins {
            out.append(NamedCollection(name: join.target, kind: .twins))
            if let r = join.relationshipAlias { out.append(NamedCollection(name: r, kind: .relationships)) }
        }
        if let match {
            for node in match.nodes { out.append(NamedCollection(name: node, kind: .twins)) }
            for edge in match.edges {
                if let v = edge.variable { out.append(NamedCollection(name: v, kind: .relationships)) }
            }
        }
        return out
    }
}

/// A collection name a query defines, and what it holds.
public struct NamedCollection: Sendable, Equatable {
    /// Whether a collection holds twins or relationships.
    public enum Kind: Sendable, Equatable {
        case twins
        case relationships
    }

    /// The alias as written.
    public var name: String
    /// What the collection holds.
    public var kind: Kind

    /// Creates a named collection.
    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }
}

/// The SELECT list.
public enum Projection: Sendable, Equatable {
    /// `SELECT *`, or `SELECT TOP(n)` with nothing after it: whole documents.
    case all
    /// `SELECT COUNT()`: one row with the number of matches.
    case count
    /// `SELECT a, b.c AS x, ...`: collections and properties.
    case items([ProjectionItem])
}

/// One entry of a projection list.
public struct ProjectionItem: Sendable, Equatable {
    /// A collection alias (`T`) or a property path (`T.name`, or `name` with a single collection).
    public var path: PropertyPath
    /// The `AS` name.
    public var alias: String?

    /// Creates a projection item.
    public init(path: PropertyPath, alias: String? = nil) {
        self.path = path
        self.alias = alias
    }

    /// True if the item projects a whole collection (`SELECT T, CT`), not a property.
    public var isCollection: Bool { path.collection != nil && path.properties.isEmpty }
}

/// The `FROM` clause.
public struct Source: Sendable, Equatable {
    /// The two collections a query can read.
    public enum Collection: Sendable, Equatable {
        case digitalTwins
        case relationships
    }

    /// Which collection.
    public var collection: Collection
    /// `FROM DIGITALTWINS T`: `T`.
    public var alias: String?

    /// Creates a FROM clause.
    public init(_ collection: Collection, alias: String? = nil) {
        self.collection = collection
        self.alias = alias
    }
}

/// `JOIN <target> RELATED <source>.<relationship> [<relationshipAlias>]`.
public struct Join: Sendable, Equatable {
    /// The joined twin collection.
    public var target: String
    /// The twin collection the relationships start from (the FROM alias or an earlier target).
    public var source: String
    /// The DTDL relationship name.
    public var relationship: String
    /// Names the relationships themselves, for filtering or projecting their properties.
    public var relationshipAlias: String?
    /// 1-based position of the `JOIN` keyword (ignored by `==`).
    public var position: Int

    /// Creates a JOIN clause.
    public init(
        target: String, source: String, relationship: String, relationshipAlias: String? = nil, position: Int = 0
    ) {
        self.target = target
        self.source = source
        self.relationship = relationship
        self.relationshipAlias = relationshipAlias
        self.position = position
    }

    /// Equality ignores `position`.
    public static func == (a: Join, b: Join) -> Bool {
        a.target == b.target && a.source == b.source && a.relationship == b.relationship
            && a.relationshipAlias == b.relationshipAlias
    }
}

/// What the first segment of a path turned out to be.
public enum PathRoot: Sendable, Equatable {
    /// Not resolved yet (only seen between parsing and resolution).
    case unresolved
    /// The first segment is a collection alias: `T.name` with `T` defined by the query.
    case collection(String)
    /// No collection given: the query has a single collection (no JOIN or MATCH) and every segment
    /// is a property of it, e.g. `name` in `SELECT name FROM DIGITALTWINS`.
    case implicit
}

/// A dotted path as written (`T.address.city`, `$metadata.$model`, `tags.[[1st]]`), plus what the
/// resolver decided its first segment is.
public struct PropertyPath: Sendable, Equatable, CustomStringConvertible {
    /// The segments as written, escaped names unescaped.
    public var segments: [String]
    /// Set by the resolver.
    public var root: PathRoot
    /// 1-based position of the first segment (ignored by `==`).
    public var position: Int

    /// Creates a path from raw segments.
    public init(segments: [String], root: PathRoot = .unresolved, position: Int = 0) {
        self.segments = segments
        self.root = root
        self.position = position
    }

    /// A path whose first segment is the collection `alias`: `PropertyPath(alias: "T", "name")` is `T.name`.
    public init(alias: String, _ properties: String...) {
        self.init(segments: [alias] + properties, root: .collection(alias))
    }

    /// A path of the single collection, written without alias: `PropertyPath(implicit: "name")`.
    public init(implicit properties: String...) {
        self.init(segments: properties, root: .implicit)
    }

    /// The collection alias the path starts with, if resolved to one.
    public var collection: String? {
        if case .collection(let c) = root { return c }
        return nil
    }

    /// The property segments (after the collection alias, if any).
    public var properties: [String] {
        if case .collection = root { return Array(segments.dropFirst()) }
        return segments
    }

    /// The path as written, dot-separated (escapes removed).
    public var description: String { segments.joined(separator: ".") }

    /// Equality ignores `position`.
    public static func == (a: PropertyPath, b: PropertyPath) -> Bool {
        a.segments == b.segments && a.root == b.root
    }
}

/// `ORDER BY` entry (gateway extension).
public struct OrderItem: Sendable, Equatable {
    /// The property to sort by.
    public var path: PropertyPath
    /// `DESC` (true) or `ASC`/default (false).
    public var descending: Bool

    /// Creates an ORDER BY item.
    public init(path: PropertyPath, descending: Bool = false) {
        self.path = path
        self.descending = descending
    }
}
