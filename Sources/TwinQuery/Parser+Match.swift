/// MATCH grammar (reference-query-clause-match.md):
///
///     pattern := node (edge node)*
///     node    := '(' name ')'
///     edge    := ('-' | '<' '-') '[' [name] [':' name ('|' name)*] ['*' hops] ']' '-' ['>']
///     hops    := int | int '..' int | '..' int
///
/// Interpretations: node names are required (every documented pattern names its nodes); edges
/// need brackets (`-->` is not documented); without a colon a word is a variable, so `[has|includes]`
/// is rejected with a hint to write `[:has|includes]`; a variable is allowed only on an edge of
/// exactly one hop; a hop count must be at least 1 and a range must not be empty under ADT's
/// exclusive lower bound (`*1..1` is empty).
extension Parser {
    mutating func parseMatch() throws(QueryError) -> MatchPattern {
        let matchToken = current
        advance()
        var nodes = [try parseNode()]
        var edges: [MatchEdge] = []
        var totalHops = 0
        while current.isSymbol(.minus) || current.isSymbol(.less) {
            let edge = try parseEdge()
            totalHops += edge.hops.maximum
            if totalHops > limits.maxHops {
                throw QueryError(
                    .limit,
                    "a MATCH pattern can span at most \(limits.maxHops) hops in total; this edge brings it to \(totalHops)",
                    offset: edge.position - 1, in: source)
            }
            edges.append(edge)
            nodes.append(try parseNode())
        }
        if current.isSymbol(.leftParen) {
            throw syntax("expected an edge such as -[]-> between two nodes, found '('")
        }
        return MatchPattern(nodes: nodes, edges: edges, position: matchToken.position)
    }

    private mutating func parseNode() throws(QueryError) -> String {
        guard current.isSymbol(.leftParen) else {
            throw syntax("expected '(' to start a MATCH node, found \(current.display)")
        }
        advance()
        if current.isKeyword("SELECT") { throw subquery(at: current) }
        let name = try parseName(role: "a twin variable name in the MATCH node")
        guard current.isSymbol(.rightParen) else {
            throw syntax("expected ')' to close the MATCH node '(\(name)', found \(current.display)")
        }
        advance()
        return name
    }

    private mutating func parseEdge() throws(QueryError) -> MatchEdge {
        var pointsLeft = false
        if current.isSymbol(.less) {
            pointsLeft = true
            advance()
            guard current.isSymbol(.minus) else {
                throw syntax("expected '-' after '<' in a MATCH edge (write <-[...]-), found \(current.display)")
            }
        }
        advance()  // '-'
        let bracket = current
        guard bracket.isSymbol(.leftBracket) else {
            throw syntax(
                "expected '[' to start a MATCH relationship condition (write -[]-> for any relationship), found \(current.display)"
            )
        }
        advance()
        var variable: String?
        var names: [String] = []
        var hops = Hops.exactly(1)

        switch current.kind {
        case .word, .escaped:
            let variableToken = current
            variable = try parseName(role: "a relationship variable")
            if current.isSymbol(.pipe) {
                throw QueryError(
                    .syntax,
                    "relationship names in MATCH need a leading ':' (write [:\(variable!)|...]); without it '\(variable!)' is a variable",
                    offset: variableToken.offset, in: source)
            }
        default: break
        }
        if current.isSymbol(.colon) {
            advance()
            names.append(try parseName(role: "a relationship name after ':'"))
            while current.isSymbol(.pipe) {
                advance()
                names.append(try parseName(role: "a relationship name after '|'"))
            }
        }
        if current.isSymbol(.star) {
            advance()
            hops = try parseHops()
        }
        guard current.isSymbol(.rightBracket) else {
            throw syntax("expected ']' to close the MATCH relationship condition, found \(current.display)")
        }
        advance()
        guard current.isSymbol(.minus) else {
            throw syntax("expected '-' after ']' in a MATCH edge, found \(current.display)")
        }
        advance()
        var direction: MatchEdge.Direction = pointsLeft ? .left : .either
        if current.isSymbol(.greater) {
            if pointsLeft {
                throw syntax("a MATCH edge can have only one arrowhead; chain two edges to follow both directions")
            }
            direction = .right
            advance()
        }
        if let variable, hops.minimum != 1 || hops.maximum != 1 {
            throw QueryError(
                .semantic, "the relationship variable '\(variable)' is only allowed on a single-hop edge",
                offset: bracket.offset, in: source)
        }
        return MatchEdge(
            direction: direction, relationshipNames: names, variable: variable, hops: hops, position: bracket.position)
    }

    /// After `*`: `n`, `lower..upper` or `..upper`.
    private mutating func parseHops() throws(QueryError) -> Hops {
        if current.isSymbol(.dotDot) {
            advance()
            let upper = try parseHopNumber()
            return try range(lower: 0, upper: upper)
        }
        guard case .number = current.kind else {
            throw syntax(
                "expected a hop count after '*' (an upper limit is required, e.g. *3 or *1..3), found \(current.display)"
            )
        }
        let lower = try parseHopNumber()
        guard current.isSymbol(.dotDot) else {
            guard lower.value >= 1 else { throw semantic("a MATCH hop count must be at least 1", at: lower.token) }
            return .exactly(lower.value)
        }
        advance()
        let upper = try parseHopNumber()
        return try range(lower: lower.value, upper: upper)
    }

    private func range(lower: Int, upper: (value: Int, token: Token)) throws(QueryError) -> Hops {
        guard upper.value > lower else {
            throw semantic(
                "the hop range *\(lower)..\(upper.value) is empty: the lower bound is exclusive, so the upper bound must be greater",
                at: upper.token)
        }
        return .range(lowerExclusive: lower, upperInclusive: upper.value)
    }

    private mutating func parseHopNumber() throws(QueryError) -> (value: Int, token: Token) {
        let token = current
        guard case .number(let text) = token.kind else {
            throw syntax("expected a hop count, found \(token.display)")
        }
        // Anything above Int range is far beyond the 10-hop limit; clamp so the limit check reports it.
        guard text.unicodeScalars.allSatisfy({ Lexer.isDigit($0) }) else {
            throw syntax("a hop count must be a whole number, found '\(text)'")
        }
        advance()
        return (Int(text) ?? Int.max / 4, token)
    }
}
