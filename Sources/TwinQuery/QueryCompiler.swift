/// Compiles a resolved query to one PostgreSQL statement per page.
///
/// Tables (see `migrations/`): `twins(id, model_id, etag, body json, doc jsonb)` and
/// `relationships(source_id, id, name, target_id, etag, body json, doc jsonb)`; `doc` is `body`
/// as jsonb, kept by PostgreSQL. Conditions read `doc` (indexable); outputs read `body`, so rows
/// carry the stored JSON text, key order included.
///
/// Pages use keyset order, never OFFSET: each row is identified by its twins' ids and its
/// relationships' (source, id) keys, the statement orders by them, and the next page starts
/// after the last row's keys. Rows inserted meanwhile cannot shift or repeat the rows of pages
/// still to come.
public enum QueryCompiler {
    /// The statement for `page` of `query`.
    public static func compile(_ query: Query, page: PageRequest) throws(QueryError) -> CompiledQuery {
        var compilation = Compilation()
        return try compilation.compile(query, page: page)
    }
}

/// A collection of the query as the statement names it.
struct SQLCollection {
    /// The table alias (`t0`, `r1`, `m2`, `e0`).
    let alias: String
    let kind: NamedCollection.Kind
    /// The column holding a twin's id: `<alias>.id`, or the relationship column that points at
    /// the twin when its own row is not joined (a JOIN step used only to reach the next one).
    var idColumn: String

    init(alias: String, kind: NamedCollection.Kind, idColumn: String? = nil) {
        self.alias = alias
        self.kind = kind
        self.idColumn = idColumn ?? "\(alias).id"
    }
}

struct Compilation {
    var parameters = SQLParameters()
    /// Collections by query name; `""` is the single collection of a query without alias.
    var collections: [String: SQLCollection] = [:]
    /// The FROM clause with its joins.
    var from = ""
    /// Conditions that link the joined tables (ANDed with the WHERE condition).
    var links: [String] = []
    /// Key columns that identify a row, in order.
    var keys: [String] = []
    /// The single collection's name, for implicit paths.
    var main = ""

    mutating func compile(_ query: Query, page: PageRequest) throws(QueryError) -> CompiledQuery {
        try buildFrom(query)
        var conditions = links
        if let condition = query.where { conditions.append(try self.condition(condition, positive: true)) }

        let output: QueryOutput
        var columns: [String]
        switch query.select {
        case .count:
            let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
            return CompiledQuery(
                sql: "SELECT count(*) FROM \(from)\(whereClause)", bindings: parameters.values, output: .count,
                keyCount: 0)
        case .all:
            if query.hasSingleCollection, let only = collections[main] {
                output = .document(only.kind)
                columns = ["\(only.alias).body::text"]
            } else {
                // SELECT * with MATCH: every node and edge variable, by name.
                let names = query.collections.map(\.name)
                output = .members(
                    names.map { OutputMember(key: $0, kind: collections[$0]!.kind == .twins ? .twin : .relationship) })
                columns = names.map { "\(collections[$0]!.alias).body::text" }
            }
        case .items(let items):
            var members: [OutputMember] = []
            columns = []
            for item in items {
                let collection = try self.collection(of: item.path)
                if item.isCollection {
                    members.append(
                        OutputMember(
                            key: item.alias ?? item.path.segments[0],
                            kind: collection.kind == .twins ? .twin : .relationship))
                    columns.append("\(collection.alias).body::text")
                } else {
                    members.append(OutputMember(key: item.alias ?? item.path.segments.last!, kind: .value))
                    if collection.kind == .twins, item.path.properties == ["$dtId"] {
                        columns.append("to_json(\(collection.idColumn))::text")
                    } else {
                        columns.append("(\(jsonPath(collection.alias, "body", item.path.properties)))::text")
                    }
                }
            }
            output = .members(members)
        }

        // Keyset order: ORDER BY items (an extension) first, then the row's identity.
        var order: [(expression: String, descending: Bool, cast: String)] = []
        for item in query.orderBy {
            let collection = try self.collection(of: item.path)
            order.append(
                ("coalesce(\(valueJSON(collection, item.path.properties)), 'null'::jsonb)", item.descending, "::jsonb"))
        }
        order += keys.map { ($0, false, "::text") }
        columns += order.map { "(\($0.expression))::text" }

        if let after = page.after {
            guard after.count == order.count else {
                throw QueryError(
                    kind: .semantic, reason: "the continuation token does not belong to this query", position: 1)
            }
            conditions.append(keysetCondition(order, after))
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let orderClause = order.map { $0.expression + ($0.descending ? " DESC" : "") }.joined(separator: ", ")
        let limit = parameters.bind(.integer(page.size + 1))
        let sql =
            "SELECT \(columns.joined(separator: ", ")) FROM \(from)\(whereClause) ORDER BY \(orderClause) LIMIT \(limit)"
        return CompiledQuery(sql: sql, bindings: parameters.values, output: output, keyCount: order.count)
    }

    /// Rows after the given keys: a row comparison when every key ascends (an index range), else
    /// the comparison spelled out key by key.
    mutating func keysetCondition(_ order: [(expression: String, descending: Bool, cast: String)], _ after: [String])
        -> String
    {
        let values = zip(order, after).map { parameters.bind(.text($1)) + $0.cast }
        if !order.contains(where: \.descending) {
            return "(\(order.map(\.expression).joined(separator: ", "))) > (\(values.joined(separator: ", ")))"
        }
        var alternatives: [String] = []
        for i in order.indices {
            var terms = (0..<i).map { "\(order[$0].expression) = \(values[$0])" }
            terms.append("\(order[i].expression) \(order[i].descending ? "<" : ">") \(values[i])")
            alternatives.append("(" + terms.joined(separator: " AND ") + ")")
        }
        return "(" + alternatives.joined(separator: " OR ") + ")"
    }

    /// The collection a resolved path starts from.
    func collection(of path: PropertyPath) throws(QueryError) -> SQLCollection {
        let name = path.collection ?? main
        guard let collection = collections[name] else {
            throw QueryError(kind: .semantic, reason: "unknown collection '\(name)'", position: path.position)
        }
        return collection
    }
}
