/// Splits query text into tokens.
///
/// - Words: a letter, `_` or `$` followed by letters, digits and `_` (`$dtId`, `$metadata`).
/// - `[[escaped names]]`: any text up to the first `]]`, for reserved words and map keys that start
///   with a digit. Because `[[` always opens a name, write `-[ [[r]] ]-` (with spaces) for an escaped
///   MATCH variable.
/// - Strings: single quotes, backslash escapes (`'D\'Souza'`, `\\`, `\"`, `\/`, `\b`, `\f`, `\n`, `\r`,
///   `\t`, `\uXXXX`). Double-quoted strings are rejected: neither the docs nor the recorded SDK
///   traffic use them.
/// - Numbers: `12`, `1.5`, `2e3`, `1.5E-2`, unsigned (a leading `-` is a separate token, read as
///   unary minus by the parser). A `.` is only part of a number when a digit follows, so `*1..3`
///   reads as `1`, `..`, `3`.
struct Lexer {
    let source: [Unicode.Scalar]
    private var i = 0

    init(_ source: [Unicode.Scalar]) {
        self.source = source
    }

    /// All tokens, ending with one `.end` token.
    static func tokenize(_ source: [Unicode.Scalar]) throws(QueryError) -> [Token] {
        var lexer = Lexer(source)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func peek(_ n: Int = 0) -> Unicode.Scalar? {
        i + n < source.count ? source[i + n] : nil
    }

    private func text(_ from: Int, _ to: Int) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: source[from..<to])
        return String(view)
    }

    private func error(_ reason: String, at offset: Int) -> QueryError {
        QueryError(.syntax, reason, offset: offset, in: source)
    }

    mutating func next() throws(QueryError) -> Token {
        while let c = peek(), c.properties.isWhitespace { i += 1 }
        let start = i
        guard let c = peek() else { return Token(kind: .end, offset: i, text: "") }

        if c == "'" { return try string(start) }
        if c == "\"" {
            throw error("string literals use single quotes ('text'), not double quotes", at: start)
        }
        if c == "[", peek(1) == "[" { return try escapedName(start) }
        if Self.isDigit(c) { return try number(start) }
        if Self.isNameStart(c) { return try word(start) }
        return try symbol(start, c)
    }

    private mutating func symbol(_ start: Int, _ c: Unicode.Scalar) throws(QueryError) -> Token {
        let two: Symbol?
        switch (c, peek(1)) {
        case ("!", "="): two = .notEqual
        case ("<", "="): two = .lessEqual
        case (">", "="): two = .greaterEqual
        case (".", "."): two = .dotDot
        case ("<", ">"):
            throw error("'<>' is not an operator of the query language; use '!=' for inequality", at: start)
        case ("=", "="): throw error("'==' is not an operator of the query language; use '=' for equality", at: start)
        default: two = nil
        }
        if let two {
            i += 2
            return Token(kind: .symbol(two), offset: start, text: two.rawValue)
        }
        guard let one = Symbol(rawValue: String(Character(c))) else {
            throw error("unexpected character '\(Character(c))'", at: start)
        }
        i += 1
        return Token(kind: .symbol(one), offset: start, text: one.rawValue)
    }

    private mutating func word(_ start: Int) throws(QueryError) -> Token {
        i += 1
        while let c = peek(), Self.isNameContinue(c) { i += 1 }
        if i - start == 1, source[start] == "$" {
            throw error("expected a name after '$'", at: start)
        }
        let w = text(start, i)
        return Token(kind: .word(w), offset: start, text: w)
    }

    private mutating func escapedName(_ start: Int) throws(QueryError) -> Token {
        i += 2
        let contentStart = i
        while i < source.count {
            if source[i] == "]", peek(1) == "]" {
                let name = text(contentStart, i)
                i += 2
                // `[[a]]]` is ambiguous; names cannot end with `]`, so the extra `]` is the next token.
                guard !name.isEmpty else { throw error("an escaped name '[[...]]' must not be empty", at: start) }
                return Token(kind: .escaped(name), offset: start, text: text(start, i))
            }
            i += 1
        }
        throw error("unterminated escaped name: '[[' has no matching ']]'", at: start)
    }

    private mutating func number(_ start: Int) throws(QueryError) -> Token {
        while let c = peek(), Self.isDigit(c) { i += 1 }
        if peek() == ".", let d = peek(1), Self.isDigit(d) {
            i += 1
            while let c = peek(), Self.isDigit(c) { i += 1 }
        }
        if let e = peek(), e == "e" || e == "E" {
            var j = 1
            if let s = peek(1), s == "+" || s == "-" { j = 2 }
            if let d = peek(j), Self.isDigit(d) {
                i += j
                while let c = peek(), Self.isDigit(c) { i += 1 }
            }
        }
        if let c = peek(), Self.isNameContinue(c) || c == "$" {
            var j = i
            while j < source.count, Self.isNameContinue(source[j]) || source[j] == "$" { j += 1 }
            throw error(
                "invalid number '\(text(start, j))'; names cannot start with a digit (escape them as [[name]])",
                at: start)
        }
        let t = text(start, i)
        return Token(kind: .number(t), offset: start, text: t)
    }

    private mutating func string(_ start: Int) throws(QueryError) -> Token {
        i += 1
        var value = String.UnicodeScalarView()
        while let c = peek() {
            if c == "'" {
                i += 1
                return Token(kind: .string(String(value)), offset: start, text: text(start, i))
            }
            if c == "\\" {
                value.append(try escape())
                continue
            }
            value.append(c)
            i += 1
        }
        throw error("unterminated string literal", at: start)
    }

    /// Decodes one backslash escape at `i` and moves past it.
    private mutating func escape() throws(QueryError) -> Unicode.Scalar {
        let at = i
        guard let e = peek(1) else { throw error("unterminated string literal", at: at) }
        i += 2
        switch e {
        case "'", "\"", "\\", "/": return e
        case "b": return "\u{8}"
        case "f": return "\u{C}"
        case "n": return "\n"
        case "r": return "\r"
        case "t": return "\t"
        case "u":
            let unit = try hex4(at)
            if (0xD800...0xDBFF).contains(unit) {
                // A high surrogate must be followed by `\u` + low surrogate (JSON-style pairs).
                guard peek() == "\\", peek(1) == "u" else { throw error("unpaired surrogate in '\\u' escape", at: at) }
                i += 2
                let low = try hex4(at)
                guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate in '\\u' escape", at: at) }
                let combined = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                return Unicode.Scalar(combined)!
            }
            guard let scalar = Unicode.Scalar(unit) else { throw error("unpaired surrogate in '\\u' escape", at: at) }
            return scalar
        default:
            throw error("unknown escape sequence '\\\(Character(e))' in string literal", at: at)
        }
    }

    private mutating func hex4(_ at: Int) throws(QueryError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let c = peek(), let d = Self.hexValue(c) else {
                throw error("'\\u' must be followed by four hexadecimal digits", at: at)
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }

    static func isNameStart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || c == "$" || isLetter(c)
    }

    static func isNameContinue(_ c: Unicode.Scalar) -> Bool {
        c == "_" || isDigit(c) || isLetter(c)
    }

    static func isLetter(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 0x80 { return (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) }
        return c.properties.isAlphabetic
    }

    private static func hexValue(_ c: Unicode.Scalar) -> UInt32? {
        switch c.value {
        case 0x30...0x39: return c.value - 0x30
        case 0x41...0x46: return c.value - 0x41 + 10
        case 0x61...0x66: return c.value - 0x61 + 10
        default: return nil
        }
    }
}
