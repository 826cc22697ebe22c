/// WHERE grammar:
///
///     or        := and (OR and)*
///     and       := unary (AND unary)*
///     unary     := NOT unary | predicate
///     predicate := '(' or ')' | function | operand compare operand | operand (IN | NIN) list
///     operand   := path | literal
///     literal   := 'string' | ['-'] number | TRUE | FALSE | NULL
///     list      := '[' literal (',' literal)* ']'
///
/// A bare path or literal is not a condition (`WHERE T.flag` is rejected): ADT documents no such form.
extension Parser {
    mutating func parseExpression() throws(QueryError) -> Expression {
        var lhs = try parseAnd()
        while current.isKeyword("OR") {
            try countLogicalOperator()
            lhs = .or(lhs, try parseAnd())
        }
        return lhs
    }

    private mutating func parseAnd() throws(QueryError) -> Expression {
        var lhs = try parseUnary()
        while current.isKeyword("AND") {
            try countLogicalOperator()
            lhs = .and(lhs, try parseUnary())
        }
        return lhs
    }

    private mutating func countLogicalOperator() throws(QueryError) {
        logicalOperators += 1
        if logicalOperators > limits.maxLogicalOperators {
            throw QueryError(
                .limit, "a query can have at most \(limits.maxLogicalOperators) AND/OR operators",
                offset: current.offset, in: source)
        }
        advance()
    }

    private mutating func enterNesting() throws(QueryError) {
        nesting += 1
        if nesting > limits.maxNesting {
            throw QueryError(
                .limit, "conditions are nested more than \(limits.maxNesting) levels deep",
                offset: current.offset, in: source)
        }
    }

    private mutating func parseUnary() throws(QueryError) -> Expression {
        if current.isKeyword("NOT") {
            try enterNesting()
            advance()
            let operand = try parseUnary()
            nesting -= 1
            return .not(operand)
        }
        return try parsePredicate()
    }

    private mutating func parsePredicate() throws(QueryError) -> Expression {
        if current.isSymbol(.leftParen) {
            if peek().isKeyword("SELECT") { throw subquery(at: current) }
            try enterNesting()
            advance()
            let inner = try parseExpression()
            try expect(.rightParen, "to close the parenthesis")
            nesting -= 1
            return inner
        }
        if case .word(let name) = current.kind, peek().isSymbol(.leftParen) {
            return .function(try parseFunction(name))
        }
        let lhs = try parseOperand(role: "a condition")
        let opToken = current
        if case .symbol(let symbol) = opToken.kind, let op = Self.comparison(symbol) {
            advance()
            return .comparison(op, lhs, try parseOperand(role: "a value after '\(symbol.rawValue)'"))
        }
        if opToken.isKeyword("IN") || opToken.isKeyword("NIN") {
            advance()
            return .membership(lhs, opToken.isKeyword("IN") ? .in : .notIn, try parseList(opToken))
        }
        if opToken.isKeyword("NOT"), peek().isKeyword("IN") {
            throw syntax("NOT IN is not an operator of the query language; use NIN")
        }
        throw syntax("expected a comparison operator (=, !=, <, <=, >, >=), IN or NIN, found \(opToken.display)")
    }

    private static func comparison(_ symbol: Symbol) -> ComparisonOperator? {
        switch symbol {
        case .equal: return .equal
        case .notEqual: return .notEqual
        case .less: return .less
        case .lessEqual: return .lessOrEqual
        case .greater: return .greater
        case .greaterEqual: return .greaterOrEqual
        default: return nil
        }
    }

    private mutating func parseOperand(role: String) throws(QueryError) -> Operand {
        if let literal = try parseLiteralIfPresent() { return .literal(literal) }
        switch current.kind {
        case .word, .escaped:
            return .path(try parsePath(role: role))
        case .symbol(.leftParen) where peek().isKeyword("SELECT"):
            throw subquery(at: current)
        default:
            throw syntax("expected \(role): a property or a literal, found \(current.display)")
        }
    }

    /// A literal at the current token, or nil if the current token does not start one.
    mutating func parseLiteralIfPresent() throws(QueryError) -> Literal? {
        switch current.kind {
        case .string(let s):
            advance()
            return .string(s)
        case .number(let n):
            advance()
            return .number(NumberLiteral(n))
        case .symbol(.minus):
            guard case .number(let n) = peek().kind else {
                throw syntax("'-' must be followed by a number")
            }
            advance()
            advance()
            return .number(NumberLiteral("-" + n))
        case .word:
            if current.isKeyword("TRUE") || current.isKeyword("FALSE") {
                let value = current.isKeyword("TRUE")
                advance()
                return .bool(value)
            }
            if current.isKeyword("NULL") {
                advance()
                return .null
            }
            return nil
        default:
            return nil
        }
    }

    /// `[literal, ...]` after IN/NIN.
    private mutating func parseList(_ opToken: Token) throws(QueryError) -> [Literal] {
        let op = Keywords.upper(opToken.text)
        guard current.isSymbol(.leftBracket) else {
            if current.isSymbol(.leftParen), peek().isKeyword("SELECT") { throw subquery(at: current) }
            throw syntax("expected '[' after \(op) (write \(op) ['a', 'b']), found \(current.display)")
        }
        advance()
        if current.isSymbol(.rightBracket) { throw syntax("the \(op) list must not be empty") }
        var items: [Literal] = []
        while true {
            let itemToken = current
            guard let literal = try parseLiteralIfPresent() else {
                throw syntax("expected a literal in the \(op) list, found \(itemToken.display)")
            }
            items.append(literal)
            if items.count > limits.maxListItems {
                throw QueryError(
                    .limit, "an \(op) list can have at most \(limits.maxListItems) items",
                    offset: itemToken.offset, in: source)
            }
            if current.isSymbol(.comma) {
                advance()
                continue
            }
            try expect(.rightBracket, "to close the \(op) list")
            return items
        }
    }

    func subquery(at token: Token) -> QueryError {
        QueryError(.unsupported, "subqueries are not supported", offset: token.offset, in: source)
    }

    // MARK: - Functions

    private mutating func parseFunction(_ name: String) throws(QueryError) -> FunctionCall {
        let nameToken = current
        let upper = Keywords.upper(name)
        advance()
        advance()  // '('
        let call: FunctionCall
        switch upper {
        case "IS_OF_MODEL":
            call = .isOfModel(try parseIsOfModelArguments(position: nameToken.position))
        case _ where TypeCheck(rawValue: upper) != nil:
            call = .typeCheck(TypeCheck(rawValue: upper)!, try parsePath(role: "a property for \(upper)"))
        case "STARTSWITH", "STARTS_WITH", "ENDSWITH", "ENDS_WITH", "CONTAINS":
            let function: StringMatch =
                upper.hasPrefix("STARTS") ? .startsWith : upper.hasPrefix("ENDS") ? .endsWith : .contains
            let path = try parsePath(role: "a property for \(upper)")
            try expect(.comma, "between the arguments of \(upper)")
            guard case .string(let text) = current.kind else {
                throw syntax("expected a string literal as the second argument of \(upper), found \(current.display)")
            }
            advance()
            call = .stringMatch(function, path, text)
        case "ARRAY_CONTAINS":
            let path = try parsePath(role: "an array property for ARRAY_CONTAINS")
            try expect(.comma, "between the arguments of ARRAY_CONTAINS")
            let valueToken = current
            guard let value = try parseLiteralIfPresent(), value != .null else {
                throw QueryError(
                    .syntax,
                    "expected a string, number or Boolean as the second argument of ARRAY_CONTAINS, found \(valueToken.display)",
                    offset: valueToken.offset, in: source)
            }
            call = .arrayContains(path, value)
        default:
            throw QueryError(.syntax, "unknown function '\(name)'", offset: nameToken.offset, in: source)
        }
        try expect(.rightParen, "to close \(upper)(")
        return call
    }

    /// `'model'`, `coll, 'model'`, `'model', exact`, `coll, 'model', exact`.
    private mutating func parseIsOfModelArguments(position: Int) throws(QueryError) -> IsOfModel {
        var collection: String?
        switch current.kind {
        case .word, .escaped:
            collection = try parseName(role: "a collection name")
            try expect(.comma, "after the collection in IS_OF_MODEL")
        default: break
        }
        guard case .string(let model) = current.kind else {
            throw syntax("expected a model id string in IS_OF_MODEL, found \(current.display)")
        }
        advance()
        var exact = false
        if current.isSymbol(.comma) {
            advance()
            guard current.isKeyword("EXACT") else {
                throw syntax("expected 'exact' as the last argument of IS_OF_MODEL, found \(current.display)")
            }
            advance()
            exact = true
        }
        return IsOfModel(collection: collection, modelId: model, exact: exact, position: position)
    }
}
