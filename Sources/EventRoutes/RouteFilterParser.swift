import ADTWire

/// A recursive-descent reader of route filters: `OR` binds loosest, then `AND`, then `NOT`.
struct RouteFilterParser {
    private let tokens: [RouteFilterToken]
    private var index = 0
    private var depth = 0
    /// Parentheses and `NOT`s deeper than this are refused, so that no filter exhausts the stack.
    static let maximumDepth = 64

    init(tokens: [RouteFilterToken]) { self.tokens = tokens }

    private var current: RouteFilterToken { tokens[index] }
    private mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    /// The whole filter, which must end after its expression.
    mutating func filter() throws(RouteFilterError) -> RouteFilterExpression {
        let expression = try disjunction()
        guard case .end = current.kind else { throw current.unexpected }
        return expression
    }

    private mutating func disjunction() throws(RouteFilterError) -> RouteFilterExpression {
        var expression = try conjunction()
        while current.isKeyword("OR") {
            advance()
            expression = .or(expression, try conjunction())
        }
        return expression
    }

    private mutating func conjunction() throws(RouteFilterError) -> RouteFilterExpression {
        var expression = try negation()
        while current.isKeyword("AND") {
            advance()
            expression = .and(expression, try negation())
        }
        return expression
    }

    private mutating func negation() throws(RouteFilterError) -> RouteFilterExpression {
        guard current.isKeyword("NOT") else { return try primary() }
        try enter()
        defer { depth -= 1 }
        advance()
        return .not(try negation())
    }

    private mutating func primary() throws(RouteFilterError) -> RouteFilterExpression {
        let token = current
        if case .punctuation("(") = token.kind {
            try enter()
            defer { depth -= 1 }
            advance()
            let inner = try disjunction()
            try expect(")")
            return inner
        }
        if case .word(let word) = token.kind,
            let function = RouteFilterExpression.TextFunction(rawValue: word.uppercased()),
            case .punctuation("(") = tokens[index + 1].kind
        {
            advance()
            advance()
            let first = try operand()
            try expect(",")
            let second = try operand()
            try expect(")")
            return .function(function, first, second)
        }
        let left = try operand()
        if case .comparison(let symbol) = current.kind {
            advance()
            let comparison = RouteFilterExpression.Comparison(rawValue: symbol == "<>" ? "!=" : symbol)!
            return .compare(left, comparison, try operand())
        }
        if current.isKeyword("IN") {
            advance()
            return .within(left, try list())
        }
        // A boolean literal stands alone: `true` routes everything, `false` nothing.
        if case .literal(.bool(let value)) = left { return .constant(value) }
        throw current.unexpected
    }

    /// `['a', 'b']` (or in parentheses): literals only.
    private mutating func list() throws(RouteFilterError) -> [JSONValue] {
        let close: Character
        switch current.kind {
        case .punctuation("["): close = "]"
        case .punctuation("("): close = ")"
        default: throw current.unexpected
        }
        advance()
        var values: [JSONValue] = []
        while true {
            guard case .literal(let value) = try operand() else { throw tokens[index - 1].unexpected }
            values.append(value)
            if case .punctuation(",") = current.kind {
                advance()
                continue
            }
            try expect(close)
            return values
        }
    }

    private mutating func operand() throws(RouteFilterError) -> RouteFilterExpression.Operand {
        let token = current
        switch token.kind {
        case .string(let value):
            advance()
            return .literal(.string(value))
        case .number(let value, let isInteger):
            advance()
            if isInteger, let integer = Int64(exactly: value) { return .literal(.integer(integer)) }
            return .literal(.double(value))
        case .word(let word):
            switch word.uppercased() {
            case "TRUE":
                advance()
                return .literal(.bool(true))
            case "FALSE":
                advance()
                return .literal(.bool(false))
            case "NULL":
                advance()
                return .literal(.null)
            case "AND", "OR", "NOT", "IN":
                throw token.unexpected
            default: break
            }
            let segments = word.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !segments.contains(where: \.isEmpty) else { throw token.unexpected }
            advance()
            if segments[0] == "$body" { return .body(Array(segments.dropFirst())) }
            if word == "$eventType" { return .legacyEventType }
            return .attribute(word)
        default:
            throw token.unexpected
        }
    }

    private mutating func expect(_ punctuation: Character) throws(RouteFilterError) {
        guard case .punctuation(punctuation) = current.kind else { throw current.unexpected }
        advance()
    }

    private mutating func enter() throws(RouteFilterError) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw RouteFilterError(
                line: current.line, position: current.column,
                reason: "The filter nests deeper than \(Self.maximumDepth) levels")
        }
    }
}
