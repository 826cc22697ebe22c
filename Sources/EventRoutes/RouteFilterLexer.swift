/// Splits a route filter into tokens, keeping each token's line and column for ADT's error
/// message.
struct RouteFilterLexer {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var lineStart = 0

    init(_ text: String) { scalars = Array(text.unicodeScalars) }

    /// Every token of the filter, ending with `.end`.
    static func tokens(_ text: String) -> [RouteFilterToken] {
        var lexer = RouteFilterLexer(text)
        var tokens: [RouteFilterToken] = []
        while true {
            let token = lexer.next()
            tokens.append(token)
            if case .end = token.kind { return tokens }
        }
    }

    private var column: Int { index - lineStart + 1 }

    private mutating func next() -> RouteFilterToken {
        skipSpace()
        let (startLine, startColumn, start) = (line, column, index)
        guard index < scalars.count else { return RouteFilterToken(kind: .end, text: "", line: line, column: column) }
        let scalar = scalars[index]
        func token(_ kind: RouteFilterToken.Kind) -> RouteFilterToken {
            RouteFilterToken(kind: kind, text: text(from: start), line: startLine, column: startColumn)
        }
        switch scalar {
        case "'", "\"":
            return token(string(quote: scalar))
        case "(", ")", "[", "]", ",":
            index += 1
            return token(.punctuation(Character(scalar)))
        case "=":
            index += 1
            return token(.comparison("="))
        case "!", "<", ">":
            index += 1
            if index < scalars.count, scalars[index] == "=" || (scalar == "<" && scalars[index] == ">") {
                index += 1
            } else if scalar == "!" {
                return token(.invalid(reason: "Unexpected input '!'"))
            }
            return token(.comparison(text(from: start)))
        default:
            if Self.isDigit(scalar) || (scalar == "-" && index + 1 < scalars.count && Self.isDigit(scalars[index + 1]))
            {
                return number(start: start, line: startLine, column: startColumn)
            }
            guard Self.isWordStart(scalar) else {
                index += 1
                return token(.invalid(reason: "Unexpected input '\(Character(scalar))'"))
            }
            while index < scalars.count, Self.isWordPart(scalars[index]) { index += 1 }
            return token(.word(text(from: start)))
        }
    }

    private mutating func skipSpace() {
        while index < scalars.count, scalars[index].properties.isWhitespace {
            if scalars[index] == "\n" {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
    }

    /// A quoted string; the quote character written twice stands for itself.
    private mutating func string(quote: Unicode.Scalar) -> RouteFilterToken.Kind {
        index += 1
        var value = String.UnicodeScalarView()
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if scalar == quote {
                guard index < scalars.count, scalars[index] == quote else { return .string(String(value)) }
                index += 1
            } else if scalar == "\n" {
                break
            }
            value.append(scalar)
        }
        return .invalid(reason: "Unterminated string")
    }

    private mutating func number(start: Int, line: Int, column: Int) -> RouteFilterToken {
        index += 1
        var isInteger = true
        while index < scalars.count {
            let scalar = scalars[index]
            if Self.isDigit(scalar) {
                index += 1
            } else if scalar == "." || scalar == "e" || scalar == "E" {
                isInteger = false
                index += 1
                if index < scalars.count, scalars[index] == "+" || scalars[index] == "-" { index += 1 }
            } else {
                break
            }
        }
        let written = text(from: start)
        guard let value = Double(written), value.isFinite else {
            return RouteFilterToken(
                kind: .invalid(reason: "Unexpected input '\(written)'"), text: written, line: line, column: column)
        }
        return RouteFilterToken(kind: .number(value, isInteger: isInteger), text: written, line: line, column: column)
    }

    private func text(from start: Int) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<index])
        return String(view)
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar >= "0" && scalar <= "9" }

    /// Names start with a letter, `_` or `$` (`$body`, `$eventType`, `$metadata`).
    private static func isWordStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "$" || scalar == "_" || scalar.properties.isAlphabetic
    }

    /// Names go on with letters, digits, `_`, `$` and `.` (a dotted path is one word).
    private static func isWordPart(_ scalar: Unicode.Scalar) -> Bool {
        isWordStart(scalar) || isDigit(scalar) || scalar == "."
    }
}
