import DTDL

/// An IoT Hub message routing query, the subset the emulator evaluates:
///
/// - literals: `true`, `false`, `null`, numbers, strings in `'…'` or `"…"` (a doubled quote
///   escapes it);
/// - application properties by bare name (`opType`, `iothub-message-schema`, `[odd name]`);
/// - system properties by keyword: `$contentType`, `$contentEncoding`, `$correlationId`,
///   `$messageId`, `$userId`, `$connectionDeviceId`, `$connectionModuleId`, `$enqueuedTime`
///   (an ISO 8601 string), `$iothub-message-source`, or any `$<AMQP name>`;
/// - the body by path, `$body.Weather.Temperature`, when it is JSON (`$contentType =
///   'application/json'`, `$contentEncoding = 'utf-8'`);
/// - `=`, `!=`, `<>`, `<`, `<=`, `>`, `>=`, `AND`, `OR`, `NOT`, parentheses;
/// - functions `IS_DEFINED(x)`, `IS_STRING(x)`, `IS_NUMBER(x)`, `IS_BOOL(x)`,
///   `STARTS_WITH(s, prefix)`, `ENDS_WITH(s, suffix)`, `CONTAINS(s, part)`, `LOWER(s)`,
///   `UPPER(s)`, `LENGTH(s)`.
///
/// Keywords and function names are case-insensitive; property names are not. A comparison
/// with an undefined operand is undefined, and only a query that is `true` routes the message
/// (IoT Hub's rule). A string compared with a number is read as a number. `$twin` is not
/// supported (always undefined).
struct RoutingQuery: Sendable {
    indirect enum Expression: Sendable, Equatable {
        case literal(Value)
        case property(String)
        case system(String)
        case body([String])
        case not(Expression)
        case and(Expression, Expression)
        case or(Expression, Expression)
        case compare(Expression, Comparison, Expression)
        case call(String, [Expression])
    }

    enum Comparison: String, Sendable {
        case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    }

    /// A value during evaluation.
    enum Value: Sendable, Equatable {
        case undefined
        case null
        case bool(Bool)
        case number(Double)
        case string(String)
        /// An object or array from the body: defined, but not comparable.
        case structured
    }

    /// A query that does not parse.
    struct ParseError: Error, Sendable {
        var message: String
    }

    let expression: Expression

    /// Parses `text`; an empty text is `true`.
    init(_ text: String) throws(ParseError) {
        var parser = Parser(tokens: try Self.tokenize(text))
        if parser.tokens.isEmpty {
            expression = .literal(.bool(true))
            return
        }
        expression = try parser.parseOr()
        if let extra = parser.peek { throw ParseError(message: "unexpected \(extra) after the end of the query") }
    }

    // MARK: Tokens

    enum Token: Sendable, Equatable, CustomStringConvertible {
        case identifier(String)
        case keyword(String)  // $...
        case string(String)
        case number(Double)
        case symbol(String)

        var description: String {
            switch self {
            case .identifier(let s): return s
            case .keyword(let s): return "$" + s
            case .string(let s): return "'\(s)'"
            case .number(let n): return String(n)
            case .symbol(let s): return s
            }
        }
    }

    static func tokenize(_ text: String) throws(ParseError) -> [Token] {
        let chars = Array(text)
        var tokens: [Token] = []
        var i = 0
        func isNameStart(_ c: Character) -> Bool { c.isLetter || c == "_" }
        func isNamePart(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "-" }
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace {
                i += 1
            } else if c == "'" || c == "\"" {
                var s = ""
                i += 1
                while true {
                    guard i < chars.count else { throw ParseError(message: "a string is not closed") }
                    if chars[i] == c {
                        if i + 1 < chars.count, chars[i + 1] == c {
                            s.append(c)
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    s.append(chars[i])
                    i += 1
                }
                tokens.append(.string(s))
            } else if c == "[" {
                guard let end = chars[i...].firstIndex(of: "]") else {
                    throw ParseError(message: "a [name] is not closed")
                }
                tokens.append(.identifier(String(chars[(i + 1)..<end])))
                i = end + 1
            } else if c.isNumber
                || (c == "-" && i + 1 < chars.count && chars[i + 1].isNumber && Self.expectsOperand(tokens))
                || (c == "." && i + 1 < chars.count && chars[i + 1].isNumber)
            {
                var j = i + 1
                while j < chars.count,
                    chars[j].isNumber || chars[j] == "." || chars[j] == "e" || chars[j] == "E"
                        || ((chars[j] == "+" || chars[j] == "-") && (chars[j - 1] == "e" || chars[j - 1] == "E"))
                {
                    j += 1
                }
                guard let n = Double(String(chars[i..<j])) else {
                    throw ParseError(message: "\(String(chars[i..<j])) is not a number")
                }
                tokens.append(.number(n))
                i = j
            } else if c == "$" {
                var j = i + 1
                while j < chars.count, isNamePart(chars[j]) || chars[j] == "." { j += 1 }
                guard j > i + 1 else { throw ParseError(message: "$ must be followed by a system property or $body") }
                tokens.append(.keyword(String(chars[(i + 1)..<j])))
                i = j
            } else if isNameStart(c) {
                var j = i + 1
                while j < chars.count, isNamePart(chars[j]) { j += 1 }
                tokens.append(.identifier(String(chars[i..<j])))
                i = j
            } else {
                let two = i + 1 < chars.count ? String(chars[i...(i + 1)]) : ""
                if ["<=", ">=", "!=", "<>"].contains(two) {
                    tokens.append(.symbol(two == "<>" ? "!=" : two))
                    i += 2
                } else if "=<>(),".contains(c) {
                    tokens.append(.symbol(String(c)))
                    i += 1
                } else {
                    throw ParseError(message: "unexpected character \(c)")
                }
            }
        }
        return tokens
    }

    /// Whether a `-` here starts a negative number (after an operator or at the start).
    private static func expectsOperand(_ tokens: [Token]) -> Bool {
        switch tokens.last {
        case .none, .symbol?: return true
        case .identifier(let s)?: return ["and", "or", "not"].contains(s.lowercased())
        default: return false
        }
    }

    // MARK: Parser

    struct Parser {
        let tokens: [Token]
        var position = 0

        init(tokens: [Token]) { self.tokens = tokens }

        var peek: Token? { position < tokens.count ? tokens[position] : nil }

        mutating func next() -> Token? {
            defer { position += 1 }
            return peek
        }

        mutating func accept(word: String) -> Bool {
            if case .identifier(let s)? = peek, s.lowercased() == word {
                position += 1
                return true
            }
            return false
        }

        mutating func accept(symbol: String) -> Bool {
            if case .symbol(let s)? = peek, s == symbol {
                position += 1
                return true
            }
            return false
        }

        mutating func parseOr() throws(ParseError) -> Expression {
            var left = try parseAnd()
            while accept(word: "or") { left = .or(left, try parseAnd()) }
            return left
        }

        mutating func parseAnd() throws(ParseError) -> Expression {
            var left = try parseNot()
            while accept(word: "and") { left = .and(left, try parseNot()) }
            return left
        }

        mutating func parseNot() throws(ParseError) -> Expression {
            if accept(word: "not") { return .not(try parseNot()) }
            return try parseComparison()
        }

        mutating func parseComparison() throws(ParseError) -> Expression {
            let left = try parseOperand()
            if case .symbol(let s)? = peek, let op = Comparison(rawValue: s) {
                position += 1
                return .compare(left, op, try parseOperand())
            }
            return left
        }

        mutating func parseOperand() throws(ParseError) -> Expression {
            guard let token = next() else { throw ParseError(message: "the query ends where a value was expected") }
            switch token {
            case .string(let s): return .literal(.string(s))
            case .number(let n): return .literal(.number(n))
            case .keyword(let k):
                let parts = k.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                if parts[0].lowercased() == "body" { return .body(Array(parts.dropFirst())) }
                if parts.count > 1 {
                    guard parts[0].lowercased() == "twin" else { throw ParseError(message: "$\(k) is not a property") }
                    return .literal(.undefined)
                }
                return .system(k)
            case .symbol("("):
                let inner = try parseOr()
                guard accept(symbol: ")") else { throw ParseError(message: "a ( is not closed") }
                return inner
            case .identifier(let name):
                switch name.lowercased() {
                case "true": return .literal(.bool(true))
                case "false": return .literal(.bool(false))
                case "null": return .literal(.null)
                default: break
                }
                if accept(symbol: "(") {
                    var arguments: [Expression] = []
                    if !accept(symbol: ")") {
                        repeat { arguments.append(try parseOr()) } while accept(symbol: ",")
                        guard accept(symbol: ")") else {
                            throw ParseError(message: "the call of \(name) is not closed")
                        }
                    }
                    let function = name.uppercased()
                    guard let arity = RoutingQuery.functions[function] else {
                        throw ParseError(message: "unknown function \(name)")
                    }
                    guard arguments.count == arity else {
                        throw ParseError(message: "\(function) takes \(arity) argument(s)")
                    }
                    return .call(function, arguments)
                }
                return .property(name)
            case .symbol(let s):
                throw ParseError(message: "unexpected \(s)")
            }
        }
    }

    /// The supported functions and their argument counts.
    static let functions: [String: Int] = [
        "IS_DEFINED": 1, "IS_STRING": 1, "IS_NUMBER": 1, "IS_BOOL": 1, "STARTS_WITH": 2, "ENDS_WITH": 2,
        "CONTAINS": 2, "LOWER": 1, "UPPER": 1, "LENGTH": 1,
    ]
}
