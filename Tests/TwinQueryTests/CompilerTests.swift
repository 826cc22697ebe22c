import Testing

@testable import TwinQuery

/// The compiler's own promises: no value of the query in the statement text, keyset paging,
/// and the shapes of its output.
@Suite("Compiler")
struct CompilerTests {
    static func compile(_ text: String, size: Int = 10, after: [String]? = nil, options: ParseOptions = .init()) throws
        -> CompiledQuery
    {
        try QueryCompiler.compile(
            try QueryParser.parse(text, options: options), page: PageRequest(size: size, after: after))
    }

    /// Every place a query carries a value; the marker must reach PostgreSQL only as a bound
    /// parameter.
    static let marker = #"ZQX';DROP TABLE twins;--"#
    static let escaped = #"ZQX\';DROP TABLE twins;--"#
    static let carriers: [String] = [
        "SELECT * FROM DIGITALTWINS WHERE name = '\(escaped)'",
        "SELECT * FROM DIGITALTWINS WHERE name != '\(escaped)'",
        "SELECT * FROM DIGITALTWINS WHERE name < '\(escaped)'",
        "SELECT * FROM DIGITALTWINS WHERE NOT name = '\(escaped)'",
        "SELECT * FROM DIGITALTWINS WHERE $dtId = '\(escaped)'",
        "SELECT * FROM DIGITALTWINS WHERE $dtId IN ['a', '\(escaped)']",
        "SELECT * FROM DIGITALTWINS WHERE name NIN ['a', '\(escaped)']",
        "SELECT * FROM DIGITALTWINS WHERE [[\(marker)]] = 1",
        "SELECT [[\(marker)]] FROM DIGITALTWINS",
        "SELECT T.a.[[\(marker)]] FROM DIGITALTWINS T",
        "SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('\(escaped)')",
        "SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:x:\(escaped);1')",
        "SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('\(escaped)', exact)",
        "SELECT * FROM DIGITALTWINS WHERE STARTSWITH(name, '\(escaped)')",
        "SELECT * FROM DIGITALTWINS WHERE ENDSWITH($dtId, '\(escaped)')",
        "SELECT * FROM DIGITALTWINS WHERE CONTAINS(name, '\(escaped)')",
        "SELECT * FROM DIGITALTWINS WHERE ARRAY_CONTAINS(tags, '\(escaped)')",
        "SELECT * FROM DIGITALTWINS WHERE IS_DEFINED([[\(marker)]])",
        "SELECT B, F FROM DIGITALTWINS B JOIN F RELATED B.[[\(marker)]] WHERE B.$dtId = 'x'",
        "SELECT a, b FROM DIGITALTWINS MATCH (a)-[:[[\(marker)]]]->(b) WHERE a.$dtId = 'x'",
        "SELECT a, b FROM DIGITALTWINS MATCH (a)-[:x|[[\(marker)]]*2..4]-(b) WHERE a.$dtId = '\(escaped)'",
        "SELECT * FROM RELATIONSHIPS WHERE $relationshipName = '\(escaped)'",
        "SELECT * FROM RELATIONSHIPS R WHERE R.[[\(marker)]] = true",
        "SELECT name AS [[\(marker)]] FROM DIGITALTWINS",
    ]

    @Test(arguments: carriers)
    func valuesNeverReachTheStatementText(_ text: String) throws {
        let compiled = try Self.compile(text)
        #expect(!compiled.sql.contains("ZQX"), "\(compiled.sql)")
        #expect(!compiled.sql.contains("DROP"))
    }

    @Test func keysetPagesContinueAfterTheLastRow() throws {
        let first = try Self.compile("SELECT * FROM DIGITALTWINS", size: 5)
        #expect(first.keyCount == 1)
        #expect(first.sql.hasSuffix("ORDER BY t0.id LIMIT $1"))
        #expect(first.bindings == [.integer(6)])
        let next = try Self.compile("SELECT * FROM DIGITALTWINS", size: 5, after: ["t-9"])
        #expect(next.sql.contains("(t0.id) > ($1::text)"))
        #expect(next.bindings == [.text("t-9"), .integer(6)])
        #expect(throws: QueryError.self) { try Self.compile("SELECT * FROM DIGITALTWINS", after: ["a", "b"]) }
    }

    @Test func joinsIdentifyRowsByEveryKey() throws {
        let c = try Self.compile("SELECT B, F FROM DIGITALTWINS B JOIN F RELATED B.contains R WHERE B.$dtId = 'b'")
        // The FROM twin's id and each relationship's id: a relationship's source is the twin before it.
        #expect(c.keyCount == 2)
        #expect(c.sql.contains("JOIN twins t1 ON t1.id = r1.target_id"))
        let pruned = try Self.compile(
            "SELECT S FROM DIGITALTWINS F JOIN R RELATED F.contains JOIN S RELATED R.contains WHERE F.$dtId = 'f'")
        // Neither F nor R is read: the statement starts from the relationships.
        #expect(pruned.sql.contains("FROM relationships r1 JOIN relationships r2 ON r2.source_id = r1.target_id"))
        #expect(!pruned.sql.contains("twins t0") && !pruned.sql.contains("twins t1"))
        #expect(pruned.keyCount == 3)
        #expect(c.output == .members([OutputMember(key: "B", kind: .twin), OutputMember(key: "F", kind: .twin)]))
    }

    @Test func countHasNoKeysAndNoLimit() throws {
        let c = try Self.compile("SELECT COUNT() FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:ex:A;1')")
        #expect(c.output == .count)
        #expect(c.sql.hasPrefix("SELECT count(*) FROM twins t0 WHERE "))
        #expect(!c.sql.contains("LIMIT"))
    }

    @Test func equalityUsesContainmentOnlyWhereItIsExact() throws {
        let positive = try Self.compile("SELECT * FROM DIGITALTWINS WHERE a.b = 'x'")
        #expect(positive.sql.contains("t0.doc @> $1::jsonb"))
        #expect(positive.bindings.first == .text(#"{"a":{"b":"x"}}"#))
        // Under NOT, containment would match twins without the property.
        let negative = try Self.compile("SELECT * FROM DIGITALTWINS WHERE NOT a.b = 'x'")
        #expect(!negative.sql.contains("@>"))
        #expect(negative.sql.contains("twins_string("))
    }

    @Test func descendingOrderSpellsTheKeysetOut() throws {
        let options = ParseOptions(allowOrderBy: true)
        let c = try Self.compile(
            "SELECT * FROM DIGITALTWINS ORDER BY temperature DESC", after: ["21.5", "t-1"], options: options)
        #expect(c.keyCount == 2)
        #expect(c.sql.contains(" < $"))
        #expect(c.sql.contains("ORDER BY coalesce(t0.doc -> "))
    }

    @Test func numbersBecomeJSON() {
        #expect(JSONText.number(".5") == "0.5")
        #expect(JSONText.number("-5.") == "-5.0")
        #expect(JSONText.number("1.e3") == "1.0e3")
        #expect(JSONText.string("a\"b\\\n") == #""a\"b\\\n""#)
    }
}
