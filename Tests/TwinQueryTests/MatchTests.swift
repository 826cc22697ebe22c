import Testing

@testable import TwinQuery

/// A MATCH pattern (between `... FROM DIGITALTWINS MATCH ` and ` WHERE a.$dtId = 'x'`) and its AST.
struct PatternCase: Sendable, CustomTestStringConvertible {
    var pattern: String
    var expected: MatchPattern
    var testDescription: String { pattern }

    init(_ pattern: String, _ nodes: [String], _ edges: [MatchEdge] = []) {
        self.pattern = pattern
        self.expected = MatchPattern(nodes: nodes, edges: edges)
    }

    var query: String { "SELECT a FROM DIGITALTWINS MATCH \(pattern) WHERE a.$dtId = 'x'" }
}

@Suite("MATCH")
struct MatchTests {
    static let patterns: [PatternCase] = [
        PatternCase("(a)", ["a"]),
        PatternCase("(a)-[]->(b)", ["a", "b"], [MatchEdge(direction: .right)]),
        PatternCase("(a)<-[]-(b)", ["a", "b"], [MatchEdge(direction: .left)]),
        PatternCase("(a)-[]-(b)", ["a", "b"], [MatchEdge(direction: .either)]),
        PatternCase("( a ) - [ ] - > ( b )", ["a", "b"], [MatchEdge(direction: .right)]),
        PatternCase(
            "(a)-[:contains]-(b)", ["a", "b"], [MatchEdge(direction: .either, relationshipNames: ["contains"])]),
        PatternCase(
            "(a)-[:contains|isAssociatedWith]-(b)", ["a", "b"],
            [MatchEdge(direction: .either, relationshipNames: ["contains", "isAssociatedWith"])]),
        PatternCase("(a)-[*3]-(b)", ["a", "b"], [MatchEdge(direction: .either, hops: .exactly(3))]),
        PatternCase(
            "(a)-[*1..3]-(b)", ["a", "b"],
            [MatchEdge(direction: .either, hops: .range(lowerExclusive: 1, upperInclusive: 3))]),
        PatternCase(
            "(a)-[*..2]-(b)", ["a", "b"],
            [MatchEdge(direction: .either, hops: .range(lowerExclusive: 0, upperInclusive: 2))]),
        PatternCase(
            "(a)-[*0..2]-(b)", ["a", "b"],
            [MatchEdge(direction: .either, hops: .range(lowerExclusive: 0, upperInclusive: 2))]),
        PatternCase("(a)-[*10]->(b)", ["a", "b"], [MatchEdge(direction: .right, hops: .exactly(10))]),
        PatternCase("(a)-[rel]-(b)", ["a", "b"], [MatchEdge(direction: .either, variable: "rel")]),
        PatternCase("(a)-[r*1]-(b)", ["a", "b"], [MatchEdge(direction: .either, variable: "r", hops: .exactly(1))]),
        PatternCase(
            "(a)-[r:contains|isAssociatedWith]->(b)", ["a", "b"],
            [MatchEdge(direction: .right, relationshipNames: ["contains", "isAssociatedWith"], variable: "r")]),
        PatternCase(
            "(a)-[:contains|isAssociatedWith*3..5]->(b)", ["a", "b"],
            [
                MatchEdge(
                    direction: .right, relationshipNames: ["contains", "isAssociatedWith"],
                    hops: .range(lowerExclusive: 3, upperInclusive: 5))
            ]),
        PatternCase(
            "(a)-[r:contains|isAssociatedWith]->(cafe)<-[:has|includes*..3]-(room)", ["a", "cafe", "room"],
            [
                MatchEdge(direction: .right, relationshipNames: ["contains", "isAssociatedWith"], variable: "r"),
                MatchEdge(
                    direction: .left, relationshipNames: ["has", "includes"],
                    hops: .range(lowerExclusive: 0, upperInclusive: 3)),
            ]),
        PatternCase(
            "(b)-[r1:isAssociatedWith]->(a)<-[r2:isAssociatedWith]-(room)", ["b", "a", "room"],
            [
                MatchEdge(direction: .right, relationshipNames: ["isAssociatedWith"], variable: "r1"),
                MatchEdge(direction: .left, relationshipNames: ["isAssociatedWith"], variable: "r2"),
            ]),
        PatternCase(
            "([[Group]])-[ [[r]] :[[has part]]]->(a)", ["Group", "a"],
            [MatchEdge(direction: .right, relationshipNames: ["has part"], variable: "r")]),
        PatternCase(
            "(a)-[:Contains]->(b)", ["a", "b"], [MatchEdge(direction: .right, relationshipNames: ["Contains"])]),
    ]

    @Test("pattern forms", arguments: patterns)
    func forms(_ c: PatternCase) {
        #expect(parsed(c.query)?.match == c.expected)
    }

    @Test("hop bounds follow ADT: exclusive lower, inclusive upper")
    func hopBounds() {
        #expect(Hops.exactly(3).minimum == 3 && Hops.exactly(3).maximum == 3)
        #expect(Hops.range(lowerExclusive: 1, upperInclusive: 3).minimum == 2)
        #expect(Hops.range(lowerExclusive: 1, upperInclusive: 3).maximum == 3)
        #expect(Hops.range(lowerExclusive: 0, upperInclusive: 2).minimum == 1)
        #expect(
            MatchPattern(
                nodes: ["a", "b", "c"],
                edges: [
                    MatchEdge(direction: .right, hops: .exactly(3)),
                    MatchEdge(direction: .left, hops: .range(lowerExclusive: 2, upperInclusive: 5)),
                ]
            ).maximumHops == 8)
    }

    @Test("a whole MATCH query resolves its variables")
    func wholeQuery() throws {
        let q = try #require(
            parsed(
                "SELECT floor, room FROM DIGITALTWINS MATCH (floor)-[r:contains|isAssociatedWith]->(room) WHERE floor.$dtId = 'thermostat-15' AND r.length = 10"
            ))
        #expect(q.select == items(path("floor"), path("room")))
        #expect(q.from == twinsFrom())
        #expect(q.joins.isEmpty)
        #expect(
            q.where
                == .and(
                    cmp(path("floor", "$dtId"), .equal, str("thermostat-15")),
                    cmp(path("r", "length"), .equal, num("10"))))
        #expect(q.match?.position == 38)
        #expect(q.match?.edges.first?.position == 52)
    }

    @Test("SELECT * is allowed with MATCH (the docs' hop examples use it)")
    func selectStar() {
        #expect(
            parsed("SELECT * FROM DIGITALTWINS MATCH (floor)-[*3]-(room) WHERE floor.$dtId = 'thermostat-15'")?.select
                == .all)
    }

    @Test("ten hops in total are allowed, eleven are not")
    func hopLimit() throws {
        #expect(parsed("SELECT a FROM DIGITALTWINS MATCH (a)-[*4]->(b)-[*..6]->(c) WHERE a.$dtId = 'x'") != nil)
        let text = "SELECT a FROM DIGITALTWINS MATCH (a)-[*4]->(b)-[*5]->(c)-[]->(d)-[]->(e) WHERE a.$dtId = 'x'"
        let e = try #require(failure(text))
        #expect(e.kind == .limit)
        #expect(e.reason.contains("at most 10 hops in total; this edge brings it to 11"))
        #expect(e.column == 66)
        #expect(failure("SELECT a FROM DIGITALTWINS MATCH (a)-[*11]->(b) WHERE a.$dtId = 'x'")?.kind == .limit)
        #expect(
            failure("SELECT a FROM DIGITALTWINS MATCH (a)-[*99999999999999999999]->(b) WHERE a.$dtId = 'x'")?.kind
                == .limit)
        #expect(
            parsed(
                "SELECT a FROM DIGITALTWINS MATCH (a)-[*11]->(b) WHERE a.$dtId = 'x'",
                ParseOptions(limits: QueryLimits(maxHops: 20))) != nil)
    }

    @Test("MATCH anchoring and its switch")
    func anchoring() throws {
        let text = "SELECT room, factory FROM DIGITALTWINS MATCH (room)-[]->(factory) WHERE room.temperature > 50"
        let e = try #require(failure(text))
        #expect(e.kind == .semantic)
        #expect(e.reason.contains("a query with MATCH must filter a twin's $dtId"))
        #expect(e.column == 40)
        #expect(parsed(text, ParseOptions(requireAnchor: false)) != nil)
        // The anchor may be on any twin of the pattern, and not on an edge variable.
        #expect(parsed("SELECT a FROM DIGITALTWINS MATCH (a)-[]->(b) WHERE b.$dtId IN ['x']") != nil)
        #expect(failure("SELECT a FROM DIGITALTWINS MATCH (a)-[r]->(b) WHERE r.$dtId = 'x'")?.kind == .semantic)
    }

    static let errors: [ErrorCase] = [
        ErrorCase(
            "SELECT a FROM DIGITALTWINS MATCH (a-[]-(b) WHERE a.$dtId = 'x'", .syntax,
            "expected ')' to close the MATCH node '(a', found '-'", column: 36),
        ErrorCase(
            "SELECT a FROM DIGITALTWINS MATCH a-[]-(b) WHERE a.$dtId = 'x'", .syntax,
            "expected '(' to start a MATCH node", column: 34),
        ErrorCase("SELECT a FROM DIGITALTWINS MATCH () WHERE a.$dtId = 'x'", .syntax, "expected a twin variable name"),
        ErrorCase(
            "SELECT a FROM DIGITALTWINS MATCH (a)-->(b) WHERE a.$dtId = 'x'", .syntax,
            "expected '[' to start a MATCH relationship condition"),
        ErrorCase("SELECT a FROM DIGITALTWINS MATCH (a)<-[]->(b) WHERE a.$dtId = 'x'", .syntax, "only one arrowhead"),
        ErrorCase("SELECT a FROM DIGITALTWINS MATCH (a)<[]-(b) WHERE a.$dtId = 'x'", .syntax, "expected '-' after '<'"),
        ErrorCase("SELECT a FROM DIGITALTWINS MATCH (a)-[](b) WHERE a.$dtId = 'x'", .syntax, "expected '-' after ']'"),
        ErrorCase("SELECT a FROM DIGITALTWINS MATCH (a)(b) WHERE a.$dtId = 'x'", .syntax, "expected an edge"),
        ErrorCase(
            "SELECT a FROM DIGITALTWINS MATCH (a)-[has|includes]-(b) WHERE a.$dtId = 'x'", .syntax,
            "need a leading ':'", column: 39),
        ErrorCase(
            "SELECT a FROM DIGITALTWINS MATCH (a)-[:]-(b) WHERE a.$dtId = 'x'", .syntax,
            "expected a relationship name after ':'"),
        ErrorCase(
            "SELECT a FROM DIGITALTWINS MATCH (a)-[:x|]-(b) WHERE a.$dtId = 'x'", .syntax,
            "expected a relationship name after '|'"),
        ErrorCase(
            "SELECT a FROM DIGITALTWINS MATCH (a)-[*]-(b) WHERE a.$dtId = 'x'", .syntax, "an upper limit is required"),
        ErrorCase(
            "SELECT a FROM DIGITALTWINS MATCH (a)-[*2..]-(b) WHERE a.$dtId = 'x'", .syntax,
            "expected a hop count, found ']'"),
        ErrorCase("SELECT a FROM DIGITALTWINS MATCH (a)-[*1.5]-(b) WHERE a.$dtId = 'x'", .syntax, "whole number"),
        ErrorCase("SELECT a FROM DIGITALTWINS MATCH (a)-[*0]-(b) WHERE a.$dtId = 'x'", .semantic, "at least 1"),
        ErrorCase("SELECT a FROM DIGITALTWINS MATCH (a)-[*1..1]-(b) WHERE a.$dtId = 'x'", .semantic, "is empty"),
        ErrorCase("SELECT a FROM DIGITALTWINS MATCH (a)-[*3..2]-(b) WHERE a.$dtId = 'x'", .semantic, "is empty"),
        ErrorCase(
            "SELECT a FROM DIGITALTWINS MATCH (a)-[r*2]-(b) WHERE a.$dtId = 'x'", .semantic,
            "only allowed on a single-hop edge", column: 38),
        ErrorCase("SELECT a FROM DIGITALTWINS MATCH (a)-[r:x*1..3]-(b) WHERE a.$dtId = 'x'", .semantic, "single-hop"),
        ErrorCase("SELECT a FROM DIGITALTWINS MATCH (a)-[:x*2 y]-(b) WHERE a.$dtId = 'x'", .syntax, "expected ']'"),
        ErrorCase(
            "SELECT a FROM DIGITALTWINS MATCH (a)-[]->(b) MATCH (c) WHERE a.$dtId = 'x'", .limit, "only one MATCH",
            column: 46),
        ErrorCase(
            "SELECT a FROM DIGITALTWINS A JOIN b RELATED A.x MATCH (a) WHERE a.$dtId = 'x'", .semantic,
            "MATCH cannot be combined with JOIN"),
        ErrorCase(
            "SELECT a FROM DIGITALTWINS MATCH (a) JOIN b RELATED a.x WHERE a.$dtId = 'x'", .semantic,
            "JOIN cannot be combined with MATCH"),
        ErrorCase(
            "SELECT a FROM RELATIONSHIPS MATCH (a) WHERE a.$dtId = 'x'", .semantic, "MATCH needs FROM DIGITALTWINS"),
        ErrorCase("SELECT a FROM DIGITALTWINS T MATCH (a) WHERE a.$dtId = 'x'", .semantic, "remove the alias 'T'"),
        ErrorCase(
            "SELECT a FROM DIGITALTWINS MATCH (a)-[]->(a) WHERE a.$dtId = 'x'", .semantic,
            "'a' is defined more than once"),
        ErrorCase(
            "SELECT a FROM DIGITALTWINS MATCH (a)-[b]->(b) WHERE a.$dtId = 'x'", .semantic,
            "'b' is defined more than once"),
        ErrorCase(
            "SELECT a, c FROM DIGITALTWINS MATCH (a)-[]->(b) WHERE a.$dtId = 'x'", .semantic,
            "unknown collection 'c'; the query defines a, b"),
        ErrorCase(
            "SELECT a FROM DIGITALTWINS MATCH (a)-[]->(b) WHERE $dtId = 'x'", .semantic, "unknown collection '$dtId'"),
        ErrorCase(
            "SELECT a FROM DIGITALTWINS MATCH (a) WHERE IS_OF_MODEL('m') AND a.$dtId = 'x'", .semantic,
            "IS_OF_MODEL needs a collection argument"),
        ErrorCase(
            "SELECT a FROM DIGITALTWINS MATCH ((SELECT 1)) WHERE a.$dtId = 'x'", .syntax,
            "expected a twin variable name"),
    ]

    @Test("MATCH errors", arguments: errors)
    func matchErrors(_ c: ErrorCase) { c.check() }
}
