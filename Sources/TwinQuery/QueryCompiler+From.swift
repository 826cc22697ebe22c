/// FROM, JOIN and MATCH: the tables of the statement and the conditions that link them.
extension Compilation {
    mutating func buildFrom(_ query: Query) throws(QueryError) {
        if let match = query.match {
            try buildMatch(match)
            return
        }
        let name = query.from.alias ?? ""
        main = name
        if query.from.collection == .relationships {
            collections[name] = SQLCollection(alias: "r0", kind: .relationships)
            from = "relationships r0"
            keys += ["r0.source_id", "r0.id"]
            return
        }
        // A twin of a JOIN chain whose document nothing reads (only its $dtId, if anything) is
        // not joined: the relationships name it, and the foreign keys guarantee it exists.
        let read = Self.collectionsRead(query)
        if query.joins.isEmpty || read.contains(name) {
            collections[name] = SQLCollection(alias: "t0", kind: .twins)
            from = "twins t0"
        } else {
            collections[name] = SQLCollection(alias: "t0", kind: .twins, idColumn: "r1.source_id")
        }
        keys.append(collections[name]!.idColumn)
        for (i, join) in query.joins.enumerated() {
            guard let source = collections[join.source] else {
                throw QueryError(
                    kind: .semantic, reason: "unknown collection '\(join.source)'", position: join.position)
            }
            let r = "r\(i + 1)"
            let t = "t\(i + 1)"
            let relationshipName = parameters.text(join.relationship)
            if from.isEmpty {
                from = "relationships \(r)"
                links.append("\(r).name = \(relationshipName)")
            } else {
                from +=
                    " JOIN relationships \(r) ON \(r).source_id = \(source.idColumn) AND \(r).name = \(relationshipName)"
            }
            if read.contains(join.target) {
                from += " JOIN twins \(t) ON \(t).id = \(r).target_id"
                collections[join.target] = SQLCollection(alias: t, kind: .twins)
            } else {
                collections[join.target] = SQLCollection(alias: t, kind: .twins, idColumn: "\(r).target_id")
            }
            if let alias = join.relationshipAlias { collections[alias] = SQLCollection(alias: r, kind: .relationships) }
            // (source, id) identifies a relationship, and its source is the previous twin.
            keys.append("\(r).id")
        }
    }

    /// The collections whose rows the query reads beyond a twin's `$dtId`: projected whole or
    /// by property, tested, sorted, or given to IS_OF_MODEL.
    static func collectionsRead(_ query: Query) -> Set<String> {
        let main = query.from.alias ?? ""
        var read = Set<String>()
        func note(_ path: PropertyPath, whole: Bool = false) {
            let name = path.collection ?? main
            if whole || path.properties != ["$dtId"] { read.insert(name) }
        }
        func visit(_ e: Expression) {
            switch e {
            case .and(let a, let b), .or(let a, let b):
                visit(a)
                visit(b)
            case .not(let a): visit(a)
            case .comparison(_, let l, let r):
                if case .path(let p) = l { note(p) }
                if case .path(let p) = r { note(p) }
            case .membership(let l, _, _):
                if case .path(let p) = l { note(p) }
            case .function(let call):
                switch call {
                case .isOfModel(let f): read.insert(f.collection ?? main)
                case .typeCheck(_, let p), .stringMatch(_, let p, _), .arrayContains(let p, _): note(p)
                }
            }
        }
        switch query.select {
        case .all: read.formUnion(query.collections.map(\.name) + [main])
        case .count: break
        case .items(let items): for item in items { note(item.path, whole: item.isCollection) }
        }
        if let condition = query.where { visit(condition) }
        for item in query.orderBy { note(item.path) }
        return read
    }

    /// `MATCH (a)-[...]->(b)...`: node `i` is table `m<i>`. A one-hop edge joins one relationship
    /// (`e<i>`, which an edge variable names); a longer edge walks the graph in a recursive
    /// subquery that never takes one relationship twice and yields the distinct twins reached.
    mutating func buildMatch(_ match: MatchPattern) throws(QueryError) {
        main = match.nodes[0]
        collections[match.nodes[0]] = SQLCollection(alias: "m0", kind: .twins)
        from = "twins m0"
        keys.append("m0.id")
        for (i, edge) in match.edges.enumerated() {
            let here = "m\(i)"
            let next = "m\(i + 1)"
            if edge.hops == .exactly(1) {
                let e = "e\(i)"
                let names = nameCondition(e, edge.relationshipNames)
                switch edge.direction {
                case .right:
                    from += " JOIN relationships \(e) ON \(e).source_id = \(here).id\(names)"
                    from += " JOIN twins \(next) ON \(next).id = \(e).target_id"
                case .left:
                    from += " JOIN relationships \(e) ON \(e).target_id = \(here).id\(names)"
                    from += " JOIN twins \(next) ON \(next).id = \(e).source_id"
                case .either:
                    from +=
                        " JOIN relationships \(e) ON (\(e).source_id = \(here).id OR \(e).target_id = \(here).id)\(names)"
                    from += " JOIN twins \(next) ON \(next).id = \(otherEnd(e, from: "\(here).id"))"
                }
                if let variable = edge.variable {
                    collections[variable] = SQLCollection(alias: e, kind: .relationships)
                }
                keys += ["\(e).source_id", "\(e).id"]
            } else {
                let w = "w\(i)"
                from += " JOIN LATERAL (\(walk(edge, from: "\(here).id"))) \(w) ON true"
                from += " JOIN twins \(next) ON \(next).id = \(w).node"
            }
            collections[match.nodes[i + 1]] = SQLCollection(alias: next, kind: .twins)
            keys.append("\(next).id")
        }
    }

    /// ` AND <e>.name IN (...)`, or nothing for any name.
    mutating func nameCondition(_ e: String, _ names: [String]) -> String {
        switch names.count {
        case 0: return ""
        case 1: return " AND \(e).name = \(parameters.text(names[0]))"
        default: return " AND \(e).name = ANY(\(parameters.textArray(names)))"
        }
    }

    /// The twin at the other end of relationship `e` from `start`.
    func otherEnd(_ e: String, from start: String) -> String {
        "CASE WHEN \(e).source_id = \(start) THEN \(e).target_id ELSE \(e).source_id END"
    }

    /// The twins `edge.hops` relationships away from `start`, each relationship taken at most
    /// once per path (ADT: an edge is traversed only once).
    mutating func walk(_ edge: MatchEdge, from start: String) -> String {
        let minimum = parameters.bind(.integer(edge.hops.minimum))
        let maximum = parameters.bind(.integer(edge.hops.maximum))
        let key = "length(e.source_id) || ':' || e.source_id || e.id"
        func step(_ origin: String) -> (condition: String, next: String) {
            switch edge.direction {
            case .right: return ("e.source_id = \(origin)", "e.target_id")
            case .left: return ("e.target_id = \(origin)", "e.source_id")
            case .either: return ("(e.source_id = \(origin) OR e.target_id = \(origin))", otherEnd("e", from: origin))
            }
        }
        let names = nameCondition("e", edge.relationshipNames)
        let first = step(start)
        let more = step("w.node")
        return """
            WITH RECURSIVE walk(node, depth, seen) AS (\
             SELECT \(first.next), 1, ARRAY[\(key)] FROM relationships e WHERE \(first.condition)\(names) \
            UNION ALL \
             SELECT \(more.next), w.depth + 1, w.seen || (\(key)) FROM walk w JOIN relationships e ON \(more.condition)\(names) \
             WHERE w.depth < \(maximum) AND NOT (\(key)) = ANY(w.seen)\
            ) SELECT DISTINCT node FROM walk WHERE depth >= \(minimum)
            """
    }
}
