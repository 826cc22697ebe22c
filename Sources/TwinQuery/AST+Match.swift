/// A `MATCH` pattern: `(a)-[...]->(b)<-[...]-(c)`. `edges[i]` connects `nodes[i]` and `nodes[i + 1]`,
/// so `edges.count == nodes.count - 1`; a node-only pattern `MATCH (t)` has no edges.
public struct MatchPattern: Sendable, Equatable {
    /// The twin variables, left to right.
    public var nodes: [String]
    /// The relationship conditions between consecutive nodes.
    public var edges: [MatchEdge]
    /// 1-based position of the `MATCH` keyword (ignored by `==`).
    public var position: Int

    /// Creates a pattern; `edges.count` must be `nodes.count - 1`.
    public init(nodes: [String], edges: [MatchEdge] = [], position: Int = 0) {
        self.nodes = nodes
        self.edges = edges
        self.position = position
    }

    /// The largest number of hops the pattern can take, summed over its edges (ADT allows 10).
    public var maximumHops: Int { edges.reduce(0) { $0 + $1.hops.maximum } }

    /// Equality ignores `position`.
    public static func == (a: MatchPattern, b: MatchPattern) -> Bool {
        a.nodes == b.nodes && a.edges == b.edges
    }
}

/// One relationship condition: `-[r:contains|isAssociatedWith*2..3]->`.
public struct MatchEdge: Sendable, Equatable {
    /// Which way relationships must point, relative to the written order of the nodes.
    public enum Direction: Sendable, Equatable {
        /// `(a)-[]->(b)`: from the left node to the right node.
        case right
        /// `(a)<-[]-(b)`: from the right node to the left node.
        case left
        /// `(a)-[]-(b)`: either way.
        case either
    }

    /// Which way the relationships point.
    public var direction: Direction
    /// Alternatives after the colon (`:contains|isAssociatedWith`); empty means any relationship name.
    public var relationshipNames: [String]
    /// The relationship variable (`r` in `-[r:contains]-`); only allowed on a single-hop edge.
    public var variable: String?
    /// How many relationships the edge spans (default one).
    public var hops: Hops
    /// 1-based position of the `[` (ignored by `==`).
    public var position: Int

    /// Creates an edge condition.
    public init(
        direction: Direction, relationshipNames: [String] = [], variable: String? = nil, hops: Hops = .exactly(1),
        position: Int = 0
    ) {
        self.direction = direction
        self.relationshipNames = relationshipNames
        self.variable = variable
        self.hops = hops
        self.position = position
    }

    /// Equality ignores `position`.
    public static func == (a: MatchEdge, b: MatchEdge) -> Bool {
        a.direction == b.direction && a.relationshipNames == b.relationshipNames && a.variable == b.variable
            && a.hops == b.hops
    }
}

/// How many relationships an edge may span.
///
/// ADT documents `*lower..upper` with an **exclusive** lower and an **inclusive** upper bound
/// (`*1..3` is 2 or 3 hops, `*..2` is 1 or 2), unlike Cypher. We follow the documentation; an
/// omitted lower bound is stored as 0.
public enum Hops: Sendable, Equatable {
    /// `[*n]`, or `[]` for the default single hop.
    case exactly(Int)
    /// `[*lower..upper]` or `[*..upper]` (lower 0): more than `lowerExclusive`, at most `upperInclusive`.
    case range(lowerExclusive: Int, upperInclusive: Int)

    /// Fewest hops allowed.
    public var minimum: Int {
        switch self {
        case .exactly(let n): return n
        case .range(let lower, _): return lower + 1
        }
    }

    /// Most hops allowed.
    public var maximum: Int {
        switch self {
        case .exactly(let n): return n
        case .range(_, let upper): return upper
        }
    }
}
