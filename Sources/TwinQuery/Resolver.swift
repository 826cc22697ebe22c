/// Second pass over a parsed query: binds each path's first segment to a collection and enforces
/// the rules that need the whole query.
///
/// - With no JOIN and no MATCH there is one collection. A path whose first segment equals the FROM
///   alias starts with that alias; any other path is a property path of the collection (`.implicit`).
///   ADT's own examples mix the two (`FROM DIGITALTWINS T WHERE IS_BOOL( HasTemperature )`).
/// - With JOIN or MATCH every path must start with a collection the query defines (FROM alias, JOIN
///   targets and relationship aliases, MATCH node and edge variables); aliases must be unique.
/// - A bare collection is only allowed as a projection item; conditions and ORDER BY need a property.
/// - `IS_OF_MODEL` applies to twin collections, and needs its collection argument when the query has
///   more than one collection.
/// - JOIN and MATCH queries must be anchored on a twin's `$dtId` (switchable, see `ParseOptions`).
struct Resolver {
    let source: [Unicode.Scalar]
    let options: ParseOptions
    /// Defined collection names, in definition order, and their kinds.
    private var order: [String] = []
    private var kinds: [String: NamedCollection.Kind] = [:]
    private var single = true
    private var from = Source(.digitalTwins)

    init(source: [Unicode.Scalar], options: ParseOptions) {
        self.source = source
        self.options = options
    }

    mutating func resolve(_ query: inout Query) throws(QueryError) {
        single = query.hasSingleCollection
        from = query.from
        try defineCollections(query)

        if case .items(var items) = query.select {
            for i in items.indices { try resolve(&items[i].path, allowCollection: true) }
            query.select = .items(items)
        }
        if var condition = query.where {
            try resolve(&condition)
            query.where = condition
        }
        for i in query.orderBy.indices {
            try resolve(&query.orderBy[i].path, allowCollection: false)
        }
        if options.requireAnchor, !single {
            try checkAnchor(query)
        }
    }

    // MARK: - Collections

    private mutating func define(_ name: String, _ kind: NamedCollection.Kind, at position: Int) throws(QueryError) {
        if kinds[name] != nil {
            throw error(.semantic, "the collection name '\(name)' is defined more than once", position)
        }
        kinds[name] = kind
        order.append(name)
    }

    private mutating func defineCollections(_ query: Query) throws(QueryError) {
        if let alias = query.from.alias {
            try define(alias, query.from.collection == .digitalTwins ? .twins : .relationships, at: 1)
        }
        for join in query.joins {
            guard let kind = kinds[join.source] else {
                let hint =
                    query.from.alias == nil
                    ? "; name the FROM collection (FROM DIGITALTWINS T) and start from it (RELATED T.\(join.relationship))"
                    : "; \(knownNames())"
                throw error(
                    .semantic,
                    "unknown collection '\(join.source)' in RELATED \(join.source).\(join.relationship)\(hint)",
                    join.position)
            }
            guard kind == .twins else {
                throw error(
                    .semantic, "RELATED must start from a twin collection, but '\(join.source)' names relationships",
                    join.position)
            }
            try define(join.target, .twins, at: join.position)
            if let r = join.relationshipAlias { try define(r, .relationships, at: join.position) }
        }
        if let match = query.match {
            for node in match.nodes { try define(node, .twins, at: match.position) }
            for edge in match.edges {
                if let v = edge.variable { try define(v, .relationships, at: edge.position) }
            }
        }
    }

    private func knownNames() -> String {
        order.isEmpty ? "the query defines no collection names" : "the query defines " + order.joined(separator: ", ")
    }

    // MARK: - Paths and expressions

    private func resolve(_ path: inout PropertyPath, allowCollection: Bool) throws(QueryError) {
        let first = path.segments[0]
        if single {
            path.root = first == from.alias ? .collection(first) : .implicit
        } else {
            guard kinds[first] != nil else {
                let context = path.segments.count > 1 ? " in '\(path)'" : ""
                throw error(.semantic, "unknown collection '\(first)'\(context); \(knownNames())", path.position)
            }
            path.root = .collection(first)
        }
        if !allowCollection, path.properties.isEmpty {
            throw error(
                .semantic,
                "'\(first)' is a collection, not a property; use one of its properties, such as \(first).$dtId",
                path.position)
        }
    }

    private func resolve(_ expression: inout Expression) throws(QueryError) {
        switch expression {
        case .comparison(let op, var lhs, var rhs):
            try resolve(&lhs)
            try resolve(&rhs)
            expression = .comparison(op, lhs, rhs)
        case .membership(var lhs, let op, let items):
            try resolve(&lhs)
            expression = .membership(lhs, op, items)
        case .and(var a, var b):
            try resolve(&a)
            try resolve(&b)
            expression = .and(a, b)
        case .or(var a, var b):
            try resolve(&a)
            try resolve(&b)
            expression = .or(a, b)
        case .not(var a):
            try resolve(&a)
            expression = .not(a)
        case .function(let call):
            expression = .function(try resolve(call))
        }
    }

    private func resolve(_ operand: inout Operand) throws(QueryError) {
        if case .path(var path) = operand {
            try resolve(&path, allowCollection: false)
            operand = .path(path)
        }
    }

    private func resolve(_ call: FunctionCall) throws(QueryError) -> FunctionCall {
        switch call {
        case .isOfModel(let f):
            try check(f)
            return call
        case .typeCheck(let fn, var path):
            try resolve(&path, allowCollection: false)
            return .typeCheck(fn, path)
        case .stringMatch(let fn, var path, let text):
            try resolve(&path, allowCollection: false)
            return .stringMatch(fn, path, text)
        case .arrayContains(var path, let value):
            try resolve(&path, allowCollection: false)
            return .arrayContains(path, value)
        }
    }

    private func check(_ f: IsOfModel) throws(QueryError) {
        guard let name = f.collection else {
            if !single {
                throw error(
                    .semantic,
                    "IS_OF_MODEL needs a collection argument in a query with JOIN or MATCH, e.g. IS_OF_MODEL(\(order.first ?? "T"), '\(f.modelId)')",
                    f.position)
            }
            if from.collection == .relationships {
                throw error(.semantic, "IS_OF_MODEL tests twins, but the query reads FROM RELATIONSHIPS", f.position)
            }
            return
        }
        guard let kind = kinds[name] else {
            throw error(.semantic, "unknown collection '\(name)' in IS_OF_MODEL; \(knownNames())", f.position)
        }
        guard kind == .twins else {
            throw error(.semantic, "IS_OF_MODEL tests twins, but '\(name)' names relationships", f.position)
        }
    }

    // MARK: - Anchoring

    private func checkAnchor(_ query: Query) throws(QueryError) {
        if let condition = query.where, isAnchored(condition) { return }
        let clause = query.match == nil ? "JOIN" : "MATCH"
        let position = query.joins.first?.position ?? query.match?.position ?? 1
        let example = query.joins.isEmpty ? (query.match?.nodes.first ?? "T") : (query.from.alias ?? "T")
        throw error(
            .semantic,
            "a query with \(clause) must filter a twin's $dtId with = or IN in WHERE, e.g. WHERE \(example).$dtId = 'id'",
            position)
    }

    /// True if every row the condition admits has a twin whose `$dtId` is fixed by a literal:
    /// an anchor on either side of AND, or on both sides of OR. NOT never anchors.
    private func isAnchored(_ e: Expression) -> Bool {
        switch e {
        case .and(let a, let b): return isAnchored(a) || isAnchored(b)
        case .or(let a, let b): return isAnchored(a) && isAnchored(b)
        case .comparison(.equal, .path(let p), .literal(.string)), .comparison(.equal, .literal(.string), .path(let p)):
            return isTwinId(p)
        case .membership(.path(let p), .in, let items):
            return isTwinId(p) && items.allSatisfy { if case .string = $0 { true } else { false } }
        default: return false
        }
    }

    private func isTwinId(_ p: PropertyPath) -> Bool {
        guard let c = p.collection, kinds[c] == .twins else { return false }
        return p.properties == ["$dtId"]
    }

    private func error(_ kind: QueryError.Kind, _ reason: String, _ position: Int) -> QueryError {
        QueryError(kind, reason, offset: max(position - 1, 0), in: source)
    }
}
