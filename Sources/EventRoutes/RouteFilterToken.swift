/// One token of a route filter, with where it starts.
struct RouteFilterToken: Sendable, Hashable {
    /// What the token is.
    enum Kind: Sendable, Hashable {
        /// A name or a dotted path: `type`, `$body.$metadata.$model`, `$eventType`, `AND`.
        case word(String)
        /// A quoted string, unescaped.
        case string(String)
        /// A number as written.
        case number(Double, isInteger: Bool)
        /// `=`, `!=`, `<>`, `<`, `<=`, `>`, `>=`.
        case comparison(String)
        /// `(`, `)`, `[`, `]`, `,`.
        case punctuation(Character)
        /// Input that is no token (a stray character, an unterminated string, a number out of
        /// range), refused with `reason` when the parser reaches it, so that errors come in
        /// reading order.
        case invalid(reason: String)
        /// The end of the filter.
        case end
    }

    /// The token.
    var kind: Kind
    /// The token as written, for messages.
    var text: String
    /// Where it starts: line and column, both from 1.
    var line: Int
    /// The column within the line, from 1.
    var column: Int

    /// Whether the token is the keyword `keyword` (keywords compare case-insensitively, as ADT
    /// accepted `or`).
    func isKeyword(_ keyword: String) -> Bool {
        if case .word(let word) = kind { return word.uppercased() == keyword }
        return false
    }

    /// `Unexpected input '…'` (or end of input) at this token.
    var unexpected: RouteFilterError {
        switch kind {
        case .end: return RouteFilterError(line: line, position: column, reason: "Unexpected end of input")
        case .invalid(let reason): return RouteFilterError(line: line, position: column, reason: reason)
        default: break
        }
        return RouteFilterError(line: line, position: column, reason: "Unexpected input '\(text)'")
    }
}
