/// Entry point: parses ADT query text into a resolved `Query`.
public enum QueryParser {
    /// Parses and validates `text`.
    ///
    /// Runs the lexer, the parser (grammar and per-clause limits) and the resolver (collection
    /// aliases, `$dtId` anchoring), and throws the first problem found.
    public static func parse(_ text: String, options: ParseOptions = .init()) throws(QueryError) -> Query {
        let source = Array(text.unicodeScalars)
        try checkLength(text, source, options.limits.maxLength)
        // PostgreSQL text cannot hold U+0000, so no stored value can contain it.
        if let nul = source.firstIndex(of: "\u{0}") {
            throw QueryError(.syntax, "the query contains a NUL character (U+0000)", offset: nul, in: source)
        }
        var query = try parseSyntax(source, options: options)
        var resolver = Resolver(source: source, options: options)
        try resolver.resolve(&query)
        return query
    }

    /// Grammar only: paths stay `.unresolved` and aliases are not checked.
    static func parseSyntax(_ source: [Unicode.Scalar], options: ParseOptions) throws(QueryError) -> Query {
        var parser = Parser(source: source, tokens: try Lexer.tokenize(source), options: options)
        return try parser.parseQuery()
    }

    private static func checkLength(_ text: String, _ source: [Unicode.Scalar], _ max: Int) throws(QueryError) {
        let length = text.utf16.count
        guard length > max else { return }
        // Report the first character past the limit.
        var units = 0
        var offset = 0
        while offset < source.count, units + UTF16.width(source[offset]) <= max {
            units += UTF16.width(source[offset])
            offset += 1
        }
        throw QueryError(
            .limit, "the query is \(length) characters long; the maximum is \(max)", offset: offset, in: source)
    }
}

/// Recursive-descent parser over the token list. Clause-level limits (JOIN count, MATCH hops, AND/OR
/// count, IN list size) are enforced here because the parser knows where each construct starts.
struct Parser {
    let source: [Unicode.Scalar]
    let tokens: [Token]
    let options: ParseOptions
    var index = 0
    /// AND/OR operators seen so far.
    var logicalOperators = 0
    /// Current nesting of parentheses and NOT.
    var nesting = 0

    init(source: [Unicode.Scalar], tokens: [Token], options: ParseOptions) {
        self.source = source
        self.tokens = tokens
        self.options = options
    }

    var limits: QueryLimits { options.limits }

    // MARK: - Query

    mutating func parseQuery() throws(QueryError) -> Query {
        guard current.isKeyword("SELECT") else {
            throw syntax("expected SELECT at the start of the query, found \(current.display)")
        }
        advance()
        let topToken = current
        let top = try parseTop()
        let starToken = current
        let select = try parseProjection(hasTop: top != nil)
        guard current.isKeyword("FROM") else {
            if case .items = select, current.kind != .end {
                throw syntax("expected ',' or FROM after a projection item, found \(current.display)")
            }
            throw syntax("expected FROM, found \(current.display)")
        }
        advance()
        let from = try parseSource()
        var query = Query(select: select, top: top, from: from)
        try parseGraphClauses(&query)
        // QUERY.md and the SELECT reference forbid `SELECT *` only with JOIN; the MATCH reference's own
        // hop examples use `SELECT * ... MATCH`, so it stays allowed there. A bare `TOP(n)` means `*`.
        if select == .all, let join = query.joins.first {
            let isStar = starToken.isSymbol(.star)
            throw QueryError(
                .semantic,
                "\(isStar ? "SELECT *" : "SELECT TOP(n) without a projection") cannot be used in a query with JOIN; project the collections instead, e.g. SELECT \(join.source), \(join.target)",
                offset: (isStar ? starToken : topToken).offset, in: source)
        }
        if current.isKeyword("WHERE") {
            advance()
            query.where = try parseExpression()
        }
        if current.isKeyword("ORDER") {
            query.orderBy = try parseOrderBy()
        }
        guard current.kind == .end else { throw unexpectedAtEnd() }
        return query
    }

    /// `TOP(n)`, n >= 1.
    private mutating func parseTop() throws(QueryError) -> Int? {
        guard current.isKeyword("TOP") else { return nil }
        advance()
        guard current.isSymbol(.leftParen) else {
            throw syntax("expected '(' after TOP (write TOP(5)), found \(current.display)")
        }
        advance()
        let countToken = current
        if countToken.isSymbol(.minus) {
            throw semantic("TOP needs a positive integer count", at: countToken)
        }
        guard case .number(let text) = countToken.kind else {
            throw syntax("expected an integer count in TOP(...), found \(countToken.display)")
        }
        guard text.allSatisfy(\.isASCIIDigit), let n = Int(text) else {
            throw semantic("TOP needs a positive integer count, found '\(text)'", at: countToken)
        }
        guard n >= 1 else { throw semantic("TOP needs a count of at least 1, found \(n)", at: countToken) }
        advance()
        try expect(.rightParen, "to close TOP(")
        return n
    }

    /// `*`, `COUNT()`, or a list of paths with optional `AS` names.
    ///
    /// Interpretation: the docs only show a bare `SELECT TOP(n) FROM ...` (whole twins, like `*`). We
    /// also accept `TOP(n)` before `*` or a projection list, as T-SQL-style dialects do, but not before
    /// `COUNT()`, where a row cap means nothing.
    private mutating func parseProjection(hasTop: Bool) throws(QueryError) -> Projection {
        if current.isSymbol(.star) {
            advance()
            return .all
        }
        if current.isKeyword("COUNT"), peek().isSymbol(.leftParen) {
            let countToken = current
            if hasTop { throw semantic("TOP cannot be combined with COUNT()", at: countToken) }
            advance()
            advance()
            guard current.isSymbol(.rightParen) else {
                throw syntax("COUNT takes no arguments (write COUNT()), found \(current.display)")
            }
            advance()
            return .count
        }
        if hasTop, current.isKeyword("FROM") { return .all }
        var items: [ProjectionItem] = []
        repeat {
            if !items.isEmpty { advance() }  // the comma
            if current.isSymbol(.star) || current.isKeyword("COUNT") {
                throw syntax("\(current.display) cannot be combined with other projection items")
            }
            let path = try parsePath(role: "a collection or property to project")
            var alias: String?
            if current.isKeyword("AS") {
                advance()
                alias = try parseName(role: "a name after AS")
            }
            items.append(ProjectionItem(path: path, alias: alias))
        } while current.isSymbol(.comma)
        return .items(items)
    }

    /// `DIGITALTWINS [alias]` or `RELATIONSHIPS [alias]`.
    private mutating func parseSource() throws(QueryError) -> Source {
        if current.isSymbol(.leftParen) {
            throw QueryError(
                .unsupported, "subqueries are not supported; FROM takes DIGITALTWINS or RELATIONSHIPS",
                offset: current.offset, in: source)
        }
        let collection: Source.Collection
        if current.isKeyword("DIGITALTWINS") {
            collection = .digitalTwins
        } else if current.isKeyword("RELATIONSHIPS") {
            collection = .relationships
        } else {
            throw syntax("expected DIGITALTWINS or RELATIONSHIPS after FROM, found \(current.display)")
        }
        advance()
        return Source(collection, alias: try parseOptionalAlias())
    }

    /// An alias after a collection: any name that does not start the next clause.
    mutating func parseOptionalAlias() throws(QueryError) -> String? {
        switch current.kind {
        case .escaped: return try parseName(role: "an alias")
        case .word(let w) where !Keywords.clauseStarters.contains(Keywords.upper(w)):
            return try parseName(role: "an alias")
        default: return nil
        }
    }

    /// Any number of JOINs, or one MATCH.
    private mutating func parseGraphClauses(_ query: inout Query) throws(QueryError) {
        while true {
            if current.isKeyword("JOIN") {
                let joinToken = current
                if query.from.collection == .relationships {
                    throw semantic("FROM RELATIONSHIPS cannot be combined with JOIN", at: joinToken)
                }
                if query.match != nil {
                    throw semantic(
                        "JOIN cannot be combined with MATCH; express the traversal in the MATCH pattern", at: joinToken)
                }
                if query.joins.count >= limits.maxJoins {
                    throw QueryError(
                        .limit, "a query can have at most \(limits.maxJoins) JOINs", offset: joinToken.offset,
                        in: source)
                }
                query.joins.append(try parseJoin())
            } else if current.isKeyword("MATCH") {
                let matchToken = current
                if query.match != nil {
                    throw QueryError(
                        .limit, "a query can have only one MATCH clause", offset: matchToken.offset, in: source)
                }
                if !query.joins.isEmpty {
                    throw semantic("MATCH cannot be combined with JOIN; MATCH is used instead of JOIN", at: matchToken)
                }
                if query.from.collection == .relationships {
                    throw semantic("MATCH needs FROM DIGITALTWINS, not FROM RELATIONSHIPS", at: matchToken)
                }
                if let alias = query.from.alias {
                    throw semantic(
                        "a MATCH query names its twins in the pattern; remove the alias '\(alias)' after FROM DIGITALTWINS",
                        at: matchToken)
                }
                query.match = try parseMatch()
            } else {
                return
            }
        }
    }

    /// `JOIN <target> RELATED <source>.<relationship> [<alias>]`.
    private mutating func parseJoin() throws(QueryError) -> Join {
        let joinToken = current
        advance()
        let target = try parseName(role: "a collection name after JOIN")
        guard current.isKeyword("RELATED") else {
            throw syntax("expected RELATED after 'JOIN \(target)', found \(current.display)")
        }
        advance()
        let sourceName = try parseName(role: "a collection name after RELATED")
        guard current.isSymbol(.dot) else {
            throw syntax(
                "expected '.' and a relationship name after 'RELATED \(sourceName)' (write RELATED \(sourceName).contains), found \(current.display)"
            )
        }
        advance()
        let relationship = try parseName(role: "a relationship name")
        if current.isSymbol(.dot) {
            throw syntax("expected a single relationship name after 'RELATED \(sourceName).', found a longer path")
        }
        let relAlias = try parseOptionalAlias()
        return Join(
            target: target, source: sourceName, relationship: relationship, relationshipAlias: relAlias,
            position: joinToken.position)
    }

    /// `ORDER BY <path> [ASC|DESC], ...` (extension).
    private mutating func parseOrderBy() throws(QueryError) -> [OrderItem] {
        let orderToken = current
        guard options.allowOrderBy else {
            throw QueryError(
                .unsupported, "ORDER BY is not supported by Azure Digital Twins queries", offset: orderToken.offset,
                in: source)
        }
        advance()
        guard current.isKeyword("BY") else { throw syntax("expected BY after ORDER, found \(current.display)") }
        var items: [OrderItem] = []
        repeat {
            advance()  // BY or the comma
            let path = try parsePath(role: "a property to order by")
            var descending = false
            if current.isKeyword("DESC") {
                descending = true
                advance()
            } else if current.isKeyword("ASC") {
                advance()
            }
            items.append(OrderItem(path: path, descending: descending))
        } while current.isSymbol(.comma)
        return items
    }

    private func unexpectedAtEnd() -> QueryError {
        if current.isKeyword("GROUP") {
            return QueryError(
                .unsupported, "GROUP BY is not supported by Azure Digital Twins queries", offset: current.offset,
                in: source)
        }
        if current.isKeyword("JOIN") || current.isKeyword("MATCH") {
            return syntax("\(Keywords.upper(current.text)) must come before WHERE")
        }
        return syntax("expected end of query, found \(current.display)")
    }

    // MARK: - Names and paths

    /// A name: a bare word that is not reserved, or an `[[escaped]]` name.
    mutating func parseName(role: String) throws(QueryError) -> String {
        let token = current
        switch token.kind {
        case .escaped(let name):
            advance()
            return name
        case .word(let w):
            if Keywords.reserved.contains(Keywords.upper(w)) {
                throw syntax(
                    "expected \(role), found the reserved word '\(w)' (escape it as [[\(w)]] to use it as a name)")
            }
            advance()
            return w
        default:
            throw syntax("expected \(role), found \(token.display)")
        }
    }

    /// `name(.name)*`, unresolved.
    mutating func parsePath(role: String) throws(QueryError) -> PropertyPath {
        let start = current
        var segments = [try parseName(role: role)]
        while current.isSymbol(.dot) {
            advance()
            segments.append(try parseName(role: "a property name after '.'"))
        }
        return PropertyPath(segments: segments, position: start.position)
    }

    // MARK: - Token helpers

    var current: Token { tokens[index] }

    func peek(_ n: Int = 1) -> Token { tokens[min(index + n, tokens.count - 1)] }

    mutating func advance() {
        if index < tokens.count - 1 { index += 1 }
    }

    mutating func expect(_ symbol: Symbol, _ purpose: String) throws(QueryError) {
        guard current.isSymbol(symbol) else {
            throw syntax("expected '\(symbol.rawValue)' \(purpose), found \(current.display)")
        }
        advance()
    }

    /// A syntax error at the current token.
    func syntax(_ reason: String) -> QueryError {
        QueryError(.syntax, reason, offset: current.offset, in: source)
    }

    func semantic(_ reason: String, at token: Token) -> QueryError {
        QueryError(.semantic, reason, offset: token.offset, in: source)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
