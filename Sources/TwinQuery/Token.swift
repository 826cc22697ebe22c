/// Punctuation and operators of the query language.
///
/// `<-` and `->` are not tokens of their own: `x<-5` must read as `x < -5`, so the MATCH parser
/// assembles arrows from `<`, `-` and `>`. `<>` is not an ADT operator (the operators reference lists
/// only `=`, `!=`, `<`, `>`, `<=`, `>=`), so the lexer rejects it with a hint to use `!=`.
enum Symbol: String, Sendable, Equatable {
    case leftParen = "("
    case rightParen = ")"
    case leftBracket = "["
    case rightBracket = "]"
    case comma = ","
    case dot = "."
    case dotDot = ".."
    case star = "*"
    case colon = ":"
    case pipe = "|"
    case minus = "-"
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case greater = ">"
    case lessEqual = "<="
    case greaterEqual = ">="
}

/// What a token is. Keywords are not a separate kind: most ADT keywords are only keywords in
/// context (JOIN, MATCH, RELATED, DIGITALTWINS, NIN, exact are not on the reserved list), so the
/// parser compares `word`s case-insensitively where it expects a keyword.
enum TokenKind: Sendable, Equatable {
    /// A bare word: keyword or identifier, as written (identifiers may start with `$`).
    case word(String)
    /// A `[[escaped name]]`, with the brackets removed. Never a keyword.
    case escaped(String)
    /// A single-quoted string literal, with escapes decoded.
    case string(String)
    /// An unsigned numeric literal, as written.
    case number(String)
    case symbol(Symbol)
    case end
}

/// One token and where it starts.
struct Token: Sendable, Equatable {
    var kind: TokenKind
    /// 0-based offset of the first character, in Unicode scalars.
    var offset: Int
    /// The source text of the token (empty for `end`).
    var text: String

    /// 1-based column (offset + 1) used in messages.
    var position: Int { offset + 1 }

    /// True if this is the bare word `keyword` (given in upper case), compared case-insensitively.
    func isKeyword(_ keyword: String) -> Bool {
        if case .word(let w) = kind { return Keywords.upper(w) == keyword }
        return false
    }

    func isSymbol(_ symbol: Symbol) -> Bool { kind == .symbol(symbol) }

    /// The upper-cased word, or nil if this is not a bare word.
    var upperWord: String? {
        if case .word(let w) = kind { return Keywords.upper(w) }
        return nil
    }

    /// How the token is named in messages: `'WHERE'`, `'['`, `end of query`.
    var display: String {
        if case .end = kind { return "end of query" }
        return "'\(text)'"
    }
}

/// Keyword tables.
enum Keywords {
    /// ADT's reserved words (reference-query-reserved.md). Used bare as a name they are an error;
    /// they must be written `[[Word]]`. Function names on the list are still fine in call position.
    static let reserved: Set<String> = [
        "ALL", "AND", "AS", "ASC", "AVG", "BY", "COUNT", "DESC", "DEVICES_JOBS", "DEVICES_MODULES",
        "DEVICES", "ENDS_WITH", "FALSE", "FROM", "GROUP", "IN", "IS_BOOL", "IS_DEFINED", "IS_NULL",
        "IS_NUMBER", "IS_OBJECT", "IS_PRIMITIVE", "IS_STRING", "MAX", "MIN", "NOT", "NOT_IN", "NULL",
        "OR", "ORDER", "SELECT", "STARTS_WITH", "SUM", "TOP", "TRUE", "WHERE", "IS_OF_MODEL",
    ]

    /// Words that start a clause after a collection name. They end an optional alias, so they
    /// cannot be aliases themselves unless escaped.
    static let clauseStarters: Set<String> = ["JOIN", "MATCH", "WHERE", "ORDER", "GROUP", "RELATED"]

    /// ASCII upper-casing (keywords are ASCII; leaves other scalars alone).
    static func upper(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if u.value >= 0x61 && u.value <= 0x7A, let up = Unicode.Scalar(u.value - 0x20) {
                out.append(up)
            } else {
                out.append(u)
            }
        }
        return String(out)
    }
}
