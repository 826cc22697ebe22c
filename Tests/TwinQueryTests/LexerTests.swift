import Testing

@testable import TwinQuery

@Suite("Lexer")
struct LexerTests {
    func kinds(_ text: String) throws -> [TokenKind] {
        try Lexer.tokenize(Array(text.unicodeScalars)).map(\.kind)
    }

    func lexError(_ text: String) -> QueryError? {
        do {
            _ = try Lexer.tokenize(Array(text.unicodeScalars))
            return nil
        } catch {
            return error
        }
    }

    @Test("tokens carry offsets")
    func offsets() throws {
        let tokens = try Lexer.tokenize(Array("SELECT  T.$dtId, 'x' FROM".unicodeScalars))
        #expect(tokens.map(\.offset) == [0, 8, 9, 10, 15, 17, 21, 25])
        #expect(tokens.map(\.position) == [1, 9, 10, 11, 16, 18, 22, 26])
        #expect(tokens.map(\.text) == ["SELECT", "T", ".", "$dtId", ",", "'x'", "FROM", ""])
    }

    @Test("symbols")
    func symbols() throws {
        #expect(
            try kinds("( ) [ ] , . .. * : | - = != < > <= >=")
                == [
                    .leftParen, .rightParen, .leftBracket, .rightBracket, .comma, .dot, .dotDot, .star, .colon, .pipe,
                    .minus, .equal, .notEqual, .less, .greater, .lessEqual, .greaterEqual,
                ].map { .symbol($0) } + [.end])
        // Arrows are assembled by the MATCH parser, so `x<-5` stays a comparison with -5.
        #expect(try kinds("<-") == [.symbol(.less), .symbol(.minus), .end])
        #expect(try kinds("->") == [.symbol(.minus), .symbol(.greater), .end])
    }

    @Test("words, $-names and escaped names")
    func names() throws {
        #expect(
            try kinds("$dtId $metadata _x a1 Été") == [
                .word("$dtId"), .word("$metadata"), .word("_x"), .word("a1"), .word("Été"), .end,
            ])
        #expect(
            try kinds("[[Group]] [[1st key]] [[a.b]]") == [
                .escaped("Group"), .escaped("1st key"), .escaped("a.b"), .end,
            ])
        #expect(try kinds("[ [x") == [.symbol(.leftBracket), .symbol(.leftBracket), .word("x"), .end])
        #expect(try kinds("[[a]]]") == [.escaped("a"), .symbol(.rightBracket), .end])
    }

    static let strings: [(String, String)] = [
        ("'plain'", "plain"),
        ("''", ""),
        ("'D\\'Souza'", "D'Souza"),
        ("'back\\\\slash'", "back\\slash"),
        ("'q\\\"d'", "q\"d"),
        ("'a\\/b'", "a/b"),
        ("'t\\tn\\nr\\rb\\bf\\f'", "t\tn\nr\rb\u{8}f\u{C}"),
        ("'\\u00e9\\u20AC'", "é€"),
        ("'\\ud83d\\ude00'", "😀"),
        ("'dtmi:com:example:Room;1'", "dtmi:com:example:Room;1"),
        ("'with \"double\" quotes'", "with \"double\" quotes"),
        ("'unicode ✓ 😀'", "unicode ✓ 😀"),
    ]

    @Test("string literals", arguments: strings)
    func string(_ source: String, _ value: String) throws {
        #expect(try kinds(source) == [.string(value), .end])
    }

    static let numbers: [String] = ["0", "7", "42", "3.14", "1e3", "1E+3", "2.5e-3", "00012"]

    @Test("number literals", arguments: numbers)
    func number(_ text: String) throws {
        #expect(try kinds(text) == [.number(text), .end])
    }

    @Test("a dot is part of a number only before a digit")
    func numberDots() throws {
        #expect(try kinds("1..3") == [.number("1"), .symbol(.dotDot), .number("3"), .end])
        #expect(try kinds("*..2") == [.symbol(.star), .symbol(.dotDot), .number("2"), .end])
        #expect(try kinds("1.") == [.number("1"), .symbol(.dot), .end])
        #expect(try kinds("-5") == [.symbol(.minus), .number("5"), .end])
    }

    static let errors: [(String, String, Int)] = [
        ("'open", "unterminated string literal", 1),
        ("x = 'a\\", "unterminated string literal", 7),
        ("'bad \\q'", "unknown escape sequence '\\q'", 6),
        ("'\\u12'", "four hexadecimal digits", 2),
        ("'\\ud83d'", "unpaired surrogate", 2),
        ("'\\ude00'", "unpaired surrogate", 2),
        ("\"dq\"", "single quotes", 1),
        ("a <> b", "use '!=' for inequality", 3),
        ("a == b", "use '=' for equality", 3),
        ("[[open", "unterminated escaped name", 1),
        ("x [[]]", "must not be empty", 3),
        ("$ x", "expected a name after '$'", 1),
        ("3abc", "invalid number '3abc'", 1),
        ("x.1st", "invalid number '1st'", 3),
        ("a # b", "unexpected character '#'", 3),
        ("a ! b", "unexpected character '!'", 3),
        ("a @b", "unexpected character '@'", 3),
        ("x\n  @", "unexpected character '@'", 5),
    ]

    @Test("lexical errors", arguments: errors)
    func lexicalErrors(_ text: String, _ reason: String, _ position: Int) throws {
        let e = try #require(lexError(text))
        #expect(e.kind == .syntax)
        #expect(e.reason.contains(reason), "\(e.reason)")
        #expect(e.position == position)
    }

    @Test("line and column on multi-line input")
    func lines() throws {
        let e = try #require(lexError("SELECT *\nFROM DIGITALTWINS\nWHERE x = #"))
        #expect(e.position == 38)
        #expect(e.line == 3)
        #expect(e.column == 11)
        #expect(e.message == "Syntax error at line 3, column 11: unexpected character '#'")
        #expect(e.description == e.message)
    }
}
