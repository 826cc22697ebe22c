import Testing

@testable import TwinQuery

/// A query and the AST it must produce.
struct ASTCase: Sendable, CustomTestStringConvertible {
    var query: String
    var expected: Query
    var options = ParseOptions()
    var testDescription: String { query }

    init(_ query: String, _ expected: Query, options: ParseOptions = .init()) {
        self.query = query
        self.expected = expected
        self.options = options
    }
}

@Suite("SELECT and FROM")
struct SelectFromTests {
    static let cases: [ASTCase] = [
        ASTCase("SELECT * FROM DIGITALTWINS", Query(select: .all, from: twinsFrom())),
        ASTCase("SELECT * FROM DIGITALTWINS T", Query(select: .all, from: twinsFrom("T"))),
        ASTCase("SELECT * FROM RELATIONSHIPS", Query(select: .all, from: Source(.relationships))),
        ASTCase("SELECT * FROM RELATIONSHIPS R", Query(select: .all, from: Source(.relationships, alias: "R"))),
        ASTCase("SELECT T FROM DIGITALTWINS T", Query(select: items(path("T")), from: twinsFrom("T"))),
        ASTCase(
            "SELECT name, age FROM DIGITALTWINS",
            Query(select: items(implicit("name"), implicit("age")), from: twinsFrom())),
        ASTCase("SELECT COUNT() FROM DIGITALTWINS", Query(select: .count, from: twinsFrom())),
        ASTCase("SELECT COUNT() FROM RELATIONSHIPS", Query(select: .count, from: Source(.relationships))),
        ASTCase("SELECT TOP(5) FROM DIGITALTWINS", Query(select: .all, top: 5, from: twinsFrom())),
        ASTCase("SELECT TOP (5) FROM DIGITALTWINS", Query(select: .all, top: 5, from: twinsFrom())),
        ASTCase("SELECT TOP(5) * FROM DIGITALTWINS", Query(select: .all, top: 5, from: twinsFrom())),
        ASTCase("SELECT TOP(2) T FROM DIGITALTWINS T", Query(select: items(path("T")), top: 2, from: twinsFrom("T"))),
        ASTCase(
            "SELECT TOP(10) T.name, T.$dtId FROM DIGITALTWINS T",
            Query(select: items(path("T", "name"), path("T", "$dtId")), top: 10, from: twinsFrom("T"))),
        ASTCase(
            "SELECT Factory.area FROM DIGITALTWINS Factory WHERE Factory.$dtId = 'ABC' AND IS_PRIMITIVE(Factory.area)",
            Query(
                select: items(path("Factory", "area")), from: twinsFrom("Factory"),
                where: .and(
                    cmp(path("Factory", "$dtId"), .equal, str("ABC")),
                    .function(.typeCheck(.isPrimitive, path("Factory", "area")))))),
        // With one collection, names that are not the alias are properties of it.
        ASTCase("SELECT ROOM FROM DIGITALTWINS DT", Query(select: items(implicit("ROOM")), from: twinsFrom("DT"))),
        ASTCase(
            "SELECT T.name AS n, T FROM DIGITALTWINS T",
            Query(
                select: .items([
                    ProjectionItem(path: path("T", "name"), alias: "n"), ProjectionItem(path: path("T")),
                ]), from: twinsFrom("T"))),
        ASTCase(
            "SELECT T.address.city, T.$metadata.$model FROM DIGITALTWINS T",
            Query(select: items(path("T", "address", "city"), path("T", "$metadata", "$model")), from: twinsFrom("T"))),
        ASTCase(
            "SELECT R.$sourceId, R.$targetId, R.$relationshipName, R.$relationshipId, R.$etag FROM RELATIONSHIPS R",
            Query(
                select: items(
                    path("R", "$sourceId"), path("R", "$targetId"), path("R", "$relationshipName"),
                    path("R", "$relationshipId"), path("R", "$etag")),
                from: Source(.relationships, alias: "R"))),
        ASTCase(
            "SELECT T.$metadata.temperature.lastUpdateTime, T.$metadata.$lastUpdateTime FROM DIGITALTWINS T",
            Query(
                select: items(
                    path("T", "$metadata", "temperature", "lastUpdateTime"), path("T", "$metadata", "$lastUpdateTime")),
                from: twinsFrom("T"))),
        ASTCase(
            "SELECT COUNT() FROM DIGITALTWINS c WHERE IS_OF_MODEL('dtmi:sample:Room;1') AND c.Capacity > 20",
            Query(
                select: .count, from: twinsFrom("c"),
                where: .and(
                    .function(.isOfModel(IsOfModel(modelId: "dtmi:sample:Room;1"))),
                    cmp(path("c", "Capacity"), .greater, num("20"))))),
    ]

    @Test("projection and source forms", arguments: cases)
    func forms(_ c: ASTCase) {
        #expect(parsed(c.query, c.options) == c.expected)
    }

    @Test(
        "keywords are case-insensitive",
        arguments: [
            "select * from digitaltwins", "Select * From DigitalTwins", "SELECT * FROM DIGITALTWINS",
            "sElEcT * fRoM dIgItAlTwInS",
        ])
    func keywordCase(_ text: String) {
        #expect(parsed(text) == Query(select: .all, from: twinsFrom()))
    }

    @Test("keywords in every clause are case-insensitive")
    func keywordCaseEverywhere() {
        let lower =
            "select top(3) t.name as n from digitaltwins t join c related t.contains r where t.$dtId in ['a'] and (not is_defined(c.x) or is_of_model(c, 'dtmi:a:b;1', EXACT)) and c.y nin [1]"
        let upper =
            "SELECT TOP(3) t.name AS n FROM DIGITALTWINS t JOIN c RELATED t.contains r WHERE t.$dtId IN ['a'] AND (NOT IS_DEFINED(c.x) OR IS_OF_MODEL(c, 'dtmi:a:b;1', exact)) AND c.y NIN [1]"
        let a = parsed(lower)
        #expect(a != nil)
        #expect(a == parsed(upper))
    }

    @Test("names are case-sensitive")
    func nameCase() throws {
        let q = try #require(parsed("SELECT t FROM DIGITALTWINS T"))
        // `t` is not the alias `T`, so it is a property of the single collection.
        #expect(q.select == items(implicit("t")))
        let e = failure("SELECT T, ct FROM DIGITALTWINS T JOIN CT RELATED T.contains WHERE T.$dtId = 'x'")
        #expect(e?.kind == .semantic)
        #expect(e?.reason.contains("unknown collection 'ct'") == true)
    }

    @Test("projected collections and properties are told apart")
    func projectionKinds() throws {
        let q = try #require(parsed("SELECT T, T.name, name FROM DIGITALTWINS T"))
        guard case .items(let list) = q.select else { Issue.record("expected items"); return }
        #expect(list.map(\.isCollection) == [true, false, false])
        #expect(list.map { $0.path.collection } == ["T", "T", nil])
        #expect(list.map { $0.path.properties } == [[], ["name"], ["name"]])
    }

    @Test("collections lists every alias with its kind")
    func collections() throws {
        let q = try #require(
            parsed("SELECT A FROM DIGITALTWINS A JOIN B RELATED A.has R JOIN C RELATED B.has WHERE A.$dtId = 'a'"))
        #expect(
            q.collections == [
                NamedCollection(name: "A", kind: .twins), NamedCollection(name: "B", kind: .twins),
                NamedCollection(name: "R", kind: .relationships), NamedCollection(name: "C", kind: .twins),
            ])
        let m = try #require(parsed("SELECT a FROM DIGITALTWINS MATCH (a)-[r]->(b) WHERE a.$dtId = 'x'"))
        #expect(
            m.collections == [
                NamedCollection(name: "a", kind: .twins), NamedCollection(name: "b", kind: .twins),
                NamedCollection(name: "r", kind: .relationships),
            ])
    }

    @Test("escaped reserved words are accepted as names")
    func escapedNames() {
        #expect(
            parsed("SELECT * FROM DIGITALTWINS WHERE [[Group]] = 'BravoTeam'")
                == Query(select: .all, from: twinsFrom(), where: cmp(implicit("Group"), .equal, str("BravoTeam"))))
        #expect(
            parsed("SELECT T.[[Select]] AS [[from]] FROM DIGITALTWINS [[Order]] WHERE [[Order]].[[2ndFloor]] = 1")
                == Query(
                    select: .items([ProjectionItem(path: implicit("T", "Select"), alias: "from")]),
                    from: twinsFrom("Order"),
                    where: cmp(path("Order", "2ndFloor"), .equal, num("1"))))
        #expect(
            parsed("SELECT * FROM DIGITALTWINS T WHERE T.tags.[[my key-1]] = true")
                == Query(
                    select: .all, from: twinsFrom("T"),
                    where: .comparison(.equal, .path(path("T", "tags", "my key-1")), .literal(.bool(true)))))
    }

    @Test("non-reserved keywords can be property names")
    func contextualKeywords() {
        #expect(
            parsed("SELECT T.match, T.related, T.exact FROM DIGITALTWINS T WHERE T.join = 1 AND nin = 2")
                == Query(
                    select: items(path("T", "match"), path("T", "related"), path("T", "exact")),
                    from: twinsFrom("T"),
                    where: .and(cmp(path("T", "join"), .equal, num("1")), cmp(implicit("nin"), .equal, num("2")))))
    }

    static let reservedAsNames: [ErrorCase] = [
        ErrorCase(
            "SELECT * FROM DIGITALTWINS WHERE Group = 'BravoTeam'", .syntax, "the reserved word 'Group'", column: 34),
        ErrorCase("SELECT * FROM DIGITALTWINS WHERE T.order = 1", .syntax, "the reserved word 'order'"),
        ErrorCase("SELECT * FROM DIGITALTWINS Select", .syntax, "the reserved word 'Select'", column: 28),
        ErrorCase("SELECT T.name AS count FROM DIGITALTWINS T", .syntax, "the reserved word 'count'"),
        ErrorCase(
            "SELECT X FROM DIGITALTWINS T JOIN Top RELATED T.has WHERE T.$dtId = 'a'", .syntax,
            "the reserved word 'Top'"),
        ErrorCase("SELECT * FROM DIGITALTWINS WHERE IS_DEFINED(min)", .syntax, "the reserved word 'min'"),
        ErrorCase("SELECT * FROM DIGITALTWINS WHERE Desc.x = 1", .syntax, "the reserved word 'Desc'"),
        ErrorCase(
            "SELECT * FROM DIGITALTWINS MATCH (all)-[]->(b) WHERE b.$dtId = 'x'", .syntax, "the reserved word 'all'"),
    ]

    @Test("bare reserved words are rejected as names", arguments: reservedAsNames)
    func reservedNames(_ c: ErrorCase) { c.check() }

    static let errors: [ErrorCase] = [
        ErrorCase("foo", .syntax, "expected SELECT at the start of the query, found 'foo'", column: 1),
        ErrorCase("", .syntax, "expected SELECT", column: 1),
        ErrorCase("SELECT *", .syntax, "expected FROM, found end of query", column: 9),
        ErrorCase("SELECT * WHERE x = 1", .syntax, "expected FROM, found 'WHERE'", column: 10),
        ErrorCase("SELECT T.name x FROM DIGITALTWINS T", .syntax, "expected ',' or FROM", column: 15),
        ErrorCase(
            "SELECT FROM DIGITALTWINS", .syntax,
            "expected a collection or property to project, found the reserved word 'FROM'"),
        ErrorCase(
            "SELECT * FROM TWINS", .syntax, "expected DIGITALTWINS or RELATIONSHIPS after FROM, found 'TWINS'",
            column: 15),
        ErrorCase(
            "SELECT * FROM (SELECT * FROM DIGITALTWINS)", .unsupported, "subqueries are not supported", column: 15),
        ErrorCase("SELECT *, T FROM DIGITALTWINS T", .syntax, "expected FROM, found ','"),
        ErrorCase("SELECT T, * FROM DIGITALTWINS T", .syntax, "cannot be combined"),
        ErrorCase("SELECT COUNT(*) FROM DIGITALTWINS", .syntax, "COUNT takes no arguments"),
        ErrorCase("SELECT COUNT(), T FROM DIGITALTWINS T", .syntax, "expected FROM, found ','"),
        ErrorCase("SELECT TOP 5 FROM DIGITALTWINS", .syntax, "expected '(' after TOP", column: 12),
        ErrorCase("SELECT TOP(0) FROM DIGITALTWINS", .semantic, "at least 1", column: 12),
        ErrorCase("SELECT TOP(-1) FROM DIGITALTWINS", .semantic, "positive integer", column: 12),
        ErrorCase("SELECT TOP(2.5) FROM DIGITALTWINS", .semantic, "positive integer"),
        ErrorCase("SELECT TOP(99999999999999999999) FROM DIGITALTWINS", .semantic, "positive integer"),
        ErrorCase("SELECT TOP(x) FROM DIGITALTWINS", .syntax, "expected an integer count"),
        ErrorCase("SELECT TOP(5 FROM DIGITALTWINS", .syntax, "expected ')' to close TOP("),
        ErrorCase("SELECT TOP(5) COUNT() FROM DIGITALTWINS", .semantic, "TOP cannot be combined with COUNT()"),
        ErrorCase("SELECT * FROM DIGITALTWINS T extra", .syntax, "expected end of query, found 'extra'"),
        ErrorCase("SELECT * FROM DIGITALTWINS;", .syntax, "unexpected character ';'", column: 27),
        ErrorCase("SELECT * FROM DIGITALTWINS GROUP BY T.x", .unsupported, "GROUP BY is not supported"),
        ErrorCase(
            "SELECT * FROM DIGITALTWINS T WHERE T.x = 1 JOIN C RELATED T.has", .syntax, "JOIN must come before WHERE"),
    ]

    @Test("SELECT/FROM errors", arguments: errors)
    func selectErrors(_ c: ErrorCase) { c.check() }
}
